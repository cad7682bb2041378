"""The check-in desk's layout, measured in Chromium at a landscape tablet's size."""

from __future__ import annotations

import pytest

from tests.browser.helpers import nav, seed, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def test_the_walk_in_hint_follows_its_checkbox_which_sits_level_with_its_words(
    browser, live_server, committed_app
):
    accounts = seed(committed_app)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 768})
    page = context.new_page()
    sign_in(page, accounts, "demo.desk")
    nav(page, "Check in")
    checkbox = page.get_by_role("checkbox", name="Anonymous walk-in").bounding_box()
    label = page.locator('label[for="walk_in"]').bounding_box()
    hint = page.locator("#walk_in-hint").bounding_box()
    code = page.get_by_label("Client code").bounding_box()
    assert checkbox and label and hint and code
    # The hint reads as the checkbox's: below it, not between it and the client code.
    assert code["y"] + code["height"] <= checkbox["y"] < hint["y"]
    assert hint["y"] >= label["y"] + label["height"]
    # The box is centred on its label (a block label left it on the text's baseline, higher).
    assert abs((checkbox["y"] + checkbox["height"] / 2) - (label["y"] + label["height"] / 2)) <= 2
    context.close()
