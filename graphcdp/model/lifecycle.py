"""Rows of the start-up bookkeeping (graphcdp/lifecycle): recorded runs of graphcdp and migrations done."""

from __future__ import annotations

from graphcdp.model.base import DomainModel


class RecordedRun(DomainModel):
    """lifecycle/runs: a run of graphcdp recorded on the graph; `process` tells its process from a later one
    given the same pid (empty where the host does not say); `beat`: when it last said it was alive (epoch ms)."""

    id: str
    host: str
    pid: int
    process: str
    beat: int
    unfinished: bool = False


class RunId(DomainModel):
    """lifecycle/open_run, lifecycle/close_runs: a run written or removed."""

    id: str


class MigrationName(DomainModel):
    """lifecycle/migrations_done, lifecycle/record_migrations: a start-up migration the graph has had."""

    name: str
