"""Choosing a language: each member of staff their own, falling back to their site's default and
then English; client-facing pages in the site's client languages, chosen by link and carried in
the address, never in a cookie; the code recipe in each of a site's languages.
"""

from __future__ import annotations

import dataclasses
import re

from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.i18n import LANGUAGE_COOKIE
from tests.factories import make_site, make_staff, sign_in
from tests.sites.test_views import SITE_FORM


def _lang(page: str) -> tuple[str, str]:
    found = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', page)
    assert found is not None
    return found.group(1), found.group(2)


def _choose(client, language: str, **kwargs):
    data = {"language-csrf_token": client.csrf_token(), "language-language": language}
    return client.post("/account/language", data=data, **kwargs)


def _events(db, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# -- Staff -------------------------------------------------------------------------------------


def test_staff_see_their_site_default_until_they_choose_their_own(client, db):
    site = make_site(db, default_language="fr_CA")
    nurse = make_staff(db, Role.NURSE, [site])
    sign_in(client, db, nurse)
    assert _lang(client.get("/").get_data(as_text=True)) == ("fr-CA", "ltr")
    account = client.get("/account/password").get_data(as_text=True)
    assert "Votre langue" in account, "the account page in the site's language, French"
    assert re.search(r'<input checked id="language-language-0" [^>]*value="site">', account)
    response = _choose(client, "en_GB")
    assert response.status_code == 302
    db.refresh(nurse)
    assert nurse.language == "en_GB"
    assert _lang(client.get("/").get_data(as_text=True)) == ("en-GB", "ltr")
    (event,) = _events(db, "staff.language_chosen")
    assert event.actor_id == nurse.id and event.record_id == str(nurse.id)
    assert event.detail == {"language_from": "site", "language_to": "en_GB"}
    # Back to the site's language: stored as no choice at all.
    _choose(client, "site")
    db.refresh(nurse)
    assert nurse.language is None
    assert _lang(client.get("/").get_data(as_text=True)) == ("fr-CA", "ltr")


def test_a_staff_choice_beats_the_site_default_and_english_is_the_last_fallback(client, db):
    site = make_site(db)
    manager = make_staff(db, Role.MANAGER, [site], language="fr_CA")
    sign_in(client, db, manager)
    assert _lang(client.get("/").get_data(as_text=True)) == ("fr-CA", "ltr")
    manager.language = None
    db.flush()
    assert _lang(client.get("/").get_data(as_text=True)) == ("en-GB", "ltr")


def test_staff_cannot_choose_a_language_staff_screens_are_not_in(client, db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    sign_in(client, db, nurse)
    for refused in ("ar", "xx", ""):
        _choose(client, refused)
    db.refresh(nurse)
    assert nurse.language is None and _events(db, "staff.language_chosen") == []
    followed = _choose(client, "ar", follow_redirects=True)
    assert "Choose one of the languages in the list." in followed.get_data(as_text=True)


def test_the_pseudo_locale_is_a_staff_choice_outside_production_only(app, client, db, monkeypatch):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    sign_in(client, db, nurse)
    assert 'value="en_XA"' in client.get("/account/password").get_data(as_text=True)
    _choose(client, "en_XA")
    page = client.get("/").get_data(as_text=True)
    assert _lang(page) == ("en-XA", "ltr") and "⟦Šîĝñ öût⟧" in page
    production = dataclasses.replace(app.config["SITESYS"], env="production")
    monkeypatch.setitem(app.config, "SITESYS", production)
    page = client.get("/account/password").get_data(as_text=True)
    assert 'value="en_XA"' not in page and ">Sign out<" in page


# -- Site settings -----------------------------------------------------------------------------


def test_an_admin_sets_the_sites_languages_and_recipes_and_the_change_is_audited(client, db):
    site = make_site(db, name="Harbour Street")
    sign_in(client, db, make_staff(db, Role.ADMIN, [site]))
    page = client.get(f"/sites/{site.id}/edit").get_data(as_text=True)
    assert "Language of staff screens" in page and "Client code recipe in العربية" in page
    version = re.search(r'name="version" type="hidden" value="([0-9a-f]+)"', page).group(1)
    response = client.post(
        f"/sites/{site.id}/edit",
        data={
            **SITE_FORM,
            "version": version,
            "languages_shown": "1",
            "default_language": "fr_CA",
            "client_languages_offered": ["en_GB", "fr_CA", "ar"],
            "code_hint_fr_CA": "Deux lettres de votre prénom, puis le jour de naissance.",
            "code_hint_ar": "أول حرفين من اسمك الأول ويوم ميلادك.",
            "code_hint_es": "",
        },
    )
    assert response.status_code == 302
    db.refresh(site)
    assert site.default_language == "fr_CA" and site.client_languages == "en_GB,fr_CA,ar"
    assert site.code_hints == {
        "fr_CA": "Deux lettres de votre prénom, puis le jour de naissance.",
        "ar": "أول حرفين من اسمك الأول ويوم ميلادك.",
    }
    (event,) = _events(db, "site.updated")
    assert {"default_language", "client_languages", "code_hints"} <= set(event.detail["changed"])
    assert event.detail["default_language_from"] == "en_GB"
    assert event.detail["default_language_to"] == "fr_CA"
    assert event.detail["client_languages_to"] == "en_GB,fr_CA,ar"
    assert "code_hints_to" not in event.detail, "free text stays out of the audit detail"
    again = client.get(f"/sites/{site.id}/edit").get_data(as_text=True)
    assert "Deux lettres de votre prénom" in again
    assert re.search(r'value="ar"[^>]*checked|checked[^>]*value="ar"', again)


def test_a_site_offers_at_least_one_client_language_and_a_form_without_them_keeps_them(client, db):
    site = make_site(db, client_languages="en_GB,es")
    sign_in(client, db, make_staff(db, Role.ADMIN, [site]))
    page = client.get(f"/sites/{site.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="([0-9a-f]+)"', page).group(1)
    refused = client.post(
        f"/sites/{site.id}/edit",
        data={**SITE_FORM, "version": version, "languages_shown": "1", "default_language": "en_GB"},
    )
    assert "Choose at least one language for the pages clients read." in refused.get_data(
        as_text=True
    )
    db.refresh(site)
    assert site.client_languages == "en_GB,es"
    kept = client.post(f"/sites/{site.id}/edit", data={**SITE_FORM, "version": version})
    assert kept.status_code == 302
    db.refresh(site)
    assert site.client_languages == "en_GB,es"


# -- Client-facing pages -----------------------------------------------------------------------


def test_a_client_page_offers_the_sites_languages_and_carries_the_choice_without_a_cookie(
    client, db
):
    site = make_site(db, client_languages="en_GB,es,ar", default_language="en_GB")
    page = client.get(f"/privacy/{site.public_id}").get_data(as_text=True)
    assert _lang(page) == ("en-GB", "ltr")
    links = re.findall(r'<a href="\?lang=(\w+)" lang="([\w-]+)"', page)
    assert links == [("en_GB", "en-GB"), ("es", "es"), ("ar", "ar")]
    response = client.get(f"/privacy/{site.public_id}?lang=ar")
    assert _lang(response.get_data(as_text=True)) == ("ar", "rtl")
    assert "Set-Cookie" not in response.headers, "nothing is left on the client's phone"
    assert client.get_cookie(LANGUAGE_COOKIE) is None
    # A language the site does not offer is not shown: its default is.
    assert _lang(client.get(f"/privacy/{site.public_id}?lang=pt").get_data(as_text=True)) == (
        "en-GB",
        "ltr",
    )


def test_a_link_between_client_pages_keeps_the_language(client, db):
    site = make_site(db, client_languages="en_GB,es")
    page = client.get(f"/code-recipe/{site.public_id}?lang=es").get_data(as_text=True)
    assert _lang(page) == ("es", "ltr")
    with client.application.test_request_context(f"/privacy/{site.public_id}?lang=es"):
        from flask import url_for

        client.application.preprocess_request()
        assert url_for("results.lookup") == "/results?lang=es"
        assert url_for("home.index") == "/", "staff pages are not given it"


def test_pages_of_no_site_offer_every_client_language(client, db):
    page = client.get("/results").get_data(as_text=True)
    codes = re.findall(r'<a href="\?lang=(\w+)"', page)
    assert codes == ["en_GB", "fr_CA", "es", "pt", "ar"]
    posted = client.post("/results?lang=ar", data={"code": "ABCD-2345"}, csrf=False)
    assert _lang(posted.get_data(as_text=True)) == ("ar", "rtl")


def test_the_code_recipe_is_shown_in_each_language_the_site_wrote_it_in(client, db):
    site = make_site(
        db,
        client_languages="en_GB,fr_CA,pt",
        code_hint="Two letters of your first name and your day of birth.",
        code_hints={"fr_CA": "Deux lettres de votre prénom et votre jour de naissance."},
    )
    english = client.get(f"/code-recipe/{site.public_id}").get_data(as_text=True)
    assert "Two letters of your first name" in english
    french = client.get(f"/code-recipe/{site.public_id}?lang=fr_CA").get_data(as_text=True)
    assert _lang(french) == ("fr-CA", "ltr") and "Deux lettres de votre prénom" in french
    portuguese = client.get(f"/code-recipe/{site.public_id}?lang=pt").get_data(as_text=True)
    assert _lang(portuguese) == ("pt", "ltr") and "Two letters of your first name" in portuguese
    assert site.name not in english
    missing = client.get("/code-recipe/not-a-site")
    assert missing.status_code == 404 and "Two letters" not in missing.get_data(as_text=True)


def test_a_closed_site_offers_what_a_missing_one_does(client, db):
    site = make_site(db, client_languages="en_GB", is_active=False)
    closed = client.get(f"/privacy/{site.public_id}")
    missing = client.get("/privacy/not-a-site")
    assert closed.status_code == missing.status_code == 404
    assert closed.get_data(as_text=True) == missing.get_data(as_text=True)
