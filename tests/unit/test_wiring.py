"""One composition root: no module but graphcdp/wiring.py builds a service or opens a store.

A command that built its own services could forget a start-up step, as `graphcdp import` once did: it
matched with the shipped model for the first 30 s although a trained one was stored in the graph.
"""

from __future__ import annotations

import ast
from pathlib import Path

import graphcdp

PACKAGE = Path(graphcdp.__file__).parent
ROOT = PACKAGE.parent
WIRING = PACKAGE / "wiring.py"
STORE = PACKAGE / "store"

# Built only in graphcdp/wiring.py.
SERVICES = {
    "IdentityService",
    "ProfileService",
    "TouchpointSink",
    "GraphExplorer",
    "PersonSearch",
    "ApiKeyService",
    "AuditTrail",
    "open_store",
}
# Connected only by graphcdp/store (open_store) itself.
STORES = {"FalkorDBStore", "Neo4jStore"}


def wiring_violations(source: str) -> list[str]:
    """Calls in `source` that build a service or open a store: `IdentityService(...)`, `x.open_store(...)`,
    `FalkorDBStore.connect(...)`, each as "line: name"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name in SERVICES:
            found.append(f"{node.lineno}: {name}")
        elif (
            name == "connect"
            and isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in STORES
        ):
            found.append(f"{node.lineno}: {func.value.id}.connect")
    return found


def _scanned() -> list[Path]:
    """graphcdp's modules and the benchmark package's (wherever it is installed from)."""
    roots = [PACKAGE]
    try:
        import graphcdp_bench
    except ImportError:  # not installed: the benchmarks are checked where they are
        pass
    else:
        roots.append(Path(graphcdp_bench.__file__).parent)
    return sorted(path for root in roots for path in root.rglob("*.py"))


def test_only_the_composition_root_builds_services_or_opens_stores() -> None:
    violations = []
    for path in _scanned():
        if path == WIRING:
            continue
        found = wiring_violations(path.read_text(encoding="utf-8"))
        if STORE in path.parents:  # open_store itself connects the store it opens
            found = [hit for hit in found if not hit.endswith(".connect")]
        violations += [f"{path.relative_to(ROOT)}:{hit}" for hit in found]
    assert violations == [], "build services with graphcdp.wiring.open_services (or services_on)"


def test_the_scan_sees_each_way_of_building_one() -> None:
    source = """
from graphcdp.identity.service import IdentityService
import graphcdp.store as store

async def command(settings, s):
    identity = IdentityService(s, settings)
    opened = await store.open_store(settings)
    raw = await FalkorDBStore.connect("falkor://x", "g", None)
    fine = await open_services(settings)
"""
    assert wiring_violations(source) == ["6: IdentityService", "7: open_store", "8: FalkorDBStore.connect"]
