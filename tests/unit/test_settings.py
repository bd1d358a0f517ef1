from __future__ import annotations

from pathlib import Path

import pytest

from graphcdp.errors import ConfigurationError
from graphcdp.settings import Backend, load_settings
from graphcdp.store.embedded import MAX_PENDING_CHANGES


def test_defaults_use_the_embedded_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    settings = load_settings()
    assert settings.backend is Backend.EMBEDDED
    assert settings.port == 8000
    assert settings.data_dir == Path("data")


def test_environment_with_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRAPHCDP_BACKEND", "neo4j")
    monkeypatch.setenv("GRAPHCDP_NEO4J_PASSWORD", "s3cret")
    monkeypatch.setenv("GRAPHCDP_PORT", "9001")
    settings = load_settings()
    assert settings.backend is Backend.NEO4J
    assert settings.port == 9001
    assert settings.neo4j_password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)


def test_dotenv_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("GRAPHCDP_GRAPH=customers\nGRAPHCDP_DATA_DIR=/var/lib/graphcdp\n")
    settings = load_settings()
    assert settings.graph == "customers"
    assert settings.data_dir == Path("/var/lib/graphcdp")


def test_bad_values_give_one_line_naming_the_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRAPHCDP_BACKEND", "mysql")
    monkeypatch.setenv("GRAPHCDP_PORT", "99999")
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    message = caught.value.message
    assert "\n" not in message
    assert "GRAPHCDP_BACKEND" in message and "'embedded', 'falkordb' or 'neo4j'" in message
    assert "GRAPHCDP_PORT" in message


def test_the_embedded_databases_pending_changes_default_to_what_the_server_starts_with(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings().embedded_max_pending_changes == MAX_PENDING_CHANGES
    monkeypatch.setenv("GRAPHCDP_EMBEDDED_MAX_PENDING_CHANGES", "0")
    with pytest.raises(ConfigurationError, match="GRAPHCDP_EMBEDDED_MAX_PENDING_CHANGES"):
        load_settings()
