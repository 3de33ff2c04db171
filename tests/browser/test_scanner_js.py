"""The staff scanning page's JavaScript, in headless Chromium, against fake endpoints.

These tests serve the app's own page (templates/checkin/scan.html, under the app's real
CSP, with stand-ins for the event and checkpoint rows) and fake JSON endpoints
for the checkpoint bundle, the online scan and the offline upload that record what they
receive. Badge codes are made by the backend's own ``eventapp/checkin/codes.py`` (the
test app's fixed seed) and the fake endpoints answer in the backend's shapes
(docs/checkin.md): the bundle's ``signing`` block, ``participants[].serial``,
``expected_place``, ``admitted_at``; answers with ``first_scan_at`` and ``expected``.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import jsonify, render_template, request, send_file

from eventapp import PROJECT_ROOT
from eventapp.checkin import codes
from eventapp.checkin.scan_page import page_labels
from tests.browser.conftest import CHROMIUM_FLAGS, PHONE, _chromium_path
from tests.browser.fake_video import badge_card_png, write_y4m_from_png

STATIC = PROJECT_ROOT / "eventapp" / "static"
EVENT_ID = 42
CHECKPOINT_ID = 7
# What templates/checkin/scan.html reads of the event and checkpoint rows.
HARNESS_EVENT = SimpleNamespace(name="Journée de restitution", timezone="Europe/Paris",
                                checkin_rehearsal=False)
HARNESS_CHECKPOINT = SimpleNamespace(id=CHECKPOINT_ID,
                                     opens_at=datetime(2016, 12, 7, 8, tzinfo=UTC),
                                     closes_at=datetime(2016, 12, 7, 17, tzinfo=UTC))
CSRF_TOKEN = "harness-csrf-token"
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")

pytestmark = [
    pytest.mark.skipif(
        not (STATIC / "vendor" / "jsqr" / "jsQR.js").exists(),
        reason="browser libraries not installed (npm): run python3 run_tests.py with npm present",
    ),
    pytest.mark.fresh_app,  # the harness adds routes to the app
]

AMELIE, BRUNO, REVOKED, CHLOE, STRANGER = 100001, 100002, 100003, 100004, 100005


def make_code(key: Ed25519PrivateKey, serial: int, event_id: int = EVENT_ID) -> str:
    """A code in codes.py's exact format but signed with another key (a foreign signer)."""
    payload = bytes([1]) + serial.to_bytes(6, "big")
    signature = key.sign(codes.message_prefix(event_id) + payload)
    return base64.b32encode(payload + signature).decode("ascii").rstrip("=")


def forge(code: str) -> str:
    """The same code with one signature character changed (a forgery)."""
    index = 60
    replacement = "A" if code[index] != "A" else "B"
    return code[:index] + replacement + code[index + 1:]


def _participant(serial: int, name: str, **extra) -> dict:
    return {"serial": serial, "id": f"p{serial}", "name": name,
            "organisation": "Association Tremplin", "category": "association",
            "category_label": "Participant", "expected": True, "expected_place": None,
            "admitted_at": None, **extra}


def make_bundle(**window) -> dict:
    """The checkpoint bundle in the backend's shape (queries.py, docs/checkin.md); needs
    the app context (the signing scheme comes from codes.py). Cancelled people are not
    listed, as the backend does."""
    return {
        "event": {"slug": "restitution", "name": "Journée de restitution",
                  "timezone": "Europe/Paris"},
        "checkpoint": {"id": CHECKPOINT_ID, "key": "session:r2:s1", "kind": "session",
                       "label": "Salle 1 — rotation 2", "room": {"key": "s1", "name": "Salle 1"},
                       "round": 2, "round_key": "r2", "workshop": None,
                       "window": {"opens_at": None, "closes_at": None,
                                  "timezone": "Europe/Paris", "label": "", **window},
                       "active": True},
        "everyone_expected": False,
        "signing": codes.scheme(EVENT_ID),
        "revoked": [REVOKED],
        "participants": [
            _participant(AMELIE, "Amélie Poulain"),
            _participant(BRUNO, "Bruno Martin", expected=False, expected_place={
                "kind": "session", "room": "Salle 2", "colour": "#1d4ed8",
                "colour_name": "bleu", "title": "Beta", "label": "Salle 2 — bleu"}),
        ],
        "generated_at": "2016-12-07T09:00:00+01:00",
    }


