"""Signing in with the keyboard alone, on a phone-sized screen."""

from __future__ import annotations

from tests.browser.conftest import has_horizontal_overflow
from tests.factories import PASSWORD


def test_organiser_signs_in_with_the_keyboard_on_a_phone(live_server, phone_page, organiser):
    page = phone_page
    page.goto(f"{live_server}/login")
    assert not has_horizontal_overflow(page)
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.get_by_label("Email").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(f"{live_server}/manage/")
    assert page.get_by_role("button", name="Sign out").is_visible() or page.get_by_text(
        organiser.email).is_visible()


def test_wrong_password_is_announced(live_server, phone_page, organiser):
    page = phone_page
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(organiser.email)
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    status = page.get_by_role("status")
    assert "Wrong email or password" in status.inner_text()
