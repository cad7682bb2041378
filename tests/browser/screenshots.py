"""Take the README's screenshots again: `make screenshots`.

SiteSys is served from a throwaway SQLite database with the demo accounts; the desk checks a
client in, a nurse opens the board and starts an emergency response, and each screen is saved
at 768×1024 (a tablet held upright) into docs/screenshots/. Nothing here touches a real database.
"""

from __future__ import annotations

import logging
import secrets
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from alembic import command
from playwright.sync_api import Browser, Page, expect, sync_playwright

from config import Config
from sitesys import create_app
from sitesys.migrations_config import alembic_config
from tests.browser.helpers import fill_check_in, nav, seed, sign_in
from tests.browser_fixtures import CHROMIUM, CHROMIUM_ARGS, WAIT_MS, LiveServer

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TABLET = {"width": 768, "height": 1024}


def tablet(browser: Browser, url: str) -> Page:
    context = browser.new_context(base_url=url, viewport=TABLET)
    context.set_default_timeout(WAIT_MS)
    return context.new_page()


def shoot(page: Page, name: str) -> None:
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path))
    print(f"  {path.relative_to(OUT.parents[1])}")


def take(steps: Callable[[Page, Page], None] | None = None) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/screenshots.sqlite3"
        command.upgrade(alembic_config(url), "head")
        app = create_app(
            Config(
                env="test",
                secret_key=secrets.token_hex(16),
                client_code_key=secrets.token_hex(16),
                database_url=url,
            )
        )
        accounts = seed(app)
        with LiveServer(app) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            expect.set_options(timeout=WAIT_MS)
            desk, nurse = tablet(browser, server.url), tablet(browser, server.url)
            sign_in(desk, accounts, "demo.desk")
            sign_in(nurse, accounts, "demo.nurse")
            for code, booth in (("jo ma 07", "Booth 1"), ("al be 12", "Booth 3")):
                fill_check_in(desk, code, "Ketamine", "Snort", booth)
                if code.startswith("al"):
                    desk.evaluate("window.scrollTo(0, 0)")
                    shoot(desk, "check-in")
                desk.get_by_role("button", name="Check in", exact=True).click()
            nav(nurse, "Board")
            expect(nurse.locator("#board .tile-label", has_text="Booth 3")).to_be_visible()
            shoot(nurse, "board")
            start = nurse.locator("#board").get_by_role("button", name="Start emergency response")
            start.first.click()
            expect(nurse.get_by_role("heading", name="Emergency response")).to_be_visible()
            shoot(nurse, "emergency-response")
            browser.close()


if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    print("Screenshots at 768×1024:")
    take()
    sys.exit(0)
