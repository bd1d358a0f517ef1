"""uvicorn's access log without query strings: a GraphQL GET request carries its query and variables there
(identifier values such as an email), and graphcdp logs no identifier value (docs/privacy.md)."""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"
_PATH_ARG = 2  # uvicorn's access line: client, method, path with query string, HTTP version, status


class WithoutQueryStrings(logging.Filter):
    """Cuts the query string off the path of each access line; the line itself is kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > _PATH_ARG and isinstance(target := args[_PATH_ARG], str):
            path, mark, _ = target.partition("?")
            if mark:
                record.args = (*args[:_PATH_ARG], f"{path}?…", *args[_PATH_ARG + 1 :])
        return True


def install() -> None:
    """Filter the access logger (after uvicorn configured its logging)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, WithoutQueryStrings) for f in logger.filters):
        logger.addFilter(WithoutQueryStrings())
