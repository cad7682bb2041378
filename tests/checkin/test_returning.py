"""A regular at the desk: their last visit's choices ticked, and the booths suiting the route."""

from __future__ import annotations

import re
from datetime import timedelta

from sitesys.checkin.models import Route, VisitStatus
from sitesys.checkin.services import routes_by_booth
from sitesys.clients.codes import code_digest
from sitesys.clock import utcnow
from sitesys.sites.models import BoothKind
from tests.checkin.helpers import check_in_form, floor
from tests.factories import make_booth, make_client, make_site, make_visit


def regular(db, app, site, staff, *, route=Route.SMOKE, substances=("crack", "heroin"), at=None):
    client = make_client(
        db, site, code_digest=code_digest("JOMA07", app.config["SITESYS_CLIENT_CODE_KEY"])
    )
    make_visit(
        db,
        site,
        staff,
        client_id=client.id,
        route=route,
        substances=list(substances),
        status=VisitStatus.LEFT,
        at=at or utcnow() - timedelta(days=2),
    )
    return client


def find(client, **overrides):
    form = check_in_form(**{"substances": None, "route": None, "drug_checked": None, **overrides})
    return client.post("/checkin", data={**form, "find": "1"}).get_data(as_text=True)


def ticked(page: str, name: str) -> list[str]:
    return sorted(
        re.findall(rf'<input checked id="{name}-\d+" name="{name}"[^>]* value="(\w+)"', page)
    )


def booth_item(page: str, booth_id: int) -> str:
    """The list item of a booth's radio button, with its attributes."""
    match = re.search(rf'<li([^>]*)><label[^>]*><input[^>]* value="{booth_id}">', page)
    assert match, booth_id
    return match.group(1)


def test_a_regulars_last_substances_and_route_are_ticked(client, app, db):
    site, _booths, desk = floor(db, client)
    regular(db, app, site, desk)
    page = find(client)
    assert ticked(page, "substances") == ["crack", "heroin"]
    assert ticked(page, "route") == ["smoke"]
    assert "ticked as at their last visit" in page


def test_the_last_visit_is_the_newest(client, app, db):
    site, _booths, desk = floor(db, client)
    person = regular(db, app, site, desk, route=Route.INJECT, substances=["heroin"])
    make_visit(
        db,
        site,
        desk,
        client_id=person.id,
        route=Route.SNORT,
        substances=["ketamine"],
        status=VisitStatus.LEFT,
        at=utcnow() - timedelta(hours=3),
    )
    page = find(client)
    assert ticked(page, "substances") == ["ketamine"]
    assert ticked(page, "route") == ["snort"]


def test_what_the_desk_already_chose_is_kept(client, app, db):
    site, _booths, desk = floor(db, client)
    regular(db, app, site, desk)
    page = find(client, substances=["mdma"], route="oral")
    assert ticked(page, "substances") == ["mdma"]
    assert ticked(page, "route") == ["oral"]
    assert "ticked as at their last visit" not in page


def test_a_new_client_and_a_substance_off_the_list_are_not_ticked(client, app, db):
    site, _booths, desk = floor(db, client)
    assert ticked(find(client), "substances") == []
    regular(db, app, site, desk, substances=["retired-thing"])
    page = find(client)
    assert ticked(page, "substances") == [] and ticked(page, "route") == []


def test_each_booth_suits_the_routes_of_its_kind(db):
    site = make_site(db)
    room = make_booth(db, site, kind=BoothKind.INJECTING)
    smoking = make_booth(db, site, kind=BoothKind.SMOKING)
    routes = routes_by_booth(db, site, [room, smoking])
    assert routes[smoking.id] == [Route.SMOKE]
    assert routes[room.id] == [Route.INJECT, Route.SNORT, Route.ORAL, Route.OTHER]
    # A site with no smoking booth lets smokers use any booth (check_booth_suits agrees).
    other = make_site(db)
    only = make_booth(db, other, kind=BoothKind.INJECTING)
    assert routes_by_booth(db, other, [only]) == {only.id: list(Route)}


def test_the_desk_shows_only_the_booths_that_suit_the_route_ticked(client, app, db):
    site, booths, desk = floor(db, client)
    smoking = make_booth(db, site, label="S1", kind=BoothKind.SMOKING, position=9)
    regular(db, app, site, desk, route=Route.SMOKE)
    page = find(client)
    assert booth_item(page, smoking.id) == ' data-routes="smoke"'
    for booth in booths:
        assert booth_item(page, booth.id) == ' data-routes="inject snort oral other" hidden'
    # Before a route is chosen every free booth is shown.
    page = client.get("/checkin").get_data(as_text=True)
    assert booth_item(page, booths[0].id) == ' data-routes="inject snort oral other"'
