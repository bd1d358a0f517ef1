"""Resolution and matching stay readable: no function of graphcdp/identity (matching included) has a
cyclomatic complexity above 12 (ruff's C901; the rest of the code base is not held to it yet)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import graphcdp.identity

IDENTITY = Path(graphcdp.identity.__file__).parent
MAX_COMPLEXITY = 12


def too_complex(*paths: Path) -> subprocess.CompletedProcess[str]:
    rule = ["--select", "C901", "--config", f"lint.mccabe.max-complexity={MAX_COMPLEXITY}"]
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", *rule, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_no_function_of_identity_is_too_complex() -> None:
    result = too_complex(IDENTITY)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_check_finds_a_function_that_is(tmp_path: Path) -> None:
    branches = "".join(f"    if x == {n}:\n        return {n}\n" for n in range(MAX_COMPLEXITY))
    source = tmp_path / "tangled.py"
    source.write_text(f"def tangled(x: int) -> int:\n{branches}    return -1\n")
    result = too_complex(source)
    assert result.returncode == 1
    assert f"`tangled` is too complex ({MAX_COMPLEXITY + 1} > {MAX_COMPLEXITY})" in result.stdout
