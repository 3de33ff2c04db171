"""axe-core (WCAG 2.1 AA) on the public pages, on a phone and on a desktop."""

from __future__ import annotations

import pytest

from eventapp.demo.loader import ensure_demo
from tests.browser.conftest import assert_accessible, axe_violations

PUBLIC_PAGES = ["/", "/e/restitution-2016/", "/e/restitution-2016/register"]


@pytest.fixture
def demo(app):
    return ensure_demo()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_serious_violation_on_a_phone(live_server, phone_page, demo, path):
    phone_page.goto(live_server + path)
    assert_accessible(phone_page)


def test_axe_finds_a_planted_violation(live_server, desktop_page, demo):
    """The check can fail: an image without a text alternative is reported."""
    page = desktop_page
    page.goto(live_server + "/")
    page.evaluate("document.body.appendChild(Object.assign(document.createElement('img'),"
                  " {src: '/static/none.png'}))")
    assert any(v["id"] == "image-alt" for v in axe_violations(page, ("critical",)))
