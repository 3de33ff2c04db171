"""Émargement in headless Chromium on a phone-sized page: a staff member scans, then has
the person sign with a pointer on the canvas ("Faire signer"), online and with the network
cut (the signature queues with the scans, survives a reload and is sent once); a
participant signs on their own phone while the organiser's window is open; a facilitator
countersigns; the organiser's pages pass axe (WCAG 2.1 AA).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eventapp import PROJECT_ROOT
from eventapp.attendance import operations
from eventapp.attendance.models import AttendanceSheet, Signature
from eventapp.db_types import utcnow
from eventapp.extensions import db
from tests.browser.conftest import (
    AXE_SOURCE,
    AXE_TAGS,
    PHONE,
    assert_accessible,
    describe_violations,
    has_horizontal_overflow,
)
from tests.browser.test_checkin_staff_page import (
    _open_checkpoint,
    _sign_in,
    _staff_sign_in,
    _wedge,
)
from tests.checkin.test_checkin import checkin_world
from tests.factories import make_portal_token, make_user

pytestmark = pytest.mark.skipif(
    not (PROJECT_ROOT / "eventapp" / "static" / "vendor" / "idb" / "index.js").exists(),
    reason="browser libraries not installed (npm): run python3 run_tests.py with npm present",
)


@pytest.fixture
def world(app):
    world = checkin_world()
    world.event.checkin_rehearsal = True  # the nearest sheet, whatever the hour
    world.staff = make_user(email="accueil@example.org", role="staff")
    db.session.commit()
    return world


def draw_signature(page, canvas_selector: str) -> None:
    """Sign with the pointer: a few strokes across the canvas."""
    canvas = page.locator(canvas_selector)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 200, "the pad fills the phone's width"
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.1, y + h * 0.7)
    page.mouse.down()
    for step in range(1, 13):
        page.mouse.move(x + w * (0.1 + step * 0.065), y + h * (0.3 if step % 2 else 0.7),
                        steps=3)
    page.mouse.up()


def assert_panel_accessible(page, selector: str) -> None:
    """axe on one part of a page: the signing panel added to the scanning page (the
    page's own markup belongs to check-in and is checked there)."""
    with open(AXE_SOURCE, encoding="utf-8") as source:
        page.evaluate(source.read())
    result = page.evaluate(
        "([selector, tags]) => axe.run(selector, {runOnly: {type: 'tag', values: tags}})",
        [selector, AXE_TAGS])
    violations = [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]
    assert not violations, describe_violations(violations)


def count(*where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Signature).where(*where))


def test_staff_phone_signatures_online_and_offline_sync_once(live_server, browser, world):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    _staff_sign_in(page, live_server, world.staff.email)  # lands on the scan menu
    page.goto(f"{live_server}/manage/events/{world.event.slug}/checkin/scan/")
    _open_checkpoint(page, "Entrance")
    page.wait_for_selector("[data-checkin-page][data-offline-ready='true']")
    page.wait_for_selector("[data-signing-panel][data-offline-ready='true']")

    ada, bob = world.people[0], world.people[1]
    assert _wedge(page, world.codes[ada.key])["result"] == "ok"
    page.get_by_role("button", name=f"Have {ada.full_name} sign").click()
    save = page.get_by_role("button", name="Save the signature")
    save.click()  # nothing drawn yet: refused on the page, nothing sent
    assert page.locator("[data-signing=message]").inner_text() == "Sign in the box first."
    draw_signature(page, "[data-signing=canvas]")
    assert not has_horizontal_overflow(page)
    assert_panel_accessible(page, "[data-signing-panel]")
    save.click()
    page.wait_for_selector("[data-signing-panel][data-signatures='1']")
    status = page.locator("[data-signing=status]")
    status.filter(has_text="signed").wait_for()
    assert count() == 1
    sheet = db.session.scalar(select(Signature)).sheet.title  # rehearsal: by time of day
    assert status.inner_text() == f"{ada.full_name} signed “{sheet}”."

    # The network drops: Bob is scanned and signs; the signature waits on the phone.
    context.set_offline(True)
    page.wait_for_selector("[data-checkin=network][data-state='offline']")
    assert _wedge(page, world.codes[bob.key])["result"] == "ok"
    page.get_by_role("button", name=f"Have {bob.full_name} sign").click()
    draw_signature(page, "[data-signing=canvas]")
    page.get_by_role("button", name="Save the signature").click()
    page.wait_for_selector("[data-signing-panel][data-pending='1']")
    assert "kept on this phone" in status.inner_text()
    page.reload()  # offline: the service worker's copy, the queue still there
    page.wait_for_selector("[data-signing-panel][data-ready='true']")
    page.wait_for_selector("[data-signing-panel][data-pending='1']")
    assert count() == 1

    context.set_offline(False)
    page.wait_for_selector("[data-signing-panel][data-pending='0']", timeout=30_000)
    page.evaluate("window.eventappSigning.queue.sync()")  # again: nothing more
    context.close()

    assert count() == 2
    assert db.session.scalar(select(func.count(func.distinct(Signature.nonce)))) == 2
    signature = db.session.scalar(select(Signature).where(Signature.participant_id == bob.id))
    assert signature.via == "staff" and signature.staff_id == world.staff.id
    assert signature.width > 100 and signature.image.startswith(b"\x89PNG")


