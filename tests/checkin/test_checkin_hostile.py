"""Check-in against hostile or unlucky input (issue 12): device clocks years off, dates
outside Python's range, harvesting badge codes through the name search, reused nonces,
non-canonical spellings of a code, and date-times that are not RFC 3339."""

from __future__ import annotations

import base64
import logging
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventapp.checkin import codes
from eventapp.checkin.models import Admission, Scan
from eventapp.checkin.operations import ScanRequest, record_batch, record_scan
from eventapp.checkin.queries import arrivals, event_day, rfc3339
from eventapp.extensions import db
from eventapp.registration import operations as registration
from tests.api_helpers import api_token, bearer
from tests.checkin.test_checkin import checkin_world
from tests.factories import local, make_event

# RFC 3339 date-time: "Z" or a whole-minute offset, never "+00:09:21".
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture
def world(app):
    """The check-in world in rehearsal: API calls are received today, years after the
    event's day, so time windows must not decide their results."""
    world = checkin_world()
    world.event.checkin_rehearsal = True
    db.session.commit()
    return world


def _staff_scan_url(world, batch: bool = False) -> str:
    return f"/api/v1/events/{world.event.slug}/scans" + ("/batch" if batch else "")


def _upload(client, world, scans: list[dict]):
    return client.post(_staff_scan_url(world, batch=True), json={"scans": scans},
                       headers=bearer(api_token("staff")))


def _offline(world, key: str, code: str, scanned_at: datetime, nonce: str) -> ScanRequest:
    return ScanRequest(world.checkpoints[key], code, nonce, scanned_at=scanned_at,
                       device="phone", offline=True, device_result="ok")


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- 1. device times far from the event: not trusted, flagged; charts bounded -----------

def test_a_year_one_offline_scan_keeps_the_admission_time_and_is_flagged(world):
    code = world.codes["p1"]
    record_scan(world.event, ScanRequest(world.checkpoints["door"], code, "online"), None,
                now=local(world.event, "10:30"))
    [outcome] = record_batch(world.event, [_offline(world, "door", code,
                                                    datetime(1, 1, 1, tzinfo=UTC), "y1")],
                             None, now=local(world.event, "10:50"))
    db.session.commit()
    assert outcome.scan.result == "already"
    assert outcome.scan.time_flag == "device_time_early"
    assert outcome.scan.effective_at == local(world.event, "10:50")  # the server's time
    assert outcome.scan.scanned_at == datetime(1, 1, 1, tzinfo=UTC)  # kept, for the audit
    admission = db.session.scalar(select(Admission))
    assert admission.admitted_at == local(world.event, "10:30")


def test_a_device_clock_ahead_is_flagged_and_a_sane_one_is_not(world):
    ahead = record_scan(world.event, ScanRequest(
        world.checkpoints["door"], world.codes["p1"], "ahead",
        scanned_at=local(world.event, "13:00")), None, now=local(world.event, "10:00"))
    sane = record_scan(world.event, ScanRequest(
        world.checkpoints["door"], world.codes["p2"], "sane",
        scanned_at=local(world.event, "09:58"), offline=True), None,
        now=local(world.event, "10:00"))
    day_before = record_scan(world.event, ScanRequest(
        world.checkpoints["door"], world.codes["p3"], "eve",
        scanned_at=local(world.event, "09:00") - timedelta(days=1), offline=True), None,
        now=local(world.event, "10:00"))
    assert (ahead.scan.time_flag, ahead.scan.effective_at) == ("device_time_ahead",
                                                                local(world.event, "10:00"))
    assert (sane.scan.time_flag, sane.scan.effective_at) == (None, local(world.event, "09:58"))
    assert day_before.scan.time_flag is None  # the day before the checkpoint's day is fine


def test_a_rehearsal_days_before_the_event_is_not_flagged(world):
    week_before = local(world.event, "10:00") - timedelta(days=7)
    outcome = record_scan(world.event, ScanRequest(
        world.checkpoints["door"], world.codes["p1"], "practice",
        scanned_at=week_before - timedelta(minutes=30), offline=True), None, now=week_before)
    assert outcome.scan.time_flag is None
    assert outcome.scan.effective_at == week_before - timedelta(minutes=30)


