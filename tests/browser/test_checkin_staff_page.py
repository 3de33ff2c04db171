"""The staff scanning page of the real app, end to end in headless Chromium on a phone.

A staff member signs in, opens the door's page from the event, scans through the
keyboard-wedge field (OK, then ALREADY), goes to the wrong room (WRONG PLACE, where the
person is expected, with the colour's name), records a forgotten badge by name, scans a
real printed badge (``badge_render``'s PNG, cropped as a phone held close would see it)
through the camera path fed by Chromium's fake capture, then loses the network, scans
three more, reloads the page offline, gets the network back, and the database and the
organiser's dashboard hold every scan exactly once.

The event is the small world of the scheduling tests (7 December 2016) in rehearsal, as
the demo day is: time windows are not checked, so the test does not depend on the hour.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from eventapp import PROJECT_ROOT
from eventapp.checkin.models import Admission, Scan
from eventapp.checkin.queries import badge_cards
from eventapp.extensions import db
from tests.browser.conftest import CHROMIUM_FLAGS, PHONE, _chromium_path, has_horizontal_overflow
from tests.browser.fake_video import write_y4m_sequence
from tests.checkin.test_checkin import checkin_world
from tests.factories import PASSWORD, make_badge_code, make_user

pytestmark = pytest.mark.skipif(
    not (PROJECT_ROOT / "eventapp" / "static" / "vendor" / "jsqr" / "jsQR.js").exists(),
    reason="browser libraries not installed (npm): run python3 run_tests.py with npm present",
)


@pytest.fixture
def world(app):
    world = checkin_world()
    world.event.checkin_rehearsal = True
    world.codes[world.presenter.key] = make_badge_code(world.presenter)
    world.staff = make_user(email="accueil@example.org", role="staff")
    db.session.commit()
    return world


def _phone_context(browser, **options):
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                               locale="en-GB", **options)


def _sign_in(page, live_server, email: str, landing: str = "/manage/") -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(f"{live_server}{landing}")


def _staff_sign_in(page, live_server, email: str) -> None:
    """Staff land on the checkpoint menu of the event being scanned (issue 15, item 12)."""
    _sign_in(page, live_server, email, "/manage/events/*/checkin/scan/")


def _open_checkpoint(page, name: str) -> None:
    page.get_by_role("link", name=name).click()
    page.wait_for_selector("[data-checkin-page][data-ready='true']")


def _result(page) -> dict:
    def text(hook):
        return page.locator(f"[data-checkin={hook}]").inner_text().strip()

    return {"result": page.locator("[data-checkin=result]").get_attribute("data-result"),
            "title": text("result-title"), "name": text("result-name"),
            "detail": text("result-detail"), "source": text("result-source")}


def _wedge(page, code: str) -> dict:
    """Type the code as a keyboard-wedge scanner does (characters, then Enter)."""
    scans = int(page.locator("[data-checkin-page]").get_attribute("data-scans") or 0)
    field = page.get_by_label("Badge code (scanner or keyboard)")
    field.fill(code)
    field.press("Enter")
    page.wait_for_selector(f"[data-checkin-page][data-scans='{scans + 1}']")
    assert page.evaluate("document.activeElement.id") == "badge-code"  # ready for the next
    return _result(page)


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _badge_crop(world, person, path):
    """The participant's real badge PNG, cropped around its QR code as a phone held over
    the badge frames it (the A6 page is taller than the camera's view)."""
    import cv2
    import numpy as np
    from PIL import Image

    from eventapp.checkin.badge_render import render_badge_png

    card = badge_cards(world.event, participants=[person])[0]
    badge = Image.open(io.BytesIO(render_badge_png(card))).convert("RGB")
    # The ArUco-based detector: the classic one misses about one random code in 40 here.
    found, corners = cv2.QRCodeDetectorAruco().detect(np.asarray(badge))
    assert found, "the badge's QR code must be found in its own PNG"
    (left, top), (right, bottom) = corners[0].min(axis=0), corners[0].max(axis=0)
    margin = (right - left) * 0.35
    crop = badge.crop((int(left - margin), int(top - margin), int(right + margin),
                       int(bottom + margin)))
    scale = 440 / crop.height  # fills most of a 640 x 480 frame
    crop.resize((round(crop.width * scale), round(crop.height * scale))).save(path)
    return path


def _queue_video(world, people, tmp_path):
    """Two badges shown in turn, the empty table between them, as a queue passes."""
    shots = []
    for index, person in enumerate(people):
        shots += [(_badge_crop(world, person, tmp_path / f"badge{index}.png"), 3.0),
                  (None, 1.5)]
    return write_y4m_sequence(shots, tmp_path / "queue.y4m", fps=10)


def test_staff_scan_at_the_door_and_rooms_online_by_name_and_offline(
        live_server, browser, world):
    context = _phone_context(browser)
    page = context.new_page()
    page.set_default_timeout(15_000)
    _staff_sign_in(page, live_server, world.staff.email)

    # Signed in on the scanning menu of the event in rehearsal, one tap from the door.
    assert page.url.endswith(f"/manage/events/{world.event.slug}/checkin/scan/")
    assert "Rehearsal: time windows are not checked" in page.content()
    _open_checkpoint(page, "Entrance")
    assert not has_horizontal_overflow(page)
    page.wait_for_selector("[data-checkin-page][data-offline-ready='true']")
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    ada = world.people[0]
    shown = _wedge(page, world.codes[ada.key])
    assert (shown["result"], shown["title"], shown["name"]) == ("ok", "OK", ada.full_name)
    shown = _wedge(page, world.codes[ada.key])
    assert shown["title"] == "ALREADY" and shown["detail"].startswith("First scan at ")

    # Forgotten badge: found by name (without the accent), recorded as a scan.
    page.get_by_label("Name or organisation").fill("paula")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Record the entry of Paula Presenter").click()
    page.wait_for_selector("[data-checkin-page][data-scans='3']")
    assert _result(page)["name"] == "Paula Presenter" and _result(page)["result"] == "ok"

    # Ada sits in Salle A in round 1: at Salle B she is sent there, colour named.
    page.get_by_role("link", name="Other checkpoints").click()
    _open_checkpoint(page, "Salle B — round 1")
    shown = _wedge(page, world.codes[ada.key])
    assert shown["title"] == "WRONG PLACE"
    assert shown["detail"] == "Expected at Salle A — rouge"
    swatch = page.locator("[data-checkin=result-colour]")
    assert swatch.is_visible()
    assert swatch.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(192, 57, 43)"

    # The network drops at the door: three more, checked on the phone, queued.
    page.get_by_role("link", name="Other checkpoints").click()
    _open_checkpoint(page, "Entrance")
    page.wait_for_selector("[data-checkin-page][data-offline-ready='true']")
    context.set_offline(True)
    page.wait_for_selector("[data-checkin=network][data-state='offline']")
    offline_people = world.people[1:4]
    for person in offline_people:
        shown = _wedge(page, world.codes[person.key])
        assert (shown["result"], shown["name"]) == ("ok", person.full_name)
        assert shown["source"] == "Checked on this phone (offline)"
    assert page.locator("[data-checkin=pending]").inner_text() == "3 scans waiting to be sent"
    page.reload()  # served by the service worker, the queue is still there
    page.wait_for_selector("[data-checkin-page][data-ready='true']")
    assert page.locator("[data-checkin=pending]").inner_text() == "3 scans waiting to be sent"
    door = world.checkpoints["door"]
    assert _count(Admission, Admission.checkpoint_id == door.id) == 2  # Ada and Paula

    context.set_offline(False)
    page.wait_for_selector("[data-checkin-page][data-pending='0']", timeout=30_000)
    page.evaluate("window.eventappCheckin.queue.sync()")  # a second upload adds nothing
    assert page.locator("[data-checkin=pending]").inner_text() == "All scans sent"
    context.close()

    # Every scan once: 2 + 1 by name + 1 wrong room + 3 offline; nonces all distinct.
    assert _count(Scan) == 7
    assert db.session.scalar(select(func.count(func.distinct(Scan.nonce)))) == 7
    assert _count(Admission, Admission.checkpoint_id == door.id) == 5
    assert _count(Scan, Scan.offline.is_(True)) == 3


def test_the_camera_reads_printed_badges_online_then_offline_and_the_dashboard_counts_once(
        live_server, browser, world, organiser, tmp_path):
    people = [world.people[4], world.presenter]
    video = _queue_video(world, people, tmp_path)
    flags = [*CHROMIUM_FLAGS, "--use-fake-device-for-media-stream",
             "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
    camera = browser.browser_type.launch(executable_path=_chromium_path(), args=flags)
    try:
        context = _phone_context(camera)
        context.grant_permissions(["camera"], origin=live_server)
        page = context.new_page()
        page.set_default_timeout(20_000)
        _staff_sign_in(page, live_server, world.staff.email)
        page.goto(f"{live_server}/manage/events/{world.event.slug}/checkin/scan/")
        _open_checkpoint(page, "Entrance")
        page.wait_for_selector("[data-checkin-page][data-offline-ready='true']")
        page.get_by_role("button", name="Start camera").click()
        page.wait_for_selector("[data-checkin-page][data-scans='1']")
        first = _result(page)
        assert first["result"] == "ok"
        # The network drops; the next badge in the queue is read and checked offline.
        context.set_offline(True)
        page.wait_for_selector("[data-checkin-page][data-scans='2']")
        page.get_by_role("button", name="Stop camera").click()
        second = _result(page)
        assert second["result"] == "ok"
        assert second["source"] == "Checked on this phone (offline)"
        assert {first["name"], second["name"]} == {p.full_name for p in people}
        context.set_offline(False)
        page.wait_for_selector("[data-checkin-page][data-pending='0']", timeout=30_000)
        context.close()
    finally:
        camera.close()
    assert _count(Scan) == 2 and _count(Admission) == 2
    assert _count(Scan, Scan.offline.is_(True)) >= 1  # the second, queued (the first if slow)

    desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = desktop.new_page()
    _sign_in(page, live_server, organiser.email)
    page.goto(f"{live_server}/manage/events/{world.event.slug}/checkin/")
    arrived = page.locator(".metrics div", has_text="Arrived (door)").locator("dd")
    assert arrived.inner_text() == "2"
    desktop.close()