def test_participant_signs_on_their_own_phone_in_an_open_window(live_server, phone_page,
                                                                world):
    ada = world.people[0]
    token = make_portal_token(ada)
    db.session.commit()
    page = phone_page
    page.goto(f"{live_server}/p/{token}/sign")
    assert "Signing is not open now" in page.content()

    sheet = operations.sync_sheets(world.event)[0]
    operations.open_window(sheet, utcnow())
    db.session.commit()
    page.goto(f"{live_server}/p/{token}/")
    page.get_by_role("link", name="Sign the attendance sheet").click()
    page.wait_for_selector("form[data-signpad-form][data-signpad-ready='true']")
    assert_accessible(page)
    assert not has_horizontal_overflow(page)
    page.get_by_role("button", name="Sign", exact=True).click()  # empty: stopped here
    assert page.locator("[data-signpad-message]").inner_text() == "Sign in the box first."
    assert count() == 0
    draw_signature(page, "canvas[data-signpad]")
    page.get_by_role("button", name="Sign", exact=True).click()
    page.get_by_text("Thank you: your signature is recorded").wait_for()
    assert "You signed “Morning”." in page.content()
    assert_accessible(page)
    signature = db.session.scalar(select(Signature))
    assert (signature.via, signature.participant_id, signature.staff_id) == (
        "portal", ada.id, None)


def test_organiser_pages_and_countersignature(live_server, phone_page, world, organiser):
    page = phone_page
    _sign_in(page, live_server, organiser.email)
    base = f"{live_server}/manage/events/{world.event.slug}"
    page.goto(f"{base}/checkin/")
    page.get_by_role("link", name="Attendance sheets and certificates").click()
    assert_accessible(page)
    page.get_by_role("button", name="Open signing — Morning").click()
    assert "Participants can now sign “Morning”" in page.content()
    page.get_by_role("link", name="Countersign — Morning").click()
    page.wait_for_selector("form[data-signpad-form][data-signpad-ready='true']")
    assert_accessible(page)
    page.get_by_label("Facilitator's name").fill("Claire Martin")
    draw_signature(page, "canvas[data-signpad]")
    page.get_by_role("button", name="Countersign and close the sheet").click()
    assert "is countersigned and closed" in page.content()
    db.session.expire_all()
    sheet = db.session.scalar(select(AttendanceSheet).where(
        AttendanceSheet.key == "half_day:am"))
    assert sheet.countersigned_by == "Claire Martin" and sheet.window_closed_at is not None
    page.get_by_role("link", name="Settings and funders' logos").click()
    assert_accessible(page)
    assert not has_horizontal_overflow(page)
