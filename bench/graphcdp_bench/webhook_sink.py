"""A webhook receiver for the delivery benchmark, in its own process (so it does not share the dispatcher's
interpreter): answers every POST 200 at once and counts the distinct webhook-ids; GET answers that count.

    python -m graphcdp_bench.webhook_sink PORT
"""

from __future__ import annotations

import sys
from typing import Any

import uvicorn

_seen: set[bytes] = set()


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    if scope["method"] == "POST":
        _seen.add(dict(scope["headers"]).get(b"webhook-id", b""))
        body = b""
    else:
        body = str(len(_seen)).encode()
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", str(len(body)).encode())]}
    )
    await send({"type": "http.response.body", "body": body})


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", lifespan="off", access_log=False)
