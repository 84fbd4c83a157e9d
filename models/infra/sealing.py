"""Secrets at rest (courier credentials, SMS passwords): sealed with a key derived from
SECRET_KEY, so a copy of the database alone reveals nothing."""

from __future__ import annotations

import base64
import json

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from models.errors import InvalidInput


class Sealer:
    """Fernet (AES-128-CBC + HMAC-SHA256) with a key derived by HKDF from SECRET_KEY."""

    def __init__(self, secret_key: str) -> None:
        if not secret_key:
            raise ValueError("SECRET_KEY is needed to seal secrets")
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=b"hanout-sealing", info=b"credentials v1"
        ).derive(secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, values: dict[str, str]) -> str:
        return self._fernet.encrypt(json.dumps(values, sort_keys=True).encode()).decode()

    def unseal(self, sealed: str) -> dict[str, str]:
        """The sealed values; InvalidInput when SECRET_KEY changed or the data is damaged."""
        try:
            data = json.loads(self._fernet.decrypt(sealed.encode()))
        except (InvalidToken, ValueError) as exc:
            raise InvalidInput("sealed secret unreadable: was SECRET_KEY changed?") from exc
        return {str(k): str(v) for k, v in data.items()}
