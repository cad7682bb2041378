"""Finding 7 of issue 20: with the database unreachable every page is the 503 page, drawn
without the database, with the security headers and the guidance, never a bare 500.

The fault test stops the database under load: SiteSys reaches PostgreSQL through a TCP relay in
the test, which is stopped (every connection cut, the port closed) while desks and tablets are
busy, and started again.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
import uuid
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from sitesys.auth.roles import Role
from sitesys.db import get_database
from tests.conftest import build_app
from tests.factories import make_site, make_staff, make_substances, sign_in

MESSAGE = (
    "SiteSys cannot reach its database. Use the paper fallback sheets; "
    "nothing typed on this page was saved."
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def assert_outage_page(response: Any) -> None:
    assert response.status_code == 503, response.status_code
    page = response.get_data(as_text=True)
    assert MESSAGE in page
    assert 'href="/fallback"' in page and "Open the paper fallback sheets" in page
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    for name, value in HEADERS.items():
        assert response.headers[name] == value, name
    assert response.headers["Retry-After"].isdigit()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:9/sitesys?connect_timeout=2",
        "sqlite:///{tmp}/missing-folder/sitesys.sqlite3",
    ],
    ids=["postgresql-closed-port", "sqlite-missing-file"],
)
def test_every_kind_of_request_gets_the_outage_page(url, tmp_path):
    app = build_app(url.format(tmp=tmp_path))
    anonymous = app.test_client()
    tablet = app.test_client()
    with tablet.session_transaction() as cookie:
        cookie["_user_id"] = "a-session-token-this-database-cannot-check"
        cookie["_fresh"] = True
    # A signed-in tablet's every request needs the database (its session is checked there).
    assert_outage_page(tablet.get("/"))
    assert_outage_page(tablet.get("/checkin"))
    assert_outage_page(tablet.get("/board/partial", headers={"HX-Request": "true"}))
    assert_outage_page(tablet.post("/checkin", data={"walk_in": "y"}))
    # Signed out, only signing in does.
    assert anonymous.get("/login").status_code == 200
    assert_outage_page(anonymous.post("/login", data={"username": "nia", "password": "a password"}))
    # The sheets the page points to are there.
    assert anonymous.get("/fallback").status_code == 200
    get_database(app).engine.dispose()


class Relay:
    """A TCP relay in front of PostgreSQL that can be stopped (connections cut, port closed)
    and started again on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        for _ in range(50):
            try:
                listener.bind(("127.0.0.1", self.port))
                break
            except OSError:  # a connection cut a moment ago may still hold the port
                time.sleep(0.1)
        else:
            listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self.listener is not None:
            # Wakes the thread waiting in accept(), which close() alone does not on Linux.
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        with self.lock:
            for end in self.sockets:
                # Reset, as a server process that dies leaves its connections: nothing lingers
                # on the port, so the relay can start on it again at once.
                with contextlib.suppress(OSError):
                    end.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                # shutdown() wakes a thread blocked reading it, which close() alone does not.
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
            self.sockets.clear()


@pytest.mark.backend("postgresql")
@pytest.mark.committed
def test_stopping_the_database_under_load_gives_the_outage_page(committed_database):
    target = make_url(committed_database.fresh_url())
    relay = Relay(target.host or "127.0.0.1", target.port or 5432)
    relay.start()
    relayed = target.set(host="127.0.0.1", port=relay.port, query={"connect_timeout": "2"})
    app = build_app(relayed.render_as_string(hide_password=False))
    try:
        with get_database(app).new_session() as session:
            site = make_site(session)
            make_substances(session, site)
            staff = [make_staff(session, Role.FRONT_DESK, [site]) for _ in range(6)]
            tablets = []
            for member in staff:
                tablet = app.test_client()
                sign_in(tablet, session, member)
                tablets.append(tablet)
            session.commit()
        tokens = [tablet.csrf_token() for tablet in tablets]
        stopped = threading.Event()
        after_stop: list[Any] = []
        before_stop: list[Any] = []
        lock = threading.Lock()
        deadline = time.monotonic() + 30

        def busy(index: int) -> None:
            tablet = tablets[index]
            while time.monotonic() < deadline:
                was_stopped = stopped.is_set()
                if index % 2:
                    response = tablet.get("/board/partial", headers={"HX-Request": "true"})
                else:
                    response = tablet.post(
                        "/checkin",
                        data={
                            "csrf_token": tokens[index],
                            "walk_in": "y",
                            "substances": ["heroin"],
                            "route": "inject",
                            "drug_checked": "no",
                            "booth": "waiting",
                            "submission_key": str(uuid.uuid4()),
                            "submit": "Check in",
                        },
                        csrf=False,
                    )
                with lock:
                    if was_stopped:
                        after_stop.append(response)
                        if len(after_stop) >= 60:
                            return
                    else:
                        before_stop.append(response)

        threads = [threading.Thread(target=busy, args=(i,)) for i in range(len(tablets))]
        for thread in threads:
            thread.start()
        while len(before_stop) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        stopped.set()
        relay.stop()
        for thread in threads:
            thread.join(timeout=60)
        # Only requests in flight as the relay stopped may have met the outage before it.
        met_it = [response for response in before_stop if response.status_code == 503]
        assert len(met_it) <= len(tablets)
        assert {response.status_code for response in before_stop} <= {200, 204, 302, 503}
        for response in met_it:
            assert_outage_page(response)
        assert len(after_stop) >= 60
        # A request already past its last query when the relay stopped may still finish; every
        # other is the outage page, never a bare 500.
        answered = [response for response in after_stop if response.status_code != 503]
        assert len(answered) <= len(tablets)
        assert {response.status_code for response in answered} <= {200, 204, 302}
        for response in after_stop:
            if response.status_code == 503:
                assert_outage_page(response)
    finally:
        relay.stop()
        get_database(app).engine.dispose()
        direct = build_app(target.render_as_string(hide_password=False))
        committed_database.empty(direct)
        get_database(direct).engine.dispose()
