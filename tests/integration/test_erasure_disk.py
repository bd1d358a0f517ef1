"""Gone from disk, too: after an erasure on the real embedded database (GRAPHCDP_ERASURE_COMPACTION=0), none
of her values is in any file of the data directory (append-only file, logs, anything else), read as bytes,
nor in graphcdp's log lines; Bob's values still are, which shows the search finds what is there. The search
reads compressed strings too (tests/disk_search.py)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.wiring import open_services
from tests.disk_search import files_holding
from tests.privacy_helpers import ADA_EMAIL, ADA_VALUES, BOB_EMAIL, ingest_ada_and_bob


@pytest.mark.parametrize("delay", [0.0, 0.5])
async def test_erased_values_leave_the_data_directory_and_the_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, delay: float
) -> None:
    caplog.set_level(logging.DEBUG)
    data_dir = tmp_path / "data"
    settings = load_settings(backend="embedded", data_dir=data_dir, erasure_compaction=delay)
    async with open_services(settings) as services:
        ada = await ingest_ada_and_bob(services)
        await services.store.compact()  # the ingest is in the file's base now: a real test
        assert files_holding(data_dir, ADA_EMAIL), "her email should be on disk before the erasure"
        await services.privacy.forget_person(ada)
        if delay:
            assert services.privacy.compaction.pending
            for _ in range(100):
                if not services.privacy.compaction.pending:
                    break
                await asyncio.sleep(0.1)
        assert not services.privacy.compaction.pending
        for value in ADA_VALUES:
            assert files_holding(data_dir, value) == [], value
        assert files_holding(data_dir, BOB_EMAIL), "Bob's email is on disk: the search reads the files"
    # Stopped (a clean stop may rewrite the file again): still nothing of hers, Bob's still there.
    for value in ADA_VALUES:
        assert files_holding(data_dir, value) == [], value
    assert files_holding(data_dir, BOB_EMAIL)
    logged = "\n".join(record.getMessage() for record in caplog.records).lower()
    assert caplog.records  # the service did log (start-up, the erasure)
    for value in ADA_VALUES:
        assert value.lower() not in logged, value


async def test_a_rewrite_already_running_when_she_is_erased_is_followed_by_another(tmp_path: Path) -> None:
    """A rewrite that started before the erasure (an automatic one, another process's) holds her values: the
    erasure's compaction waits for it, then rewrites the file again."""
    data_dir = tmp_path / "data"
    settings = load_settings(backend="embedded", data_dir=data_dir, erasure_compaction=0)
    async with open_services(settings) as services:
        ada = await ingest_ada_and_bob(services)
        assert isinstance(services.store, FalkorDBStore) and services.store.embedded is not None
        embedded = services.store.embedded
        database = aioredis.Redis(host="127.0.0.1", port=embedded.port, password=embedded.password)
        try:
            # A slow rewrite of the data as it is now: its child writes each key half a second late (a
            # setting of the forked child; set back at once, so the next rewrite is quick).
            await database.config_set("rdb-key-save-delay", 500_000)
            await database.bgrewriteaof()
            await database.config_set("rdb-key-save-delay", 0)
            await services.privacy.forget_person(ada)
            assert not (await database.info("persistence"))["aof_rewrite_in_progress"]
        finally:
            await database.aclose()
        for value in ADA_VALUES:
            assert files_holding(data_dir, value) == [], value
        assert files_holding(data_dir, BOB_EMAIL)
