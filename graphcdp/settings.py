"""All configuration, from the environment (prefix GRAPHCDP_) or a `.env` file.

This is the only module that reads the environment. Every field is documented in README.md.
"""

from __future__ import annotations

import itertools
import re
from enum import StrEnum
from pathlib import Path
from typing import Literal

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from graphcdp.errors import ConfigurationError

# How an identifier type's values are validated and normalized (see graphcdp/identity/normalize.py).
IdentifierKind = Literal["email", "phone", "sha256", "id"]

# Placeholder values that systems write when they have no real identifier: stored, never linked.
DEFAULT_BLOCKLIST: tuple[str, ...] = (
    "test@test.com",
    "test@example.com",
    "noemail@.*",
    "no@email.*",
    "null",
    "none",
    "unknown",
    "n/a",
    "na",
    "undefined",
    "0+",
    "1234567890?",
    r"(\+?0+)",
    "x+",
    "-+",
    "anonymous",
)

# Type names end up in keys ("email:ada@example.com") and in blocklist scopes, so keep them plain.
_TYPE_NAME = re.compile(r"[a-z][a-z0-9_]*")
# A blocklist entry "type:regex" applies to one type; anything else is a regex for every type.
_SCOPED_PATTERN = re.compile(r"([A-Za-z][A-Za-z0-9_]*):(.*)", re.DOTALL)


class Backend(StrEnum):
    EMBEDDED = "embedded"  # FalkorDB started by graphcdp as a child process
    FALKORDB = "falkordb"  # a FalkorDB server that runs elsewhere
    NEO4J = "neo4j"  # Neo4j 5 over Bolt


def split_blocklist_pattern(entry: str) -> tuple[str | None, str]:
    """`"type:regex"` -> (type, regex); `"regex"` -> (None, regex). Write `\\:` for a colon in a global regex."""
    if scoped := _SCOPED_PATTERN.fullmatch(entry):
        return scoped.group(1).lower(), scoped.group(2)
    return None, entry


def _check_patterns(entries: list[str]) -> list[str]:
    for entry in entries:
        _, regex = split_blocklist_pattern(entry)
        try:
            re.compile(regex)
        except re.error as exc:
            raise ValueError(f"blocklist pattern {entry!r} is not a valid regular expression: {exc}") from None
    return entries


