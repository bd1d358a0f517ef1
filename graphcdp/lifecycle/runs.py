"""The runs of graphcdp that write to a graph, recorded on it, so a start knows whether a crash left work undone.

An upsert stores its records, then resolves them; a process killed in between leaves records no lookup reaches
(and a delete cut short, a person without a record). The crash repairs find them by scanning every record and
every person: seconds at 100,000 people, minutes at ten million. So each process that writes records itself as
a `ServiceRun` when it starts and removes it when it stops with its writes finished. A start repairs only when a
recorded run has ended without that: its process is gone, it has not been seen alive for `STALE_AFTER_MS`, or
it said a write was cut short (`unfinished`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from graphcdp.clock import now_ms
from graphcdp.model.lifecycle import RecordedRun, RunId
from graphcdp.store import GraphStore, statement

log = logging.getLogger(__name__)

OPEN_RUN = statement("lifecycle/open_run", RunId)
RUNS = statement("lifecycle/runs", RecordedRun)
CLOSE_RUNS = statement("lifecycle/close_runs", RunId)

BEAT_SECONDS = 30.0  # how often a run says it is alive
# A run of another host not seen alive for this long has ended (on this host its process is asked directly).
STALE_AFTER_MS = int(4 * BEAT_SECONDS * 1000)
# Seconds a stop waits for the beat and a repair it started to end once told to: a task whose cancellation a client
# library lost (redis-py lost one in three, graphcdp/store/cancellation.py) must not hold the process up for ever.
STOP_TASKS_TIMEOUT = 5.0
CLOSE_TIMEOUT = 0.5  # seconds a stop waits to remove the run (a one-node write; beyond, the next start repairs)


@dataclass(frozen=True)
class ProcessIdentity:
    """A process as other processes can recognise it: its host (the name and the pid namespace, so two containers
    sharing a host name are told apart), its pid, and its start (boot and start time), which a later process
    given the same pid does not share."""

    host: str
    pid: int
    process: str

    @classmethod
    def of_this_process(cls) -> ProcessIdentity:
        return cls.of(os.getpid()) or cls(host=_host(), pid=os.getpid(), process="")

    @classmethod
    def of(cls, pid: int) -> ProcessIdentity | None:
        """The running process `pid` of this host; None if there is none."""
        started = process_start(pid)
        return None if started is None else cls(host=_host(), pid=pid, process=started)


def _host() -> str:
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}/{namespace}"


def process_start(pid: int) -> str | None:
    """The boot and start time of the process with this pid on this host; None when there is none. Where /proc
    does not tell (not Linux), an empty string while the pid runs."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except FileNotFoundError:
        if Path("/proc/self/stat").exists():
            return None  # /proc works: the process is gone
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass  # someone else's process, running
        return ""
    except OSError:
        return ""
    # Field 22, the start time in clock ticks since boot; fields are counted after the command's closing ')'.
    return f"{boot}:{stat.rsplit(')', 1)[1].split()[19]}"


def has_ended(run: RecordedRun, me: ProcessIdentity, now: int) -> bool:
    """Whether a recorded run (not this process's own) can no longer finish its writes. Another host's silence is
    measured by the two hosts' clocks: a skew of seconds is nothing beside STALE_AFTER_MS."""
    if run.unfinished:
        return True
    if run.host == me.host:  # its process can be asked: gone, or its pid now another process's
        started = process_start(run.pid)
        return started is None or (started != run.process and bool(run.process))
    return now - run.beat > STALE_AFTER_MS


