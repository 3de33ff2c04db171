"""Check-in: badge codes (signature, revocation), checkpoints from the programme, and the
scan operation's results, idempotency and offline semantics.

The small world of the scheduling tests, published: round 1 Alpha (Salle A) p1-p3,
Beta (Salle B) p4-p5; round 2 Gamma (A) p1-p3, Alpha (B) p4-p5; workshop Un (A) p1-p3,
Deux (B) p4, p5 and the presenter (who presents Alpha in rounds 1 and 2).
"""

from __future__ import annotations

import base64
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eventapp.checkin import codes
from eventapp.checkin.checkpoints import sync_checkpoints
from eventapp.checkin.models import Admission, Badge, Checkpoint, Scan
from eventapp.checkin.operations import (
    ScanRequest,
    current_code,
    record_batch,
    record_scan,
    reissue_badge,
)
from eventapp.extensions import db
from eventapp.models import Assignment, WorkshopAssignment
from eventapp.registration import operations as registration
from eventapp.scheduling import operations as scheduling
from tests.factories import (
    local,
    make_badge_code,
    make_checkpoints,
    make_event,
    make_participant,
    make_programme_item,
)
from tests.scheduling_world import build_world


def seat_and_publish(world) -> None:
    p1, p2, p3, p4, p5 = world.people
    s = world.sessions
    for session, people in ((s["alpha-1"], [p1, p2, p3]), (s["beta-1"], [p4, p5]),
                            (s["gamma-2"], [p1, p2, p3]), (s["alpha-2"], [p4, p5])):
        for person in people:
            db.session.add(Assignment(participant_id=person.id, round_id=session.round_id,
                                      session_id=session.id))
    w1, w2 = world.workshops["w1"], world.workshops["w2"]
    for workshop, people in ((w1, [p1, p2, p3]), (w2, [p4, p5, world.presenter])):
        db.session.add_all(WorkshopAssignment(participant_id=p.id, slot_id=workshop.slot_id,
                                              workshop_id=workshop.id) for p in people)
    db.session.commit()
    scheduling.publish(world.event, None)
    db.session.commit()


def checkin_world(lunch: bool = False, with_codes: bool = True):
    """The scheduling tests' small event, seated and published, with its checkpoints
    (``world.checkpoints`` by key) and, unless ``with_codes`` is false, every
    participant's badge code (``world.codes`` by participant key): what check-in scans."""
    world = build_world()
    if lunch:
        make_programme_item(world.event, "12:40", 60, kind="lunch", title="Déjeuner")
    seat_and_publish(world)
    world.checkpoints = make_checkpoints(world.event)
    world.codes = {p.key: make_badge_code(p) for p in world.people} if with_codes else {}
    db.session.commit()
    return world


@pytest.fixture
def world(app):
    return checkin_world(lunch=True, with_codes=False)


def scan(world, key: str, code: str, at: str = "11:55", nonce: str | None = None, **extra):
    request = ScanRequest(world.checkpoints[key], code, nonce or uuid.uuid4().hex, **extra)
    outcome = record_scan(world.event, request, None, now=local(world.event, at))
    db.session.commit()
    return outcome


# --- codes -----------------------------------------------------------------------------

def test_code_is_short_base32_and_round_trips(app):
    code = codes.encode(7, 123456789012)
    assert len(code) == codes.CODE_LENGTH == 114
    assert set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert codes.decode(7, code) == 123456789012
    assert codes.decode(7, code.lower()) == 123456789012  # keyboard wedge in lower case
    assert codes.encode(7, 123456789012) == code  # deterministic: reprints match


@pytest.mark.parametrize("mangle", [
    lambda c: c[:-1],                                     # truncated
    lambda c: c[:-2] + ("A" if c[-2] != "A" else "B") + c[-1],  # signature altered
    lambda c: c[:3] + ("A" if c[3] != "A" else "B") + c[4:],    # serial altered
    lambda c: "42",                                       # a numeric row id
    lambda c: "",
    lambda c: "!" * 114,                                  # not base32
])
def test_forged_or_mangled_codes_do_not_decode(app, mangle):
    code = codes.encode(7, 99)
    assert codes.decode(7, mangle(code)) is None