def test_the_api_answers_a_year_one_scan_with_the_flag(world, client):
    response = _upload(client, world, [{
        "checkpoint": world.checkpoints["door"].id, "code": world.codes["p1"],
        "nonce": "y1", "scanned_at": "0001-01-01T00:00:00Z", "device_result": "ok"}])
    assert response.status_code == 200
    [answer] = response.get_json()["results"]
    assert answer["time_flag"] == "device_time_early"
    assert answer["scanned_at"] == "0001-01-01T00:00:00Z"
    assert RFC3339.match(answer["received_at"])


def test_the_dashboard_lists_untrusted_device_times_in_words(world, organiser_client):
    record_batch(world.event, [_offline(world, "door", world.codes["p1"],
                                        datetime(1, 1, 1, tzinfo=UTC), "y1")],
                 None, now=local(world.event, "10:50"))
    db.session.commit()
    html = organiser_client.get(f"/manage/events/{world.event.slug}/checkin/?lang=en"
                                ).get_data(as_text=True)
    assert "Device times not trusted" in html
    assert "far before the event's day: the server's time was used" in html
    assert "0001-01-01 00:00 UTC" in html


@pytest.mark.parametrize("stray", [datetime(1, 1, 1, tzinfo=UTC),
                                   datetime(9999, 12, 31, 23, 0, tzinfo=UTC)])
def test_arrivals_are_bounded_by_the_event_day_whatever_the_rows_say(world, organiser_client,
                                                                     stray):
    for key, hhmm in (("p1", "09:10"), ("p2", "10:40")):
        record_scan(world.event, ScanRequest(world.checkpoints["door"], world.codes[key],
                                             key), None, now=local(world.event, hhmm))
    db.session.commit()
    # A row written by hand (or by an older version) with a time years away.
    admission = db.session.scalar(select(Admission).where(
        Admission.participant_id == world.people[0].id))
    admission.admitted_at = stray
    db.session.commit()
    buckets = arrivals(world.event)
    assert len(buckets) <= 24 * 4
    first, last = event_day(world.event)
    assert all(first <= bucket.starts_at <= last for bucket in buckets)
    assert buckets[-1].cumulative == 2  # the stray one still counts, at the day's edge
    response = organiser_client.get(f"/manage/events/{world.event.slug}/checkin/")
    assert response.status_code == 200


def test_arrivals_in_a_timezone_behind_utc_survive_a_year_one_row(app):
    world = checkin_world()
    world.event.timezone = "America/New_York"
    db.session.commit()
    record_scan(world.event, ScanRequest(world.checkpoints["door"], world.codes["p1"], "a"),
                None, now=local(world.event, "10:00"))
    db.session.scalar(select(Admission)).admitted_at = datetime(1, 1, 1, tzinfo=UTC)
    db.session.commit()
    assert [b.count for b in arrivals(world.event)] == [1]


# --- 2. a date-time outside Python's range never sinks the batch -------------------------

def test_an_out_of_range_scanned_at_is_one_item_error_not_a_500(world, client):
    door = world.checkpoints["door"].id
    response = _upload(client, world, [
        {"checkpoint": door, "code": world.codes["p1"], "nonce": "good",
         "scanned_at": local(world.event, "10:00").isoformat()},
        {"checkpoint": door, "code": world.codes["p2"], "nonce": "far",
         "scanned_at": "9999-12-31T23:59:59-05:00"},
        {"checkpoint": door, "code": world.codes["p3"], "nonce": "early",
         "scanned_at": "0001-01-01T00:00:00+01:00"},
        {"checkpoint": door, "code": world.codes["p4"], "nonce": "y1",
         "scanned_at": "0001-01-01T00:00:00Z"}])
    assert response.status_code == 200
    good, far, early, year_one = response.get_json()["results"]
    assert good["result"] == "ok" and year_one["result"] == "ok"
    assert far == {"index": 1, "nonce": "far", "error": {
        "field": "scans[1].scanned_at", "message": far["error"]["message"]}}
    assert early["error"]["field"] == "scans[2].scanned_at"
    assert _count(Scan) == 2


