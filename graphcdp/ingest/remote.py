"""`graphcdp import --url`: the importer's batches sent to a running graphcdp through its GraphQL API.

While `graphcdp serve` runs, its embedded database belongs to it: an import opening the same data
directory is refused. With `--url` the import sends each batch as one `upsertRecords` (or
`trackTouchpoints`) call instead, as a connector would; the progress bar, rejects file, resume and report
are the importer's own (graphcdp.ingest.bulk). HTTP goes through the standard library, in a thread.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

from graphcdp.batch import decode_item
from graphcdp.errors import ErrorCode
from graphcdp.ingest.readers import BulkImportError
from graphcdp.model.identity import ItemError, ItemWarning, RecordAction, RecordInput, RecordResult, UpsertOutcome
from graphcdp.model.profiles import TouchpointInput
from graphcdp.profiles.touchpoint_input import decode_touchpoint

UPSERT_RECORDS = """
mutation Import($records: [RecordInput!]!, $dryRun: Boolean!) {
  upsertRecords(records: $records, dryRun: $dryRun) {
    results { index personId action }
    errors { index code message }
    warnings { index path code message }
    personsCreated
    personsMerged
  }
}"""
TRACK_TOUCHPOINTS = """
mutation Import($touchpoints: [TouchpointInput!]!) {
  trackTouchpoints(touchpoints: $touchpoints) {
    results { index personId action }
    errors { index code message }
  }
}"""
# An item the schema refuses (a field it does not know, a value of the wrong type) fails the whole request
# before it runs; its batch is then sent again item by item, and only the refused items are rejected.
INVALID_ITEM = ErrorCode.GRAPHQL_VALIDATION_FAILED
RATE_LIMITED_RETRIES = 60  # answers 429 in a row before the import gives up
TIMEOUT = 300.0  # seconds for one batch: a large batch on a busy service takes a while


class RemoteImportError(BulkImportError):
    """The running service cannot be reached, or refused a batch as a whole."""


class GraphQLEndpoint:
    """POSTs GraphQL requests to one URL (`http://host:port/graphql`)."""

    def __init__(self, url: str, timeout: float = TIMEOUT, api_key: str | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"

    async def execute(self, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """The response body: `data` and/or `errors`."""
        return await asyncio.to_thread(self._post, query, variables)

    def _post(self, query: str, variables: Mapping[str, Any], attempt: int = 0) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's own --url
            self.url,
            data=json.dumps({"query": query, "variables": dict(variables)}).encode("utf-8"),
            headers=self._headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return _json_body(response.read())
        except urllib.error.HTTPError as exc:  # GraphQL request errors may come with a 4xx and a JSON body
            if exc.code == 401:
                raise RemoteImportError(
                    f"graphcdp at {self.url} wants an API key with scope records:write: set GRAPHCDP_API_KEY"
                ) from None
            if exc.code == 429 and attempt < RATE_LIMITED_RETRIES:  # the key's rate limit: wait as told
                time.sleep(_retry_after(exc.headers.get("Retry-After")))
                return self._post(query, variables, attempt + 1)
            body = exc.read()
            try:
                return _json_body(body)
            except RemoteImportError:
                raise RemoteImportError(f"graphcdp at {self.url} answered HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RemoteImportError(
                f"cannot reach graphcdp at {self.url} ({reason}); is `graphcdp serve` running there?"
            ) from None


def _retry_after(value: str | None) -> float:
    try:
        return min(max(float(value or 1), 0.1), 60.0)
    except ValueError:
        return 1.0


def _json_body(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except ValueError:
        raise RemoteImportError("the service's answer is not JSON: is --url a graphcdp /graphql endpoint?") from None
    if not isinstance(body, dict):
        raise RemoteImportError("the service's answer is not a GraphQL response")
    return body


class _RemoteSink:
    """Sends a batch as one mutation; a batch the schema refuses goes again item by item."""

    field = ""
    query = ""

    def __init__(self, endpoint: GraphQLEndpoint) -> None:
        self.endpoint = endpoint

    def _variables(self, items: Sequence[Any], dry_run: bool) -> dict[str, Any]:
        raise NotImplementedError

    async def upsert_records(self, items: Sequence[Any], dry_run: bool = False) -> UpsertOutcome:
        body = await self.endpoint.execute(self.query, self._variables(items, dry_run))
        errors = body.get("errors") or []
        if not errors and isinstance(payload := (body.get("data") or {}).get(self.field), dict):
            return _outcome(payload)
        refused = _refused_items(errors)
        if refused is None:
            first = errors[0] if errors and isinstance(errors[0], dict) else {}
            code = (first.get("extensions") or {}).get("code")
            raise RemoteImportError(
                f"graphcdp at {self.endpoint.url} refused the batch: {first.get('message', body)}"
                + (f" ({code})" if code else "")
            )
        if len(items) == 1:
            return UpsertOutcome(errors=[ItemError(index=0, code=INVALID_ITEM, message=refused)])
        return await self._one_by_one(items, dry_run)

    async def _one_by_one(self, items: Sequence[Any], dry_run: bool) -> UpsertOutcome:
        merged = UpsertOutcome()
        for index, item in enumerate(items):
            single = await self.upsert_records([item], dry_run)
            merged.results += [result.model_copy(update={"index": index}) for result in single.results]
            merged.errors += [error.model_copy(update={"index": index}) for error in single.errors]
            merged.warnings += [warning.model_copy(update={"index": index}) for warning in single.warnings]
            merged.persons_created += single.persons_created
            merged.persons_merged += single.persons_merged
        return merged


class RemoteRecordSink(_RemoteSink):
    """Records to `upsertRecords`. Lines decode here as they do for a local import (same checks, same
    codes, keys a record does not have ignored), then travel as the API's RecordInput."""

    field, query = "upsertRecords", UPSERT_RECORDS

    @staticmethod
    def decode_item(index: int, raw: Mapping[str, Any]) -> RecordInput | ItemError:
        return decode_item(RecordInput, index, raw)

    def _variables(self, items: Sequence[RecordInput], dry_run: bool) -> dict[str, Any]:
        records = [
            {
                "source": record.source,
                "sourceId": record.source_id,
                "observedAt": record.observed_at,  # epoch ms: the DateTime scalar takes them
                "identifiers": [{"type": i.type, "value": i.value} for i in record.identifiers],
                "traits": record.traits,
            }
            for record in items
        ]
        return {"records": records, "dryRun": dry_run}


