"""All configuration, from the environment (prefix GRAPHCDP_) or a `.env` file.

This is the only module that reads the environment. Every field is documented in README.md.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from graphcdp.errors import ConfigurationError


class Backend(StrEnum):
    EMBEDDED = "embedded"  # FalkorDB started by graphcdp as a child process
    FALKORDB = "falkordb"  # a FalkorDB server that runs elsewhere
    NEO4J = "neo4j"  # Neo4j 5 over Bolt


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


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with pydantic's errors turned into one readable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"GRAPHCDP_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigurationError(f"invalid configuration: {problems}") from None