class IdentifierTypeSetting(BaseModel):
    """An extra identifier type, or an override of a built-in one; unset fields keep the defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: IdentifierKind | None = Field(None, description="email, phone, sha256 or id (new types: id).")
    priority: int | None = Field(None, description="Lower links first (new types: 100).")
    limit: int | None = Field(None, ge=1, description="Max distinct values in one person (new types: 10).")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GRAPHCDP_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    backend: Backend = Field(Backend.EMBEDDED, description="Graph database: embedded, falkordb or neo4j.")

    # HTTP service
    host: str = Field("127.0.0.1", description="Address the HTTP service binds to.")
    port: int = Field(8000, ge=0, le=65535, description="Port of the HTTP service (0 picks a free one).")
    graphiql: bool = Field(True, description="Serve the GraphiQL IDE at /graphql in a browser.")
    log_level: str = Field("info", description="Log level: debug, info, warning, error.")

    # Embedded FalkorDB
    data_dir: Path = Field(Path("data"), description="Data directory of the embedded database.")
    embedded_port: int = Field(
        0,
        ge=0,
        le=65535,
        description="Preferred loopback port of the embedded database; 0 (or a taken one): any free.",
    )
    embedded_start_timeout: float = Field(20.0, gt=0, description="Seconds to wait for the embedded database.")

    # FalkorDB (remote, or the embedded one once started)
    falkordb_url: str = Field("falkor://127.0.0.1:6379", description="URL of a FalkorDB server (backend=falkordb).")
    falkordb_password: SecretStr | None = Field(None, description="Password of the FalkorDB server, if any.")
    falkordb_max_connections: int = Field(
        64, ge=1, description="Most open connections to FalkorDB; a query beyond that waits for a free one."
    )
    graph: str = Field("graphcdp", min_length=1, description="FalkorDB graph name.")

    # Neo4j
    neo4j_uri: str = Field("bolt://localhost:7687", description="Bolt URI of Neo4j (backend=neo4j).")
    neo4j_user: str = Field("neo4j", description="Neo4j user.")
    neo4j_password: SecretStr = Field(SecretStr("graphcdp-password"), description="Neo4j password.")
    neo4j_database: str = Field("neo4j", min_length=1, description="Neo4j database name (always explicit).")

    # Database round trips
    query_timeout: float = Field(30.0, gt=0, description="Seconds a single database statement may take.")
    neo4j_retry_time: float = Field(
        30.0,
        ge=0,
        description="Seconds a transiently failing Neo4j statement (deadlock, leader switch) is retried.",
    )

    # Identifiers
    default_phone_region: str = Field(
        "US",
        description="ISO 3166 two-letter region used to parse phone numbers written without +country code.",
    )
    identifier_types: dict[str, IdentifierTypeSetting] = Field(
        default_factory=dict,
        description='Extra identifier types or overrides of built-ins (JSON), e.g. {"member_id": {"limit": 1}}.',
    )
    blocklist: list[str] = Field(
        default_factory=lambda: list(DEFAULT_BLOCKLIST),
        description='Placeholder values stored but never linked (JSON list of regexes, "type:regex" for one type).',
    )
    blocklist_extra: list[str] = Field(
        default_factory=list, description="Patterns added to the blocklist (JSON list), keeping the defaults."
    )

    # Resolution
    source_priority: list[str] = Field(
        default_factory=list,
        description='Sources to trust first for golden traits (JSON list, e.g. ["crm", "pos"]); else most recent wins.',
    )
    shared_after_rejections: int = Field(
        2, ge=1, description="Rejected links through one identifier after which it is flagged shared."
    )
    max_component_records: int = Field(
        10_000, ge=1, description="Most records one connected piece of evidence may hold before resolution refuses it."
    )
    resolution_retries: int = Field(
        20, ge=0, description="Times a resolution is re-read and retried when a concurrent writer changed its evidence."
    )
    max_batch_size: int = Field(1000, ge=1, description="Most records or touchpoints in one mutation call.")

    # Probabilistic matching (graphcdp/identity/matching/, docs/matching.md)
    matching: bool = Field(True, description="Link records with no shared identifier by comparing their traits.")
    matching_model: Path | None = Field(
        None,
        description="A matching model (JSON) to start with; default: the one that ships. A trained or admin-set "
        "model stored in the graph takes precedence.",
    )
    matching_model_refresh: float = Field(
        30.0,
        ge=0,
        description="Seconds between checks for a newer matching model stored in the graph by another process "
        "(graphcdp matching train, setMatchingModel); 0 checks before every batch.",
    )

    # Reading profiles and exploring the graph
    max_page_size: int = Field(100, ge=1, description="Largest `first` of any connection (journey, search).")
    max_query_depth: int = Field(12, ge=2, description="Deepest nesting of fields a GraphQL query may have.")
    graph_max_depth: int = Field(6, ge=1, description="Largest `depth` identityGraph accepts.")
    graph_node_limit: int = Field(500, ge=1, description="Most nodes identityGraph returns before it cuts.")

    # Profile metrics
    engagement_half_life_days: float = Field(
        30.0, gt=0, description="Days after which a touchpoint counts half as much in the engagement score."
    )
    rfm_recency_days: list[int] = Field(
        default_factory=lambda: [30, 90, 180, 365],
        description="Days since the last order that score recency 5, 4, 3, 2 (at most); older scores 1.",
    )
    rfm_frequency_orders: list[int] = Field(
        default_factory=lambda: [2, 3, 5, 10],
        description="Orders needed to score frequency 2, 3, 4, 5 (at least); fewer scores 1.",
    )
    rfm_monetary: list[float] = Field(
        default_factory=lambda: [100.0, 250.0, 500.0, 1000.0],
        description="Net revenue needed to score monetary 2, 3, 4, 5 (at least); less scores 1.",
    )

    @field_validator("default_phone_region")
    @classmethod
    def _known_region(cls, region: str) -> str:
        region = region.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"{region!r} is not a region phonenumbers knows (ISO 3166 two letters, e.g. US, DE, GB)")
        return region

    @field_validator("identifier_types")
    @classmethod
    def _plain_type_names(cls, types: dict[str, IdentifierTypeSetting]) -> dict[str, IdentifierTypeSetting]:
        # Names are matched case-insensitively, so "Email" and "email" would be the same type.
        names: dict[str, IdentifierTypeSetting] = {}
        for raw_name, setting in types.items():
            name = raw_name.strip().lower()
            if not _TYPE_NAME.fullmatch(name):
                raise ValueError(f"identifier type name {raw_name!r} must be letters, digits and _ (a letter first)")
            if name in names:
                raise ValueError(f"identifier type {name!r} is declared twice")
            names[name] = setting
        return names

    @field_validator("rfm_recency_days", "rfm_frequency_orders", "rfm_monetary")
    @classmethod
    def _four_rising_thresholds(cls, thresholds: list[float]) -> list[float]:
        if len(thresholds) != 4 or any(b <= a for a, b in itertools.pairwise(thresholds)):
            raise ValueError("needs four rising thresholds (JSON list), e.g. [30, 90, 180, 365]")
        return thresholds

    @field_validator("blocklist", "blocklist_extra")
    @classmethod
    def _valid_patterns(cls, entries: list[str]) -> list[str]:
        return _check_patterns(entries)


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with pydantic's errors turned into one readable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(f"{_variable(err['loc'])}: {err['msg']}" for err in exc.errors())
        raise ConfigurationError(f"invalid configuration: {problems}") from None
    except SettingsError as exc:  # a JSON variable (list or dict setting) that is not JSON
        field = re.search(r'field "(\w+)"', str(exc))
        variable = f"GRAPHCDP_{field.group(1).upper()}" if field else "a GRAPHCDP_ variable"
        raise ConfigurationError(f"invalid configuration: {variable}: not valid JSON ({exc})") from None


def _variable(loc: tuple[int | str, ...]) -> str:
    """The variable an error is about, plus where inside its value (for JSON settings)."""
    if not loc:
        return "GRAPHCDP"
    name = f"GRAPHCDP_{str(loc[0]).upper()}"
    return f"{name} at {'.'.join(str(p) for p in loc[1:])}" if len(loc) > 1 else name
