"""Access lines lose their query strings: a GraphQL GET would otherwise log its variables (an email)."""

from __future__ import annotations

import logging

import pytest

from graphcdp.api import access_log


def test_access_lines_keep_the_path_and_lose_the_query_string(caplog: pytest.LogCaptureFixture) -> None:
    access_log.install()
    access_log.install()  # once is enough, twice does no harm
    logger = logging.getLogger(access_log.ACCESS_LOGGER)
    assert sum(isinstance(f, access_log.WithoutQueryStrings) for f in logger.filters) == 1
    with caplog.at_level(logging.INFO, logger=access_log.ACCESS_LOGGER):
        path = '/graphql?query={profile(identifier:{type:"email",value:"ada@example.com"}){id}}'
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", path, "1.1", 200)
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "POST", "/graphql", "1.1", 200)
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ['127.0.0.1:5000 - "GET /graphql?… HTTP/1.1" 200', '127.0.0.1:5000 - "POST /graphql HTTP/1.1" 200']