@dataclass
class Harness:
    """What the fake endpoints serve and what they received."""

    key: Ed25519PrivateKey
    bundle: dict
    codes: dict[int, str]
    late_bundle: dict = field(default_factory=dict)
    base_url: str = ""
    scan_answers: dict[str, dict] = field(default_factory=dict)
    scan_requests: list[dict] = field(default_factory=list)
    upload_requests: list[dict] = field(default_factory=list)
    bundle_requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def code(self, serial: int) -> str:
        return self.codes[serial]

    @property
    def page_url(self) -> str:
        return f"{self.base_url}/harness/checkin/page"

    @property
    def uploaded_nonces(self) -> list[str]:
        return [scan["nonce"] for body in self.upload_requests for scan in body["json"]["scans"]]


def _answer_for(harness: Harness, scan: dict) -> dict:
    """The canned answer of a code, or of a participant id (an entry by name)."""
    key = scan.get("code") or f"participant:{scan.get('participant')}"
    answer = harness.scan_answers.get(key, {"result": "unknown", "participant": None})
    return {"nonce": scan["nonce"], "first_scan_at": None, "expected": None, **answer}


def _search_results(harness: Harness, query: str) -> list[dict]:
    """The server's search shape (scan_page.search): ids, never codes."""
    return [{key: person[key] for key in ("id", "name", "organisation", "category_label",
                                          "expected", "expected_place", "admitted_at")}
            for person in harness.bundle["participants"]
            if query.lower() in person["name"].lower()]


def _register_harness_routes(app, harness: Harness) -> None:
    """Test-only routes: the page, the service worker, and fake JSON endpoints."""

    def page():
        # The app's own template, with stand-ins for the event and checkpoint rows.
        urls = {"bundle": "/harness/checkin/bundle.json", "scan": "/harness/checkin/scan",
                "upload": "/harness/checkin/upload", "search": "/harness/checkin/search.json",
                "sw": "/harness/sw/sw.js", "menu": "/harness/checkin/"}
        html = render_template(
            "checkin/scan.html", event=HARNESS_EVENT, checkpoint=HARNESS_CHECKPOINT,
            label="Salle 1 — tour 2", urls=urls, labels=page_labels(),
            csrf_token=lambda: CSRF_TOKEN)
        if request.args.get("manual") == "1":  # the test starts the page itself
            html = html.replace("data-checkin-page", "data-checkin-page data-manual-start", 1)
        return html

    def service_worker():
        # Served outside its scope on purpose: the header is what widens it (docs).
        response = send_file(STATIC / "checkin" / "sw.js", mimetype="text/javascript")
        response.headers["Service-Worker-Allowed"] = "/harness/checkin/"
        response.headers["Cache-Control"] = "no-cache"
        return response

    def bundle():
        with harness.lock:
            harness.bundle_requests += 1
        return jsonify(harness.bundle)

    def scan():
        body = request.get_json()
        with harness.lock:
            harness.scan_requests.append({"json": body, "csrf": request.headers.get("X-CSRFToken")})
        return jsonify(_answer_for(harness, body))

    def upload():
        body = request.get_json()
        with harness.lock:
            harness.upload_requests.append({"json": body,
                                            "csrf": request.headers.get("X-CSRFToken")})
        return jsonify({"results": [_answer_for(harness, scan) for scan in body["scans"]]})

    def search():
        query = request.args.get("q", "")
        return jsonify({"query": query, "results": _search_results(harness, query)})

    app.add_url_rule("/harness/checkin/search.json", "harness_search", search)
    app.add_url_rule("/harness/checkin/page", "harness_page", page)
    app.add_url_rule("/harness/sw/sw.js", "harness_sw", service_worker)
    app.add_url_rule("/harness/checkin/bundle.json", "harness_bundle", bundle)
    app.add_url_rule("/harness/checkin/scan", "harness_scan", scan, methods=["POST"])
    app.add_url_rule("/harness/checkin/upload", "harness_upload", upload, methods=["POST"])


