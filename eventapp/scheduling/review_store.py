"""Schedule reviews computed once and read back (``ScheduleReview``).

Reviewing a schedule evaluates the whole day: at 10,000 people, exporting the instance,
``scheduler.evaluate`` and the unlucky findings cost about a second per page, and the
organiser's overview, a solve's page and the check before publishing show the review at
every visit. The figures (``review.review_data``) are stored the first time a page needs
them and read back after, named again with the catalogue (cheap).

A solve's review never goes stale: the job keeps the instance and the solution it
reviews. The draft's does, as soon as anything it is computed from changes, so every
draft review is deleted whenever the session writes a row of those tables, by the unit of
work (new, changed and deleted objects at each flush) or by an ORM ``update``/``delete``/
``insert`` statement (the draft is rewritten by bulk statements): conservative, since
every event's draft review goes (recomputed at its next visit), and cheap, since a
``DELETE`` of no row locks nothing. A review computed by a request while another commits
a change could be stored after that change's deletion; it is then stale until the next
change (no lock is taken to rule that out: the registrations of a burst would queue
behind it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Table, delete, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.sql.expression import ColumnClause

from ..database import commit_keeping_loaded
from ..extensions import db
from .models import ScheduleReview

DRAFT = "draft"                  # the draft's review
DRAFT_CHANGES = "draft-changes"  # who the draft moves since the latest publication
DRAFT_PREVIEW = "draft-preview"  # who publishing the draft now would tell

# What a draft's review is computed from: the instance (the programme, the participants
# with their wishes, themes and unavailabilities, the registration settings), the
# assignments, and the publications (the changes since the last one).
WATCHED_TABLES = frozenset({
    "events", "registration_settings", "themes", "rooms", "projects", "rounds",
    "workshop_slots", "workshops", "sessions", "programme_items", "participants",
    "project_wishes", "workshop_wishes", "participant_themes",
    "participant_unavailable_rounds", "participant_unavailable_slots",
    "assignments", "workshop_assignments", "publications", "published_schedules",
})


def job_source(job_id: int) -> str:
    """A solve's review: it never goes stale (the job keeps what it reviews)."""
    return f"job-{job_id}"


def job_changes_source(job_id: int) -> str:
    """Who a solve's schedule moves since the latest publication: stale when a
    publication is made, so forgotten with the draft's figures."""
    return f"changes-job-{job_id}"


def stored_review_data(event_id: int, source: str, compute: Callable[[], Any],
                       job_id: int | None = None) -> Any:
    """The stored figures of ``source``'s review, else ``compute()``'s, stored (and
    committed, keeping what the request loaded: a GET page that fills its cache)."""
    data = db.session.scalar(select(ScheduleReview.data).where(
        ScheduleReview.event_id == event_id, ScheduleReview.source == source))
    if data is not None:
        return data
    # (as it reads back: JSON makes the counters dictionaries)
    data = json.loads(json.dumps(compute()))
    review = ScheduleReview(event_id=event_id, source=source, job_id=job_id, data=data)
    try:
        with db.session.begin_nested():
            db.session.add(review)
    except IntegrityError:  # a simultaneous request stored it first: the same figures
        pass
    commit_keeping_loaded()
    return data


def _watched(objects: Iterable[Any]) -> bool:
    return any(getattr(type(obj), "__tablename__", None) in WATCHED_TABLES for obj in objects)


def _forget_draft_reviews(session: Session) -> None:
    table = ScheduleReview.__table__
    assert isinstance(table, Table)  # a model's table
    session.connection().execute(delete(table).where(table.c.source.not_like("job-%")))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    """(the lists still hold what this flush wrote)"""
    if _watched(session.new) or _watched(session.dirty) or _watched(session.deleted):
        _forget_draft_reviews(session)


@event.listens_for(Session, "do_orm_execute")
def _on_statement(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in WATCHED_TABLES and not _a_lock(state):
        _forget_draft_reviews(state.session)


def _a_lock(state: ORMExecuteState) -> bool:
    """An ``UPDATE`` that sets columns to themselves: SQLite's row lock (a scan locks its
    person so, ``checkin.scan_sql``), which changes nothing (and must cost no statement)."""
    values = getattr(state.statement, "_values", None) or {}
    return state.is_update and bool(values) and all(
        isinstance(value, ColumnClause) and value.name == getattr(column, "name", column)
        for column, value in values.items())
