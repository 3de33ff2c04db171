"""A scan's cost in SQL statements (issue 17): at most four per scan on the staff
page's route once the staff member, the event and the checkpoint are cached (the lock,
the read under it, the scan row with ``ON CONFLICT`` on its nonce, the admission), on
SQLite and PostgreSQL; and the cache never changes an answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import g
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from eventapp.auth.session_cache import USERS
from eventapp.checkin import scan_cache
from eventapp.checkin.models import Admission, Scan
from eventapp.extensions import db
from tests.checkin.test_checkin import checkin_world
from tests.factories import local

MAX_STATEMENTS = 4


@pytest.fixture
def cached(app) -> Iterator[None]:
    """The scan routes' caches on (the suite turns them off: its databases reuse ids)."""
    app.config["SCAN_CACHE_SECONDS"] = 60
    scan_cache.clear()
    USERS.clear()
    try:
        yield
    finally:
        scan_cache.clear()
        USERS.clear()


def _fresh_request() -> None:
    """Start the next request as a server would: no user loaded yet (the tests' app
    context, and its ``g``, outlives a request), nothing in the session's identity map."""
    g.pop("_login_user", None)
    db.session.expunge_all()


def _statements(call: Callable) -> tuple[object, list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        # The suite's sessions run inside a transaction of their own: a request's
        # commit is a RELEASE SAVEPOINT here, and no statement in a server.
        if "SAVEPOINT" not in statement:
            seen.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        result = call()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    return result, seen


def test_a_scan_costs_at_most_four_statements(app, cached, staff_client):
    world = checkin_world(lunch=True, with_codes=True)
    url = f"/manage/events/{world.event.slug}/checkin/scan"
    p1, p2, _p3, p4, p5 = (person.key for person in world.people)
    codes = dict(world.codes)
    door, room_a = world.checkpoints["door"].id, world.checkpoints["session:r1:a"].id
    workshop_2 = world.checkpoints["workshop:w2"].id
    times = {at: local(world.event, at).isoformat() for at in ("11:00", "11:55", "14:30")}

    def body(checkpoint: int, nonce: str, at: str = "11:55", **subject) -> dict:
        return {"checkpoint": checkpoint, "nonce": nonce, "scanned_at": times[at],
                **subject}

    # Warm the caches: the staff member, the event, each checkpoint and its label.
    for n, checkpoint in enumerate((door, room_a, workshop_2)):
        _fresh_request()
        staff_client.post(url, json=body(checkpoint, f"warm-{n}", code="NOT-A-BADGE"))
    cases = [
        (body(door, "a", code=codes[p1]), "ok"),
        (body(door, "b", code=codes[p1]), "already"),
        (body(room_a, "c", code=codes[p1]), "ok"),
        (body(room_a, "d", code=codes[p4]), "wrong_place"),
        (body(workshop_2, "e", "14:30", code=codes[p1]), "wrong_place"),
        (body(workshop_2, "f", "14:30", code=codes[p4]), "ok"),
        (body(door, "g", code="NOT-A-BADGE"), "unknown"),
        (body(door, "h", participant=p5), "ok"),
        (body(room_a, "i", "11:00", code=codes[p2]), "outside_window"),
    ]
    for data, result in cases:
        _fresh_request()
        response, seen = _statements(lambda data=data: staff_client.post(url, json=data))
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.get_json()["result"] == result, data
        assert len(seen) <= MAX_STATEMENTS, (result, seen)
    # An ok costs exactly the four: lock, read, scan, admission.
    _fresh_request()
    _response, seen = _statements(lambda: staff_client.post(
        url, json=body(door, "j", code=codes[p4])))
    assert len(seen) == MAX_STATEMENTS
    assert "INSERT INTO admissions" in seen[-1]
    # Every scan is a row, every ok one admission.
    assert db.session.scalar(select(func.count()).select_from(Scan)) == len(cases) + 4
    assert db.session.scalar(select(func.count()).select_from(Admission)) == 5


def test_the_cached_answer_is_the_uncached_one(app, staff_client):
    """The same scans, answered with the caches off then on, give the same answers."""
    world = checkin_world(lunch=True, with_codes=True)
    url = f"/manage/events/{world.event.slug}/checkin/scan"
    room_a = world.checkpoints["session:r1:a"]
    answers = {}
    for seconds in (0, 60):
        app.config["SCAN_CACHE_SECONDS"] = seconds
        scan_cache.clear()
        USERS.clear()
        try:
            for person in world.people:
                data = {"checkpoint": room_a.id, "nonce": f"{seconds}-{person.key}",
                        "code": world.codes[person.key],
                        "scanned_at": local(world.event, "11:55").isoformat()}
                answer = staff_client.post(url, json=data).get_json()
                for varying in ("nonce", "received_at"):
                    answer.pop(varying)
                answers.setdefault(person.key, []).append(answer)
        finally:
            scan_cache.clear()
            USERS.clear()
        db.session.execute(Admission.__table__.delete())
        db.session.commit()
    for key, (uncached, cached_answer) in answers.items():
        assert uncached == cached_answer, key


def test_a_signed_out_staff_member_is_refused_with_the_cache_on(app, cached, staff,
                                                                staff_client):
    """Ending the sessions drops the cached copy in this process."""
    world = checkin_world(with_codes=True)
    url = f"/manage/events/{world.event.slug}/checkin/scan"
    data = {"checkpoint": world.checkpoints["door"].id, "nonce": "x1",
            "code": world.codes[world.people[0].key]}
    assert staff_client.post(url, json=data).status_code == 200
    staff.is_active_account = False
    db.session.commit()
    g.pop("_login_user", None)
    response = staff_client.post(url, json={**data, "nonce": "x2"})
    assert response.status_code in (302, 401)
