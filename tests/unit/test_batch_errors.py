"""Items stopped by a failure after parsing: a service fault is logged once with its detail and shown with
the catalogue's message (its detail may name database internals); a request's own error keeps its message."""

from __future__ import annotations

import logging

import pytest

from graphcdp.batch import items_failed
from graphcdp.errors import ErrorCode, QueryError
from graphcdp.identity.component import ComponentTooLargeError


def test_a_service_fault_is_logged_once_and_shown_with_the_catalogue_message(caplog: pytest.LogCaptureFixture) -> None:
    fault = QueryError("identity/commit_resolution: WRONGTYPE Operation against a key holding the wrong kind")
    with caplog.at_level(logging.INFO):
        errors = items_failed([3, 5], fault)
    assert [(e.index, e.code, e.message) for e in errors] == [
        (3, ErrorCode.QUERY_ERROR, ErrorCode.QUERY_ERROR.meaning),
        (5, ErrorCode.QUERY_ERROR, ErrorCode.QUERY_ERROR.meaning),
    ]
    assert "WRONGTYPE" not in errors[0].message
    (record,) = caplog.records
    assert record.levelno == logging.ERROR and record.exc_info is not None


def test_a_request_error_keeps_its_message_and_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    refused = ComponentTooLargeError("12,001 linked records; the limit is 10,000")
    with caplog.at_level(logging.INFO):
        errors = items_failed([0], refused)
    assert [(e.code, e.message) for e in errors] == [(ErrorCode.COMPONENT_TOO_LARGE, refused.message)]
    assert caplog.records == []
