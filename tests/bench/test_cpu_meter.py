"""The benchmarks' CPU meter reads what processes spent from /proc: their own CPU and their live descendants'."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp_bench.cpu import CpuMeter, cpu_seconds, database_pid

# A child that burns 0.4 s of CPU and then waits: at once, or in slices over about 3 s, as it does on a loaded
# machine (CI's full suite), where the test polled it long enough for its polling to count.
AT_ONCE = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass\ntime.sleep(30)"
SLOWLY = (
    "import time\nwhile time.process_time() < 0.4:\n"
    "    end = time.process_time() + 0.02\n    while time.process_time() < end: pass\n    time.sleep(0.13)\n"
    "time.sleep(30)"
)


@pytest.mark.parametrize("burn", [AT_ONCE, SLOWLY], ids=["at-once", "slowly"])
def test_a_process_counts_the_cpu_of_the_processes_under_it(burn: str) -> None:
    before = cpu_seconds(os.getpid())
    assert before is not None
    meter = CpuMeter(service=os.getpid(), database=os.getpid())  # with the processes under it, and alone
    meter.start()
    child = subprocess.Popen([sys.executable, "-c", burn])
    try:
        deadline = time.monotonic() + 20
        # The test's own process polls the child alone: counting a process's descendants reads every process's
        # /proc entry (5 ms a poll here), which over a slow child's seconds was over 0.2 s of this process's CPU.
        while (cpu_seconds(child.pid, descendants=False) or 0) < 0.4 and time.monotonic() < deadline:
            time.sleep(0.05)
        spent = cpu_seconds(os.getpid())
        assert spent is not None and spent - before >= 0.4
        spent_per_request = meter.per_request(4)  # in ms
        assert spent_per_request["service"] >= 100  # 0.4 s over 4 requests
        assert spent_per_request["database"] < 50  # this process only polled
    finally:
        child.kill()
        child.wait()


def test_a_process_that_is_not_there_is_not_measured() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert cpu_seconds(child.pid) is None
    meter = CpuMeter(service=child.pid, database=None)
    meter.start()
    assert meter.per_request(10) == {}


async def test_the_database_process_is_found_from_its_url(embedded_falkordb: EmbeddedFalkorDB) -> None:
    assert await database_pid(embedded_falkordb.url) == embedded_falkordb.pid