@pytest.fixture
def harness(app) -> Harness:
    with app.app_context():
        badge_codes = {serial: codes.encode(EVENT_ID, serial)
                       for serial in (AMELIE, BRUNO, REVOKED, CHLOE, STRANGER)}
        badge_codes[-1] = codes.encode(EVENT_ID + 1, AMELIE)  # another event's code
        late_window = {"opens_at": "2016-12-07T14:00:00+01:00",
                       "closes_at": "2016-12-07T14:20:00+01:00", "label": "14:00–14:20"}
        harness = Harness(key=Ed25519PrivateKey.generate(), bundle=make_bundle(),
                          codes=badge_codes)
        harness.late_bundle = make_bundle(**late_window)
    _register_harness_routes(app, harness)
    return harness


@pytest.fixture
def served(harness, live_server) -> Harness:
    harness.base_url = live_server
    return harness


def _new_phone_context(browser, **options):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB",
                                  **options)
    context.set_default_timeout(10_000)
    return context


def _open_ready(page, harness: Harness) -> None:
    page.goto(harness.page_url)
    page.wait_for_selector("[data-checkin-page][data-ready='true']")


def _result(page) -> dict:
    panel = page.locator("[data-checkin=result]")
    return {"result": panel.get_attribute("data-result"),
            "title": page.locator("[data-checkin=result-title]").inner_text(),
            "name": page.locator("[data-checkin=result-name]").inner_text(),
            "detail": page.locator("[data-checkin=result-detail]").inner_text(),
            "source": page.locator("[data-checkin=result-source]").inner_text()}


def _wedge_scan(page, code: str, expected_result: str) -> dict:
    """Type the code as a keyboard-wedge scanner does (characters, then Enter) and wait
    for its answer on the panel."""
    root = page.locator("[data-checkin-page]")
    shown_before = int(root.get_attribute("data-scans") or 0)
    field_ = page.get_by_label("Badge code (scanner or keyboard)")
    field_.press_sequentially(code, delay=0)
    field_.press("Enter")
    page.wait_for_selector(f"[data-checkin-page][data-scans='{shown_before + 1}']")
    shown = _result(page)
    assert shown["result"] == expected_result, shown
    return shown


def _queued(page) -> list[dict]:
    return page.evaluate("window.eventappCheckin.queue.all()")


# --- (d) Python-signed codes in the browser, and every local answer ----------------------


