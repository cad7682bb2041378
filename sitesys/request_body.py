"""Request bodies are bounded whatever their transfer encoding (issue 20, finding 10).

MAX_CONTENT_LENGTH refuses a body whose Content-Length is too large, but a chunked body has none:
Werkzeug then reads it through a stream cut at the limit, and the form parser took what came
before the cut as the whole form (an observation saved without its note). So a body without a
Content-Length is read here first, up to one byte past the limit: a longer one is refused with
413 before anything reads the form; a shorter one is handed on with its length, as any other.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from flask import Flask, abort, request

TOO_LARGE = "sitesys.body_too_large"


class BoundedBody:
    """WSGI middleware: buffers a body sent without Content-Length, up to the limit."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        has_length = str(environ.get("CONTENT_LENGTH") or "").strip() != ""
        chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
        if not has_length and (chunked or environ.get("wsgi.input_terminated")):
            body = environ["wsgi.input"].read(self.limit + 1)
            if len(body) > self.limit:
                environ[TOO_LARGE] = True
                body = b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)  # type: ignore[no-any-return]


def _refuse_too_large() -> None:
    if request.environ.get(TOO_LARGE):
        abort(413)


def init_app(app: Flask) -> None:
    limit = int(app.config["MAX_CONTENT_LENGTH"])
    app.wsgi_app = BoundedBody(app.wsgi_app, limit)  # type: ignore[method-assign]
    # First of all the request hooks: CSRF and the null-character check read the form.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_too_large)
