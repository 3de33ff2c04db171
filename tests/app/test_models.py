"""The rules the database itself enforces, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from eventapp.extensions import db
from eventapp.models import (
    Assignment,
    Event,
    Participant,
    Project,
    Room,
    Session,
    Theme,
    WorkshopAssignment,
)
from tests.factories import (
    make_event,
    make_participant,
    make_project,
    make_room,
    make_round,
    make_session,
    make_theme,
    make_workshop,
    make_workshop_slot,
)


def _refused(build) -> None:
    with pytest.raises(IntegrityError):
        build()
        db.session.flush()
    db.session.rollback()


def test_keys_are_unique_within_an_event_only(app):
    first, second = make_event(), make_event()
    make_theme(first, key="remobiliser")
    make_theme(second, key="remobiliser")
    _refused(lambda: make_theme(first, key="remobiliser"))


def test_theme_colour_must_be_hex_with_a_name(app):
    event = make_event()
    _refused(lambda: make_theme(event, colour="red"))
    _refused(lambda: make_theme(event, colour_name=""))


def test_room_needs_a_table_and_a_non_negative_capacity(app):
    event = make_event()
    _refused(lambda: make_room(event, tables=0))
    _refused(lambda: make_room(event, capacity=-5))


def test_a_project_presents_at_most_once_per_round(app):
    event = make_event()
    project, round_ = make_project(event), make_round(event)
    make_session(event, project, round=round_)
    _refused(lambda: make_session(event, project, round=round_))


def test_unplaced_sessions_of_one_project_may_coexist(app):
    event = make_event()
    project = make_project(event)
    make_session(event, project)
    make_session(event, project)
    assert len(project.sessions) == 2


def test_one_session_per_table_and_round(app):
    event = make_event()
    room, round_ = make_room(event, tables=2), make_round(event)
    make_session(event, round=round_, room=room, table_number=1)
    make_session(event, round=round_, room=room, table_number=2)
    _refused(lambda: make_session(event, round=round_, room=room, table_number=1))


def test_session_audience_rules(app):
    event = make_event()
    _refused(lambda: make_session(event, capacity=10, min_audience=11))
    _refused(lambda: make_session(event, min_audience=-1))
    _refused(lambda: make_session(event, table_number=1))  # a table needs a room


def test_round_must_end_after_it_starts(app):
    event = make_event()
    _refused(lambda: make_round(event, minutes=0))


def test_times_are_stored_in_utc_and_shown_in_the_event_timezone(app):
    event = make_event()
    round_ = make_round(event, start="11:50")
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(type(round_), round_.id)
    assert stored.starts_at.utcoffset() == timedelta(0)
    assert stored.starts_at.hour == 10  # 11:50 in Paris in December is 10:50 UTC
    assert event.to_local(stored.starts_at).strftime("%H:%M") == "11:50"


def test_summer_time_is_applied(app):
    event = make_event(date=date(2017, 7, 6))
    round_ = make_round(event, start="11:50")
    assert round_.starts_at.hour == 9  # CEST is UTC+2


def test_assignment_must_name_a_session_of_its_own_round(app):
    event = make_event()
    first, second = make_round(event), make_round(event, start="12:15")
    session = make_session(event, round=first)
    person = make_participant(event)
    db.session.add(Assignment(participant=person, round=first, session_id=session.id))
    db.session.flush()
    _refused(lambda: db.session.add(
        Assignment(participant=make_participant(event), round=second, session_id=session.id)))


def test_one_session_per_person_and_round(app):
    event = make_event()
    round_ = make_round(event)
    one, two = make_session(event, round=round_), make_session(event, round=round_)
    person = make_participant(event)
    db.session.add(Assignment(participant=person, round=round_, session_id=one.id))
    db.session.flush()
    _refused(lambda: db.session.add(
        Assignment(participant=person, round=round_, session_id=two.id)))


def test_workshop_assignment_must_match_the_workshop_slot(app):
    event = make_event()
    workshop = make_workshop(event)
    other_slot = make_workshop_slot(event, start="16:00")
    _refused(lambda: db.session.add(WorkshopAssignment(
        participant=make_participant(event), slot=other_slot, workshop_id=workshop.id)))


def test_participant_email_is_unique_per_event(app):
    event = make_event()
    make_participant(event, email="a@example.org")
    make_participant(make_event(), email="a@example.org")
    _refused(lambda: make_participant(event, email="a@example.org"))


def test_participant_category_and_role_are_checked(app):
    event = make_event()
    _refused(lambda: make_participant(event, category="pirate"))
    _refused(lambda: make_participant(event, role="king"))


def test_a_theme_used_by_projects_cannot_be_deleted_behind_their_back(app):
    event = make_event()
    project = make_project(event)
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(db.delete(Theme).where(Theme.id == project.theme_id))
        db.session.flush()
    db.session.rollback()


def test_deleting_an_event_deletes_its_whole_programme(app):
    event = make_event()
    room = make_room(event)
    round_ = make_round(event)
    session = make_session(event, round=round_, room=room)
    person = make_participant(event)
    db.session.add(Assignment(participant=person, round=round_, session_id=session.id))
    db.session.commit()
    db.session.execute(db.delete(Event).where(Event.id == event.id))
    db.session.commit()
    for model in (Room, Project, Session, Participant, Assignment, Theme):
        assert db.session.scalar(db.select(db.func.count()).select_from(model)) == 0, model