def test_a_code_of_another_event_does_not_verify(app):
    assert codes.decode(8, codes.encode(7, 99)) is None
    assert codes.public_key_raw(7) != codes.public_key_raw(8)


def test_a_code_signed_with_another_key_does_not_verify(app):
    code = codes.encode(7, 99)
    app.config["BADGE_SIGNING_KEY"] = base64.urlsafe_b64encode(b"x" * 32).decode()
    assert codes.decode(7, code) is None


def test_the_published_key_verifies_the_code_offline(app):
    """What a scanner does with the bundle's scheme: only public material."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    scheme = codes.scheme(7)
    code = codes.encode(7, 4242)
    raw = base64.b32decode(code + "=" * (-len(code) % 8))
    key = Ed25519PublicKey.from_public_bytes(
        base64.urlsafe_b64decode(scheme["public_key"] + "=="))
    prefix = base64.urlsafe_b64decode(scheme["message_prefix"] + "==")
    key.verify(raw[7:], prefix + raw[:7])  # raises if invalid
    assert int.from_bytes(raw[1:7], "big") == 4242


def test_a_bad_signing_key_is_reported(app):
    app.config["BADGE_SIGNING_KEY"] = "too-short"
    with pytest.raises(codes.SigningKeyError, match="32 bytes"):
        codes.encode(7, 1)


# --- badges ----------------------------------------------------------------------------

def test_current_code_issues_once_and_is_not_a_row_id(world):
    person = world.people[0]
    first = current_code(person)
    db.session.commit()
    assert current_code(person) == first
    badge = db.session.scalar(select(Badge).where(Badge.participant_id == person.id))
    assert str(badge.id) not in (first, str(person.id))
    assert db.session.scalar(select(func.count()).select_from(Badge)) == 1


def test_reissue_revokes_the_old_code(world):
    person = world.people[0]
    old = make_badge_code(person)
    db.session.commit()
    reissue_badge(person)
    db.session.commit()
    new = current_code(person)
    assert new != old
    assert scan(world, "door", old).scan.result == "revoked"
    assert scan(world, "door", new).scan.result == "ok"


def test_cancelling_revokes_the_badge(world):
    person = world.people[0]
    code = make_badge_code(person)
    db.session.commit()
    registration.cancel(person, by_organiser=True)
    db.session.commit()
    badge = db.session.scalar(select(Badge))
    assert badge.revoked_reason == "cancelled"
    assert scan(world, "door", code).scan.result == "revoked"


def test_erasing_revokes_and_keeps_the_serial_on_the_list(world):
    from eventapp.checkin.queries import revoked_serials

    person = world.people[0]
    code = make_badge_code(person)
    scan(world, "door", code)
    registration.erase_participant(person)
    db.session.commit()
    badge = db.session.scalar(select(Badge))
    assert badge.participant_id is None and badge.revoked_reason == "erased"
    assert revoked_serials(world.event) == [badge.serial]
    assert scan(world, "door", code).scan.result == "revoked"
    # the audit log keeps the scans, without the person
    assert db.session.scalar(select(func.count()).select_from(Scan)
                             .where(Scan.participant_id.is_not(None))) == 0
    assert db.session.scalar(select(func.count()).select_from(Admission)) == 0


def test_cancelled_status_without_revocation_still_refused(world):
    """A waiting-list person (status not registered) is refused as cancelled."""
    person = world.people[0]
    code = make_badge_code(person)
    person.status = "waiting"
    db.session.commit()
    assert scan(world, "door", code).scan.result == "cancelled"


# --- checkpoints -----------------------------------------------------------------------

def test_checkpoints_follow_the_programme(world):
    keys = list(world.checkpoints)
    assert keys[0] == "door"
    assert {"session:r1:a", "session:r1:b", "session:r2:a", "session:r2:b",
            "workshop:w1", "workshop:w2"} <= set(keys)
    assert sum(1 for k in keys if k.startswith("lunch:")) == 1
    door = world.checkpoints["door"]
    assert door.opens_at == local(world.event, "11:50") - timedelta(minutes=90)
    r1a = world.checkpoints["session:r1:a"]
    assert (r1a.opens_at, r1a.closes_at) == (local(world.event, "11:40"),
                                             local(world.event, "12:15"))


def test_a_programme_change_moves_the_window_and_keeps_the_row(world):
    r1a = world.checkpoints["session:r1:a"]
    round_ = world.rounds[0]
    round_.starts_at += timedelta(minutes=30)
    round_.ends_at += timedelta(minutes=30)
    db.session.commit()
    rows = {cp.key: cp for cp in sync_checkpoints(world.event)}
    assert rows["session:r1:a"].id == r1a.id
    assert rows["session:r1:a"].opens_at == local(world.event, "12:10")


def test_a_removed_room_checkpoint_is_deactivated_not_deleted(world):
    code = make_badge_code(world.people[3])
    assert scan(world, "session:r1:b", code).scan.result == "ok"
    beta = world.sessions["beta-1"]
    beta.room_id = world.rooms["a"].id
    beta.table_number = None
    db.session.commit()
    keys = {cp.key for cp in sync_checkpoints(world.event)}
    db.session.commit()
    assert "session:r1:b" not in keys
    row = db.session.scalar(select(Checkpoint).where(Checkpoint.key == "session:r1:b"))
    assert row is not None and not row.active
    assert db.session.scalar(select(func.count()).select_from(Admission)) == 1


def test_windows_across_a_daylight_saving_change(app):
    """30 March 2025, Paris: 02:00 CET becomes 03:00 CEST. A session at 09:00 local is
    07:00 UTC; the day before it was 08:00 UTC: windows follow the wall clock."""
    from tests.factories import make_round

    for day, utc_hour in ((date(2025, 3, 29), 8), (date(2025, 3, 30), 7)):
        event = make_event(date=day, timezone="Europe/Paris")
        round_ = make_round(event, "09:00", key="r")
        from tests.factories import make_project, make_room, make_session

        room = make_room(event, key="a")
        make_session(event, make_project(event), round=round_, room=room, table_number=1)
        db.session.commit()
        rows = {cp.key: cp for cp in sync_checkpoints(event)}
        opens = rows["session:r:a"].opens_at
        assert (opens.hour, opens.minute) == (utc_hour - 1, 50)
        assert event.to_local(opens).strftime("%H:%M") == "08:50"
        person = make_participant(event)
        code = make_badge_code(person)
        db.session.commit()
        # 08:49 local is outside, 08:51 local inside, whatever the offset that day
        for hhmm, expected in (("08:49", "outside_window"), ("08:51", "ok")):
            outcome = record_scan(event, ScanRequest(rows["session:r:a"], code,
                                                     uuid.uuid4().hex), None,
                                  now=local(event, hhmm))
            db.session.commit()
            assert outcome.scan.result == expected, (day, hhmm)


def test_the_door_of_an_event_without_programme_is_open_during_the_day(app):
    event = make_event()
    rows = sync_checkpoints(event)
    assert [cp.key for cp in rows] == ["door"]
    assert event.to_local(rows[0].opens_at).strftime("%H:%M") == "07:00"


# --- results ---------------------------------------------------------------------------

def test_ok_then_already_with_the_first_time(world):
    code = make_badge_code(world.people[0])
    first = scan(world, "door", code, at="10:30")
    assert first.scan.result == "ok"
    again = scan(world, "door", code, at="10:45")
    assert again.scan.result == "already"
    assert again.first_scan_at == local(world.event, "10:30")
    assert scan(world, "door", code, at="10:10").scan.result == "already"
    assert again.scan.result == "already"
    assert again.first_scan_at == local(world.event, "10:30")


def test_checkpoints_are_independent(world):
    code = make_badge_code(world.people[0])
    assert scan(world, "door", code, at="11:45").scan.result == "ok"
    assert scan(world, "session:r1:a", code, at="11:45").scan.result == "ok"
    assert scan(world, "session:r2:a", code, at="12:10").scan.result == "ok"
    assert db.session.scalar(select(func.count()).select_from(Admission)) == 3


def test_wrong_room_says_where_they_are_expected(world):
    p4 = world.people[3]  # round 1: Beta in Salle B, theme blue
    code = make_badge_code(p4)
    outcome = scan(world, "session:r1:a", code)
    assert outcome.scan.result == "wrong_place"
    assert outcome.expected.room == "Salle B"
    assert outcome.expected.colour_name == "bleu" and outcome.expected.colour == "#1f5fa8"
    assert outcome.expected.label == "Salle B — bleu"
    assert db.session.scalar(select(func.count()).select_from(Admission)) == 0


def test_the_presenter_is_expected_where_they_present(world):
    code = make_badge_code(world.presenter)
    assert scan(world, "session:r1:a", code).scan.result == "ok"
    outcome = scan(world, "session:r1:b", code)
    assert outcome.scan.result == "wrong_place" and outcome.expected.room == "Salle A"


def test_wrong_workshop(world):
    code = make_badge_code(world.people[0])
    assert scan(world, "workshop:w1", code, at="14:30").scan.result == "ok"
    outcome = scan(world, "workshop:w2", code, at="14:31")
    assert outcome.scan.result == "wrong_place"
    assert outcome.expected.kind == "workshop" and outcome.expected.room == "Salle A"


def test_outside_the_window(world):
    code = make_badge_code(world.people[0])
    assert scan(world, "session:r1:a", code, at="11:39").scan.result == "outside_window"
    assert scan(world, "session:r1:a", code, at="12:16").scan.result == "outside_window"


@pytest.mark.parametrize("text", ["", "42", "p1", "A" * 114])
def test_unknown_codes_are_refused_and_logged(world, text):
    outcome = scan(world, "door", text)
    assert outcome.scan.result == "unknown"
    assert outcome.scan.participant_id is None
    assert db.session.scalar(select(func.count()).select_from(Scan)) == 1


def test_a_code_of_another_event_is_unknown(world):
    other = make_event()
    stranger = make_participant(other)
    code = make_badge_code(stranger)
    db.session.commit()
    assert scan(world, "door", code).scan.result == "unknown"


def test_a_valid_signature_without_a_badge_row_is_unknown(world):
    assert scan(world, "door", codes.encode(world.event.id, 12345)).scan.result == "unknown"


def test_every_scan_is_logged_with_who_and_where(world, staff):
    code = make_badge_code(world.people[3])
    request = ScanRequest(world.checkpoints["session:r1:a"], code, "n-1",
                          scanned_at=local(world.event, "11:51"), device="Pixel accueil")
    record_scan(world.event, request, staff, now=local(world.event, "11:52"))
    db.session.commit()
    row = db.session.scalar(select(Scan))
    assert (row.result, row.scanned_by_id, row.device) == ("wrong_place", staff.id,
                                                           "Pixel accueil")
    assert row.scanned_at == local(world.event, "11:51")
    assert row.received_at == local(world.event, "11:52")
    assert row.code_hash and code not in str(row.answer)


def test_a_device_clock_ahead_is_not_trusted(world):
    code = make_badge_code(world.people[0])
    outcome = scan(world, "session:r1:a", code, at="11:55",
                   scanned_at=local(world.event, "13:00"))
    assert outcome.scan.effective_at == local(world.event, "11:55")
    assert outcome.scan.result == "ok"


# --- idempotency and offline -----------------------------------------------------------

def test_a_replayed_nonce_is_one_row_and_the_same_answer(world):
    code = make_badge_code(world.people[3])
    first = scan(world, "session:r1:a", code, nonce="same")
    again = scan(world, "session:r1:a", code, nonce="same", at="11:58")
    assert again.replayed and again.scan.id == first.scan.id
    assert again.expected == first.expected
    assert db.session.scalar(select(func.count()).select_from(Scan)) == 1


def offline(world, key, code, at, nonce, device_result="ok"):
    return ScanRequest(world.checkpoints[key], code, nonce,
                       scanned_at=local(world.event, at), device="phone", offline=True,
                       device_result=device_result)


def test_an_offline_queue_is_applied_in_device_time_order_and_twice_adds_nothing(world):
    a, b = (make_badge_code(p) for p in world.people[:2])
    queue = [offline(world, "door", a, "10:40", "q3"),   # sent out of order
             offline(world, "door", a, "10:25", "q1"),
             offline(world, "door", b, "10:30", "q2")]
    outcomes = record_batch(world.event, queue, None, now=local(world.event, "10:50"))
    db.session.commit()
    assert [o.scan.result for o in outcomes] == ["already", "ok", "ok"]
    assert outcomes[0].first_scan_at == local(world.event, "10:25")
    again = record_batch(world.event, list(reversed(queue)), None,
                         now=local(world.event, "10:55"))
    db.session.commit()
    assert all(o.replayed for o in again)
    assert db.session.scalar(select(func.count()).select_from(Scan)) == 3
    assert db.session.scalar(select(func.count()).select_from(Admission)) == 2


def test_two_offline_devices_admitting_the_same_badge_are_both_kept_and_flagged(world):
    code = make_badge_code(world.people[0])
    # device B (scanned later) syncs first, device A (scanned earlier) afterwards
    record_batch(world.event, [offline(world, "door", code, "10:47", "b1")], None,
                 now=local(world.event, "10:50"))
    record_batch(world.event, [offline(world, "door", code, "10:42", "a1")], None,
                 now=local(world.event, "10:55"))
    db.session.commit()
    scans = {s.nonce: s for s in db.session.scalars(select(Scan))}
    assert len(scans) == 2
    assert scans["b1"].conflict and not scans["a1"].conflict  # the later one is flagged
    admission = db.session.scalar(select(Admission))
    assert admission.admitted_at == local(world.event, "10:42")
    assert admission.scan_id == scans["a1"].id


def test_a_device_that_already_refused_locally_is_no_conflict(world):
    code = make_badge_code(world.people[0])
    scan(world, "door", code, at="10:30")
    record_batch(world.event, [offline(world, "door", code, "10:35", "x",
                                       device_result="already")], None,
                 now=local(world.event, "10:40"))
    db.session.commit()
    assert not db.session.scalar(select(func.count()).select_from(Scan)
                                 .where(Scan.conflict.is_(True)))


def test_an_online_already_is_no_conflict(world):
    code = make_badge_code(world.people[0])
    assert scan(world, "door", code, at="10:30").scan.result == "ok"
    assert not scan(world, "door", code, at="10:31").scan.conflict


def test_before_publication_everyone_is_expected_everywhere(app):
    world = build_world()
    world.checkpoints = make_checkpoints(world.event)
    code = make_badge_code(world.people[3])
    db.session.commit()
    assert scan(world, "session:r1:a", code).scan.result == "ok"


def test_deleting_a_presenter_in_the_builder_revokes_their_badge(world):
    """participant_erased is sent by the builder too (issue 14: signals replace the
    before_flush hook, which saw every deletion)."""
    from eventapp.builder import operations as builder

    person = world.people[0]
    make_badge_code(person)
    db.session.commit()
    builder.delete(person, confirmed=True)
    db.session.commit()
    badge = db.session.scalar(select(Badge))
    assert badge.participant_id is None and badge.revoked_reason == "erased"


def test_the_retention_purge_revokes_the_badges(world):
    person = world.people[0]
    make_badge_code(person)
    db.session.commit()
    registration.purge_expired(world.event.date + timedelta(days=3660))
    db.session.commit()
    badge = db.session.scalar(select(Badge))
    assert badge.participant_id is None and badge.revoked_reason == "erased"
