"""The Cypher catalog: every statement lives in a named file under `cypher/`.

A file `cypher/<area>/<name>.cypher` is the statement `<area>/<name>`. A file of the same name under
`cypher/neo4j/` or `cypher/falkordb/` overrides it for that dialect. Each file starts with a header:

    // Looks an identifier up by its key.
    // mode: read            (read or write)
    // params: key           (comma separated, or "none")
    // returns: key, type    (columns, or "none")

A line ending in `// neo4j only` is left out of the statement for FalkorDB: the `lockedAt` SETs that take Neo4j's
write locks before a check, which FalkorDB (one write at a time) does not need and pays for per row.

Code declares the statements it uses with `statement("area/name", RowType)`: a `Query` that names the file
and the typed row its result columns decode into (a pydantic model whose field aliases are the `returns:`
columns; `tests/unit/test_cypher_catalog.py` checks each against its header). `CypherCatalog.load` fails at
start-up when a declared name has no file, so a typo never waits for the first request to show up.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, NewType, TypeVar

from pydantic import BaseModel, TypeAdapter

from graphcdp.errors import ConfigurationError, UnknownStatementError

StatementName = NewType("StatementName", str)

DIALECTS = ("neo4j", "falkordb")
SCHEMA_PREFIX = "schema/"  # statements run by the schema bootstrap, in name order
GENERATED_PREFIX = "segments/compiled/"  # statements made at run time, never files
FEED_NODE = "(feed:ChangeFeed"  # in cypher/feed/emit.fragment: what a statement appending to the feed holds
WEBHOOKS_AREA = "webhooks/"


def _default_root() -> Path:
    # A source checkout (editable install) has cypher/ beside the package; a built wheel carries a copy.
    checkout = Path(__file__).resolve().parents[2] / "cypher"
    return checkout if checkout.is_dir() else Path(__file__).resolve().parents[1] / "_cypher"


DEFAULT_ROOT = _default_root()

_declared: set[StatementName] = set()
NEO4J_ONLY = "// neo4j only"  # a line ending so is left out for FalkorDB
_HEADER = re.compile(r"^//\s*(mode|params|returns):\s*(.*?)\s*$", re.MULTILINE)
# A $parameter outside a // comment line or a quoted string.
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


RowT = TypeVar("RowT")


class Mode(StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class Query(Generic[RowT]):
    """A statement the code runs, and the typed row each result row decodes into at the store boundary."""

    name: StatementName
    row: type[RowT]

    def decode(self, rows: list[dict[str, Any]]) -> list[RowT]:
        row = self.row
        if issubclass(row, BaseModel):
            # The whole answer validated in one call: a row at a time cost twice as much (5,000 rows of an import
            # batch's write: 75 against 140 to 220 ms).
            return _rows_of(row).validate_python(rows)
        # Plain dict rows: only for tooling and tests that build a Query themselves; graphcdp's own
        # statements all declare a model (tests/unit/test_row_types.py).
        return rows  # type: ignore[return-value]


@functools.cache
def _rows_of(row: type[BaseModel]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[row])  # type: ignore[valid-type]


_queries: dict[StatementName, Query[Any]] = {}


def statement(name: str, row: type[RowT]) -> Query[RowT]:
    """Declare a statement the code uses and the row type its results decode into; its file must exist
    when the catalog loads."""
    query = Query(StatementName(name), row)
    _declared.add(query.name)
    _queries[query.name] = query
    return query


def declared_statements() -> frozenset[StatementName]:
    return frozenset(_declared)


def declared_queries() -> list[Query[Any]]:
    """Every declared statement with its row type (the header check in the tests reads these)."""
    return list(_queries.values())


@dataclass(frozen=True)
class Statement:
    name: StatementName
    path: Path
    text: str
    mode: Mode
    params: frozenset[str]
    returns: tuple[str, ...]

    @functools.cached_property
    def wakes_followers(self) -> bool:
        """Whether running it can change what the change feed's followers (subscriptions, the webhook dispatcher)
        wait for: it appends to the feed (the statements that do hold cypher/feed/emit.fragment, which names
        the ChangeFeed node) or writes webhook destinations and deliveries. An upsert's other writes (its record,
        its match keys and links) wake nobody: each woke the dispatcher, which read the destinations twice."""
        return self.mode is Mode.WRITE and (FEED_NODE in self.text or self.name.startswith(WEBHOOKS_AREA))


def _split_list(value: str) -> list[str]:
    return [] if value.strip().lower() in {"", "none", "-"} else [v.strip() for v in value.split(",") if v.strip()]


def dialect_text(text: str, dialect: str) -> str:
    """The file's text as `dialect` runs it: FalkorDB leaves out the lines ending in `// neo4j only`."""
    if dialect == "neo4j":
        return text
    return "\n".join(line for line in text.splitlines() if not line.rstrip().endswith(NEO4J_ONLY)) + "\n"


