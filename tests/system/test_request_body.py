"""Finding 10 of issue 20: a chunked body over 1 MB is refused with 413, not cut and processed.

The requests are written by hand on a socket to a live server, chunk by chunk, with no
Content-Length, as a client or a proxy sending Transfer-Encoding: chunked does.
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import make_server

from sitesys.auth.roles import Role
from sitesys.checkin.models import Visit
from sitesys.db import get_database
from tests.factories import make_site, make_staff, make_substances, sign_in

pytestmark = pytest.mark.committed


@pytest.fixture
def live(committed_app: Flask) -> Iterator[int]:
    server = make_server("127.0.0.1", 0, committed_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()


def chunked_post(port: int, path: str, body: bytes, cookie: str) -> tuple[int, str]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Cookie: {cookie}\r\nConnection: close\r\n\r\n".encode()
        )
        try:
            for start in range(0, len(body), 64 * 1024):
                chunk = body[start : start + 64 * 1024]
                conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            conn.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may answer and close before the whole body is sent
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.split(b"\r\n\r\n", 1)[1].rstrip().endswith(
            (b"</html>", b"</html>\n")
        ):
            data = conn.recv(65536)
            if not data:
                break
            reply += data
    head, _, page = reply.partition(b"\r\n\r\n")
    return int(head.split()[1]), page.decode(errors="replace")


def walk_in(token: str, padding: int) -> bytes:
    # Fields the form does not know carry the bulk; the fields that matter come after them,
    # where a body cut at 1 MB would lose them.
    # Several fields, each under the form's limit on one field (MAX_FORM_MEMORY_SIZE).
    fields = {f"padding{n}": "x" * (200 * 1024) for n in range(padding // (200 * 1024))}
    return urlencode(
        {
            **fields,
            "csrf_token": token,
            "walk_in": "y",
            "substances": "heroin",
            "route": "inject",
            "drug_checked": "no",
            "booth": "waiting",
            "submission_key": str(uuid.uuid4()),
            "submit": "Check in",
        }
    ).encode()


def test_a_chunked_body_over_1_mb_is_refused_and_one_under_it_is_taken(committed_app, live):
    with get_database(committed_app).new_session() as session:
        site = make_site(session)
        make_substances(session, site)
        tablet = committed_app.test_client()
        sign_in(tablet, session, make_staff(session, Role.FRONT_DESK, [site]))
        session.commit()
    token = tablet.csrf_token()
    cookie = tablet.get_cookie("sitesys_session")
    assert cookie is not None
    cookie_header = f"sitesys_session={cookie.value}"

    status, page = chunked_post(live, "/checkin", walk_in(token, 1200 * 1024), cookie_header)
    assert status == 413
    assert "That was too large to accept" in page
    with get_database(committed_app).new_session() as session:
        assert session.scalar(select(func.count()).select_from(Visit)) == 0

    status, _ = chunked_post(live, "/checkin", walk_in(token, 800 * 1024), cookie_header)
    assert status == 302
    with get_database(committed_app).new_session() as session:
        assert session.scalar(select(func.count()).select_from(Visit)) == 1
