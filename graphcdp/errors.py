"""The error catalogue and the GraphCDPError tree.

Every code graphcdp can emit is a member of `ErrorCode`: `extensions.code` of a GraphQL error, `ItemError.code`
of a rejected batch item, `code` of a line in an import's rejects file. Clients branch on codes; messages may change.
Each member says whose fault it is (it decides how the error is logged), what it means and when it appears;
schema.graphql and docs/errors.md are generated from these entries.
"""

from __future__ import annotations

from enum import StrEnum


class Fault(StrEnum):
    """Whose fault an error is."""

    REQUEST = "request"  # the request is wrong, or cannot be done now: logged at INFO, without a traceback
    SERVICE = "service"  # the service or its database failed: logged at ERROR, with one traceback
    WARNING = "warning"  # a value of a stored item was not understood: reported beside the item, never raised


_REQUEST, _SERVICE, _WARNING = Fault.REQUEST, Fault.SERVICE, Fault.WARNING


class ErrorCode(StrEnum):
    """A stable error code. A member's name is its value: GraphQL shows enum values by name."""

    fault: Fault
    meaning: str
    when: str

    # Defaults only so that a lookup by value, `ErrorCode("INVALID_EMAIL")`, type-checks: every member sets all four.
    def __new__(cls, value: str, fault: Fault = _SERVICE, meaning: str = "", when: str = "") -> ErrorCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.fault = fault
        member.meaning = meaning
        member.when = when
        return member

    # --- the request as a whole --------------------------------------------------------------------------
    GRAPHQL_PARSE_FAILED = (
        "GRAPHQL_PARSE_FAILED",
        _REQUEST,
        "The GraphQL document is not valid GraphQL syntax.",
        "Any request; nothing ran.",
    )
    GRAPHQL_VALIDATION_FAILED = (
        "GRAPHQL_VALIDATION_FAILED",
        _REQUEST,
        "The document does not fit the schema (unknown field, missing argument, wrong type), or a variable's "
        "value does not fit its type.",
        "Any request; nothing ran.",
    )
    QUERY_TOO_DEEP = (
        "QUERY_TOO_DEEP",
        _REQUEST,
        "The query nests selections deeper than the service allows (GRAPHCDP_MAX_QUERY_DEPTH).",
        "Any request; nothing ran.",
    )
    QUERY_TOO_COSTLY = (
        "QUERY_TOO_COSTLY",
        _REQUEST,
        "The operation would cost more than the service allows (GRAPHCDP_MAX_QUERY_COST): too many fields, aliases, "
        "page sizes or graph steps; the message gives its cost and the limit.",
        "Any request; nothing ran.",
    )
    REQUEST_TOO_LARGE = (
        "REQUEST_TOO_LARGE",
        _REQUEST,
        "The request body is larger than GRAPHCDP_MAX_REQUEST_BYTES (HTTP 413); send smaller batches.",
        "Any request to /graphql; nothing ran.",
    )
    BAD_REQUEST = (
        "BAD_REQUEST",
        _REQUEST,
        "The request is not a GraphQL request the service can read: its body is not UTF-8, not JSON or not a JSON "
        "object, it has no query, its JSON is nested too deep, a number has too many digits, or a string is not "
        "valid Unicode (HTTP 400).",
        "Any request to /graphql; nothing ran.",
    )
    BATCH_TOO_LARGE = (
        "BATCH_TOO_LARGE",
        _REQUEST,
        "More items in one call, or in all the calls of one request together, than GRAPHCDP_MAX_BATCH_SIZE allows; "
        "send smaller batches.",
        "upsertRecords, trackTouchpoints; nothing was stored.",
    )
    PAGE_SIZE_OUT_OF_RANGE = (
        "PAGE_SIZE_OUT_OF_RANGE",
        _REQUEST,
        "A page size (`first`, `touchpoints`, `sample`) is below 1 or above GRAPHCDP_MAX_PAGE_SIZE.",
        "Connections: journey, searchPersons, reviewQueue, Segment.members; context, previewSegment.",
    )
    ARGUMENT_OUT_OF_RANGE = (
        "ARGUMENT_OUT_OF_RANGE",
        _REQUEST,
        "A number argument is outside its range: `days` of a prediction (1 to 3650), `maxSteps` (1 to 10).",
        "Metrics.expectedPurchases, Metrics.predictedValue, explainPrediction, valueByAcquisition, pathsToPurchase.",
    )
    INVALID_CURSOR = (
        "INVALID_CURSOR",
        _REQUEST,
        "An `after` cursor this field did not give out.",
        "Connections: journey, searchPersons, reviewQueue, changes, Segment.members.",
    )
    CHANGES_EXPIRED = (
        "CHANGES_EXPIRED",
        _REQUEST,
        "Events after this `after` cursor were removed by the change feed's retention: resuming would skip them.",
        "changes, the changes subscription: read the persons again, then follow the feed from `after: null`.",
    )
    # --- warnings: the record was stored, one value of it was not understood (an ItemWarning) ---------------
    TRAIT_NOT_A_DATE = (
        "TRAIT_NOT_A_DATE",
        _WARNING,
        "traits.birthDate is not a YYYY-MM-DD date. The record is stored with the value as sent; matching reads "
        "the date it can (day and month swapped, as in 1942-25-08, or another layout: 25/08/1942, 19420825) and "
        "the message says which, or leaves the birth date out of the comparison.",
        "upsertRecords warnings; import report.",
    )
    TRAIT_UNEXPECTED_TYPE = (
        "TRAIT_UNEXPECTED_TYPE",
        _WARNING,
        "A trait graphcdp reads has a value of an unexpected type (traits.address not an object, a name or a birth "
        "date that is an object or a list). The record is stored with the value as sent; matching leaves it out.",
        "upsertRecords warnings; import report.",
    )
    TRAIT_NOT_AN_IDENTIFIER = (
        "TRAIT_NOT_AN_IDENTIFIER",
        _WARNING,
        "An identifying trait declared as an identifier (GRAPHCDP_IDENTIFYING_TRAITS) has a value that cannot be "
        "one (an object or a list, no letter or digit, too long). The record is stored with the value as a trait; it "
        "is not linked by it.",
        "upsertRecords warnings; import report.",
    )
    # --- one record or touchpoint (an ItemError of a batch, or a line of an import's rejects file) ---------
    INVALID_RECORD = ("INVALID_RECORD", _REQUEST, "A record is not an object.", "upsertRecords item; import.")
    EMPTY_RECORD = (
        "EMPTY_RECORD",
        _REQUEST,
        "A record has neither an identifier nor a trait.",
        "upsertRecords item; import.",
    )
    RESERVED_SOURCE = (
        "RESERVED_SOURCE",
        _REQUEST,
        "The source name starts with a prefix graphcdp keeps for itself.",
        "upsertRecords item; import.",
    )
    MISSING_FIELD = (
        "MISSING_FIELD",
        _REQUEST,
        "A required field (source, sourceId, type, occurredAt, ...) is missing or empty.",
        "upsertRecords and trackTouchpoints items; import.",
    )
    INVALID_FIELD = (
        "INVALID_FIELD",
        _REQUEST,
        "A field is not a string, or longer than the service accepts.",
        "upsertRecords and trackTouchpoints items; import.",
    )
    INVALID_DATE = (
        "INVALID_DATE",
        _REQUEST,
        "A date-time is neither ISO-8601 nor finite epoch milliseconds, or traits.birthDate is not YYYY-MM-DD.",
        "Items of upsertRecords and trackTouchpoints; import; the from, to and at arguments.",
    )
    DATE_OUT_OF_RANGE = (
        "DATE_OUT_OF_RANGE",
        _REQUEST,
        "An observedAt or occurredAt lies before GRAPHCDP_EARLIEST_YEAR or further ahead of the server's clock than "
        "GRAPHCDP_MAX_FUTURE_SECONDS.",
        "upsertRecords and trackTouchpoints items; import.",
    )
    INVALID_TEXT = (
        "INVALID_TEXT",
        _REQUEST,
        "A string field, trait or property holds a control character (NUL, U+0001..U+001F other than tab and line "
        "breaks, U+007F) or an unpaired surrogate; such items are refused, never silently changed.",
        "upsertRecords and trackTouchpoints items; import; any other string argument or variable holding a NUL or "
        "an unpaired surrogate (the whole request, before it runs; `extensions.argument` names it).",
    )
    TRAIT_TOO_LONG = (
        "TRAIT_TOO_LONG",
        _REQUEST,
        "A trait or touchpoint property value (or key) is longer than GRAPHCDP_MAX_TRAIT_LENGTH characters.",
        "upsertRecords and trackTouchpoints items; import.",
    )
    TRAITS_TOO_LARGE = (
        "TRAITS_TOO_LARGE",
        _REQUEST,
        "An item's traits or properties are larger than GRAPHCDP_MAX_TRAITS_BYTES as JSON, or nested deeper than "
        "the service accepts.",
        "upsertRecords and trackTouchpoints items; import.",
    )
    TOO_MANY_IDENTIFIERS = (
        "TOO_MANY_IDENTIFIERS",
        _REQUEST,
        "An item carries more identifiers than GRAPHCDP_MAX_IDENTIFIERS_PER_RECORD.",
        "upsertRecords and trackTouchpoints items; import.",
    )
    INVALID_TRAITS = (
        "INVALID_TRAITS",
        _REQUEST,
        "traits is not a JSON object, traits.address is not an object, or a trait is a number that is not finite.",
        "upsertRecords item; import.",
    )
    INVALID_IDENTIFIERS = (
        "INVALID_IDENTIFIERS",
        _REQUEST,
        "identifiers is not a list of {type, value} objects.",
        "upsertRecords and trackTouchpoints items; import.",
    )
    MISSING_IDENTIFIERS = (
        "MISSING_IDENTIFIERS",
        _REQUEST,
        "A touchpoint has no identifier to find its person by.",
        "trackTouchpoints item; touchpoint import.",
    )
    INVALID_TOUCHPOINT = ("INVALID_TOUCHPOINT", _REQUEST, "A touchpoint is not an object.", "trackTouchpoints item.")
    INVALID_AMOUNT = (
        "INVALID_AMOUNT",
        _REQUEST,
        "A touchpoint's amount is not a finite number, or its size exceeds GRAPHCDP_MAX_AMOUNT.",
        "trackTouchpoints item; touchpoint import.",
    )
    INVALID_CURRENCY = (
        "INVALID_CURRENCY",
        _REQUEST,
        "A touchpoint's currency is not a three-letter ISO 4217 code.",
        "trackTouchpoints item; touchpoint import.",
    )
    INVALID_PROPERTIES = (
        "INVALID_PROPERTIES",
        _REQUEST,
        "A touchpoint's properties is not a JSON object.",
        "trackTouchpoints item; touchpoint import.",
    )
    COMPONENT_TOO_LARGE = (
        "COMPONENT_TOO_LARGE",
        _REQUEST,
        "The change would link more records together than GRAPHCDP_MAX_COMPONENT_RECORDS: an identifier "
        "shared by many people (a placeholder) joins them. Block it (GRAPHCDP_BLOCKLIST_EXTRA) or raise the limit.",
        "upsertRecords and trackTouchpoints items; import; detachRecord, deleteRecord, resolveMatch.",
    )
    RESOLUTION_CONFLICT = (
        "RESOLUTION_CONFLICT",
        _REQUEST,
        "Concurrent writes kept changing the same persons; the record is stored and resolved with the next "
        "change to its component. Send it again to resolve it now.",
        "upsertRecords and trackTouchpoints items; import; detachRecord, deleteRecord, resolveMatch.",
    )
    SUPPRESSED = (
        "SUPPRESSED",
        _REQUEST,
        "The item carries an identifier of a person who was erased (forgetPerson); it stays out until "
        "liftSuppression is called for that identifier.",
        "upsertRecords and trackTouchpoints items; import; setConsent.",
    )
    # --- access (API keys and scopes, docs/api.md) ---------------------------------------------------------
    UNAUTHENTICATED = (
        "UNAUTHENTICATED",
        _REQUEST,
        "No API key, or one the service does not know or that was revoked: send `Authorization: Bearer <key>`. "
        "Answered with HTTP 401.",
        "Any request to /graphql (not the GraphiQL page, /healthz, /readyz).",
    )
    FORBIDDEN = (
        "FORBIDDEN",
        _REQUEST,
        "The key's scopes do not cover this field; the message names the scope it needs. Other fields are answered.",
        "Any field of Query and Mutation.",
    )
    RATE_LIMITED = (
        "RATE_LIMITED",
        _REQUEST,
        "The key sent more requests than GRAPHCDP_RATE_LIMIT allows; wait the seconds of the Retry-After header. "
        "Answered with HTTP 429.",
        "Any request to /graphql; a subscription beyond GRAPHCDP_MAX_SUBSCRIPTIONS_PER_KEY open ones.",
    )
    INVALID_SCOPE = (
        "INVALID_SCOPE",
        _REQUEST,
        "A scope name is not one of profiles:read, records:write, consent:write, review, segments:write, "
        "changes:read, privacy, admin, or no scope was given.",
        "createApiKey; graphcdp keys create.",
    )
    INVALID_KEY_NAME = (
        "INVALID_KEY_NAME",
        _REQUEST,
        "An API key name is empty, longer than 100 characters, or not letters, digits, `.`, `_`, `-`.",
        "createApiKey, revokeApiKey; graphcdp keys.",
    )
    KEY_EXISTS = (
        "KEY_EXISTS",
        _REQUEST,
        "An API key of this name exists (names are never reused, even once revoked).",
        "createApiKey; graphcdp keys create.",
    )
    KEY_NOT_FOUND = ("KEY_NOT_FOUND", _REQUEST, "No API key has this name.", "revokeApiKey; graphcdp keys revoke.")
    # --- identifiers -------------------------------------------------------------------------------------
    UNKNOWN_IDENTIFIER_TYPE = (
        "UNKNOWN_IDENTIFIER_TYPE",
        _REQUEST,
        "The identifier type is neither built in nor declared (GRAPHCDP_IDENTIFIER_TYPES).",
        "Wherever an identifier is given: items, import, and the identifier arguments.",
    )
    INVALID_EMAIL = (
        "INVALID_EMAIL",
        _REQUEST,
        "An email identifier is not an email address.",
        "Wherever an identifier is given: items, import, and the identifier arguments.",
    )
    INVALID_PHONE = (
        "INVALID_PHONE",
        _REQUEST,
        "A phone identifier is not a possible phone number (a national number needs GRAPHCDP_DEFAULT_PHONE_REGION).",
        "Wherever an identifier is given: items, import, and the identifier arguments.",
    )
    INVALID_HASHED_EMAIL = (
        "INVALID_HASHED_EMAIL",
        _REQUEST,
        "A hashed email is not 64 hexadecimal digits (SHA-256).",
        "Wherever an identifier is given: items, import, and the identifier arguments.",
    )
    INVALID_IDENTIFIER = (
        "INVALID_IDENTIFIER",
        _REQUEST,
        "An identifier value is empty, too long or contains control characters.",
        "Wherever an identifier is given: items, import, and the identifier arguments.",
    )
    # --- queries and mutations ---------------------------------------------------------------------------
    RECORD_NOT_FOUND = (
        "RECORD_NOT_FOUND",
        _REQUEST,
        "No record has this source and sourceId.",
        "detachRecord, deleteRecord.",
    )
    MATCH_NOT_FOUND = (
        "MATCH_NOT_FOUND",
        _REQUEST,
        "The match id was not given out by this API, or its records were deleted.",
        "resolveMatch.",
    )
    PERSON_NOT_FOUND = (
        "PERSON_NOT_FOUND",
        _REQUEST,
        "No person has this id (or it was erased); for an MCP tool, no person holds the identifier asked by.",
        "forgetPerson, exportPerson, explainSegment; the MCP tools get_customer_context and customer_journey.",
    )
    SEGMENT_NOT_FOUND = (
        "SEGMENT_NOT_FOUND",
        _REQUEST,
        "No segment has this key.",
        "explainSegment; the MCP tool segment_members.",
    )
    SEGMENT_IN_USE = (
        "SEGMENT_IN_USE",
        _REQUEST,
        "Other segments are built on this one (a `segment` condition names it); the message lists them. Change or "
        "delete them first.",
        "deleteSegment.",
    )
    DESTINATION_NOT_FOUND = (
        "DESTINATION_NOT_FOUND",
        _REQUEST,
        "No webhook destination has this id (or it was deleted).",
        "pauseDestination, resumeDestination, deleteDestination, deliveries.",
    )
    DELIVERY_NOT_FOUND = (
        "DELIVERY_NOT_FOUND",
        _REQUEST,
        "No delivery has this id (its destination was deleted, or retention removed it).",
        "redeliver.",
    )
    INVALID_DESTINATION = (
        "INVALID_DESTINATION",
        _REQUEST,
        "A webhook destination's url is not an http(s) URL with a host, or its purpose, channel or segments are "
        "malformed.",
        "createDestination.",
    )
    INVALID_SEARCH_QUERY = (
        "INVALID_SEARCH_QUERY",
        _REQUEST,
        "The search text is too short, too long, or has no word to search by.",
        "searchPersons.",
    )
    INVALID_DEPTH = (
        "INVALID_DEPTH",
        _REQUEST,
        "depth is below 1 or above GRAPHCDP_GRAPH_MAX_DEPTH.",
        "identityGraph.",
    )
    INVALID_CONSENT = (
        "INVALID_CONSENT",
        _REQUEST,
        "purpose, channel or source is empty or too long or holds a control character, or the identifier is a "
        "blocked placeholder.",
        "setConsent; Segment.members with a purpose.",
    )
    CONSENT_IN_FUTURE = (
        "CONSENT_IN_FUTURE",
        _REQUEST,
        "A consent statement's `at` is further ahead of the server's clock than GRAPHCDP_CONSENT_MAX_CLOCK_SKEW "
        "allows; nothing was recorded. Send the time the customer made the statement (or none: now).",
        "setConsent.",
    )
    INVALID_SEGMENT = (
        "INVALID_SEGMENT",
        _REQUEST,
        "A segment definition is not valid: an unknown key, condition kind, operator, metric or identifier type, a "
        "value of the wrong type or out of bounds, a malformed trait path, too deep or too many conditions. Every "
        "fault is listed with its JSON path (`$.all[1].trait`); nothing was stored.",
        "saveSegment, previewSegment.",
    )
    CONFIGURATION_ERROR = (
        "CONFIGURATION_ERROR",
        _REQUEST,
        "A matching model or setting is invalid; the message says what to change. A refused model leaves the "
        "running one in force.",
        "setMatchingModel; at start-up, on the command line.",
    )
    PREDICTION_EXTRA_MISSING = (
        "PREDICTION_EXTRA_MISSING",
        _REQUEST,
        "Fitting the prediction models needs pymc-marketing, which is not installed: install the `predict` extra "
        "(`pip install 'graphcdp[predict]'`). Answering with a stored model does not need it.",
        "graphcdp predict train; the scheduled refit (logged).",
    )
    NOT_ENOUGH_CUSTOMERS = (
        "NOT_ENOUGH_CUSTOMERS",
        _REQUEST,
        "Too few persons with an order to fit the prediction models; the model in force (if any) stays.",
        "graphcdp predict train; the scheduled refit (logged).",
    )
    # --- bulk import (the command line; a line of the rejects file) ---------------------------------------
    INVALID_ENCODING = ("INVALID_ENCODING", _REQUEST, "The line is not valid UTF-8.", "Import rejects file.")
    INVALID_JSON = ("INVALID_JSON", _REQUEST, "The line is not valid JSON.", "Import rejects file (JSON Lines).")
    NOT_AN_OBJECT = (
        "NOT_AN_OBJECT",
        _REQUEST,
        "The line is JSON but not one object.",
        "Import rejects file (JSON Lines).",
    )
    INVALID_CSV_ROW = (
        "INVALID_CSV_ROW",
        _REQUEST,
        "The CSV row is malformed, or has another number of fields than the header.",
        "Import rejects file (CSV).",
    )
    IMPORT_ERROR = (
        "IMPORT_ERROR",
        _REQUEST,
        "The import cannot start or go on: unknown format, unreadable file, a CSV header that cannot be mapped.",
        "graphcdp import.",
    )
    DRY_RUN_UNSUPPORTED = (
        "DRY_RUN_UNSUPPORTED",
        _REQUEST,
        "--dry-run is for records; touchpoints are checked as they are stored.",
        "graphcdp import --touchpoints.",
    )
    SEED_MISMATCH = (
        "SEED_MISMATCH",
        _REQUEST,
        "The graph differs from the seed's plan (is the graph empty?); nothing of the batch was resolved.",
        "graphcdp bench, when it seeds a graph with generated people.",
    )
    NO_RESULT = (
        "NO_RESULT",
        _SERVICE,
        "The service answered neither a result nor an error for an item (a defect of the service).",
        "Import rejects file.",
    )
    # --- the service -------------------------------------------------------------------------------------
    DATABASE_UNAVAILABLE = (
        "DATABASE_UNAVAILABLE",
        _SERVICE,
        "The graph database does not answer; try again later.",
        "Any request that reads or writes the graph.",
    )
    QUERY_ERROR = (
        "QUERY_ERROR",
        _SERVICE,
        "The graph database rejected a statement of the service.",
        "Any request that reads or writes the graph.",
    )
    UNKNOWN_STATEMENT = (
        "UNKNOWN_STATEMENT",
        _SERVICE,
        "The service asked for a Cypher statement it does not ship (a defect of the service).",
        "Any request that reads or writes the graph.",
    )
    STARTUP_ERROR = (
        "STARTUP_ERROR",
        _SERVICE,
        "The service cannot start; the message says what to fix.",
        "graphcdp serve and the other commands, at start-up.",
    )
    INTERNAL_ERROR = (
        "INTERNAL_ERROR",
        _SERVICE,
        "The service failed unexpectedly; the fault is in its log.",
        "Any request.",
    )


