"""`graphcdp bench feed` at a tiny size, so it cannot rot: the events side of the write-cost comparison writes the
resolution's events and the other side none, and every upsert sent over HTTP has its CREATED arrive on the
websocket subscription. Nothing here looks at a time."""

from __future__ import annotations

import pytest

from graphcdp.settings import load_settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp_bench import feed
from graphcdp_bench.feed import feed_on, feed_table
from tests.bench.conftest import InProcessBenchServer


async def test_the_feed_benchmark_compares_both_sides_and_receives_every_event(
    embedded_falkordb: EmbeddedFalkorDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed, "BenchServer", InProcessBenchServer)
    result = await feed_on(embedded_falkordb.url, load_settings(), people=20, upserts=8, subscriptions=6)
    cost, live = result["writeCost"], result["subscription"]
    # Half the pairs create a person (one CREATED), half change a trait (one TRAITS_CHANGED): one event an upsert.
    assert cost["withEvents"]["count"] == cost["withoutEvents"]["count"] == 8
    assert cost["withEvents"]["eventsWritten"] == 8 and cost["withoutEvents"]["eventsWritten"] == 0
    assert live["eventsReceived"] == live["fromSent"]["count"] == live["fromAnswer"]["count"] == 6
    table = feed_table(result)
    assert "change feed on a graph of 20 persons" in table and "6 of 6 events received" in table
