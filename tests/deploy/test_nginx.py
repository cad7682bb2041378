"""The shipped nginx configuration (docs/deploy/nginx.conf), run by the real nginx in front of
the real app: what nginx accepts, what it adds, and whom it refuses during a flood.

The file is rendered as the benchmark renders it (bench/server.py: render_nginx_conf), which
changes only its listening addresses, certificate paths, upstream port and log paths. Every
party connects from an address of its own on the loopback, as tablets elsewhere would.

nginx must be at /usr/sbin/nginx (`apt-get install nginx`; .ci/run installs it). Without it these
tests are skipped, and with SITESYS_REQUIRE_NGINX=1 (CI) they fail instead.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask
from sqlalchemy import select

from bench.login_flood import csrf_token, session_from
from bench.server import NGINX, Nginx
from sitesys import create_app
from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.db import get_database
from tests.browser_fixtures import LiveServer
from tests.conftest import CommittedDatabase
from tests.conftest import test_config as config_for
from tests.factories import PASSWORD, make_site, make_staff

HSTS = "max-age=31536000; includeSubDomains"
#: SiteSys's own pages link its style sheet; nginx's refusals are a few lines of their own.
SITESYS_PAGE = "sitesys.css"


@pytest.fixture(scope="module", autouse=True)
def _nginx_installed() -> None:
    if not NGINX.exists():
        if os.environ.get("SITESYS_REQUIRE_NGINX") == "1":
            pytest.fail(f"nginx is required (SITESYS_REQUIRE_NGINX=1) but {NGINX} is missing")
        pytest.skip(f"nginx not found at {NGINX} (apt-get install nginx)")


@pytest.fixture
def proxied_app(committed_database: CommittedDatabase) -> Iterator[Flask]:
    """SiteSys as it runs behind the proxy: SITESYS_TRUSTED_PROXIES=1, real commits."""
    config = config_for(committed_database.fresh_url())
    app = create_app(dataclasses.replace(config, trusted_proxies=1))
    yield app
    committed_database.empty(app)
    get_database(app).engine.dispose()


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1, in place of the site's own."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        # Its own authority, so that the client can be told to trust it and nothing else.
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    chain, private = directory / "fullchain.pem", directory / "privkey.pem"
    chain.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return chain, private


def _from_sitesys(reply: requests.Response) -> bool:
    return SITESYS_PAGE in reply.text


@pytest.mark.committed
def test_the_shipped_configuration_serves_sitesys_over_tls_with_hsts_and_a_1_mb_limit(
    proxied_app, tmp_path
):
    certificate = _certificate(tmp_path)
    with LiveServer(proxied_app) as upstream:
        proxy = Nginx(upstream.server.server_port, tmp_path / "nginx", certificate=certificate)
        checked = proxy.test()
        assert checked.returncode == 0, checked.stderr
        assert "test is successful" in checked.stderr
        with proxy, session_from(None) as http:
            http.verify = str(certificate[0])  # not the environment's bundle (session_from)
            page = http.get(f"{proxy.url}/login")
            assert page.status_code == 200
            assert "csrf_token" in page.text
            # One HSTS header, whoever answers: SiteSys's is replaced by nginx's, never doubled.
            assert page.raw.headers.getlist("Strict-Transport-Security") == [HSTS]
            assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")

            too_large = http.post(f"{proxy.url}/login", data={"note": "x" * (1024 * 1024 + 1)})
            assert too_large.status_code == 413
            assert not _from_sitesys(too_large)

            plain = http.get(
                f"http://127.0.0.1:{proxy.redirect_port}/login?next=/board",
                allow_redirects=False,
            )
            assert plain.status_code == 301
            assert plain.headers["Location"] == "https://127.0.0.1/login?next=/board"

        # Query strings stay out of the access log: the path alone is written.
        access_log = (tmp_path / "nginx" / "sitesys-access.log").read_text()
        assert '"GET /login HTTP/1.1" 200' in access_log
        assert "?" not in access_log


@pytest.mark.committed
def test_a_sign_in_burst_meets_sitesys_limit_first_then_nginx_and_other_addresses_carry_on(
    proxied_app, tmp_path
):
    with get_database(proxied_app).new_session() as session:
        site = make_site(session)
        make_staff(session, Role.NURSE, [site], username="nia")
        session.commit()
    with (
        LiveServer(proxied_app) as upstream,
        Nginx(upstream.server.server_port, tmp_path / "nginx", workers="1") as proxy,
    ):
        # One address posts 40 wrong passwords back to back, claiming another address.
        flood = session_from("127.0.0.3")
        flood_token = csrf_token(flood.get(f"{proxy.url}/login").text)
        answers = [
            flood.post(
                f"{proxy.url}/login",
                data={
                    "csrf_token": flood_token,
                    "username": f"nobody{n}",
                    "password": "not it at all",
                },
                headers={"X-Forwarded-For": "10.9.8.7"},
                allow_redirects=False,
            )
            for n in range(40)
        ]
        # SiteSys answers the first ten (its limit: 10 a minute per address) and refuses the
        # next with its own page, in the member of staff's words; nginx refuses the rest.
        assert [reply.status_code for reply in answers[:10]] == [401] * 10
        assert all("Username or password is wrong." in reply.text for reply in answers[:10])
        by_sitesys = [r for r in answers[10:] if r.status_code == 429 and _from_sitesys(r)]
        by_nginx = [r for r in answers[10:] if r.status_code == 429 and not _from_sitesys(r)]
        assert answers[10] in by_sitesys
        assert "Too many sign-in attempts" in answers[10].text
        # nginx lets 11 through at once and one more every 6 s: the eleventh meets SiteSys's
        # own refusal however fast they come.
        assert len(by_sitesys) >= 1
        assert len(by_sitesys) + len(by_nginx) == 30
        # Back to back, the last are nginx's (one may slip through to SiteSys's own refusal
        # on a slow machine, as the bucket lets one more through every 6 s).
        assert sum(reply in by_nginx for reply in answers[-5:]) >= 4
        refused = by_nginx[-1]
        assert "Too many sign-in attempts" in refused.text
        assert "Il y a eu trop de tentatives de connexion" in refused.text
        assert refused.headers["Retry-After"] == "60"

        # Meanwhile staff at another address sign in and the board polls.
        tablet = session_from("127.0.0.4")
        token = csrf_token(tablet.get(f"{proxy.url}/login").text)
        signed_in = tablet.post(
            f"{proxy.url}/login",
            data={"csrf_token": token, "username": "nia", "password": PASSWORD},
            allow_redirects=False,
        )
        assert signed_in.status_code == 302
        poll = tablet.get(f"{proxy.url}/board/partial", headers={"HX-Request": "true"})
        assert poll.status_code == 200
        assert 'id="board"' in poll.text
        # ...while the flooding address is still refused: by nginx, or, once nginx's bucket has
        # let one more through (one every 6 s, so on a slow machine), by SiteSys's own limit.
        again = flood.post(
            f"{proxy.url}/login",
            data={"csrf_token": flood_token, "username": "nobody", "password": "not it at all"},
            allow_redirects=False,
        )
        assert again.status_code == 429
        assert "Too many sign-in attempts" in again.text

        # A whole floor behind one address opening a page at the same moment: 20 tablets,
        # each the board and what it loads (style sheet, two scripts, icon). None is refused.
        board = tablet.get(f"{proxy.url}/board/").text
        assets = [
            "/static/css/sitesys.css",
            "/static/vendor/htmx-2.0.11/htmx.min.js",
            "/static/js/sitesys.js",
            "/static/img/icon.svg",
        ]
        assert all(asset in board for asset in assets)
        cookies = tablet.cookies.get_dict()

        def open_board(_tablet: int) -> list[int]:
            with session_from("127.0.0.5") as http:
                http.cookies.update(cookies)
                return [http.get(f"{proxy.url}{path}").status_code for path in ["/board/", *assets]]

        with ThreadPoolExecutor(max_workers=20) as floor:
            statuses = [status for page in floor.map(open_board, range(20)) for status in page]
        assert len(statuses) == 100
        assert set(statuses) == {200}

    # SiteSys saw each attempt it answered from the address that made it, never the one the
    # client claimed, nor nginx's own.
    with get_database(proxied_app).new_session() as session:
        failed = session.scalars(
            select(AuditEvent.source_address).where(AuditEvent.action == "auth.sign_in_failed")
        ).all()
        signed = session.scalars(
            select(AuditEvent.source_address).where(AuditEvent.action == "auth.signed_in")
        ).all()
    assert failed == ["127.0.0.3"] * 10
    assert signed == ["127.0.0.4"]