class GraphCDPError(Exception):
    """Base of every error graphcdp raises on purpose; subclasses set their `code`."""

    code: ErrorCode = ErrorCode.INTERNAL_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(GraphCDPError):
    """A setting is missing, malformed or contradicts another one."""

    code = ErrorCode.CONFIGURATION_ERROR


class StartupError(GraphCDPError):
    """The service cannot start; the message says what to fix."""

    code = ErrorCode.STARTUP_ERROR


class DatabaseUnavailableError(GraphCDPError):
    """The graph database does not answer."""

    code = ErrorCode.DATABASE_UNAVAILABLE


class QueryError(GraphCDPError):
    """The database rejected a statement."""

    code = ErrorCode.QUERY_ERROR


class UnknownStatementError(GraphCDPError):
    """Code asked for a Cypher statement that has no file."""

    code = ErrorCode.UNKNOWN_STATEMENT


class AccessError(GraphCDPError):
    """A request without the right key, scope or rate; subclasses set the code."""


class UnauthenticatedError(AccessError):
    code = ErrorCode.UNAUTHENTICATED


class ForbiddenError(AccessError):
    code = ErrorCode.FORBIDDEN


class RateLimitedError(AccessError):
    code = ErrorCode.RATE_LIMITED


class InvalidScopeError(GraphCDPError):
    code = ErrorCode.INVALID_SCOPE


class InvalidKeyNameError(GraphCDPError):
    code = ErrorCode.INVALID_KEY_NAME


class KeyExistsError(GraphCDPError):
    code = ErrorCode.KEY_EXISTS


class KeyNotFoundError(GraphCDPError):
    code = ErrorCode.KEY_NOT_FOUND