class ServiceRun:
    """This process's run, recorded on the graph while it writes. `finishing()` wraps the writes that store first
    and resolve after: one cut short marks the run unfinished, so the next start repairs."""

    def __init__(self, store: GraphStore, process: ProcessIdentity | None = None) -> None:
        self.store = store
        self.id = uuid.uuid4().hex
        self.process = process or ProcessIdentity.of_this_process()
        self.unfinished = False
        self._beats: asyncio.Task[None] | None = None
        self._watching: asyncio.Task[None] | None = None

    async def open(
        self, beat_seconds: float = BEAT_SECONDS, watch: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        """Record the run, and keep saying it is alive every `beat_seconds`; `watch`, if given, is started after a
        beat unless the last one still runs (the process that repairs looks for runs that ended meanwhile). It runs
        beside the beats: a repair of minutes must not silence this run, or other hosts would take it for ended."""
        await self.record()
        if self._beats is None:
            self._beats = asyncio.create_task(self._beat(beat_seconds, watch), name="graphcdp-run-beat")

    async def record(self) -> None:
        """Record the run, or say it is still alive (and whether a write was cut short)."""
        params = {
            "id": self.id,
            "host": self.process.host,
            "pid": self.process.pid,
            "process": self.process.process,
            "now": now_ms(),
            "unfinished": self.unfinished,
        }
        await self.store.run(OPEN_RUN, params)

    async def _beat(self, seconds: float, watch: Callable[[], Awaitable[None]] | None) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await self.record()
            except Exception as exc:  # the database is away, say: the next beat tries again
                log.warning("this run's beat failed: %s", type(exc).__name__)
                continue
            if watch is not None and (self._watching is None or self._watching.done()):
                self._watching = asyncio.create_task(self._watch(watch), name="graphcdp-run-watch")

    @staticmethod
    async def _watch(watch: Callable[[], Awaitable[None]]) -> None:
        try:
            await watch()
        except Exception as exc:  # a repair that failed: the runs it was for stay recorded, the next beat retries
            log.warning("looking for runs that ended failed: %s", type(exc).__name__)

    def mark_unfinished(self) -> None:
        """A write stored records and did not resolve them all: the next start repairs."""
        self.unfinished = True

    @contextlib.contextmanager
    def finishing(self) -> Iterator[None]:
        """Around a write that stores first and resolves after: cut short (an error, a cancelled request), the run
        is marked unfinished."""
        try:
            yield
        except BaseException:
            self.unfinished = True
            raise

    async def ended_runs(self) -> list[RecordedRun]:
        """The recorded runs, other than this one, that ended without finishing their writes."""
        runs, now = await self.store.run(RUNS, {}), now_ms()
        return [run for run in runs if run.id != self.id and has_ended(run, self.process, now)]

    async def forget(self, runs: list[RecordedRun]) -> None:
        """Remove ended runs once what they left was repaired."""
        if runs:
            await self.store.run(CLOSE_RUNS, {"ids": [run.id for run in runs]})

    async def close(self) -> None:
        """Stop saying the run is alive; remove it if its writes finished, or leave it marked for the next start.
        Within CLOSE_TIMEOUT: a stop does not wait on a database that hangs (the run then stays recorded, and the
        next start repairs, which is safe)."""
        await _stop(task for task in (self._beats, self._watching) if task is not None)
        self._beats = self._watching = None
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT):
                if self.unfinished:
                    await self.record()
                    log.warning("a write of this run was cut short after storing records: the next start repairs")
                else:
                    await self.store.run(CLOSE_RUNS, {"ids": [self.id]})
        except Exception as exc:  # the database is away or hangs: the run stays recorded, the next start repairs
            log.warning("could not record the end of this run: %s", type(exc).__name__)


async def _stop(tasks: Iterable[asyncio.Task[None]]) -> None:
    """Cancel the tasks and wait for them within STOP_TASKS_TIMEOUT; one still running then is left behind, said."""
    stopping = list(tasks)
    for task in stopping:
        task.cancel()
    if not stopping:
        return
    done, running = await asyncio.wait(stopping, timeout=STOP_TASKS_TIMEOUT)
    for task in done:
        if not task.cancelled():
            task.exception()  # retrieved: both tasks log their own failures
    for task in running:
        log.warning(
            "%s did not stop within %.0f s of being told to; the stop goes on", task.get_name(), STOP_TASKS_TIMEOUT
        )
