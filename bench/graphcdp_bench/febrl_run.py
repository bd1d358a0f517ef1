"""`graphcdp bench febrl`: each FEBRL set on its own graphs of an embedded FalkorDB in the work directory."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graphcdp.identity.matching.identifying import with_identifying_traits
from graphcdp.identity.matching.spec import MatchingModel, load_model
from graphcdp.settings import Settings
from graphcdp_bench.datagen.census import write_census_set
from graphcdp_bench.febrl import PERSON_PROFILE, run_febrl_benchmark
from graphcdp_bench.graphs import bench_server, bench_services

CENSUS_PEOPLE = 10_000  # `census` alone; `census:N` for N people


def census_model() -> MatchingModel:
    """What an operator of a person register runs: the shipped (household-aware) model, with the SSN declared
    as an identifying trait (GRAPHCDP_IDENTIFYING_TRAITS='{"nationalId": {}}'); FEBRL's model weighs a shared
    address as if no two people lived at one."""
    return with_identifying_traits(load_model(None), ["nationalId"])


def data_set(name: str, work: Path) -> str | Path:
    """A FEBRL set's name as it is, or `census[:N]`: the person-register set (datagen/census.py) of N people,
    written into the work directory once (same N, same file)."""
    kind, _, people = name.partition(":")
    if kind != "census":
        return name
    path = work / f"census-{int(people or CENSUS_PEOPLE)}.csv"
    return path if path.exists() else write_census_set(int(people or CENSUS_PEOPLE), path)


async def run_febrl_sets(settings: Settings, work: Path, sets: Sequence[str], *, splink: bool = True) -> dict[str, Any]:
    logging.getLogger("splink").setLevel(logging.ERROR)  # its training chatter would bury the tables
    server = bench_server(work / "falkordb-febrl", settings)
    await server.start()
    results: dict[str, Any] = {}
    try:
        for name in sets:
            # reset: graphs left by an interrupted run
            graph = name.replace(":", "_")
            async with (
                bench_services(server.url, f"bench_febrl_{graph}_untrained", settings, reset=True) as first,
                bench_services(server.url, f"bench_febrl_{graph}", settings, reset=True) as second,
            ):
                try:
                    source = data_set(name, work)
                    census = isinstance(source, Path) and name.startswith("census")
                    results[name] = await run_febrl_benchmark(
                        source,
                        first,
                        splink=splink,
                        trained=second,
                        model=census_model() if census else None,
                        splink_profile=PERSON_PROFILE if census else None,
                    )
                finally:
                    for services in (first, second):
                        await services.store.destroy()
    finally:
        await server.stop()
    return results
