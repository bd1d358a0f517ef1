"""All configuration, from the environment (prefix GRAPHCDP_) or a `.env` file.

This is the only module that reads the environment. Each field's description is its documentation:
docs/configuration.md is generated from them (`python -m graphcdp.settings_doc`).
"""

from __future__ import annotations

import itertools
import re
from enum import StrEnum
from pathlib import Path
from typing import Literal

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, ValidationInfo, field_validator
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

# GRAPHCDP_ADMIN_KEY is every scope: a guessable one would be the weakest door.
MIN_ADMIN_KEY_LENGTH = 32
# Type names end up in keys ("email:ada@example.com") and in blocklist scopes, so keep them plain.
_TYPE_NAME = re.compile(r"[a-z][a-z0-9_]*")
_TRAIT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# A blocklist entry "type:regex" applies to one type; anything else is a regex for every type.
_SCOPED_PATTERN = re.compile(r"([A-Za-z][A-Za-z0-9_]*):(.*)", re.DOTALL)


class AuthMode(StrEnum):
    REQUIRED = "required"  # every /graphql request needs an API key
    OFF = "off"  # everything allowed to anyone who reaches the port: local experiments only


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


class IdentifyingTraitSetting(BaseModel):
    """A trait that identifies a person (a national id, a tax number), declared once in GRAPHCDP_IDENTIFYING_TRAITS."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    identifier: str | None = Field(
        None,
        description="Also an identifier of this type (deterministic: records with the same value are one person). "
        "Declared as kind id, priority 15, limit 1 unless GRAPHCDP_IDENTIFIER_TYPES declares it.",
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GRAPHCDP_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    backend: Backend = Field(
        Backend.EMBEDDED,
        description="Graph database: `embedded` (FalkorDB started by graphcdp), `falkordb` (a FalkorDB server "
        "elsewhere) or `neo4j`.",
    )

    # HTTP service
    host: str = Field(
        "127.0.0.1",
        description="Address the HTTP service binds to (`0.0.0.0` in the Docker image). Also `graphcdp serve --host`.",
    )
    workers: int = Field(
        0,
        ge=0,
        description="Service processes `graphcdp serve` runs on one database (also `--workers`); 0: one per core. "
        "Above 1, a supervisor owns the embedded database and runs the background jobs, and the workers serve.",
    )
    port: int = Field(
        8000,
        ge=0,
        le=65535,
        description="Port of the HTTP service; 0 picks a free one. Also `graphcdp serve --port`. A taken port stops "
        "start-up with a clear message.",
    )
    graphiql: bool = Field(True, description="Serve the GraphiQL IDE at `/graphql` to browsers.")
    explorer: bool = Field(
        True,
        description="Serve the identity-graph explorer at `/explorer` to browsers (docs/explorer.md): a page of "
        "static files that calls `/graphql` with the key its user enters.",
    )
    # Access control (docs/api.md#authentication-and-scopes)
    auth: AuthMode = Field(
        AuthMode.REQUIRED,
        description="`required`: every GraphQL request needs `Authorization: Bearer <key>` and each field a scope of "
        "that key. `off`: everything is allowed to anyone who reaches the port; for local experiments only.",
    )
    admin_key: SecretStr | None = Field(
        None,
        description="An API key with every scope, for containers and automation (a long random string, e.g. "
        "`gcdp_` + 43 URL-safe characters; at least 32 characters). Never stored; requests with it are audited as "
        "`GRAPHCDP_ADMIN_KEY`. "
        "Without it and without any stored key, the first start creates an admin key and prints it once.",
    )
    key_cache_seconds: float = Field(
        5.0,
        ge=0,
        description="Seconds a process keeps the stored API keys in memory; a key revoked elsewhere stops working "
        "within this time (at once in the process that revoked it).",
    )
    api_key: SecretStr | None = Field(
        None,
        description="The API key graphcdp's own clients send to a running service (`graphcdp import --url`: scope "
        "`records:write`), and the key `graphcdp mcp` answers as (scope `profiles:read`, docs/mcp.md).",
    )
    rate_limit: float = Field(
        50.0,
        ge=0,
        description="Requests per second each API key may send to /graphql on average (per service process; each "
        "worker of `serve --workers` holds an equal share); more "
        "are answered 429 with `Retry-After`. 0 turns the limit off.",
    )
    rate_limit_burst: int = Field(
        200, ge=1, description="Requests a key may send at once above `GRAPHCDP_RATE_LIMIT` before it is slowed down."
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description='Browser origins allowed to call the API, as a JSON list (`["http://localhost:3000"]`); '
        "empty: no cross-origin access.",
    )
    introspection: bool = Field(
        True,
        description="Answer GraphQL introspection (`__schema`, `__type`). GraphiQL needs it; switch it off to hide "
        "the schema from callers.",
    )
    log_level: str = Field("info", description="`debug`, `info`, `warning` or `error`.")
    slow_request_ms: float = Field(
        1000.0,
        ge=0,
        description="A GraphQL request over HTTP that takes at least this many milliseconds is logged (warning, "
        "`graphcdp.slow_requests`) with the statements it sent: each name with its round trip and the database's "
        "own time (FalkorDB reports it), never a value of the request. 0 logs every request: where a service's "
        'milliseconds go (docs/performance.md, "Where a single upsert\'s tail goes").',
    )

    # Embedded FalkorDB
    data_dir: Path = Field(
        Path("data"),
        description="Data directory of the embedded database (append-only file, its log `falkordb.log`, a lock "
        "file). One service process at a time may use it.",
    )
    embedded_port: int = Field(
        0,
        ge=0,
        le=65535,
        description="Preferred loopback port of the embedded database. 0, or a port that is taken, means any free "
        "port.",
    )
    embedded_password: SecretStr | None = Field(
        None,
        description="Password of the embedded database. Unset, every start makes a random one that only this "
        "process knows. Set it only to let another process use the database (`GRAPHCDP_BACKEND=falkordb` with "
        "`GRAPHCDP_FALKORDB_PASSWORD`).",
    )
    embedded_start_timeout: float = Field(
        20.0,
        gt=0,
        description="Seconds the embedded database may go at start-up without answering and without working. "
        "Loading a large data set takes as long as it takes: the time it spends on the CPU, and its LOADING "
        "answers, count as signs of life, and its progress is logged every 10 s.",
    )
    embedded_restart_attempts: int = Field(
        5,
        ge=0,
        description="Times in a row the service starts its embedded database again, on the same data directory, "
        "when it dies unexpectedly (1 s, 2 s, 4 s … between attempts); meanwhile requests are answered 503 with "
        "Retry-After. When every attempt fails, /healthz answers 503 so that an orchestrator restarts the service. "
        "0: no restart.",
    )
    shutdown_timeout: float = Field(
        30.0,
        gt=0,
        description="Seconds `graphcdp serve` may take to stop on SIGTERM or Ctrl-C: half for the requests in flight "
        "to finish (then their connections are closed), half for the embedded database to compact its file and "
        "exit (then it is killed; nothing it acknowledged is lost).",
    )
    embedded_restart_max_delay: float = Field(
        30.0,
        gt=0,
        description="Longest pause, in seconds, between two attempts to start the embedded database again.",
    )
    embedded_max_pending_changes: int = Field(
        10_000,  # graphcdp/store/embedded.py MAX_PENDING_CHANGES, FalkorDB's own default
        ge=1,
        description="Changes of one of its matrices the embedded database holds apart before it merges them in "
        "(FalkorDB's DELTA_MAX_PENDING_CHANGES). Above 1,024 held apart, every write that touches the matrix sorts "
        "them again; each merge costs the whole matrix. 1,000 made single upserts 20 % faster on a graph of 20,000 "
        'people and no faster at 100,000 (docs/performance.md, "Pending changes and GraphBLAS\'s hash").',
    )

    # FalkorDB (remote, or the embedded one once started)
    falkordb_url: str = Field(
        "falkor://127.0.0.1:6379",
        description="FalkorDB server for `backend=falkordb` (`falkor://`, `falkors://` for TLS, or `unix://`).",
    )
    falkordb_password: SecretStr | None = Field(None, description="Password of that server, if it has one.")
    falkordb_max_connections: int = Field(
        64,
        ge=1,
        description="Most open connections to FalkorDB (embedded or remote). A query beyond that waits for a free "
        "connection, up to `GRAPHCDP_QUERY_TIMEOUT`, instead of failing: under many concurrent requests each "
        'running several queries, the service queues rather than answering "Too many connections".',
    )
    graph: str = Field("graphcdp", min_length=1, description="FalkorDB graph name (embedded or remote).")

    # Neo4j
    neo4j_uri: str = Field(
        "bolt://localhost:7687", description="Bolt URI for `backend=neo4j` (`neo4j://` for a cluster)."
    )
    neo4j_user: str = Field("neo4j", description="Neo4j user.")
    neo4j_password: SecretStr = Field(
        SecretStr("graphcdp-password"),
        description="Neo4j password (kept secret in logs and reprs).",
    )
    neo4j_database: str = Field(
        "neo4j", min_length=1, description="Neo4j database; always named explicitly on every session."
    )

    # Database round trips
    query_timeout: float = Field(30.0, gt=0, description="Seconds one database statement may run.")
    neo4j_retry_time: float = Field(
        30.0,
        ge=0,
        description="Seconds the Neo4j driver keeps retrying a statement that failed transiently (deadlock, leader "
        "switch).",
    )

    # Identifiers
    default_phone_region: str = Field(
        "US",
        description="ISO 3166 two-letter region used to read phone numbers written without `+country code` (`DE` "
        "reads `0151 12345678` as `+4915112345678`).",
    )
    identifier_types: dict[str, IdentifierTypeSetting] = Field(
        default_factory=dict,
        description="Extra identifier types, or overrides of built-in ones, as JSON: "
        '`{"member_id": {"priority": 25, "limit": 1}, "email": {"limit": 3}}`; `kind` is `email`, `phone`, '
        "`sha256` or `id`, unset fields keep the built-in values (new types: kind `id`, priority 100, limit 10).",
    )
    blocklist: list[str] = Field(
        default_factory=lambda: list(DEFAULT_BLOCKLIST),
        description="JSON list of placeholder patterns (regular expressions, `type:regex` for one type only) whose "
        "values are stored but never link; replaces the default list.",
        json_schema_extra={"doc_default": f"[{len(DEFAULT_BLOCKLIST)} placeholders](identity-resolution.md#blocklist)"},
    )
    blocklist_extra: list[str] = Field(
        default_factory=list,
        description="JSON list of patterns added to `GRAPHCDP_BLOCKLIST`, so the defaults need not be repeated.",
    )

    # Resolution
    source_priority: list[str] = Field(
        default_factory=list,
        description='Sources trusted first for golden traits, as a JSON list (`["crm", "pos"]`); within a source, '
        "and for unlisted sources, the most recent non-empty value wins.",
    )
    shared_after_rejections: int = Field(
        2,
        ge=1,
        description="An identifier whose links were refused this many times (merge protection) is flagged `shared`.",
    )
    max_component_records: int = Field(
        10_000,
        ge=1,
        description="Most records one connected piece of evidence may hold; beyond it the upsert is refused with "
        "`COMPONENT_TOO_LARGE` (block the identifier that joins them).",
    )
    resolution_retries: int = Field(
        20,
        ge=0,
        description="Times a resolution is re-read and retried when a concurrent writer changed the same evidence.",
    )
    max_batch_size: int = Field(
        1000,
        ge=1,
        description="Most records in one `upsertRecords` call, or touchpoints in one `trackTouchpoints` call; a "
        "larger batch is refused with `BATCH_TOO_LARGE`. Also the largest `graphcdp import --batch-size`.",
    )
    upsert_group_records: int = Field(
        50,
        ge=1,
        description="Concurrent `upsertRecords` calls of at most this many records that arrive while this process "
        "writes another are written together, as one batch, when it is done (or beside it once it has taken 0.25 s); "
        "each call still gets the answer about its own records. This is the most records such a group holds (a "
        "larger call is written on its own); 1 writes every call on its own. Grouping raises the rate of "
        "single-record upserts under concurrency (docs/performance.md) and adds no wait to a lone call.",
    )
    settle_after_items: int = Field(
        1000,
        ge=0,
        description="After this many records, touchpoints or segment membership changes written by this process, "
        "the embedded or FalkorDB database applies the changes it holds pending (GRAPH.MEMORY USAGE and a read of "
        "edges of every type). FalkorDB merges a matrix's pending additions only when a read of it finds enough of "
        "them, and no statement of the service reads edges of every type, so without this every write pays for "
        'every edge written since the load (docs/performance.md, "Writes slow down with every edge written"). '
        "At 100,000 people a settle takes 0.1 to 0.4 s, writers waiting, and 1,000 (the default) gave 127 single "
        "upserts/s at 8 clients against 111 without it. 0: never (`graphcdp import` still settles once when it "
        "ends). Nothing to do on Neo4j.",
    )

    # Bounds on what one item may hold (graphcdp/model/inputs.py, docs/api.md): checked per item, so a value out
    # of bounds is that item's error and the rest of its batch is stored.
    max_trait_length: int = Field(
        1000,
        ge=1,
        le=100_000,
        description="Longest trait or touchpoint property value (and key), in characters; a longer one is refused "
        "with `TRAIT_TOO_LONG`. (Traits become match keys; a key longer than 512 bytes is stored hashed, as the "
        "embedded database cannot check uniqueness on strings of more than 4,096 bytes.)",
    )
    max_traits_bytes: int = Field(
        32_768,
        ge=1024,
        description="Largest `traits` of a record, or `properties` of a touchpoint, as JSON (bytes); larger ones are "
        "refused with `TRAITS_TOO_LARGE`.",
    )
    max_identifiers_per_record: int = Field(
        50,
        ge=1,
        description="Most identifiers in one record or touchpoint; more are refused with `TOO_MANY_IDENTIFIERS`.",
    )
    max_amount: float = Field(
        1e12,
        gt=0,
        description="Largest touchpoint `amount` (in absolute value); a larger one is refused with `INVALID_AMOUNT`, "
        "so sums of amounts stay finite.",
    )
    earliest_year: int = Field(
        1900,
        ge=1,
        le=9999,
        description="Earliest year of a record's `observedAt` or a touchpoint's `occurredAt`; an earlier date is "
        "refused with `DATE_OUT_OF_RANGE`.",
    )
    max_future_seconds: float = Field(
        86_400.0,
        ge=0,
        description="Seconds an `observedAt` or `occurredAt` may lie ahead of the server's clock; a later date is "
        "refused with `DATE_OUT_OF_RANGE`.",
    )

    # Consent (graphcdp/privacy/consent.py, docs/api.md, "Consent")
    consent_max_clock_skew: float = Field(
        300.0,
        ge=0,
        description="Seconds a consent statement's `at` may lie ahead of the server's clock (clients' clocks run a "
        "little fast); a statement dated further ahead is refused with `CONSENT_IN_FUTURE`. Within it, a statement "
        "counts from when the server recorded it, so dating a grant ahead never outranks a later revocation.",
    )

    # Probabilistic matching (graphcdp/identity/matching/, docs/matching.md)
    matching: bool = Field(
        True,
        description="Probabilistic matching: records with no shared identifier are compared on their traits and "
        "linked (`MATCHED`) or queued for review (`POSSIBLE_MATCH`).",
    )
    matching_model: Path | None = Field(
        None,
        description="Path of a matching model (JSON: comparisons, levels, m/u, blocking, thresholds) to start with. "
        "A model stored in the graph (trained, or set with `setMatchingModel`) takes precedence. An invalid file "
        "stops start-up with the reason.",
        json_schema_extra={"doc_default": "*(the shipped model)*"},
    )
    identifying_traits: dict[str, IdentifyingTraitSetting] = Field(
        default_factory=dict,
        description="Traits that identify a person (a national id, a tax number), as JSON: "
        '`{"nationalId": {"identifier": "national_id"}, "taxNumber": {}}`. Each is compared by the matching model '
        "in force (exact, one edit, or a different value: evidence against; only letters and digits count) with a "
        "blocking rule of its own, unless the model compares it already; with `identifier`, its value is also an "
        "identifier of that type.",
    )
    matching_model_refresh: float = Field(
        30.0,
        ge=0,
        description="Seconds between checks for a newer matching model stored in the graph by another process "
        "(`graphcdp matching train`, `setMatchingModel` on another worker); every process switches to it within "
        "this time. `0` checks before every batch.",
    )

    # Predictions (docs/predictions.md)
    churn_high_below: float = Field(
        0.3,
        ge=0,
        le=1,
        description="`churnRisk` is HIGH when `probabilityAlive` is below this.",
    )
    churn_medium_below: float = Field(
        0.7,
        ge=0,
        le=1,
        description="`churnRisk` is MEDIUM when `probabilityAlive` is below this (and not below "
        "`GRAPHCDP_CHURN_HIGH_BELOW`), LOW otherwise.",
    )
    predict_refit_hours: float = Field(
        0.0,
        ge=0,
        description="Hours between refits of the prediction models by the running service (as `graphcdp predict "
        "train`; needs the `predict` extra). `0` never refits: fit with `graphcdp predict train`, on a schedule of "
        "your own if you like.",
    )
    predict_model_refresh: float = Field(
        30.0,
        ge=0,
        description="Seconds between checks for a newer prediction model stored in the graph by another process; "
        "every process answers with it within this time. `0` checks before every read.",
    )

    # Reading profiles and exploring the graph
    max_page_size: int = Field(
        100,
        ge=1,
        description="Largest `first` of any connection (journey, searchPersons, reviewQueue) and largest `touchpoints` "
        "of `context`; more is refused with `PAGE_SIZE_OUT_OF_RANGE`.",
    )
    max_query_depth: int = Field(
        12,
        ge=2,
        description="Deepest field nesting a GraphQL query may have; deeper queries are refused before they run.",
    )
    max_query_cost: int = Field(
        100_000,
        ge=1,
        description="Largest cost of a GraphQL operation, measured before it runs: every field counts 1 plus its "
        "selection, times its page size (`first`, 20 when not given), the items of a `records` or `touchpoints` list, "
        "or 10 per step of `identityGraph`'s depth (aliases count as fields); a costlier one is refused with "
        "`QUERY_TOO_COSTLY`, its cost and the limit in the message.",
    )
    max_request_bytes: int = Field(
        8 * 1024 * 1024,
        ge=1024,
        description="Largest body of a request to /graphql, in bytes; a larger one is refused with 413 "
        "`REQUEST_TOO_LARGE` before it is read to the end. The default leaves room for a full batch "
        "(GRAPHCDP_MAX_BATCH_SIZE records of up to about 8 KB each).",
    )
    graph_max_depth: int = Field(6, ge=1, description="Largest `depth` that `identityGraph` accepts.")
    graph_node_limit: int = Field(
        500,
        ge=1,
        description="Most nodes `identityGraph` returns; beyond it the graph is cut and `truncated` is true.",
    )

    # Profile metrics
    engagement_half_life_days: float = Field(
        30.0,
        gt=0,
        description="In the engagement score a touchpoint this many days old counts half as much as one from today.",
    )
    rfm_recency_days: list[int] = Field(
        default_factory=lambda: [30, 90, 180, 365],
        description="Days since the last order at most which recency scores 5, 4, 3, 2; older (or no order) scores "
        "1. Four rising numbers.",
    )
    rfm_frequency_orders: list[int] = Field(
        default_factory=lambda: [2, 3, 5, 10],
        description="Orders at least which frequency scores 2, 3, 4, 5; fewer scores 1. Four rising numbers.",
    )
    rfm_monetary: list[float] = Field(
        default_factory=lambda: [100.0, 250.0, 500.0, 1000.0],
        description="Net revenue (orders minus returns) at least which monetary scores 2, 3, 4, 5; less scores 1. "
        "Four rising numbers.",
    )

    # Privacy
    erasure_compaction: float = Field(
        300.0,
        ge=0,
        description="Seconds after an erasure (`forgetPerson`) within which the embedded database's append-only "
        "file is rewritten, so the erased values leave the data directory; `0` rewrites it before the erasure "
        "answers. Erasures in between share one rewrite.",
    )

    # The change feed (docs/change-feed.md)
    change_retention_days: float = Field(
        7.0,
        gt=0,
        description="Days the change feed keeps an event; older ones are removed (a reader resuming from before "
        "them gets `CHANGES_EXPIRED`).",
    )
    change_max_events: int = Field(
        1_000_000,
        ge=1,
        description="Most events the change feed keeps, whatever their age; the oldest go first.",
    )
    max_subscriptions_per_key: int = Field(
        32,
        ge=1,
        description="Most GraphQL subscriptions one API key holds open at once, over all its connections; one more "
        "is refused with `RATE_LIMITED` until one completes.",
    )
    change_poll_interval: float = Field(
        1.0,
        gt=0,
        description="Seconds between two looks at the change feed while a subscription waits, for changes written "
        "by another process (this service's own writes wake subscriptions at once).",
    )
    webhook_retry_hours: float = Field(
        24.0,
        gt=0,
        description="Hours a webhook delivery is retried (exponential backoff with jitter) after it was handed over, "
        "before it becomes a dead letter (`redeliver` sends it again).",
    )
    webhook_retry_first_seconds: float = Field(
        5.0, gt=0, description="Seconds before the first retry of a failed webhook delivery; each next one doubles."
    )
    webhook_retry_max_seconds: float = Field(
        3600.0, gt=0, description="Longest wait between two attempts of a webhook delivery."
    )
    webhook_timeout: float = Field(
        10.0, gt=0, description="Seconds a webhook receiver has to answer an attempt before it counts as failed."
    )
    webhook_concurrency: int = Field(
        16, ge=1, le=256, description="Webhook deliveries sent at the same time (each to a different person)."
    )
    webhook_key: SecretStr | None = Field(
        None,
        description="The key that encrypts webhook signing secrets in the graph (any text of at least 32 "
        "characters, e.g. `openssl rand -base64 32`). Unset: a key is made in `webhook.key` in the data directory "
        "(mode 0600). Services sharing one database need the same key.",
    )

    # Segments
    segment_sweep_interval: float = Field(
        60.0,
        gt=0,
        description="Seconds between two re-evaluations of the segments whose membership changes as time passes "
        "(`withinDays`, `daysSinceLastActivity`, recency and engagement metrics, `age`): such a membership expires "
        "or starts within this time without any new event.",
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

    @field_validator("identifying_traits")
    @classmethod
    def _identifying_trait_names(cls, traits: dict[str, IdentifyingTraitSetting]) -> dict[str, IdentifyingTraitSetting]:
        for name, setting in traits.items():
            if not _TRAIT_NAME.fullmatch(name):
                raise ValueError(f"identifying trait {name!r} must be a plain trait name (letters, digits and _)")
            if setting.identifier is not None and not _TYPE_NAME.fullmatch(setting.identifier):
                raise ValueError(
                    f"identifier type name {setting.identifier!r} must be lower-case letters, digits and _"
                )
        return traits

    @field_validator("rfm_recency_days", "rfm_frequency_orders", "rfm_monetary")
    @classmethod
    def _four_rising_thresholds(cls, thresholds: list[float]) -> list[float]:
        if len(thresholds) != 4 or any(b <= a for a, b in itertools.pairwise(thresholds)):
            raise ValueError("needs four rising thresholds (JSON list), e.g. [30, 90, 180, 365]")
        return thresholds

    @field_validator("admin_key")
    @classmethod
    def _long_admin_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is None or not key.get_secret_value():
            return None  # empty: not set (docker-compose passes an unset variable as "")
        if len(key.get_secret_value()) < MIN_ADMIN_KEY_LENGTH:
            raise ValueError(f"an admin key needs at least {MIN_ADMIN_KEY_LENGTH} characters of random text")
        return key

    @field_validator("blocklist", "blocklist_extra")
    @classmethod
    def _valid_patterns(cls, entries: list[str]) -> list[str]:
        return _check_patterns(entries)

    @field_validator("churn_medium_below")
    @classmethod
    def _churn_thresholds_in_order(cls, medium: float, info: ValidationInfo) -> float:
        high = info.data.get("churn_high_below")
        if high is not None and high > medium:
            raise ValueError(f"must not be below GRAPHCDP_CHURN_HIGH_BELOW ({high})")
        return medium


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
