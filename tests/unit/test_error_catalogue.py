"""The error catalogue: every code graphcdp emits is an ErrorCode member, written nowhere else as a string, shown
in schema.graphql as `enum ErrorCode` and listed in docs/errors.md (regenerate its table with
`.venv/bin/python -m tests.unit.test_error_catalogue`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from graphql import GraphQLEnumType, build_schema

from graphcdp.errors import ErrorCode, Fault

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "graphcdp"
CATALOGUE = PACKAGE / "errors.py"
DOC = ROOT / "docs" / "errors.md"
BEGIN, END = "<!-- table: generated from graphcdp/errors.py -->", "<!-- end of the generated table -->"
CODE_SHAPE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
CODE_TAKERS = {"ItemInvalid", "IdentifierError", "ParseError", "ItemError"}  # classes built with a code


def test_every_member_is_named_as_its_value_and_described() -> None:
    for member in ErrorCode:
        assert member.name == member.value, member  # GraphQL shows a member's name, JSON its value
        assert isinstance(member.fault, Fault), member
        assert member.meaning.endswith(".") and member.when.endswith("."), member
        assert "|" not in member.meaning + member.when, member  # they are cells of a Markdown table


def code_literals(source: str) -> list[str]:
    """Where `source` writes an error code as a string: a string equal to a code, or any code-shaped string
    given as a code (`code = "X"`, `code="X"`, `{"code": "X"}`, `ItemInvalid("X", ...)`)."""
    codes = {member.value for member in ErrorCode}
    found: list[str] = []

    def is_text(node: ast.AST | None) -> bool:
        return isinstance(node, ast.Constant) and isinstance(node.value, str)

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and node.value in codes:
            found.append(f"line {node.lineno}: {node.value!r}")
        elif isinstance(node, ast.Assign | ast.AnnAssign) and is_text(node.value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name | ast.Attribute) and _name(t) == "code" for t in targets):
                found.append(f"line {node.lineno}: code = {ast.unparse(node.value)}")
        elif isinstance(node, ast.keyword) and node.arg == "code" and is_text(node.value):
            found.append(f"line {node.lineno}: code={ast.unparse(node.value)}")
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "code" and is_text(value):
                    found.append(f"line {node.lineno}: 'code': {ast.unparse(value)}")
        elif isinstance(node, ast.Call) and _name(node.func) in CODE_TAKERS:
            for argument in node.args:
                if isinstance(argument, ast.Constant) and CODE_SHAPE.fullmatch(str(argument.value)):
                    found.append(f"line {node.lineno}: {_name(node.func)}({argument.value!r}, ...)")
    return found


def _name(node: ast.AST) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


@pytest.mark.parametrize(
    "source",
    [
        'x = "INVALID_EMAIL"',
        'class E(GraphCDPError):\n    code = "SOMETHING_NEW"',
        'ItemError(index=0, code="SOMETHING_NEW", message="m")',
        'raise GraphQLError("m", extensions={"code": "SOMETHING_NEW"})',
        'raise ItemInvalid("SOMETHING_NEW", "m")',
        'CODES = {"email": "INVALID_EMAIL"}',
    ],
)
def test_the_scan_finds_a_code_written_as_a_string(source: str) -> None:
    assert code_literals(source), source


@pytest.mark.parametrize(
    "source",
    [
        "code = ErrorCode.INVALID_EMAIL",
        'raise ItemInvalid(ErrorCode.INVALID_DATE, "from is not a date")',
        'json.dumps({"line": 1, "code": code, "message": "m"})',
        'text = "INVALID_EMAIL is documented in docs/errors.md"',
        'env = "GRAPHCDP_MAX_PAGE_SIZE"',
    ],
)
def test_the_scan_leaves_what_is_not_a_code_literal(source: str) -> None:
    assert code_literals(source) == [], source


def test_no_error_code_is_written_as_a_string_outside_the_catalogue() -> None:
    found = {
        str(path.relative_to(ROOT)): hits
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != CATALOGUE and (hits := code_literals(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "use the ErrorCode member (graphcdp/errors.py), add one if the code is new"


def test_schema_graphql_has_the_catalogue_as_enum_error_code() -> None:
    schema = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    enum = schema.get_type("ErrorCode")
    assert isinstance(enum, GraphQLEnumType)
    assert list(enum.values) == [member.name for member in ErrorCode]
    assert all(enum.values[m.name].description == f"{m.meaning} When: {m.when}" for m in ErrorCode)
    item_error = schema.get_type("ItemError")
    assert str(item_error.fields["code"].type) == "ErrorCode!"  # type: ignore[union-attr]


def render_table() -> str:
    rows = [
        "| Code | Whose fault | Meaning | When |",
        "| --- | --- | --- | --- |",
        *(f"| `{m.value}` | {m.fault.value} | {m.meaning} | {m.when} |" for m in ErrorCode),
    ]
    return "\n".join([BEGIN, *rows, END])


def test_docs_errors_md_lists_every_code_as_the_catalogue_says() -> None:
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    assert text[start:end] == render_table(), "regenerate: .venv/bin/python -m tests.unit.test_error_catalogue"


if __name__ == "__main__":  # rewrite the table of docs/errors.md from the catalogue
    current = DOC.read_text(encoding="utf-8")
    head, tail = current.split(BEGIN)[0], current.split(END)[1]
    DOC.write_text(head + render_table() + tail, encoding="utf-8")
