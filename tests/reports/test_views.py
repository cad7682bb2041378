"""The reports page: who may see it, which sites, the exports and their audit."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from tests.factories import make_site, make_staff, sign_in
from tests.reports.scenes import march

MARCH = "period=month&month=2026-03"


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_managers_see_the_link_and_the_desk_and_nurses_do_not(client, db):
    site = make_site(db)
    for role, shown in ((Role.MANAGER, True), (Role.NURSE, False), (Role.FRONT_DESK, False)):
        person = make_staff(db, role, [site])
        sign_in(client, db, person, site)
        home = client.get("/").get_data(as_text=True)
        assert ('href="/reports/"' in home) is shown, role
        assert client.get("/reports/").status_code == (200 if shown else 403), role


def test_a_manager_sees_a_month_of_their_site_with_definitions(client, db):
    scene = march(db)
    sign_in(client, db, scene.manager, scene.site)
    page = client.get(f"/reports/?{MARCH}&site={scene.site.id}").get_data(as_text=True)
    assert "Internal — exact counts, not for publication" in page
    assert "March 2026 · Riverside" in page
    assert (
        '<tr data-key="visits_total"><th scope="row">All visits</th><td class="num">5</td>' in page
    )
    rate = "Opioid overdoses per 1,000 consumption visits"
    row = f'<tr data-key="overdoses_rate"><th scope="row">{rate}</th><td class="num">200</td>'
    assert row in page
    assert "Visits to use substances under supervision." in page
    for title in ("Visits per day", "Substances named", "Incidents by type",
                  "Visits by weekday and hour", "Twelve-month trend"):  # fmt: skip
        assert f"<h3>{title}</h3>" in page
    # No client's code or tag reaches a report.
    assert "Test Heron" not in page


def test_a_manager_sees_only_their_sites(client, db):
    scene = march(db)
    sign_in(client, db, scene.manager, scene.site)
    assert client.get(f"/reports/?{MARCH}&site={scene.other.id}").status_code == 404
    # "All" is all of their own: one site, so no total column.
    page = client.get(f"/reports/?{MARCH}&site=all").get_data(as_text=True)
    assert "Hillside" not in page and 'class="num">Total<' not in page


def test_a_manager_of_several_sites_sees_them_side_by_side_with_the_total(client, db):
    scene = march(db)
    both = make_staff(db, Role.MANAGER, [scene.site, scene.other])
    sign_in(client, db, both, scene.site)
    page = client.get(f"/reports/?{MARCH}&site=all").get_data(as_text=True)
    assert (
        '<tr data-key="visits_total"><th scope="row">All visits</th>'
        '<td class="num">1</td><td class="num">5</td><td class="num">6</td>'
    ) in page
    assert "Unique clients across sites are the sum of each site" in page


def test_both_csvs_are_long_and_tidy_and_audited(client, db):
    scene = march(db)
    sign_in(client, db, scene.manager, scene.site)
    address = f"/reports/export.csv?{MARCH}&site={scene.site.id}"
    internal = client.post(address, data={"audience": "internal"})
    assert internal.status_code == 200
    assert (
        'filename="report-2026-03-01_2026-03-31-internal.csv"'
        in internal.headers["Content-Disposition"]
    )
    rows = _csv(internal.get_data(as_text=True))
    assert list(rows[0]) == ["period", "site", "indicator", "breakdown", "value", "suppressed"]
    smoke = next(
        r for r in rows if r["indicator"] == "visits_by_route" and r["breakdown"] == "Smoke"
    )
    assert smoke == {
        "period": "2026-03-01/2026-03-31", "site": "Riverside", "indicator": "visits_by_route",
        "breakdown": "Smoke", "value": "1", "suppressed": "false",
    }  # fmt: skip
    public = _csv(client.post(address, data={"audience": "publication"}).get_data(as_text=True))
    # The publication keeps its stable English column names and indicator keys, and names each
    # indicator in a label column (in the reader's language: English here).
    assert list(public[0]) == [
        "period", "site", "indicator", "label", "breakdown", "value", "suppressed",
    ]  # fmt: skip
    by_cell = {(r["indicator"], r["breakdown"]): r for r in public}
    assert by_cell[("visits_by_route", "Smoke")]["label"] == "Visits by route"
    assert by_cell[("visits_total", "")]["label"] == "All visits"
    assert by_cell[("visits_by_route", "Smoke")]["value"] == "<10"
    assert by_cell[("visits_by_route", "Smoke")]["suppressed"] == "true"
    assert by_cell[("visits_total", "")]["value"] == "<10"
    assert by_cell[("overdoses_rate", "")]["value"] == "suppressed"
    assert by_cell[("deaths", "")]["value"] == "0"
    assert all(
        r["value"] in ("0", "<10", "suppressed", "") or float(r["value"]) >= 0 for r in public
    )
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.exported").order_by(AuditEvent.id)
    ).all()
    assert [(e.actor_id, e.site_id, e.detail["audience"], e.detail["format"]) for e in events] == [
        (scene.manager.id, scene.site.id, "internal", "csv"),
        (scene.manager.id, scene.site.id, "publication", "csv"),
    ]
    assert events[0].detail["first_day"] == "2026-03-01"
    assert events[0].detail["last_day"] == "2026-03-31"


def test_a_csv_cell_cannot_be_a_formula(client, db):
    site = make_site(db, name="=HYPERLINK(1)")
    manager = make_staff(db, Role.MANAGER, [site])
    sign_in(client, db, manager, site)
    text = client.post(
        f"/reports/export.csv?{MARCH}&site={site.id}", data={"audience": "internal"}
    ).get_data(as_text=True)
    assert all(row["site"] == "'=HYPERLINK(1)" for row in _csv(text))


def test_the_printable_report_is_audited_and_suppressed_for_publication(client, db):
    scene = march(db)
    sign_in(client, db, scene.manager, scene.site)
    address = f"/reports/print?{MARCH}&site={scene.site.id}"
    page = client.post(address, data={"audience": "publication"}).get_data(as_text=True)
    assert "For publication." in page and "Internal — exact counts" not in page
    assert (
        '<tr data-key="visits_total"><th scope="row">All visits</th><td class="num">&lt;10</td>'
        in page
    )
    assert client.post(address, data={"audience": "nonsense"}).status_code == 400
    assert db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "report.exported",
            AuditEvent.detail["format"].as_string() == "print",
        )
    )


def test_an_export_needs_its_form_token(client, db):
    scene = march(db)
    sign_in(client, db, scene.manager, scene.site)
    response = client.post(
        f"/reports/export.csv?{MARCH}", data={"audience": "internal"}, csrf=False
    )
    assert response.status_code == 302 and "text/csv" not in response.content_type
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "report.exported")) is None


def test_the_publication_keeps_english_keys_in_any_language_and_internal_headers_are_translated(
    client, db
):
    """Read in another language (the pseudo-locale stands in for French), the internal CSV's
    headers are translated; the publication's columns, indicator keys, breakdown rows and markers
    stay in English and only its label column is translated. Figures are the same in both."""
    scene = march(db)
    sign_in(client, db, scene.manager, scene.site)
    address = f"/reports/export.csv?{MARCH}&site={scene.site.id}&lang=en_XA"
    internal = _csv(client.post(address, data={"audience": "internal"}).get_data(as_text=True))
    assert list(internal[0]) == [
        "⟦pérîöd⟧", "⟦šîté⟧", "⟦îñdîćåtör⟧", "⟦bréåkdöwñ⟧", "⟦våĺûé⟧",
        "⟦šûppréššéd⟧",
    ]  # fmt: skip
    public = _csv(client.post(address, data={"audience": "publication"}).get_data(as_text=True))
    assert list(public[0]) == [
        "period", "site", "indicator", "label", "breakdown", "value", "suppressed",
    ]  # fmt: skip
    by_cell = {(r["indicator"], r["breakdown"]): r for r in public}
    smoke = by_cell[("visits_by_route", "Smoke")]
    assert smoke["label"] == "⟦Vîšîtš bý röûté⟧"
    assert (smoke["value"], smoke["suppressed"]) == ("<10", "true")
    assert by_cell[("overdoses_rate", "")]["value"] == "suppressed"
    english = _csv(
        client.post(
            f"/reports/export.csv?{MARCH}&site={scene.site.id}&lang=en_GB",
            data={"audience": "internal"},
        ).get_data(as_text=True)
    )
    assert [list(row.values()) for row in english] == [list(row.values()) for row in internal], (
        "the same figures, counted alike whatever language the page is read in"
    )