def test_an_out_of_range_scanned_at_of_one_scan_answers_400(world, client):
    response = client.post(_staff_scan_url(world), headers=bearer(api_token("staff")), json={
        "checkpoint": world.checkpoints["door"].id, "code": world.codes["p1"], "nonce": "n",
        "scanned_at": "9999-12-31T23:59:59-05:00"})
    assert response.status_code == 400
    assert response.get_json()["error"]["details"][0]["field"] == "scanned_at"


# --- 3. entries by name: recorded by participant id, audited as manual ------------------

def test_an_entry_by_participant_id_is_a_manual_audited_scan(world, client):
    url, headers = _staff_scan_url(world), bearer(api_token("staff"))
    body = {"checkpoint": world.checkpoints["door"].id, "participant": "p1", "nonce": "m1"}
    first = client.post(url, json=body, headers=headers).get_json()
    assert (first["result"], first["manual"]) == ("ok", True)
    assert first["participant"]["name"] == world.people[0].full_name
    again = client.post(url, json=body, headers=headers).get_json()
    assert again["replayed"] and again["result"] == "ok"
    second = client.post(url, json={**body, "nonce": "m2"}, headers=headers).get_json()
    assert second["result"] == "already"
    row = db.session.scalar(select(Scan).where(Scan.nonce == "m1"))
    assert row.manual and row.participant_id == world.people[0].id
    assert row.badge_id is not None  # the person's live badge, for the audit
    assert _count(Admission) == 1 and _count(Scan) == 2


def test_manual_entries_are_refused_and_logged_like_scans(world, client):
    registration.cancel(world.people[1], by_organiser=True)
    db.session.commit()
    url, headers = _staff_scan_url(world), bearer(api_token("staff"))
    door = world.checkpoints["door"].id
    unknown = client.post(url, json={"checkpoint": door, "participant": "nobody",
                                     "nonce": "u"}, headers=headers).get_json()
    cancelled = client.post(url, json={"checkpoint": door, "participant": "p2",
                                       "nonce": "c"}, headers=headers).get_json()
    wrong = client.post(url, json={"checkpoint": world.checkpoints["session:r1:b"].id,
                                   "participant": "p1", "nonce": "w",
                                   "scanned_at": local(world.event, "11:52").isoformat()},
                        headers=headers).get_json()
    assert (unknown["result"], cancelled["result"], wrong["result"]) == (
        "unknown", "cancelled", "wrong_place")
    assert _count(Scan, Scan.manual.is_(True)) == 3
    both = client.post(url, json={"checkpoint": door, "participant": "p1",
                                  "code": world.codes["p1"], "nonce": "b"}, headers=headers)
    assert both.status_code == 400
    assert both.get_json()["error"]["details"][0]["field"] == "participant"


def test_queued_manual_entries_upload_with_the_scans(world, client):
    door = world.checkpoints["door"].id
    response = _upload(client, world, [
        {"checkpoint": door, "participant": "p1", "nonce": "q1",
         "scanned_at": local(world.event, "10:02").isoformat(), "device_result": "ok"},
        {"checkpoint": door, "code": world.codes["p1"], "nonce": "q2",
         "scanned_at": local(world.event, "10:05").isoformat(), "device_result": "ok"}])
    first, second = response.get_json()["results"]
    assert (first["result"], first["manual"]) == ("ok", True)
    assert (second["result"], second["manual"]) == ("already", False)


# --- 4. a nonce is bound to its code and checkpoint ---------------------------------------

def test_a_nonce_reused_with_another_code_is_refused_and_logged(world, client, caplog):
    url, headers = _staff_scan_url(world), bearer(api_token("staff"))
    door = world.checkpoints["door"].id
    first = client.post(url, json={"checkpoint": door, "code": world.codes["p1"],
                                   "nonce": "n"}, headers=headers)
    assert first.get_json()["result"] == "ok"
    with caplog.at_level(logging.WARNING):
        other = client.post(url, json={"checkpoint": door, "code": world.codes["p2"],
                                       "nonce": "n"}, headers=headers)
    assert other.status_code == 409
    error = other.get_json()["error"]
    assert error["details"][0]["field"] == "nonce"
    assert world.people[0].full_name not in other.get_data(as_text=True)
    assert any("nonce" in r.getMessage() and "refused" in r.getMessage()
               for r in caplog.records)
    elsewhere = client.post(url, json={"checkpoint": world.checkpoints["session:r1:a"].id,
                                       "code": world.codes["p1"], "nonce": "n"},
                            headers=headers)
    assert elsewhere.status_code == 409
    # The same code, spelt in lower case, is the same scan: replayed.
    same = client.post(url, json={"checkpoint": door, "code": world.codes["p1"].lower(),
                                  "nonce": "n"}, headers=headers)
    assert same.get_json()["replayed"] is True
    assert _count(Scan) == 1