def test_python_signed_codes_verify_in_the_browser_with_every_local_answer(served, phone_page):
    page = phone_page
    harness = served
    page.goto(harness.page_url + "?manual=1")
    other_event_key = Ed25519PrivateKey.generate()
    codes = {
        "valid": harness.code(AMELIE),
        "lower_case_with_spaces": " " + harness.code(AMELIE).lower()[:50] + " "
        + harness.code(AMELIE).lower()[50:],
        "forged": forge(harness.code(AMELIE)),
        "truncated": harness.code(AMELIE)[:-8],
        "numeric_id": "100001",
        "other_event": harness.code(-1),
        "other_key": make_code(other_event_key, AMELIE),
        "wrong_place": harness.code(BRUNO),
        "revoked": harness.code(REVOKED),
        "cancelled": harness.code(CHLOE),
        "not_in_bundle": harness.code(STRANGER),
    }
    answers = page.evaluate(
        """async ([bundle, late_bundle, codes]) => {
          const verify = await import('/static/checkin/verify.js');
          const index = verify.indexBundle(bundle);
          const options = {scannedAt: '2016-12-07T10:00:00Z',
                           firstLocalAdmission: async () => null};
          const out = {};
          for (const [name, code] of Object.entries(codes)) {
            out[name] = await verify.verifyOffline(code, index, options);
          }
          out.already = await verify.verifyOffline(codes.valid, index, {
            scannedAt: '2016-12-07T10:05:00Z',
            firstLocalAdmission: async (serial) =>
              serial === '100001' ? '2016-12-07T09:58:00Z' : null});
          const late = verify.indexBundle(late_bundle);
          out.outside_window = await verify.verifyOffline(codes.valid, late, options);
          const parsed = verify.parseBadgeCode(codes.valid, index.messagePrefix);
          out.parsed = {serial: parsed.serial,
                        payload: parsed.payload.length, signature: parsed.signature.length};
          return out;
        }""",
        [harness.bundle, harness.late_bundle, codes],
    )
    results = {name: answer.get("result") for name, answer in answers.items() if name != "parsed"}
    assert results == {
        "valid": "ok", "lower_case_with_spaces": "ok", "forged": "unknown",
        "truncated": "unknown", "numeric_id": "unknown", "other_event": "unknown",
        "other_key": "unknown", "wrong_place": "wrong_place", "revoked": "revoked",
        # Cancelled people are not in the bundle: unknown on the phone, the server says.
        "cancelled": "unknown", "not_in_bundle": "unknown", "already": "already",
        "outside_window": "outside_window",
    }
    assert answers["valid"]["participant"]["name"] == "Amélie Poulain"
    assert answers["valid"]["serial"] == str(AMELIE)
    assert answers["wrong_place"]["expected"]["label"] == "Salle 2 — bleu"
    assert answers["already"]["first_scan_at"] == "2016-12-07T09:58:00Z"
    # message_prefix (14 bytes of domain + 4 of event id) + 7 of version and serial.
    assert answers["parsed"] == {"serial": str(AMELIE), "payload": 25,
                                 "signature": 64}


# --- (b) keyboard wedge, online ----------------------------------------------------------


def test_keyboard_wedge_scan_is_sent_online_and_answered_big_in_words(served, phone_page):
    page = phone_page
    harness = served
    harness.scan_answers[harness.code(AMELIE)] = {
        "result": "ok", "participant": {"name": "Amélie Poulain",
                                        "organisation": "Association Tremplin",
                                        "category": "Participant"}}
    harness.scan_answers[harness.code(BRUNO)] = {
        "result": "wrong_place", "participant": {"name": "Bruno Martin", "organisation": "",
                                                 "category": "Porteur de projet"},
        "expected": {"kind": "session", "room": "Salle 2", "colour": "#1d4ed8",
                     "colour_name": "bleu", "title": "Beta", "label": "Salle 2 — bleu"}}
    _open_ready(page, harness)
    field_ = page.get_by_label("Badge code (scanner or keyboard)")
    assert field_.evaluate("el => el === document.activeElement")

    shown = _wedge_scan(page, harness.code(AMELIE), "ok")
    assert shown["title"] == "OK" and shown["name"] == "Amélie Poulain"
    assert shown["source"] == ""  # the server answered, not the offline check
    assert field_.input_value() == ""
    assert field_.evaluate("el => el === document.activeElement")

    shown = _wedge_scan(page, harness.code(BRUNO), "wrong_place")
    assert shown["title"] == "WRONG PLACE"
    assert shown["detail"] == "Expected at Salle 2 — bleu"
    swatch = page.locator("[data-checkin=result-colour]")
    assert swatch.is_visible()
    assert swatch.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(29, 78, 216)"

    assert len(harness.scan_requests) == 2
    first = harness.scan_requests[0]
    assert first["csrf"] == CSRF_TOKEN
    assert first["json"]["checkpoint"] == CHECKPOINT_ID  # an integer, as forms.py wants
    assert first["json"]["code"] == harness.code(AMELIE)
    assert uuid.UUID(first["json"]["nonce"]).version == 4
    assert ISO_UTC.match(first["json"]["scanned_at"])
    queued = _queued(page)
    assert {scan["state"] for scan in queued} == {"answered"}
    assert page.locator("[data-checkin=pending]").inner_text() == "All scans sent"
    page.evaluate("window.eventappCheckin.queue.sync()")
    assert harness.upload_requests == []  # answered online: nothing left to upload


