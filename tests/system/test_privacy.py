"""The privacy notice at /privacy: public, in plain words, with a site's own retention periods,
operator contact and legal basis at its public link; nothing of any site without it.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.sites.models import Site
from tests.factories import make_site, make_staff, sign_in
from tests.sites.test_views import SITE_FORM


def test_the_notice_is_public_and_says_what_is_and_is_never_kept(client, db):
    response = client.get("/privacy")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for words in (
        "We never keep",
        "Your name.",
        "Your date of birth.",
        "scrambled form",
        "Your visits",
        "Who can see it",
        "removed after 8 years",
        "do not come for 3 years",
        "at least 8 years",
        "publishes counts only",
        "Ask a member of staff who runs this site",
    ):
        assert words in page, words
    assert "Set-Cookie" not in response.headers


def test_a_sites_notice_carries_its_settings_contact_and_legal_basis(client, db):
    site = make_site(
        db,
        retain_notes_years=10,
        retain_clients_years=1,
        privacy_contact="Harbour Trust, 1 Quay Street; privacy@harbour.example",
        privacy_legal_basis="Public task and health care (UK GDPR 6(1)(e), 9(2)(h)).",
    )
    page = client.get(f"/privacy/{site.public_id}").get_data(as_text=True)
    assert "removed after 10 years" in page and "do not come for 1 year," in page
    assert "privacy@harbour.example" in page and "UK GDPR 6(1)(e)" in page
    assert site.name not in page
    missing = client.get("/privacy/not-a-site")
    assert missing.status_code == 404 and "We never keep" in missing.get_data(as_text=True)


def test_an_admin_sets_the_contact_and_legal_basis_in_the_site_settings(client, db):
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.ADMIN, [site]))
    page = client.get(f"/sites/{site.id}/edit").get_data(as_text=True)
    assert "Operator and contact for the privacy notice" in page
    assert "Legal basis for the privacy notice" in page
    version = re.search(r'name="version" type="hidden" value="([^"]*)"', page)
    assert version is not None
    contact = "Harbour Trust; privacy@harbour.example"
    saved = client.post(
        f"/sites/{site.id}/edit",
        data={**SITE_FORM, "version": version.group(1), "privacy_contact": contact},
    )
    assert saved.status_code == 302
    db.expire_all()
    assert db.get(Site, site.id).privacy_contact == contact
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "site.updated"))
    assert "privacy_contact" in event.detail["changed"]
    assert contact not in str(event.detail)  # free text stays out of the audit trail
    assert contact in client.get(f"/privacy/{site.public_id}").get_data(as_text=True)
