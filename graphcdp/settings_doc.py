"""docs/configuration.md, generated from the Settings fields: their descriptions are the documentation.

    python -m graphcdp.settings_doc > docs/configuration.md      (or `make docs`)

A test fails when the committed file differs from what this prints, so a setting cannot go undocumented.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Any

from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from graphcdp.settings import Settings

HEADER = """\
# Configuration

<!-- Generated from graphcdp/settings.py by `python -m graphcdp.settings_doc` (`make docs`): edit the field
descriptions there, not this file. tests/unit/test_docs.py fails when it is out of date. -->

Settings come from environment variables prefixed `GRAPHCDP_`, or from a `.env` file in the working directory
(the environment wins). List and object settings are JSON. A bad value stops start-up with one line naming the
variable. `graphcdp serve --host/--port` override the first two HTTP settings.

Identifier types, the blocklist and merge protection are explained in
[identity-resolution.md](identity-resolution.md); the matching model in [matching.md](matching.md); the
limits as the API applies them in [api.md](api.md).

| variable | default | meaning |
| --- | --- | --- |
"""


def _default(field: FieldInfo) -> str:
    """The default as a reader would write it in the environment."""
    extra = field.json_schema_extra
    if isinstance(extra, dict) and "doc_default" in extra:
        return str(extra["doc_default"])
    value: Any = field.get_default(call_default_factory=True)
    if value is PydanticUndefined or value is None:
        return "—"
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list | dict):
        text = json.dumps(value, default=str).replace(".0,", ",").replace(".0]", "]")  # [100.0, …] reads [100, …]
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return f"`{text}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def configuration_markdown() -> str:
    """The whole of docs/configuration.md: one row per setting, in the order Settings declares them."""
    prefix = Settings.model_config.get("env_prefix", "")
    rows = [
        f"| `{prefix}{name.upper()}` | {_cell(_default(field))} | {_cell(field.description or '')} |"
        for name, field in Settings.model_fields.items()
    ]
    return HEADER + "\n".join(rows) + "\n"


def main() -> None:
    sys.stdout.write(configuration_markdown())


if __name__ == "__main__":
    main()
