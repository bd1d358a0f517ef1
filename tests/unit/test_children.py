"""`children` (tests/service_process.py) while children come and go: the test that kills `serve --workers`'
processes polls it as they die, and a child that exited between the listing and the read of its command line
raised there (FileNotFoundError or ProcessLookupError) before it was left out."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.service_process import children

POLL_SECONDS = 2.0  # the unguarded reads failed within this in every try (a child lives about a millisecond)


def test_children_that_exit_while_listed_are_left_out(tmp_path: Path) -> None:
    # A shell starting short-lived children one after another, and one long-lived child to find. The script is a
    # file: its text is not in the shell's command line, which its children share until they run their own.
    script = tmp_path / "churn.sh"
    script.write_text("sleep 30 &\nwhile true; do /bin/true; done\n")
    parent = subprocess.Popen(["bash", str(script)], start_new_session=True)  # its own group: killed whole below
    try:
        started = time.monotonic() + 10
        while not children(parent.pid, "sleep"):  # the shell has started it
            assert time.monotonic() < started, "the shell started no child"
            time.sleep(0.01)
        deadline = time.monotonic() + POLL_SECONDS
        polls, found_sleep = 0, 0
        while time.monotonic() < deadline:  # each listing reads every child's command line, the dying ones too
            polls += 1
            found_sleep += len(children(parent.pid, "sleep"))
        assert found_sleep == polls  # the long-lived child is found every time
    finally:
        os.killpg(parent.pid, signal.SIGKILL)  # the shell and its sleep
        parent.wait()