def test_camera_refusal_says_what_to_do(served, phone_page):
    page = phone_page
    page.add_init_script(
        "navigator.mediaDevices.getUserMedia = () => Promise.reject("
        "new DOMException('denied', 'NotAllowedError'));")
    _open_ready(page, served)
    page.get_by_role("button", name="Start camera").click()
    message = page.locator("[data-checkin=camera-message]")
    message.wait_for()
    assert "Camera access was refused" in message.inner_text()
    assert page.locator("[data-checkin-page]").get_attribute("data-camera") == "denied"


# --- (a) the camera, fed by Chromium's fake capture --------------------------------------


@pytest.fixture
def camera_browser(browser, tmp_path, harness):
    """A second Chromium, whose camera plays a video of Amélie's badge (the fake-capture
    flags are per browser), launched by the session's Playwright."""
    png = badge_card_png(harness.code(AMELIE), tmp_path / "badge.png", caption="Amélie Poulain")
    video = write_y4m_from_png(png, tmp_path / "badge.y4m", seconds=3, fps=10, scale=1.1)
    flags = [*CHROMIUM_FLAGS, "--use-fake-device-for-media-stream",
             "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
    camera = browser.browser_type.launch(executable_path=_chromium_path(), args=flags)
    yield camera
    camera.close()


def test_camera_reads_a_real_badge_qr_once_per_presentation(served, camera_browser):
    harness = served
    harness.scan_answers[harness.code(AMELIE)] = {
        "result": "ok", "participant": {"name": "Amélie Poulain", "organisation": "",
                                        "category": "Participant"}}
    context = _new_phone_context(camera_browser)
    context.grant_permissions(["camera"], origin=harness.base_url)
    page = context.new_page()
    _open_ready(page, harness)
    page.get_by_role("button", name="Start camera").click()
    page.wait_for_selector("[data-checkin-page][data-camera='running']")
    assert page.get_by_role("button", name="Stop camera").get_attribute("aria-pressed") == "true"
    page.wait_for_selector("[data-checkin=result][data-result='ok']", timeout=15_000)
    assert _result(page)["name"] == "Amélie Poulain"
    # The badge stays in front of the camera (the video loops): still one scan.
    page.wait_for_timeout(2000)
    assert [scan["json"]["code"] for scan in harness.scan_requests] == [harness.code(AMELIE)]
    page.get_by_role("button", name="Stop camera").click()
    page.wait_for_selector("[data-checkin-page][data-camera='stopped']")
    assert page.evaluate("document.querySelector('video').srcObject") is None
    context.close()


# --- (c) offline: queued, verified locally, reload, uploaded exactly once ----------------


def test_offline_scans_are_verified_locally_survive_a_reload_and_upload_once(served, browser):
    harness = served
    for serial, name in [(AMELIE, "Amélie Poulain")]:
        harness.scan_answers[harness.code(serial)] = {
            "result": "ok", "participant": {"name": name, "organisation": "",
                                            "category": "Participant"}}
    harness.scan_answers[harness.code(REVOKED)] = {"result": "revoked", "participant": None}
    context = _new_phone_context(browser)
    page = context.new_page()
    _open_ready(page, harness)
    page.wait_for_selector("[data-checkin-page][data-offline-ready='true']")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    assert harness.bundle_requests == 1

    context.set_offline(True)
    page.wait_for_selector("[data-checkin=network][data-state='offline']")
    valid, forged, revoked = harness.code(AMELIE), forge(harness.code(AMELIE)), \
        harness.code(REVOKED)
    shown = _wedge_scan(page, valid, "ok")
    assert shown["name"] == "Amélie Poulain"
    assert shown["source"] == "Checked on this phone (offline)"
    assert _wedge_scan(page, forged, "unknown")["title"] == "UNKNOWN"
    assert _wedge_scan(page, revoked, "revoked")["title"] == "REVOKED"
    assert harness.scan_requests == []
    queued = _queued(page)
    assert sorted(scan["code"] for scan in queued) == sorted([valid, forged, revoked])
    assert {scan["state"] for scan in queued} == {"pending"}
    assert {scan["checkpoint"] for scan in queued} == {str(CHECKPOINT_ID)}
    assert all(ISO_UTC.match(scan["scanned_at"]) for scan in queued)
    assert page.locator("[data-checkin=pending]").inner_text() == "3 scans waiting to be sent"

    # The network is still down: the service worker serves the page, IndexedDB the rest.
    page.reload()
    page.wait_for_selector("[data-checkin-page][data-ready='true']")
    assert page.locator("[data-checkin=pending]").inner_text() == "3 scans waiting to be sent"
    shown = _wedge_scan(page, valid, "already")  # admitted on this device before the reload
    assert shown["title"] == "ALREADY" and shown["name"] == "Amélie Poulain"
    assert page.locator("[data-checkin=pending]").inner_text() == "4 scans waiting to be sent"
    nonces = sorted(scan["nonce"] for scan in _queued(page))
    assert harness.upload_requests == [] and harness.bundle_requests == 1

    context.set_offline(False)
    page.evaluate("Promise.all([window.eventappCheckin.queue.sync(),"
                  " window.eventappCheckin.queue.sync()])")
    page.wait_for_selector("[data-checkin-page][data-pending='0']")
    page.evaluate("window.eventappCheckin.queue.sync()")
    assert sorted(harness.uploaded_nonces) == nonces  # each nonce once, none lost
    assert all(body["csrf"] == CSRF_TOKEN for body in harness.upload_requests)
    sent = [scan for body in harness.upload_requests for scan in body["json"]["scans"]]
    assert all(set(scan) == {"checkpoint", "code", "nonce", "scanned_at", "device_result"}
               for scan in sent)
    assert all(scan["checkpoint"] == CHECKPOINT_ID for scan in sent)  # an integer
    # What this phone showed, for the server's conflict flag, in scanning order.
    assert sorted(scan["device_result"] for scan in sent) == sorted(
        ["ok", "unknown", "revoked", "already"])
    answered = {scan["nonce"]: scan for scan in _queued(page)}
    assert {scan["state"] for scan in answered.values()} == {"answered"}
    by_code = {scan["code"]: scan["answer"]["result"] for scan in answered.values()}
    assert by_code[revoked] == "revoked" and by_code[forged] == "unknown"
    assert page.locator("[data-checkin=pending]").inner_text() == "All scans sent"
    context.close()


def test_failed_uploads_keep_the_nonce_and_retry(served, browser):
    """A lost answer (server error) leaves the scan queued; the retry reuses its nonce."""
    harness = served
    # Without the service worker, so that Playwright's routing sees every request.
    context = _new_phone_context(browser, service_workers="block")
    page = context.new_page()
    _open_ready(page, harness)
    context.set_offline(True)
    _wedge_scan(page, harness.code(AMELIE), "ok")
    # Only the explicit syncs below: no upload on the "online" event or the timer.
    page.evaluate("window.eventappCheckin.queue.stop()")
    calls = []

    def fail_once(route):
        calls.append(json.loads(route.request.post_data)["scans"][0]["nonce"])
        if len(calls) == 1:
            route.fulfill(status=503, body="busy")
        else:
            route.continue_()

    page.route("**/harness/checkin/upload", fail_once)
    context.set_offline(False)
    result = page.evaluate("window.eventappCheckin.queue.sync()")
    assert result["ok"] is False
    assert page.evaluate("window.eventappCheckin.queue.pendingCount()") == 1
    assert page.evaluate("window.eventappCheckin.queue.sync()")["ok"] is True
    assert len(calls) == 2 and calls[0] == calls[1] == harness.uploaded_nonces[0]
    assert page.evaluate("window.eventappCheckin.queue.pendingCount()") == 0
    context.close()


def test_scanning_page_has_no_horizontal_overflow_and_passes_the_csp(served, phone_page):
    page = phone_page
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    _open_ready(page, served)
    assert not page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth + 1")
    assert not [error for error in errors if "Content Security Policy" in error]
    response = page.request.get(served.page_url)
    assert "script-src 'self'" in response.headers["content-security-policy"]


# --- entries by name: by participant id, never a badge code (issue 12) -------------------


def _noncanonical(code: str) -> list[str]:
    """The same 71 bytes with the last character's two unused bits set otherwise."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    digit = alphabet.index(code[-1])
    return [code[:-1] + alphabet[(digit & ~3) | low] for low in range(4)
            if (digit & ~3) | low != digit]


def test_only_the_canonical_spelling_of_a_code_verifies_offline(served, phone_page):
    page = phone_page
    harness = served
    page.goto(harness.page_url + "?manual=1")
    variants = _noncanonical(harness.code(AMELIE))
    assert len(variants) == 3
    answers = page.evaluate(
        """async ([bundle, codes]) => {
          const verify = await import('/static/checkin/verify.js');
          const index = verify.indexBundle(bundle);
          const options = {scannedAt: '2016-12-07T10:00:00Z',
                           firstLocalAdmission: async () => null};
          const out = [];
          for (const code of codes) {
            out.push({parsed: verify.parseBadgeCode(code, index.messagePrefix) !== null,
                      result: (await verify.verifyOffline(code, index, options)).result});
          }
          return out;
        }""",
        [harness.bundle, [harness.code(AMELIE), *variants]],
    )
    assert answers[0] == {"parsed": True, "result": "ok"}
    assert answers[1:] == [{"parsed": False, "result": "unknown"}] * 3


def _search_and_record(page, query: str, name: str) -> None:
    root = page.locator("[data-checkin-page]")
    shown_before = int(root.get_attribute("data-scans") or 0)
    page.get_by_label("Name or organisation").fill(query)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name=f"Record the entry of {name}").click()
    page.wait_for_selector(f"[data-checkin-page][data-scans='{shown_before + 1}']")


def test_an_entry_by_name_is_sent_by_participant_id_without_a_code(served, phone_page):
    page = phone_page
    harness = served
    harness.scan_answers[f"participant:p{AMELIE}"] = {
        "result": "ok", "manual": True,
        "participant": {"name": "Amélie Poulain", "organisation": "", "category": "Participant",
                        "serial": AMELIE}}
    _open_ready(page, harness)
    _search_and_record(page, "amélie", "Amélie Poulain")
    assert _result(page)["result"] == "ok" and _result(page)["name"] == "Amélie Poulain"
    [sent] = harness.scan_requests
    assert set(sent["json"]) == {"checkpoint", "participant", "nonce", "scanned_at"}
    assert sent["json"]["participant"] == f"p{AMELIE}"
    [queued] = _queued(page)
    assert queued["participant"] == f"p{AMELIE}" and not queued["code"]
    # The phone remembers the admission: her badge scanned offline now says "already".
    assert page.evaluate(
        f"window.eventappCheckin.queue.firstAdmission('{CHECKPOINT_ID}', '{AMELIE}')")


def test_an_entry_by_name_offline_is_checked_locally_queued_and_uploaded_by_id(served, browser):
    harness = served
    context = _new_phone_context(browser, service_workers="block")
    page = context.new_page()
    _open_ready(page, harness)
    page.evaluate("window.eventappCheckin.queue.stop()")
    context.set_offline(True)
    page.wait_for_selector("[data-checkin=network][data-state='offline']")
    _search_and_record(page, "bruno", "Bruno Martin")
    shown = _result(page)
    assert shown["result"] == "wrong_place" and shown["detail"] == "Expected at Salle 2 — bleu"
    assert shown["source"] == "Checked on this phone (offline)"
    _search_and_record(page, "amélie", "Amélie Poulain")
    assert _result(page)["result"] == "ok"
    assert harness.scan_requests == []
    context.set_offline(False)
    assert page.evaluate("window.eventappCheckin.queue.sync()")["ok"] is True
    sent = [scan for body in harness.upload_requests for scan in body["json"]["scans"]]
    assert sorted(scan["participant"] for scan in sent) == [f"p{AMELIE}", f"p{BRUNO}"]
    assert all("code" not in scan for scan in sent)
    assert sorted(scan["device_result"] for scan in sent) == ["ok", "wrong_place"]
    context.close()
