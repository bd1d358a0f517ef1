"""The GraphCDPError tree. Every error carries a stable `code` that clients can rely on."""

from __future__ import annotations


class GraphCDPError(Exception):
    """Base of every error graphcdp raises on purpose."""

    code = "GRAPHCDP_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(GraphCDPError):
    """A setting is missing, malformed or contradicts another one."""

    code = "CONFIGURATION_ERROR"


class StartupError(GraphCDPError):
    """The service cannot start; the message says what to fix."""

    code = "STARTUP_ERROR"


class DatabaseUnavailableError(GraphCDPError):
    """The graph database does not answer."""

    code = "DATABASE_UNAVAILABLE"


class QueryError(GraphCDPError):
    """The database rejected a statement."""

    code = "QUERY_ERROR"


class UnknownStatementError(GraphCDPError):
    """Code asked for a Cypher statement that has no file."""

    code = "UNKNOWN_STATEMENT"