class RemoteTouchpointSink(_RemoteSink):
    """Touchpoints to `trackTouchpoints`. Lines decode here as they do for a local import (same checks, same
    codes, keys a touchpoint does not have ignored), then travel as the API's TouchpointInput."""

    field, query = "trackTouchpoints", TRACK_TOUCHPOINTS

    @staticmethod
    def decode_item(index: int, raw: Mapping[str, Any]) -> TouchpointInput | ItemError:
        return decode_touchpoint(index, raw)

    def _variables(self, items: Sequence[TouchpointInput], dry_run: bool) -> dict[str, Any]:
        if dry_run:
            raise RemoteImportError("--dry-run is for records; touchpoints are checked as they are stored")
        # occurredAt as epoch ms (the DateTime scalar takes them); unset optional fields left out.
        return {"touchpoints": [t.model_dump(by_alias=True, exclude_none=True) for t in items]}


def _refused_items(errors: list[Any]) -> str | None:
    """Why the schema refused the request's items (its variables), or None for any other error."""
    messages = [e.get("message", "") for e in errors if isinstance(e, dict)]
    if not messages or not all(m.startswith("Variable '$") for m in messages):
        return None
    # e.g. "Variable '$records' has invalid value at [0]: Expected value of type 'RecordInput' not to include
    # unknown field 'colour', …": said as the service says it (the rejects file keeps it beside the line).
    return "; ".join(messages)


def _outcome(payload: dict[str, Any]) -> UpsertOutcome:
    return UpsertOutcome(
        results=[
            RecordResult(index=r["index"], person_id=r["personId"] or "", action=RecordAction(r["action"]))
            for r in payload["results"]
        ],
        errors=[
            ItemError(index=e["index"], code=ErrorCode(e["code"]), message=e["message"]) for e in payload["errors"]
        ],
        warnings=[
            ItemWarning(index=w["index"], path=w["path"], code=ErrorCode(w["code"]), message=w["message"])
            for w in payload.get("warnings") or []  # trackTouchpoints has none
        ],
        persons_created=payload.get("personsCreated") or [],
        persons_merged=payload.get("personsMerged") or [],
    )
