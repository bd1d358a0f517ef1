"""The `graphcdp` command: its groups, and the tooling commands with and without graphcdp-bench."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from graphcdp.cli import build_parser, main, tooling

COMMANDS = {
    "serve",
    "mcp",
    "import",
    "export",
    "keys",
    "generate",
    "bench",
    "matching",
    "predict",
    "repair",
    "export-schema",
}
HINT = "needs the graphcdp-bench package: pip install -e ./bench"


def _commands() -> set[str]:
    parser = build_parser()
    (subparsers,) = [action for action in parser._actions if action.dest == "command"]
    return set(subparsers.choices or {})


def test_every_command_group_is_there() -> None:
    assert _commands() == COMMANDS


def test_the_installed_bench_package_adds_its_commands(capsys: pytest.CaptureFixture[str]) -> None:
    # make test installs bench/ (graphcdp-bench): its entry point adds the real commands.
    with pytest.raises(SystemExit) as exit_:
        main(["bench", "--help"])
    assert exit_.value.code == 0
    benches = "{all,ingest,lookup,upsert,scaling,febrl,segments,settle,start,predict,webhooks,feed,explorer,mcp,plot}"
    assert benches in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv", [["bench", "all", "--people", "10"], ["bench", "--help"], ["generate", "--people", "5"], ["bench"]]
)
def test_without_the_bench_package_a_tooling_command_says_how_to_install_it(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(tooling, "entry_points", lambda group: [])
    assert _commands() == COMMANDS  # still listed, with the hint
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert (
        out == "" and err == f"graphcdp: `graphcdp {argv[0]}` {HINT} (in a graphcdp checkout; `make bench` does it)\n"
    )


def test_a_broken_bench_package_falls_back_to_the_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = EntryPoint("tooling", "graphcdp_no_such_module.cli:add_commands", tooling.ENTRY_POINTS)
    monkeypatch.setattr(tooling, "entry_points", lambda group: [broken])
    assert main(["bench", "all"]) == 2
    assert HINT in capsys.readouterr().err


def test_other_commands_still_refuse_unknown_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["export-schema", "--no-such-flag"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: --no-such-flag" in capsys.readouterr().err
