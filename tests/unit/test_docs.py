"""The documentation: every link resolves inside the repository, the README stays a front door, and
docs/configuration.md is what the settings generate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graphcdp.settings import Settings
from graphcdp.settings_doc import configuration_markdown

ROOT = Path(__file__).parents[2]
DOCS = sorted([ROOT / "README.md", ROOT / "bench" / "README.md", *(ROOT / "docs").glob("*.md")])
README_MAX_WORDS = 1800

_FENCE = re.compile(r"^```.*?^```$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<([a-z]+://[^>\s]+)>")
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s)>\"'`]+", re.IGNORECASE)
_LOCAL_HOSTS = re.compile(r"(https?|bolt|neo4j|falkors?|redis)://(localhost|127\.0\.0\.1|0\.0\.0\.0|test)([:/]|$)")
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*$", re.MULTILINE)
# A path the docs name in full: a module, a package folder, a statement, a test.
_REPO_PATH = re.compile(r"(?<![\w./-])((?:graphcdp|cypher|tests|bench|tools)/[\w./-]*[\w/])")
# Paths other workstreams of issue 15 create, named by the docs ahead of the merge. Once a path exists,
# test_pending_paths_are_still_missing fails: drop it from here, and the path is checked like any other.
PENDING_PATHS: set[str] = set()
# Written by `make bench` and by the browser tests; git-ignored.
OUTPUT_PATHS = {"bench/results/", "bench/work/", "tests/artifacts/"}


def _prose(text: str) -> str:
    """The text a reader follows links in: no code blocks, no inline code."""
    return _INLINE_CODE.sub("", _FENCE.sub("", text))


def anchors(markdown: str) -> set[str]:
    """Heading anchors as GitHub renders them: lower case, punctuation dropped, spaces to hyphens."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for heading in _HEADING.findall(_FENCE.sub("", markdown)):
        plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").strip().lower()
        slug = re.sub(r"[^\w\- ]", "", plain).replace(" ", "-")
        found.add(f"{slug}-{seen[slug]}" if slug in seen else slug)  # a repeated heading gets -1, -2, …
        seen[slug] = seen.get(slug, 0) + 1
    return found


def links(path: Path) -> list[str]:
    prose = _prose(path.read_text(encoding="utf-8"))
    return _LINK.findall(prose) + _AUTOLINK.findall(prose)


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    broken = []
    for target in links(path):
        if "://" in target or target.startswith("mailto:"):
            if not _LOCAL_HOSTS.match(target):
                broken.append(f"{target}: leaves the repository")
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.is_relative_to(root):
            broken.append(f"{target}: outside the repository")
        elif not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved.read_text(encoding="utf-8")):
            broken.append(f"{target}: no heading #{anchor} in {resolved.relative_to(root)}")
    return broken


@pytest.mark.parametrize("path", DOCS, ids=[str(p.relative_to(ROOT)) for p in DOCS])
def test_every_link_resolves_inside_the_repository(path: Path) -> None:
    assert broken_links(path) == []


@pytest.mark.parametrize("path", DOCS, ids=[str(p.relative_to(ROOT)) for p in DOCS])
def test_no_address_outside_the_repository_even_in_code(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "../shared" not in text
    assert [url for url in _URL.findall(text) if not _LOCAL_HOSTS.match(url)] == []


def test_the_link_checker_finds_what_is_broken(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    (root / "docs").mkdir()
    (root / "docs" / "architecture.md").write_text("# The `api` layers!\n## Two words\n## Two words\n")
    page = root / "docs" / "page.md"
    page.write_text(
        "[a](missing.md) [b](https://example.org/x) [c](../../outside.md) [d](architecture.md#no-such-part) "
        "[e](architecture.md#two-words-1) [f](http://localhost:8000/graphql) `[g](ignored.md)` [h](#top)\n\n# Top\n"
    )
    assert [b.split(": ")[0] for b in broken_links(page, root)] == [
        "missing.md",
        "https://example.org/x",
        "../../outside.md",
        "architecture.md#no-such-part",
    ]
    assert anchors((root / "docs" / "architecture.md").read_text()) == {"the-api-layers", "two-words", "two-words-1"}


def named_paths(path: Path) -> set[str]:
    """Full paths in the text; a pattern (`raw_*.cypher`, `{falkordb,neo4j}`) is not a path."""
    text = path.read_text(encoding="utf-8")
    found = {m.group(1).rstrip(".") for m in _REPO_PATH.finditer(text) if text[m.end() : m.end() + 1] not in "*{"}
    return found - OUTPUT_PATHS


@pytest.mark.parametrize("path", DOCS, ids=[str(p.relative_to(ROOT)) for p in DOCS])
def test_every_file_the_docs_name_exists(path: Path) -> None:
    assert sorted(p for p in named_paths(path) - PENDING_PATHS if not (ROOT / p).exists()) == []


def test_pending_paths_are_still_missing() -> None:
    assert sorted(p for p in PENDING_PATHS if (ROOT / p).exists()) == [], "remove them from PENDING_PATHS"


def test_the_readme_is_a_front_door_not_a_manual() -> None:
    words = len((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert words <= README_MAX_WORDS, f"README.md has {words} words: move reference into docs/"


def test_configuration_page_is_generated_from_the_settings() -> None:
    committed = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == configuration_markdown(), "run `make docs` (python -m graphcdp.settings_doc)"


def test_every_setting_is_described_and_documented() -> None:
    page = configuration_markdown()
    assert [name for name, field in Settings.model_fields.items() if not (field.description or "").strip()] == []
    assert [name for name in Settings.model_fields if f"| `GRAPHCDP_{name.upper()}` |" not in page] == []
