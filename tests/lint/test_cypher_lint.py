"""Lint the project's Cypher with Neo4j's own linter (tools/cypher-lint/lint.mjs).

The linter runs offline with an empty schema on CYPHER 5, so it checks syntax
and semantics (undefined variables, removed/deprecated syntax, ...) but not
labels, properties, functions or procedures against a database. Since no
parameters are declared, every ``$param`` is reported as "Parameter $x is not
defined."; those diagnostics are expected and ignored. Everything else of
severity error (1) or warning (2) fails: deprecated syntax is a portability
risk between Neo4j 5 and FalkorDB.

FalkorDB-only files (``cypher/falkordb/``) are not Neo4j Cypher and are skipped.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import TypedDict

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CYPHER_DIR = REPO_ROOT / "cypher"
BENCH_CYPHER_DIR = REPO_ROOT / "bench" / "graphcdp_bench" / "cypher"  # the benchmarks' own statements
FALKORDB_DIR = CYPHER_DIR / "falkordb"
LINT_DIR = REPO_ROOT / "tools" / "cypher-lint"
LINT_SCRIPT = LINT_DIR / "lint.mjs"
LINTER_PACKAGE = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support"

# LSP DiagnosticSeverity values used by the linter.
ERROR = 1
WARNING = 2

# The linter's message is "Parameter $key is not defined." (the name may be
# back-quoted and contain spaces); mirrors the package's own isNotParamError().
PARAM_NOT_DEFINED = re.compile(r"^Parameter \$.+ is not defined\.?$", re.DOTALL)

# The longest a lint run may take (about 40 s alone on two cores, more beside the suite's other workers).
LINT_SECONDS = 400

SETUP_HINT = "run `make test` (which runs `npm ci --prefix tools/cypher-lint`)"


class Diagnostic(TypedDict):
    severity: int
    message: str
    line: int
    column: int


class FileResult(TypedDict):
    file: str
    diagnostics: list[Diagnostic]


def _run_lint(files: list[Path]) -> dict[str, list[Diagnostic]]:
    """Run lint.mjs once on ``files``; return diagnostics keyed by the path as passed."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"`node` not found on PATH: install Node.js 20+ and {SETUP_HINT}", pytrace=False)
    if not LINTER_PACKAGE.is_dir():
        pytest.fail(f"{LINTER_PACKAGE.relative_to(REPO_ROOT)} is missing: {SETUP_HINT}", pytrace=False)
    proc = subprocess.run(
        [node, str(LINT_SCRIPT), *(str(f) for f in files)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        # Neo4j's parser is slow: about 40 s of CPU for all the files; the suite's other workers share the cores.
        timeout=LINT_SECONDS,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"lint.mjs crashed (exit {proc.returncode}):\n{proc.stderr}", pytrace=False)
    results: list[FileResult] = json.loads(proc.stdout)
    return {r["file"]: r["diagnostics"] for r in results}


def _relevant(diagnostics: list[Diagnostic], severity: int) -> list[Diagnostic]:
    """Diagnostics of ``severity``, minus the expected "parameter not defined" ones."""
    return [d for d in diagnostics if d["severity"] == severity and not PARAM_NOT_DEFINED.match(d["message"])]


def _neo4j_cypher_files() -> list[Path]:
    """Shared and Neo4j-dialect .cypher files (graphcdp's and the benchmarks'), relative to the repo root."""
    files = [*CYPHER_DIR.rglob("*.cypher"), *BENCH_CYPHER_DIR.rglob("*.cypher")]
    return sorted(p.relative_to(REPO_ROOT) for p in files if FALKORDB_DIR not in p.parents)


def test_the_benchmarks_statements_are_linted_too() -> None:
    assert any(BENCH_CYPHER_DIR in (REPO_ROOT / p).parents for p in _neo4j_cypher_files())


@pytest.mark.timeout(LINT_SECONDS + 60)
def test_cypher_files_lint_clean() -> None:
    files = _neo4j_cypher_files()
    if not files:
        where = CYPHER_DIR.relative_to(REPO_ROOT)
        pytest.fail(f"no .cypher files found under {where}/ (outside cypher/falkordb/)", pytrace=False)

    results = _run_lint(files)
    errors: list[str] = []
    warnings: list[str] = []
    for file, diagnostics in sorted(results.items()):
        for severity, bucket in ((ERROR, errors), (WARNING, warnings)):
            found = sorted(_relevant(diagnostics, severity), key=lambda d: (d["line"], d["column"]))
            bucket.extend(f"  {file}:{d['line']}:{d['column']}: {d['message']}" for d in found)

    if errors or warnings:
        report = [f"Cypher lint: {len(errors)} error(s), {len(warnings)} warning(s) in {len(files)} file(s)"]
        if errors:
            report += ["Errors:", *errors]
        if warnings:
            report += ["Warnings (deprecated/discouraged syntax is a portability risk):", *warnings]
        pytest.fail("\n".join(report), pytrace=False)


def test_linter_is_live(tmp_path: Path) -> None:
    """The linter really parses and analyses: broken queries are caught, good ones pass."""
    queries = {
        "broken": "MATCH (n RETURN n\n",  # syntax error
        "undefined_var": "MATCH (n) RETURN m\n",  # semantic error (semantic analysis is running)
        "good": "// params: id\nMATCH (n:Person {id: $id}) RETURN n.id AS id\n",
    }
    paths = {name: tmp_path / f"{name}.cypher" for name in queries}
    for name, path in paths.items():
        path.write_text(queries[name], encoding="utf-8")

    results = _run_lint(list(paths.values()))
    by_name = {name: results[str(path)] for name, path in paths.items()}

    assert _relevant(by_name["broken"], ERROR), f"syntax error not reported: {by_name['broken']}"
    assert any("not defined" in d["message"] for d in _relevant(by_name["undefined_var"], ERROR)), by_name[
        "undefined_var"
    ]
    good = by_name["good"]
    assert not _relevant(good, ERROR) and not _relevant(good, WARNING), good
    # The $id diagnostic must be there and be recognised by PARAM_NOT_DEFINED,
    # otherwise the filter above is silently out of date with the linter.
    assert [d["message"] for d in good if d["severity"] == ERROR] == ["Parameter $id is not defined."], good
