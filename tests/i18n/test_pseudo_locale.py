"""The pseudo-locale en_XA: every translated string shown as ⟦…⟧ with accents, chosen with
?lang=en_XA outside production, so text that never went through a catalogue stands out.
"""

from __future__ import annotations

import dataclasses

from flask import render_template_string
from flask_babel import gettext, lazy_gettext, ngettext
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length

from sitesys.auth.roles import Role
from sitesys.forms import SiteSysForm
from sitesys.i18n import LANGUAGE_COOKIE, pseudo
from tests.factories import make_site, make_staff, sign_in

LAZY = lazy_gettext("Check in")


class _Form(SiteSysForm):
    name = StringField("Name", validators=[DataRequired()])
    note = StringField("Note", validators=[Length(max=3)])
    count = IntegerField("Count")


def test_pseudo_marks_and_accents_text_but_keeps_placeholders_and_markup():
    assert pseudo("Check in") == "⟦Ćhéćk îñ⟧"
    assert pseudo("Booth %(booth)s: overdue check") == "⟦Bööth %(booth)s: övérdûé ćhéćk⟧"
    assert pseudo("%(num)d clients") == "⟦%(num)d ćĺîéñtš⟧"
    assert pseudo('Read <a href="/privacy">the notice</a> &amp; ask') == (
        '⟦Réåd <a href="/privacy">thé ñötîćé</a> &amp; åšk⟧'
    )
    assert pseudo("") == ""


def test_gettext_ngettext_and_lazy_strings_in_the_pseudo_locale(app):
    with app.test_request_context("/?lang=en_XA"):
        assert gettext("Check in") == "⟦Ćhéćk îñ⟧"
        assert gettext("Booth %(booth)s", booth="Amber 3") == "⟦Bööth Amber 3⟧", "data kept"
        assert ngettext("%(num)d client", "%(num)d clients", 1) == "⟦1 ćĺîéñt⟧"
        assert ngettext("%(num)d client", "%(num)d clients", 4) == "⟦4 ćĺîéñtš⟧"
        assert str(LAZY) == "⟦Ćhéćk îñ⟧"
    with app.test_request_context("/"):
        assert gettext("Check in") == "Check in"
        assert str(LAZY) == "Check in"


def test_jinja_underscore_ngettext_and_trans_blocks_in_the_pseudo_locale(app):
    source = (
        '{{ _("Sign out") }}|{{ ngettext("%(num)d visit", "%(num)d visits", 2) }}|'
        "{% trans site=name %}<strong>{{ site }}</strong> is closed{% endtrans %}"
    )
    with app.test_request_context("/?lang=en_XA"):
        rendered = render_template_string(source, name="Harbour <Hall>")
    assert rendered == (
        "⟦Šîĝñ öût⟧|⟦2 vîšîtš⟧|⟦<strong>Harbour &lt;Hall&gt;</strong> îš ćĺöšéd⟧"
    ), "markup kept, values filled in and escaped"


def test_wtforms_messages_through_sitesysform_are_translated(app):
    with app.test_request_context(
        "/?lang=en_XA", method="POST", data={"name": "", "note": "long", "count": "x"}
    ):
        form = _Form(meta={"csrf": False})
        assert not form.validate()
        assert form.name.errors == ["⟦Fîĺĺ thîš îñ.⟧"]
        assert form.note.errors == ["⟦Ûšé åt möšt 3 ćhåråćtérš.⟧"]
        assert form.count.errors == ["⟦Éñtér å whöĺé ñûmbér.⟧"]


def test_a_page_shown_in_the_pseudo_locale_is_marked_and_remembered_in_a_language_cookie(
    client, db
):
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.NURSE, [site]))
    response = client.get("/?lang=en_XA")
    page = response.get_data(as_text=True)
    assert '<html lang="en-XA" dir="ltr">' in page
    assert "⟦Šîĝñ öût⟧" in page and "⟦Škîp tö ćöñtéñt⟧" in page
    cookie = client.get_cookie(LANGUAGE_COOKIE)
    assert cookie is not None and cookie.value == "en_XA", "the cookie holds the code only"
    # Remembered on the next page without the query string; ?lang=en_GB leaves it.
    assert "⟦Šîĝñ öût⟧" in client.get("/").get_data(as_text=True)
    english = client.get("/?lang=en_GB").get_data(as_text=True)
    assert '<html lang="en-GB" dir="ltr">' in english and ">Sign out<" in english


def test_an_unknown_language_is_ignored_and_sets_no_cookie(client, db):
    response = client.get("/login?lang=xx_YY")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers or LANGUAGE_COOKIE not in str(
        response.headers.get_all("Set-Cookie")
    )


def test_the_pseudo_locale_is_never_offered_in_production(app, client, db, monkeypatch):
    production = dataclasses.replace(app.config["SITESYS"], env="production")
    monkeypatch.setitem(app.config, "SITESYS", production)
    with app.test_request_context("/?lang=en_XA"):
        assert gettext("Check in") == "Check in"
