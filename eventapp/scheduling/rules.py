"""The rules every seat change checks, worded for who asked, and the locks that make the
checks hold under concurrency.

The organiser's moves and a participant's own switch (:mod:`operations`), the move page's
options (:mod:`move_options`) and the sessions' and workshops' :class:`seating.Seating`
all refuse with the same :class:`SchedulingError` and the same words, so what a page
offers and what the move accepts cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVarTuple

from sqlalchemy import Select, func, select

from ..database import lock_row
from ..errors import Refused
from ..events.models import Event
from ..extensions import Model, db
from ..programme.models import Room, Session, Workshop, project_presenters, session_presenters
from ..registration.models import Participant, ParticipantStatus
from .models import Assignment, WorkshopAssignment
from .text import _

_Ts = TypeVarTuple("_Ts")


class SchedulingError(Refused):
    """A refused change, with a message for the organiser and optional details.
    ``rule`` names the broken rule when :func:`refuse` made it (a move may override a
    soft one), None otherwise."""

    def __init__(self, message: str, details: list[str] | None = None,
                 rule: str | None = None):
        super().__init__(message, details=details)
        self.rule = rule



# --- manual moves and participants' own switches ----------------------------------------
#
# The organiser's moves and a participant's own switch go through the same rule checks
# below; only the wording differs (third person for the organiser, second person for the
# participant), chosen by ``audience``.

ORGANISER = "organiser"
PARTICIPANT = "participant"


def refuse(rule: str, audience: str, **params: Any) -> SchedulingError:
    """The refusal of ``rule`` worded for ``audience``; ``error.rule`` names the rule."""
    messages = _PARTICIPANT_MESSAGES if audience == PARTICIPANT else _ORGANISER_MESSAGES
    return SchedulingError(messages[rule](params), rule=rule)


_ORGANISER_MESSAGES = {
    "not_registered": lambda p: _("%(name)s is not a registered participant (waiting list or "
                                  "cancelled).", name=p["name"]),
    "unavailable_round": lambda p: _("Unavailable: %(name)s is not available during this "
                                     "round.", name=p["name"]),
    "unavailable_slot": lambda p: _("Unavailable: %(name)s is not available during these "
                                    "workshops.", name=p["name"]),
    "presenter_busy": lambda p: _("Presenter busy: %(name)s presents their project during "
                                  "this round.", name=p["name"]),
    "step_free": lambda p: _("Accessibility: %(name)s needs step-free access and “%(room)s” "
                             "is not step-free.", name=p["name"], room=p["room"]),
    "same_project": lambda p: _("Same project twice: %(name)s already attends “%(project)s” "
                                "in another round.", name=p["name"], project=p["project"]),
    "session_full": lambda p: _("Capacity: “%(project)s” has no seat left in this round "
                                "(%(taken)d / %(capacity)d).", project=p["project"],
                                taken=p["taken"], capacity=p["capacity"]),
    "room_full": lambda p: _("Capacity: room “%(room)s” is full in this round "
                             "(%(taken)d / %(capacity)d).", room=p["room"], taken=p["taken"],
                             capacity=p["capacity"]),
    "workshop_full": lambda p: _("Capacity: the workshop “%(workshop)s” is full "
                                 "(%(taken)d / %(capacity)d).", workshop=p["workshop"],
                                 taken=p["taken"], capacity=p["capacity"]),
    "theme_variety": lambda p: _("Theme variety: %(name)s would see only %(got)d different "
                                 "theme(s); the event asks for %(needed)d.", name=p["name"],
                                 got=p["got"], needed=p["needed"]),
    "min_audience": lambda p: _("Minimum audience: “%(project)s” would keep only %(left)d "
                                "participants, below its minimum of %(minimum)d.",
                                project=p["project"], left=p["left"], minimum=p["minimum"]),
    "min_audience_join": lambda p: _("Minimum audience: “%(project)s” has nobody yet and "
                                     "would have only 1 participant, below its minimum of "
                                     "%(minimum)d.", project=p["project"],
                                     minimum=p["minimum"]),
}

_PARTICIPANT_MESSAGES = {
    "not_registered": lambda p: _("Only registered participants can change their "
                                  "programme (you are on the waiting list or cancelled)."),
    "unavailable_round": lambda p: _("You told the organisers you are not available during "
                                     "this round."),
    "unavailable_slot": lambda p: _("You told the organisers you are not available during "
                                    "these workshops."),
    "presenter_busy": lambda p: _("You present your own project during this round."),
    "step_free": lambda p: _("Room “%(room)s” has no step-free access, which you need.",
                             room=p["room"]),
    "same_project": lambda p: _("You already see “%(project)s” in round %(number)d.",
                                project=p["project"], number=p["number"]),
    "session_full": lambda p: _("This presentation is full: “%(project)s” has no seat left.",
                                project=p["project"]),
    "room_full": lambda p: _("This presentation is full: room “%(room)s” has no seat left "
                             "in this round.", room=p["room"]),
    "workshop_full": lambda p: _("This workshop is full: “%(workshop)s” has no seat left.",
                                 workshop=p["workshop"]),
    "theme_variety": lambda p: _("Theme variety: with this change you would see only "
                                 "%(got)d different theme(s) and the event asks for "
                                 "%(needed)d. Choose a presentation of another theme.",
                                 got=p["got"], needed=p["needed"]),
    "min_audience": lambda p: _("“%(project)s” needs at least %(minimum)d participants and "
                                "would keep only %(left)d without you: you cannot leave it.",
                                project=p["project"], left=p["left"], minimum=p["minimum"]),
    "min_audience_join": lambda p: _("“%(project)s” has nobody yet and needs at least "
                                     "%(minimum)d participants: you cannot open it alone.",
                                     project=p["project"], minimum=p["minimum"]),
}

# Rules an organiser may break on purpose with "move anyway" (recorded in MoveOverride):
# they describe a state the next moves can repair, and publication still checks them.
# The others (capacity, step-free access, availability, presenting, the same project
# twice) describe what cannot happen on the day.
SOFT_RULES = ("min_audience", "min_audience_join", "theme_variety")


def refusal_message(rule: str, **params: Any) -> str:
    """The organiser's wording of ``rule`` (the move page shows it next to an option)."""
    return _ORGANISER_MESSAGES[rule](params)


