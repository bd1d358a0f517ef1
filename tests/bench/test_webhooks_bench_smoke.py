"""`graphcdp bench webhooks` at a tiny size, so it cannot rot: every event reaches the benchmark's receiver through
the dispatcher, and the raw POSTs too. Nothing here looks at a time."""

from __future__ import annotations

from graphcdp.settings import load_settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp_bench.webhooks import deliveries_on, webhooks_table


async def test_the_webhook_benchmark_delivers_every_event(embedded_falkordb: EmbeddedFalkorDB) -> None:
    result = await deliveries_on(embedded_falkordb.url, load_settings(), 30)
    assert result["events"] == 30
    assert result["dispatcher"]["perSecond"] > 0 and result["raw"]["perSecond"] > 0
    assert "webhook deliveries: 30 events" in webhooks_table(result)
