"""A real HTTP receiver of webhook deliveries on loopback, in a thread: it records every request (headers, body,
whether its Standard Webhooks signature verifies) and answers as the test says: fail the first attempts of each
message, hang until released, or be down altogether (stopped, then started again on the same port)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True)
class Receipt:
    message_id: str
    body: dict[str, Any]
    verified: bool
    answered: int  # the status it was answered with

    @property
    def sequence(self) -> int:
        return int(self.body["data"]["sequence"])

    @property
    def person_id(self) -> str:
        return str(self.body["data"]["personId"])


class Receiver:
    def __init__(self, port: int = 0) -> None:
        self.secret: str | None = None
        self.fail_first = 0  # answer 503 to the first attempts of each message
        self.hang = False  # hold requests until release()
        self.receipts: list[Receipt] = []
        self.attempts: Counter[str] = Counter()
        self.in_flight = threading.Event()
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = port
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
                status = receiver.answer(body, {k.lower(): v for k, v in self.headers.items()})
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Down: connections are refused until start()."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def release(self) -> None:
        self.hang = False
        self._released.set()

    def answer(self, body: str, headers: dict[str, str]) -> int:
        message_id = headers.get("webhook-id", "")
        if self.hang:
            self.in_flight.set()
            self._released.wait(60)
            return 503  # the sender was killed meanwhile, or gave up: not delivered
        with self._lock:
            self.attempts[message_id] += 1
            status = 503 if self.attempts[message_id] <= self.fail_first else 200
            self.receipts.append(Receipt(message_id, json.loads(body), self._verifies(body, headers), status))
        return status

    def _verifies(self, body: str, headers: dict[str, str]) -> bool:
        if self.secret is None:
            return False
        try:
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            return False
        return True

    def delivered(self) -> list[Receipt]:
        """The receipts answered 200, in the order they arrived."""
        with self._lock:
            return [r for r in self.receipts if r.answered == 200]
