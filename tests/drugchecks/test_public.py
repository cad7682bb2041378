"""The public result page, tried as an attacker would: guessing codes, telling wrong codes from
expired ones, reading another site's data, slipping markup in.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from flask import Flask
from limits.storage import storage_from_string

from config import Config
from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from sitesys.db import get_database
from sitesys.drugchecks.codes import shown
from sitesys.extensions import limiter
from tests.conftest import CSRFClient, build_app
from tests.drugchecks.scenes import make_sample
from tests.factories import make_site, make_staff

REDIS_URL = "redis://127.0.0.1:6379/0"


def _look_up(client, code):
    return client.post("/results", data={"code": code}, csrf=False)


def _body(response):
    return response.get_data(as_text=True)


@pytest.fixture
def two_sites(app, db):
    north = make_site(db, name="Northgate Consumption Room", result_days=30)
    south = make_site(db, name="Southside Overdose Prevention Centre", result_days=30)
    people = {
        site.id: make_staff(db, Role.DRUG_CHECKER, [site], display_name=f"Checker of {site.name}")
        for site in (north, south)
    }
    return north, south, people


def test_a_client_reads_their_result_and_nothing_else(app, client, db, two_sites):
    north, _south, people = two_sites
    sample, code = make_sample(
        db, app, north, people[north.id], result_at=utcnow() - timedelta(hours=1)
    )
    page = _look_up(client, shown(code).lower())
    body = _body(page)
    assert page.status_code == 200
    assert "Something unexpected found" in body
    assert "Fentanyl was found as well as ketamine." in body
    assert "Do not use it alone; use much less." in body
    assert "Result from" in body
    # Nothing of the site, the staff, the sample's reference or the code itself.
    for secret in (north.name, people[north.id].display_name, sample.reference, code, shown(code)):
        assert secret not in body
    assert "Set-Cookie" not in page.headers
    assert page.headers["Cache-Control"] == "no-store"


def test_a_result_not_yet_given_says_so(app, client, db, two_sites):
    north, _south, people = two_sites
    _sample, code = make_sample(db, app, north, people[north.id])
    assert "not ready yet" in _body(_look_up(client, code))


def test_wrong_and_expired_codes_get_the_same_answer_the_same_way(
    app, client, db, two_sites, count_queries
):
    north, _south, people = two_sites
    _expired, code = make_sample(
        db, app, north, people[north.id], result_at=utcnow() - timedelta(days=31)
    )
    wrong = "ABCD2345" if code != "ABCD2345" else "ABCD2346"
    with count_queries() as expired_counter:
        expired = _look_up(client, code)
    with count_queries() as wrong_counter:
        unknown = _look_up(client, wrong)
    with count_queries() as malformed_counter:
        malformed = _look_up(client, "not a code at all")
    assert expired.status_code == unknown.status_code == malformed.status_code == 200
    assert _body(expired) == _body(unknown) == _body(malformed)
    assert "No result can be shown for that code." in _body(expired)
    # One look-up of a digest each, whatever the code.
    assert expired_counter.count == wrong_counter.count == malformed_counter.count == 1


def test_a_code_opens_only_its_own_sample_never_another_sites(app, client, db, two_sites):
    north, south, people = two_sites
    make_sample(
        db, app, south, people[south.id], result_at=utcnow(),
        found_summary="Southside finding: xylazine.",
    )  # fmt: skip
    _mine, code = make_sample(
        db, app, north, people[north.id], result_at=utcnow(),
        found_summary="Northgate finding: as expected.",
    )  # fmt: skip
    body = _body(_look_up(client, code))
    assert "Northgate finding" in body and "Southside" not in body and "xylazine" not in body


def test_free_text_is_shown_as_text_never_as_markup(app, client, db, two_sites):
    north, _south, people = two_sites
    _sample, code = make_sample(
        db, app, north, people[north.id], result_at=utcnow(),
        found_summary='<script>alert("x")</script><img src=x onerror=alert(1)>',
        advice="<a href='https://example.org'>click</a>",
    )  # fmt: skip
    body = _body(_look_up(client, code))
    assert "<script>" not in body and "<img src=x" not in body
    assert "<a href='https://example.org'>" not in body, "only the page's own links"
    assert "&lt;script&gt;" in body and "&lt;a href=" in body


def test_guessing_codes_hits_the_rate_limit_with_a_plain_page(app, client, db, two_sites):
    north, _south, people = two_sites
    _sample, code = make_sample(db, app, north, people[north.id], result_at=utcnow())
    answers = [_look_up(client, f"ABCD{2000 + n}") for n in range(10)]
    assert all(answer.status_code == 200 for answer in answers)
    refused = _look_up(client, code)  # even the right code, once over the limit
    body = _body(refused)
    assert refused.status_code == 429
    assert "Too many tries" in body and "Wait a few minutes" in body
    assert "Fentanyl" not in body and north.name not in body
    assert "Retry-After" in refused.headers
    # Reading the page itself is not counted; another address is not held back.
    assert client.get("/results").status_code == 200
    other = client.post(
        "/results", data={"code": code}, csrf=False, environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    assert other.status_code == 200 and "Fentanyl" in _body(other)


def test_an_empty_code_asks_for_it(client):
    response = _look_up(client, "  ")
    assert response.status_code == 422
    assert "Enter the code from your slip." in _body(response)


def test_the_redis_url_is_where_the_limits_count():
    config = Config.from_env({"SITESYS_ENV": "test", "SITESYS_REDIS_URL": REDIS_URL})
    assert config.rate_limit_storage == REDIS_URL
    assert Config.from_env({"SITESYS_ENV": "test"}).rate_limit_storage == "memory://"


@pytest.fixture
def redis_app(database_url: str) -> Iterator[tuple[Flask, str]]:
    """An app counting in the Redis that runs beside the suite, seen from an address of its own
    (the counts are keyed by address, so no other run's counts meet this one's).

    The limiter is one object per process (as Flask extensions are); this app's set-up points
    it at Redis, so its storage is put back afterwards for the other tests.
    """
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    address = "10.{}.{}.{}".format(*secrets.token_bytes(3))
    kept = (limiter._storage, limiter._limiter)  # restored below
    app = build_app(database_url, RATELIMIT_STORAGE_URI=REDIS_URL)
    yield app, address
    limiter._storage, limiter._limiter = kept
    connection = redis.Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"*/{address}/*"):
        connection.delete(key)
    get_database(app).engine.dispose()


def test_behind_redis_the_count_is_kept_in_redis(redis_app):
    app, address = redis_app
    client: CSRFClient = app.test_client()  # type: ignore[assignment]
    statuses = [
        client.post(
            "/results",
            data={"code": f"ABCD{3000 + n}"},
            csrf=False,
            environ_base={"REMOTE_ADDR": address},
        ).status_code
        for n in range(11)
    ]
    assert statuses == [200] * 10 + [429]
    assert storage_from_string(REDIS_URL).check()
    assert any(redis.Redis.from_url(REDIS_URL).scan_iter(f"*/{address}/results.lookup/*"))
