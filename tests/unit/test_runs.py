"""When a recorded run of graphcdp counts as ended (graphcdp/lifecycle/runs.py)."""

from __future__ import annotations

import os
import subprocess
import sys

from graphcdp.lifecycle.runs import STALE_AFTER_MS, ProcessIdentity, has_ended, process_start
from graphcdp.model.lifecycle import RecordedRun

ME = ProcessIdentity.of_this_process()


NOW = 1_000_000_000


def _run(host: str, pid: int, process: str, *, silent_ms: int = 0, unfinished: bool = False) -> RecordedRun:
    return RecordedRun(id="r", host=host, pid=pid, process=process, beat=NOW - silent_ms, unfinished=unfinished)


def test_a_process_start_names_a_running_process_and_nothing_once_it_is_gone() -> None:
    assert process_start(os.getpid()) == ME.process != ""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert process_start(child.pid) is None


def test_a_run_of_this_host_lives_while_its_process_does() -> None:
    assert not has_ended(_run(ME.host, ME.pid, ME.process, silent_ms=STALE_AFTER_MS * 10), ME, NOW)  # beats: not asked
    assert has_ended(_run(ME.host, ME.pid, ME.process + "0"), ME, NOW)  # the pid is another process's now
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert has_ended(_run(ME.host, child.pid, "boot:1"), ME, NOW)


def test_a_run_of_another_host_lives_while_it_beats() -> None:
    assert not has_ended(_run("elsewhere/pid:[1]", 1, "boot:1", silent_ms=STALE_AFTER_MS), ME, NOW)
    assert has_ended(_run("elsewhere/pid:[1]", 1, "boot:1", silent_ms=STALE_AFTER_MS + 1), ME, NOW)


def test_a_run_that_cut_a_write_short_has_ended_even_alive() -> None:
    assert has_ended(_run(ME.host, ME.pid, ME.process, unfinished=True), ME, NOW)
    assert has_ended(_run("elsewhere/pid:[1]", 1, "boot:1", unfinished=True), ME, NOW)