def parameters_in(text: str) -> frozenset[str]:
    """The $parameters a statement's text refers to (comments and string literals excluded)."""
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return frozenset(_PARAM.findall(_QUOTED.sub("''", code)))


def parse_statement(name: str, path: Path, dialect: str = "neo4j") -> Statement:
    file_text = path.read_text(encoding="utf-8")
    text = dialect_text(file_text, dialect)
    header = {key: value for key, value in _HEADER.findall(text)}
    where = f"{path}"
    if "mode" not in header or header["mode"] not in {m.value for m in Mode}:
        raise ConfigurationError(f"{where}: header needs '// mode: read' or '// mode: write'")
    if "params" not in header or "returns" not in header:
        raise ConfigurationError(f"{where}: header needs '// params: ...' and '// returns: ...' lines")
    params = frozenset(_split_list(header["params"]))
    used = parameters_in(file_text)  # the file's: a parameter only a Neo4j line uses is still passed
    if params != used:
        raise ConfigurationError(
            f"{where}: header params {sorted(params)} differ from the parameters used {sorted(used)}"
        )
    return Statement(
        name=StatementName(name),
        path=path,
        text=text,
        mode=Mode(header["mode"]),
        params=params,
        returns=tuple(_split_list(header["returns"])),
    )


@dataclass(frozen=True)
class GeneratedStatement(Generic[RowT]):
    """A statement made at run time and the query that runs it (its rows decode into `query.row`)."""

    query: Query[RowT]
    statement: Statement


def generated_statement(
    name: str, text: str, mode: Mode, returns: Sequence[str], row: type[RowT], *, what: str
) -> GeneratedStatement[RowT]:
    """A statement made at run time, named GENERATED_PREFIX + `name`, with the header a file would have (its
    parameters read from the text), and the query that runs it; `CypherCatalog.register` adds it to a catalog."""
    full_name = StatementName(GENERATED_PREFIX + name)
    params = parameters_in(text)
    header = (
        f"// {what}\n// mode: {mode.value}\n// params: {', '.join(sorted(params)) or 'none'}\n"
        f"// returns: {', '.join(returns) or 'none'}\n"
    )
    generated = Statement(full_name, Path(full_name), header + text, mode, params, tuple(returns))
    return GeneratedStatement(Query(full_name, row), generated)


def _files(folder: Path, skip: Iterable[str] = ()) -> dict[str, Path]:
    skipped = set(skip)
    found: dict[str, Path] = {}
    for path in sorted(folder.rglob("*.cypher")):
        relative = path.relative_to(folder)
        if relative.parts[0] in skipped:
            continue
        found[relative.with_suffix("").as_posix()] = path
    return found


def statement_files(dialect: str, root: Path = DEFAULT_ROOT) -> dict[str, Path]:
    """Name → file for one dialect: the shared files, overridden by the dialect's own."""
    if dialect not in DIALECTS:
        raise ConfigurationError(f"unknown Cypher dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")
    files = _files(root, skip=DIALECTS)
    files.update(_files(root / dialect))
    return files


class CypherCatalog:
    """Every statement of one dialect, parsed once."""

    def __init__(self, dialect: str, statements: dict[str, Statement]) -> None:
        self.dialect = dialect
        self._statements = statements

    @classmethod
    def load(cls, dialect: str, roots: Sequence[Path] = (DEFAULT_ROOT,)) -> CypherCatalog:
        """Parse every statement of `dialect` under `roots` (later roots add to earlier ones)."""
        statements: dict[str, Statement] = {}
        for root in roots:
            statements.update(
                (name, parse_statement(name, path, dialect)) for name, path in statement_files(dialect, root).items()
            )
        missing = sorted(name for name in declared_statements() if name not in statements)
        if missing:
            looked = ", ".join(str(root) for root in roots)
            raise ConfigurationError(f"Cypher statements without a file for {dialect}: {', '.join(missing)} ({looked})")
        return cls(dialect, statements)

    def get(self, name: str) -> Statement:
        try:
            return self._statements[name]
        except KeyError:
            raise UnknownStatementError(f"no Cypher statement named {name!r} for {self.dialect}") from None

    def register(self, generated: Statement) -> None:
        """Add a statement generated at run time (a compiled segment: graphcdp/segments/compiler.py), once."""
        if not generated.name.startswith(GENERATED_PREFIX):
            raise ConfigurationError(f"{generated.name}: only statements under {GENERATED_PREFIX} are generated")
        self._statements.setdefault(generated.name, generated)

    def schema_statements(self) -> list[Statement]:
        return [s for name, s in sorted(self._statements.items()) if name.startswith(SCHEMA_PREFIX)]

    def names(self) -> frozenset[str]:
        return frozenset(self._statements)
