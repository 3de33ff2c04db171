"""The README's promise, as a new user lives it: the demo day is there, the printed
organiser account signs in, and a room can be edited."""

from __future__ import annotations

from eventapp.demo.loader import DEMO_ACCOUNTS, ensure_demo


def test_new_user_sees_the_demo_day_signs_in_and_edits_a_room(app, live_server, desktop_page):
    event = ensure_demo()
    slug = event.slug
    organiser = next(account for account in DEMO_ACCOUNTS if account.role == "organiser")
    page = desktop_page

    page.goto(f"{live_server}/")
    page.get_by_role("link", name=event.name, exact=True).click()
    page.wait_for_url(f"{live_server}/e/{slug}/")
    assert page.get_by_role("table").first.is_visible()
    assert "Premières Heures" in page.content()

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(organiser.email)
    page.get_by_label("Password").fill(organiser.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/manage/")

    page.get_by_role("link", name=event.name, exact=True).click()
    page.get_by_role("link", name="Rooms", exact=True).first.click()
    page.get_by_role("link", name="Edit Salle attenante").click()
    page.get_by_label("Capacity (seats)").fill("64")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server}/manage/events/{slug}/rooms/")
    row = page.get_by_role("row", name="Salle attenante")
    assert "64" in row.inner_text()
