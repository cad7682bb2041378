"""The browser session cookie, encrypted as well as signed.

Flask signs its cookie but does not hide it: anyone holding a tablet's cookie could read it. Ours
carries the login token, the CSRF secret and flashed messages, and a flashed message can name a
client's display tag or a score ("Checked in Amber Heron 27"). So the cookie is sealed with
Fernet (AES-128-CBC with HMAC-SHA256) under a key derived from the secret key: a copied or
inspected cookie reveals nothing, and a tampered one is simply no session.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from flask import Flask
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature


class _SealedSerializer:
    """The dumps/loads pair Flask's cookie interface expects, backed by Fernet."""

    def __init__(self, secret_key: str) -> None:
        digest = hashlib.sha256(b"sitesys-session-cookie:" + secret_key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))
        self._json = TaggedJSONSerializer()

    def dumps(self, value: Any) -> str:
        return self._fernet.encrypt(self._json.dumps(value).encode()).decode("ascii")

    def loads(self, value: str | bytes, max_age: int | None = None) -> Any:
        token = value.encode("ascii") if isinstance(value, str) else value
        try:
            return self._json.loads(self._fernet.decrypt(token, ttl=max_age).decode())
        except (InvalidToken, ValueError, json.JSONDecodeError) as error:
            # Flask treats BadSignature as "no session": the user simply signs in again.
            raise BadSignature("session cookie could not be opened") from error


class SealedCookieSessionInterface(SecureCookieSessionInterface):
    def get_signing_serializer(self, app: Flask) -> _SealedSerializer | None:  # type: ignore[override]
        if not app.secret_key:
            return None
        return _SealedSerializer(str(app.secret_key))


def init_app(app: Flask) -> None:
    app.session_interface = SealedCookieSessionInterface()
