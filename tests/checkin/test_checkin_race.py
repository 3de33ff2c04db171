"""Simultaneous scans never admit twice nor lose a scan, on SQLite and on PostgreSQL.

Threads with their own sessions and connections, released together by a barrier: the
participant's row lock serialises them, the unique constraints back it up.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from eventapp.checkin.models import Admission, Checkpoint, Scan
from eventapp.checkin.operations import ScanRequest, record_batch, record_scan
from eventapp.events.models import Event
from eventapp.extensions import db
from tests.concurrency import run_concurrently
from tests.factories import local, make_badge_code, make_checkpoints, make_event, make_participant

THREADS = 6

# Each thread has its own session and connection: the data must really be committed.
pytestmark = pytest.mark.truncate_db


def _run(app, attempt, count: int = THREADS) -> list[str]:
    """``attempt(n)`` in ``count`` threads released together."""

    def started(n: int, start) -> str:
        start()
        return attempt(n)

    return run_concurrently(app, started, range(count))


def _door(app):
    event = make_event(slug="race")
    from tests.factories import make_round

    make_round(event, "10:00", key="r")
    person = make_participant(event)
    code = make_badge_code(person)
    door = make_checkpoints(event)["door"]
    db.session.commit()
    return event.id, door.id, code


def _scan(event_id: int, checkpoint_id: int, code: str, nonce: str) -> str:
    event = db.session.get(Event, event_id)
    checkpoint = db.session.get(Checkpoint, checkpoint_id)
    outcome = record_scan(event, ScanRequest(checkpoint, code, nonce), None,
                          now=local(event, "09:55"))
    return outcome.scan.result + (" (replayed)" if outcome.replayed else "")


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_simultaneous_scans_of_one_badge_give_exactly_one_ok(app):
    event_id, door_id, code = _door(app)
    outcomes = _run(app, lambda n: _scan(event_id, door_id, code, uuid.uuid4().hex))
    assert outcomes == ["already"] * (THREADS - 1) + ["ok"], outcomes
    assert _count(Admission) == 1
    assert _count(Scan) == THREADS


def test_one_nonce_sent_at_once_by_several_retries_is_one_row(app):
    event_id, door_id, code = _door(app)
    outcomes = _run(app, lambda n: _scan(event_id, door_id, code, "same-nonce"))
    assert outcomes == ["ok"] + ["ok (replayed)"] * (THREADS - 1), outcomes
    assert _count(Scan) == 1 and _count(Admission) == 1


def test_one_unknown_code_nonce_sent_at_once_is_one_row(app):
    event_id, door_id, _code = _door(app)
    outcomes = _run(app, lambda n: _scan(event_id, door_id, "NOT-A-BADGE", "same-nonce"))
    assert outcomes == ["unknown"] + ["unknown (replayed)"] * (THREADS - 1), outcomes
    assert _count(Scan) == 1


def test_two_offline_uploads_of_overlapping_queues_at_once(app):
    """Two phones upload at the same moment queues naming the same people in opposite
    orders: no deadlock, one admission each, every scan kept once, one conflict each."""
    event = make_event(slug="race2")
    from tests.factories import make_round

    make_round(event, "10:00", key="r")
    people = [make_participant(event) for _ in range(4)]
    codes = [make_badge_code(p) for p in people]
    door = make_checkpoints(event)["door"]
    db.session.commit()
    event_id, door_id = event.id, door.id

    def upload(n: int) -> str:
        event = db.session.get(Event, event_id)
        checkpoint = db.session.get(Checkpoint, door_id)
        order = codes if n % 2 == 0 else list(reversed(codes))
        requests = [ScanRequest(checkpoint, code, f"dev{n}-{i}",
                                scanned_at=local(event, f"09:{10 + i + n:02d}"),
                                device=f"dev{n}", offline=True, device_result="ok")
                    for i, code in enumerate(order)]
        results = record_batch(event, requests, None, now=local(event, "09:50"))
        return ",".join(sorted(o.scan.result for o in results))

    outcomes = _run(app, upload, count=2)
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    assert _count(Admission) == 4
    assert _count(Scan) == 8
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Scan)
                             .where(Scan.conflict.is_(True))) == 4