def lock(model: type[Model], row_id: int) -> None:
    """Serialise the writers that count seats, until the transaction ends
    (:func:`eventapp.database.lock_row`)."""
    lock_row(model, row_id)


def lock_event(event: Event, *, shared: bool) -> None:
    """Publishing (exclusive) and participants' switches (shared) exclude each other, so a
    switch never edits a snapshot that a publication committing at the same moment has
    already replaced. PostgreSQL: FOR UPDATE / FOR SHARE on the event row; SQLite: the
    write lock (as :func:`lock`)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Event.id).where(Event.id == event.id)
                           .with_for_update(read=shared))
    else:
        lock(Event, event.id)


def lock_all(rows: Sequence[tuple[type[Model], int]]) -> None:
    """Lock rows in a fixed order (participant, rooms, then sessions or workshops by id),
    the same in every writer, so two moves never wait for each other in a cycle."""
    order: dict[type[Model], int] = {Participant: 0, Room: 1, Session: 2, Workshop: 2}
    for model, row_id in sorted(set(rows), key=lambda r: (order[r[0]], r[1])):
        lock(model, row_id)


def presenting_rounds(participant: Participant) -> set[int]:
    """Rounds in which the participant presents (project presenter or session presenter)."""
    by_project = select(Session.round_id).join(
        project_presenters, project_presenters.c.project_id == Session.project_id
    ).where(project_presenters.c.participant_id == participant.id,
            Session.round_id.is_not(None))
    by_session = select(Session.round_id).join(
        session_presenters, session_presenters.c.session_id == Session.id
    ).where(session_presenters.c.participant_id == participant.id,
            Session.round_id.is_not(None))
    rounds = set(db.session.scalars(by_project)) | set(db.session.scalars(by_session))
    return {round_id for round_id in rounds if round_id is not None}  # none: the WHEREs


def seated(statement: Select[*_Ts],
           model: type[Assignment] | type[WorkshopAssignment]) -> Select[*_Ts]:
    """Only rows of registered participants hold a seat (not cancelled or waiting ones)."""
    return statement.join(Participant, Participant.id == model.participant_id).where(
        Participant.status == ParticipantStatus.REGISTERED)


def count_rows(statement: Select[*_Ts]) -> int:
    return db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