def test_a_reused_nonce_in_a_batch_is_one_item_error(world, client):
    door = world.checkpoints["door"].id
    _upload(client, world, [{"checkpoint": door, "code": world.codes["p1"], "nonce": "n"}])
    response = _upload(client, world, [
        {"checkpoint": door, "code": world.codes["p2"], "nonce": "n"},
        {"checkpoint": door, "code": world.codes["p3"], "nonce": "fresh"}])
    reused, fresh = response.get_json()["results"]
    assert reused["error"]["field"] == "scans[0].nonce"
    assert fresh["result"] == "ok"


# --- 5. only the canonical spelling of a code ---------------------------------------------

def _variants(code: str) -> list[str]:
    """The same bytes with the last character's two unused bits set otherwise."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    digit = alphabet.index(code[-1])
    return [code[:-1] + alphabet[(digit & ~3) | low] for low in range(4)
            if (digit & ~3) | low != digit]


def test_only_the_canonical_spelling_of_a_code_decodes(world):
    code = world.codes["p1"]
    variants = _variants(code)
    assert len(variants) == 3
    for variant in variants:
        padded = variant + "=" * (-len(variant) % 8)
        assert base64.b32decode(padded) == base64.b32decode(code + "=" * (-len(code) % 8))
        assert codes.decode(world.event.id, variant) is None
    assert codes.decode(world.event.id, code) is not None
    outcome = record_scan(world.event, ScanRequest(world.checkpoints["door"], variants[0],
                                                   "v"), None, now=local(world.event, "10:00"))
    assert outcome.scan.result == "unknown"


# --- 6. every date-time answered is RFC 3339 ----------------------------------------------

def test_dates_before_standard_time_are_answered_in_utc(world, client):
    response = _upload(client, world, [{
        "checkpoint": world.checkpoints["door"].id, "code": world.codes["p1"], "nonce": "old",
        "scanned_at": "1900-01-01T10:00:00+00:00"}])
    [answer] = response.get_json()["results"]
    assert answer["scanned_at"] == "1900-01-01T10:00:00Z"
    for name in ("scanned_at", "received_at"):
        assert RFC3339.match(answer[name]), answer[name]


@pytest.mark.parametrize(("timezone", "moment", "expected"), [
    ("Europe/Paris", datetime(1900, 1, 1, 10, tzinfo=UTC), "1900-01-01T10:00:00Z"),
    ("America/New_York", datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00Z"),
    ("Asia/Tokyo", datetime(9999, 12, 31, 23, tzinfo=UTC), "9999-12-31T23:00:00Z"),
    ("Europe/Paris", datetime(2016, 12, 7, 9, tzinfo=UTC), "2016-12-07T10:00:00+01:00"),
    ("Asia/Kolkata", datetime(2016, 12, 7, 9, tzinfo=UTC), "2016-12-07T14:30:00+05:30"),
])
def test_rfc3339_in_the_event_timezone_or_utc(app, timezone, moment, expected):
    event = make_event(slug=f"tz-{uuid.uuid4().hex[:6]}", timezone=timezone)
    assert rfc3339(event, moment) == expected
    assert RFC3339.match(expected)


@pytest.mark.parametrize("field", ["nonce", "device", "code"])
def test_control_characters_in_a_scan_field_answer_400_naming_it(world, client, field):
    """A NUL byte in a scan's nonce answered 500 on PostgreSQL (it cannot store one):
    scan fields refuse control characters and line breaks, naming the field."""
    body = {"checkpoint": world.checkpoints["door"].id, "code": world.codes["p1"],
            "nonce": "n-1", "device": "phone"}
    body[field] = body[field][:3] + "\x00" + body[field][3:]
    response = client.post(_staff_scan_url(world), json=body,
                           headers=bearer(api_token("staff")))
    assert response.status_code == 400
    assert response.get_json()["error"]["details"][0]["field"] == field
    assert _count(Scan) == 0
