"""Rehearsal: staff practise scanning before the day (and on the demo), time windows are
not checked; ending it checks them again and, by default, deletes the practice's scans
so that the real day does not answer "already" to everyone."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eventapp.checkin.models import Admission, Badge, Scan
from eventapp.checkin.operations import ScanRequest, end_rehearsal, record_scan, start_rehearsal
from eventapp.checkin.queries import checkpoint_bundle
from eventapp.extensions import db
from tests.checkin.test_checkin import checkin_world
from tests.factories import local


@pytest.fixture
def world(app):
    return checkin_world()


def _scan(world, key, person, hhmm, nonce) -> str:
    outcome = record_scan(world.event, ScanRequest(world.checkpoints[key], world.codes[person],
                                                   nonce), None, now=local(world.event, hhmm))
    db.session.commit()
    return outcome.scan.result


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_during_a_rehearsal_a_closed_checkpoint_admits_but_other_rules_hold(world):
    assert _scan(world, "door", "p1", "03:00", "before") == "outside_window"
    start_rehearsal(world.event)
    db.session.commit()
    assert _scan(world, "door", "p1", "03:01", "r1") == "ok"
    assert _scan(world, "door", "p1", "03:02", "r2") == "already"
    assert _scan(world, "session:r1:b", "p1", "03:03", "r3") == "wrong_place"
    bundle = checkpoint_bundle(world.event, world.checkpoints["door"])
    assert bundle["event"]["rehearsal"] is True
    assert bundle["checkpoint"]["window"]["enforced"] is False


def test_ending_a_rehearsal_deletes_its_scans_and_admissions_but_keeps_the_badges(world):
    start_rehearsal(world.event)
    db.session.commit()
    _scan(world, "door", "p1", "03:00", "r1")
    _scan(world, "door", "p2", "03:00", "r2")
    badges = _count(Badge)
    ended = end_rehearsal(world.event, discard_scans=True)
    db.session.commit()
    assert (ended.scans_deleted, ended.admissions_deleted) == (2, 2)
    assert _count(Scan) == 0 and _count(Admission) == 0 and _count(Badge) == badges
    assert _scan(world, "door", "p1", "03:00", "after") == "outside_window"
    assert _scan(world, "door", "p1", "10:30", "day") == "ok"  # not "already"


def test_ending_without_discarding_keeps_the_scans(world):
    start_rehearsal(world.event)
    db.session.commit()
    _scan(world, "door", "p1", "03:00", "r1")
    end_rehearsal(world.event, discard_scans=False)
    db.session.commit()
    assert _count(Scan) == 1 and _count(Admission) == 1


def test_the_organiser_starts_and_ends_it_from_the_dashboard(world, organiser_client):
    base = f"/manage/events/{world.event.slug}/checkin"
    assert "Start a rehearsal" in organiser_client.get(f"{base}/").get_data(as_text=True)
    response = organiser_client.post(f"{base}/rehearsal/start", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Rehearsal in progress" in html and "End the rehearsal" in html
    door = world.checkpoints["door"].id
    assert "Rehearsal: time windows are not checked" in organiser_client.get(
        f"{base}/scan/{door}").get_data(as_text=True)
    _scan(world, "door", "p1", "03:00", "r1")
    response = organiser_client.post(f"{base}/rehearsal/end", data={"discard_scans": "y"},
                                     follow_redirects=True)
    assert "1 scan deleted." in response.get_data(as_text=True)
    db.session.expire_all()
    assert world.event.checkin_rehearsal is False and _count(Scan) == 0


def test_the_demo_day_opens_in_rehearsal(app):
    from eventapp.demo.loader import load_demo

    event = load_demo()
    db.session.commit()
    assert event.checkin_rehearsal is True
