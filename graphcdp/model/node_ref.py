"""One spelling for references to graph nodes: `<kind>:<key>` (`record:crm:42`, `identifier:email:a@b.co`,
`person:p-1`).

Record keys are `source:sourceId` (built by `record_key` only, the source escaped) and identifier keys
`type:value`, and a source may be named like an identifier type, so a bare key does not say what it names: every
place that mixes kinds in one namespace (evidence paths, union-find pieces, graph drawings) prefixes the kind,
with these helpers.
"""

from __future__ import annotations

from enum import StrEnum


class NodeKind(StrEnum):
    IDENTIFIER = "identifier"
    RECORD = "record"
    PERSON = "person"


def record_key(source: str, source_id: str) -> str:
    """The key of a source record: `source:sourceId`, with `\\` and `:` in the source escaped (`\\\\`, `\\:`), so
    the first unescaped `:` ends the source and source `crm:eu` with id `42` is not source `crm` with id `eu:42`.
    A source without either character keeps its plain `source:sourceId` key."""
    escaped = source.replace("\\", "\\\\").replace(":", "\\:")
    return f"{escaped}:{source_id}"


def node_ref(kind: NodeKind, key: str) -> str:
    return f"{kind.value}:{key}"


# The prefixes spelled once: clustering makes tens of thousands of references per plan.
_RECORD_PREFIX = f"{NodeKind.RECORD.value}:"
_IDENTIFIER_PREFIX = f"{NodeKind.IDENTIFIER.value}:"


def record_ref(key: str) -> str:
    return _RECORD_PREFIX + key


def identifier_ref(key: str) -> str:
    return _IDENTIFIER_PREFIX + key


def person_ref(person_id: str) -> str:
    return node_ref(NodeKind.PERSON, person_id)


def parse_node_ref(ref: str) -> tuple[NodeKind, str]:
    """`record:crm:42` -> (RECORD, "crm:42"); ValueError for a reference without a known kind."""
    kind, sep, key = ref.partition(":")
    if not sep or kind not in NodeKind.__members__.values():
        raise ValueError(f"not a node reference: {ref!r}")
    return NodeKind(kind), key
