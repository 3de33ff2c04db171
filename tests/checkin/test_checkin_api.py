"""Check-in through the API (bearer tokens) and the staff page's JSON routes (cookie):
same shapes, staff may scan but not read organisers' data, errors name the field."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from eventapp.checkin import codes
from eventapp.checkin.models import Scan
from eventapp.extensions import db
from tests.api_helpers import api_token, assert_error, bearer
from tests.checkin.test_checkin import checkin_world
from tests.factories import local

CHECKIN_OPERATIONS = {"listParticipants", "getParticipantBadge", "listCheckpoints",
                      "scanBadge", "uploadScans", "getAttendance", "getCheckpointBundle"}


@pytest.fixture
def world(app):
    return checkin_world()


def at(world, hhmm: str) -> str:
    return local(world.event, hhmm).isoformat()


def test_the_operations_are_documented(client):
    document = client.get("/api/v1/openapi.json").get_json()
    ids = {op["operationId"] for item in document["paths"].values() for op in item.values()}
    assert ids >= CHECKIN_OPERATIONS


def test_list_participants_is_for_organisers(world, client):
    url = f"/api/v1/events/{world.event.slug}/participants"
    response = client.get(url, headers=bearer(api_token()))
    people = response.get_json()["participants"]
    assert {p["id"] for p in people} >= {"p1", "p5", "x-presenter"}
    assert {p["status"] for p in people} == {"registered"}
    assert_error(client.get(url, headers=bearer(api_token("staff"))), 403)


def test_participant_badge_gives_the_code_and_links(world, client):
    response = client.get(f"/api/v1/events/{world.event.slug}/participants/p1/badge",
                          headers=bearer(api_token()))
    data = response.get_json()
    assert data["code"] == world.codes["p1"]
    assert codes.decode(world.event.id, data["code"]) == data["serial"]
    assert data["png"].endswith(f"/participants/{world.people[0].id}/badge.png")
    assert "badges.pdf?" in data["pdf"] and f"participant={world.people[0].id}" in data["pdf"]
    assert_error(client.get(f"/api/v1/events/{world.event.slug}/participants/nobody/badge",
                            headers=bearer(api_token(email="o2@example.org"))), 404,
                 "participant_key")


def test_staff_list_checkpoints_with_kinds_and_windows(world, client):
    response = client.get(f"/api/v1/events/{world.event.slug}/checkpoints",
                          headers=bearer(api_token("staff")))
    checkpoints = response.get_json()["checkpoints"]
    assert checkpoints[0]["kind"] == "door"
    r2b = next(c for c in checkpoints if c["key"] == "session:r2:b")
    assert (r2b["kind"], r2b["round"], r2b["room"]["name"]) == ("session", 2, "Salle B")
    assert r2b["window"]["opens_at"] == "2016-12-07T12:05:00+01:00"
    assert r2b["window"]["label"] == "12:05–12:40"
    assert {c["kind"] for c in checkpoints} == {"door", "session", "workshop"}


def test_staff_scan_ok_already_wrong_place_in_api(world, client):
    token = api_token("staff")
    url = f"/api/v1/events/{world.event.slug}/scans"
    checkpoint = world.checkpoints["session:r1:a"].id
    body = {"checkpoint": checkpoint, "code": world.codes["p1"], "nonce": "n1",
            "scanned_at": at(world, "11:52"), "device": "phone 1"}
    first = client.post(url, json=body, headers=bearer(token)).get_json()
    assert first["result"] == "ok"
    assert first["participant"]["name"] == "Ada Test1"
    assert first["participant"]["category_label"] == "Association"
    again = client.post(url, json={**body, "nonce": "n2"}, headers=bearer(token)).get_json()
    assert again["result"] == "already"
    assert again["first_scan_at"] == "2016-12-07T11:52:00+01:00"
    retry = client.post(url, json=body, headers=bearer(token)).get_json()
    assert retry["result"] == "ok" and retry["replayed"] is True
    wrong = client.post(url, json={**body, "nonce": "n3", "code": world.codes["p4"]},
                        headers=bearer(token)).get_json()
    assert wrong["result"] == "wrong_place"
    assert wrong["expected"]["label"] == "Salle B — bleu"
    assert wrong["message"] == "Expected in Salle B — bleu"
    assert db.session.scalar(select(func.count()).select_from(Scan)) == 3


def test_outside_window_is_shown_in_the_event_timezone(world, client):
    response = client.post(f"/api/v1/events/{world.event.slug}/scans", json={
        "checkpoint": world.checkpoints["session:r1:a"].id, "code": world.codes["p1"],
        "nonce": "w", "scanned_at": "2016-12-07T09:00:00Z"},
        headers=bearer(api_token("staff")))
    data = response.get_json()
    assert data["result"] == "outside_window"
    assert data["window"]["label"] == "11:40–12:15"
    assert data["message"] == "Open 11:40–12:15 only"


@pytest.mark.parametrize("body, field", [
    ({"code": "x", "nonce": "n"}, "checkpoint"),
    ({"checkpoint": 999999, "code": "x", "nonce": "n"}, "checkpoint"),
    ({"checkpoint": "door", "code": "x", "nonce": "n"}, "checkpoint"),
    ({"checkpoint": None, "code": "x", "nonce": "n"}, "checkpoint"),
    ({"checkpoint": 0, "nonce": "n"}, "checkpoint"),
    ({"checkpoint": "CP", "nonce": "n"}, "code"),
    ({"checkpoint": "CP", "code": "x"}, "nonce"),
    ({"checkpoint": "CP", "code": "x", "nonce": "n" * 101}, "nonce"),
    ({"checkpoint": "CP", "code": "x", "nonce": "n", "scanned_at": "yesterday"},
     "scanned_at"),
    ({"checkpoint": "CP", "code": "x", "nonce": "n", "scanned_at": "2016-12-07T10:00:00"},
     "scanned_at"),
    ({"checkpoint": "CP", "code": "x", "nonce": "n", "colour": "red"}, "colour"),
])
def test_a_malformed_scan_names_its_field_and_records_nothing(world, client, body, field):
    body = {k: (world.checkpoints["door"].id if v == "CP" else v) for k, v in body.items()}
    response = client.post(f"/api/v1/events/{world.event.slug}/scans", json=body,
                           headers=bearer(api_token("staff")))
    assert_error(response, 400, field)
    assert db.session.scalar(select(func.count()).select_from(Scan)) == 0


def test_upload_applies_in_device_order_answers_each_and_twice_adds_nothing(world, client):
    token = api_token("staff")
    door = world.checkpoints["door"].id
    queue = {"device": "phone 2", "scans": [
        {"checkpoint": door, "code": world.codes["p1"], "nonce": "b", "scanned_at":
         at(world, "10:40")},
        {"checkpoint": door, "code": world.codes["p1"], "nonce": "a", "scanned_at":
         at(world, "10:30")},
        {"checkpoint": door, "code": "garbage", "nonce": "c", "scanned_at": at(world, "10:35")},
        {"checkpoint": door, "nonce": "d"},
    ]}
    url = f"/api/v1/events/{world.event.slug}/scans/batch"
    data = client.post(url, json=queue, headers=bearer(token)).get_json()
    results = data["results"]
    assert [r.get("result") for r in results] == ["already", "ok", "unknown", None]
    assert results[3]["error"]["field"] == "scans[3].code"
    assert (data["recorded"], data["replayed"], data["invalid"]) == (3, 0, 1)
    again = client.post(url, json=queue, headers=bearer(token)).get_json()
    assert (again["recorded"], again["replayed"]) == (0, 3)
    assert [r.get("result") for r in again["results"]] == ["already", "ok", "unknown", None]
    rows = db.session.scalars(select(Scan).order_by(Scan.nonce)).all()
    assert [(r.nonce, r.offline, r.device) for r in rows] == [
        ("a", True, "phone 2"), ("b", True, "phone 2"), ("c", True, "phone 2")]


def test_upload_body_errors(world, client):
    url = f"/api/v1/events/{world.event.slug}/scans/batch"
    token = api_token("staff")
    assert_error(client.post(url, json={"scans": "x"}, headers=bearer(token)), 400, "scans")
    assert_error(client.post(url, json={"scans": [{}] * 501}, headers=bearer(token)), 400,
                 "scans")
    assert_error(client.post(url, data="x", headers=bearer(token)), 415)


def test_bundle_has_everything_to_scan_offline(world, client):
    from eventapp.registration.operations import cancel

    cancel(world.people[2], by_organiser=True)  # revokes the badge (participant_cancelled)
    db.session.commit()
    checkpoint = world.checkpoints["session:r1:a"]
    response = client.get(f"/api/v1/events/{world.event.slug}/checkpoints/{checkpoint.id}"
                          "/bundle", headers=bearer(api_token("staff")))
    bundle = response.get_json()
    assert bundle["signing"]["public_key"] == codes.public_key_raw(world.event.id)
    assert bundle["signing"]["length"] == 114
    assert bundle["checkpoint"]["window"]["label"] == "11:40–12:15"
    people = {p["id"]: p for p in bundle["participants"]}
    assert "p3" not in people  # cancelled: not on the list, and revoked
    revoked_serial = codes.decode(world.event.id, world.codes["p3"])
    assert bundle["revoked"] == [revoked_serial]
    assert people["p1"]["expected"] and people["x-presenter"]["expected"]
    assert not people["p4"]["expected"]
    assert people["p4"]["expected_place"]["label"] == "Salle B — bleu"
    assert people["p1"]["serial"] == codes.decode(world.event.id, world.codes["p1"])
    assert people["p1"]["category_label"] == "Association"


def test_attendance_counts_per_checkpoint(world, client):
    token = api_token("staff")
    for key, nonce in (("p1", "1"), ("p2", "2"), ("p4", "3")):
        client.post(f"/api/v1/events/{world.event.slug}/scans", json={
            "checkpoint": world.checkpoints["session:r1:a"].id, "code": world.codes[key],
            "nonce": nonce, "scanned_at": at(world, "11:50")}, headers=bearer(token))
    url = f"/api/v1/events/{world.event.slug}/attendance"
    assert_error(client.get(url, headers=bearer(token)), 403)
    data = client.get(url, headers=bearer(api_token(email="o3@example.org"))).get_json()
    row = next(c for c in data["checkpoints"] if c["label"] == "Salle A — round 1")
    assert (row["admitted"], row["expected"], row["refused"]) == (2, 4, 1)
    door = next(c for c in data["checkpoints"] if c["kind"] == "door")
    assert door["expected"] is None and door["admitted"] == 0


# --- the staff page's cookie routes ----------------------------------------------------

def test_staff_page_routes_answer_the_same_shapes(world, staff_client):
    slug = world.event.slug
    listing = staff_client.get(f"/manage/events/{slug}/checkin/checkpoints.json").get_json()
    door = listing["checkpoints"][0]
    bundle = staff_client.get(f"/manage/events/{slug}/checkin/checkpoints/{door['id']}"
                              "/bundle.json").get_json()
    assert bundle["everyone_expected"] is True and len(bundle["participants"]) == 6
    answer = staff_client.post(f"/manage/events/{slug}/checkin/scan", json={
        "checkpoint": door["id"], "code": world.codes["p2"], "nonce": uuid.uuid4().hex,
        "scanned_at": at(world, "10:30")}).get_json()
    assert answer["result"] == "ok" and answer["participant"]["id"] == "p2"
    upload = staff_client.post(f"/manage/events/{slug}/checkin/scans", json={"scans": [
        {"checkpoint": door["id"], "code": world.codes["p2"], "nonce": "o1",
         "scanned_at": at(world, "10:31")}]}).get_json()
    assert upload["results"][0]["result"] == "already"
    row = db.session.scalar(select(Scan).where(Scan.nonce == "o1"))
    assert row.scanned_by.email == "staff@example.org"
    bad = staff_client.post(f"/manage/events/{slug}/checkin/scan", json={"code": "x"})
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "checkpoint"
    missing = staff_client.get(f"/manage/events/{slug}/checkin/checkpoints/999999/bundle.json")
    assert missing.status_code == 404


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_the_staff_page_scan_needs_the_csrf_header(csrf_on, world, client, staff):
    import re

    def token_in(response) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                         response.get_data(True)).group(1)

    token = token_in(client.get("/login"))
    assert client.post("/login", data={"email": staff.email, "password":
                                       "correct horse battery", "csrf_token": token}
                       ).status_code == 302
    token = token_in(client.get(f"/manage/events/{world.event.slug}/"))
    url = f"/manage/events/{world.event.slug}/checkin/scan"
    body = {"checkpoint": world.checkpoints["door"].id, "code": world.codes["p1"],
            "nonce": "csrf"}
    assert client.post(url, json=body).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Scan)) == 0
    assert client.post(url, json=body, headers={"X-CSRFToken": token}).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Scan)) == 1
