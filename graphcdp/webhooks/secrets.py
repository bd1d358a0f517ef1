"""Signing secrets of webhook destinations. Signing needs the secret itself (an HMAC key), so it cannot be kept as
a hash like an API key: it is kept encrypted (Fernet: AES-128-CBC with an HMAC-SHA256) under a key that is not in
the graph, so a copy of the database alone (a backup, a dump) does not give the secrets away. Whoever holds both
the key and the database can sign as graphcdp; the key is the configured GRAPHCDP_WEBHOOK_KEY, or else a file
`webhook.key` (mode 0600) made in the data directory on first use."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from graphcdp.errors import ConfigurationError
from graphcdp.settings import Settings

PREFIX = "whsec_"
SECRET_BYTES = 32
KEY_FILE = "webhook.key"
MIN_KEY_LENGTH = 32


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and base64 of random bytes."""
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _fernet(key_text: str) -> Fernet:
    if len(key_text) < MIN_KEY_LENGTH:
        raise ConfigurationError(f"GRAPHCDP_WEBHOOK_KEY must be at least {MIN_KEY_LENGTH} characters")
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key_text.encode()).digest()))


def _key_file_text(path: Path) -> str:
    """The key in `path`, made (random, only the owner may read it) when there is none yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(descriptor, "w") as out:
                out.write(secrets.token_urlsafe(48) + "\n")
    return path.read_text().strip()


class SecretBox:
    """Seals and opens signing secrets. The key is read on first use, so commands that never touch webhooks
    make no key file."""

    def __init__(self, settings: Settings) -> None:
        self._configured = settings.webhook_key.get_secret_value() if settings.webhook_key else None
        self._key_file = settings.data_dir / KEY_FILE
        self._fernet: Fernet | None = None

    def _box(self) -> Fernet:
        if self._fernet is None:
            self._fernet = _fernet(self._configured or _key_file_text(self._key_file))
        return self._fernet

    def seal(self, secret: str) -> str:
        return self._box().encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._box().decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise ConfigurationError(
                "a webhook signing secret cannot be decrypted: GRAPHCDP_WEBHOOK_KEY (or webhook.key in the data "
                "directory) is not the key it was sealed with"
            ) from None
