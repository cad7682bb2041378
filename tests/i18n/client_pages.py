"""The client-facing pages with real records behind them, for the browser tests of languages:
the demo site offering every client language, an active drug alert (its public page and its
poster) and a drug-check result a client reads by the code on their slip.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.db import get_database
from sitesys.demo import DEMO_SITE
from sitesys.i18n import CLIENT_LOCALES
from sitesys.sites.models import Site
from tests.drugchecks.scenes import make_alert, make_sample


@dataclass(frozen=True)
class ClientPages:
    public_id: str
    alert_id: str
    result_code: str

    def paths(self) -> dict[str, str]:
        """Each page by name: its address without a language (the result is read by its code)."""
        return {
            "result look-up": "/results",
            "drug alerts": f"/alerts/{self.public_id}",
            "privacy notice": f"/privacy/{self.public_id}",
            "code recipe": f"/code-recipe/{self.public_id}",
            "poster": f"/drug-alerts/{self.alert_id}/poster",
        }


def client_pages(app: Flask) -> ClientPages:
    """The demo site (seeded already) set up for clients in every language, with records."""
    with get_database(app).new_session() as session:
        site = session.scalars(select(Site).where(Site.name == DEMO_SITE)).one()
        manager = session.scalars(select(Staff).where(Staff.username == "demo.manager")).one()
        site.client_languages = ",".join(CLIENT_LOCALES)
        site.code_hints = {
            "fr_CA": "Les deux premières lettres de votre prénom, puis votre jour de naissance.",
            "ar": "أول حرفين من اسمك الأول، ثم يوم ميلادك (رقمان).",
        }
        alert = make_alert(session, manager, [site])
        _sample, code = make_sample(session, app, site, manager, result_at=utcnow())
        pages = ClientPages(public_id=site.public_id, alert_id=str(alert.id), result_code=code)
        session.commit()
    return pages


def open_client_page(page: Page, pages: ClientPages, name: str, language: str) -> None:
    """Open a client-facing page in a language; the look-up page with a result read on it."""
    response = page.goto(f"{pages.paths()[name]}?lang={language}")
    assert response is not None and response.status == 200, f"{name} in {language}"
    if name == "result look-up":
        page.locator("input[name=code]").fill(pages.result_code)
        with page.expect_navigation():
            page.locator("form button[type=submit]").click()
        expect(page.locator(".public-result")).to_be_visible()
