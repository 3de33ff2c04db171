"""Reactions across areas go through the few named signals of eventapp/signals.py."""

from __future__ import annotations

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession

from eventapp import signals
from eventapp.calendars import receivers as calendar_receivers
from eventapp.checkin import receivers as checkin_receivers

NAMED = {"schedule_published", "assignment_changed", "participant_cancelled",
         "participant_erased"}


def _receivers(signal) -> set:
    return {receiver.__module__ for receiver in signal.receivers_for(object())}


def test_few_named_signals_each_with_its_receivers(app):
    names = {name for name, value in vars(signals).items()
             if not name.startswith("_") and hasattr(value, "connect")}
    assert names == NAMED
    assert _receivers(signals.schedule_published) == {calendar_receivers.__name__}
    assert _receivers(signals.assignment_changed) == {calendar_receivers.__name__}
    assert _receivers(signals.participant_cancelled) == {checkin_receivers.__name__}
    assert _receivers(signals.participant_erased) == {checkin_receivers.__name__}


def test_no_global_flush_hook_revokes_badges(app):
    """Check-in used to watch every flush of every session for participants; the
    registration area now says what happened (participant_cancelled / _erased)."""
    from eventapp.checkin import models

    assert not any(sa_event.contains(OrmSession, "before_flush", value)
                   for value in vars(models).values() if callable(value))
