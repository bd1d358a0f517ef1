"""`graphcdp keys create | list | revoke` on the embedded database."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphcdp.cli import main


def test_create_list_and_revoke_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRAPHCDP_DATA_DIR", str(tmp_path / "data"))
    assert main(["keys", "create", "--name", "crm", "--scopes", "records:write,profiles:read"]) == 0
    created = capsys.readouterr().out
    assert "created API key 'crm' with scopes profiles:read, records:write" in created
    secret = created.strip().splitlines()[-1]
    assert secret.startswith("gcdp_")

    assert main(["keys", "create", "--name", "bad", "--scopes", "profiles:read,root"]) == 2
    assert "unknown scope root" in capsys.readouterr().err

    assert main(["keys", "list"]) == 0
    listed = capsys.readouterr().out
    assert "crm" in listed and "profiles:read,records:write" in listed and secret not in listed

    assert main(["keys", "revoke", "crm"]) == 0
    assert "revoked API key 'crm'" in capsys.readouterr().out
    assert main(["keys", "revoke", "nobody"]) == 2
    assert "no API key is named 'nobody'" in capsys.readouterr().err
    assert main(["keys", "list"]) == 0
    row = capsys.readouterr().out.splitlines()[1].split()
    assert row[0] == "crm" and row[3] != "-"  # a revocation time is shown
