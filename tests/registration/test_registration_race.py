"""The last seats are never given twice, even to simultaneous registrations.

Needs PostgreSQL (real concurrent transactions): skipped on SQLite.
"""

from __future__ import annotations

import pytest

from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.registration import operations
from eventapp.registration.models import Participant
from tests.concurrency import run_concurrently
from tests.factories import make_event, make_registration_settings

THREADS = 8

# Threads with their own sessions and connections, on PostgreSQL only.
pytestmark = [pytest.mark.postgres, pytest.mark.truncate_db]


def _race(app, event_id: int) -> list[str]:
    def attempt(n: int, start) -> str:
        event = db.session.get(Event, event_id)
        start()
        details = operations.PersonDetails(first_name="P", last_name=str(n),
                                           email=f"p{n}@example.org", category="autre")
        result = operations.register(event, details, "fr")
        return "waiting" if result.waiting else "registered"

    return run_concurrently(app, attempt, range(THREADS),
                            refusals=(operations.RegistrationError,), request_context=True)


def _statuses(event_id: int) -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(
        db.select(Participant.status).where(Participant.event_id == event_id)))


def test_simultaneous_registrations_never_exceed_capacity(app):
    event = make_event()
    make_registration_settings(event, capacity=3, waiting_list=False)
    db.session.commit()
    outcomes = _race(app, event.id)
    assert outcomes == ["refused"] * 5 + ["registered"] * 3
    assert _statuses(event.id) == ["registered"] * 3


def test_simultaneous_registrations_overflow_to_the_waiting_list(app):
    event = make_event()
    make_registration_settings(event, capacity=1)
    db.session.commit()
    outcomes = _race(app, event.id)
    assert outcomes == ["registered"] + ["waiting"] * 7
    assert _statuses(event.id) == ["registered"] + ["waiting"] * 7


def test_simultaneous_registrations_of_one_address_make_one_person(app):
    """Without a capacity nothing is locked (issue 17): the same address posted by several
    requests at once (a double click) is one person, and every request is answered as a
    registration (the later ones as an address already registered)."""
    event = make_event()
    db.session.commit()
    event_id = event.id  # (read here: the threads have sessions of their own)

    def attempt(_n: int, start) -> str:
        loaded = db.session.get(Event, event_id)
        start()
        details = operations.PersonDetails(first_name="P", last_name="Q",
                                           email="same@example.org", category="autre")
        result = operations.register(loaded, details, "fr")
        return "already" if result.already else "registered"

    outcomes = run_concurrently(app, attempt, range(THREADS), request_context=True)
    assert outcomes == ["already"] * (THREADS - 1) + ["registered"], outcomes
    assert _statuses(event_id) == ["registered"]
