"""What a hand move may offer: every session of a round (workshop of a slot) with its free
seats, and, for the places a rule forbids, the reason in words.

The move page shows the forbidden places disabled with their reason instead of letting
the organiser pick one and be refused; places that only break a soft rule
(:data:`rules.SOFT_RULES`) are offered again in the "move anyway" form. Everything
is counted in a fixed number of queries, whatever the number of participants: the same
rules as :mod:`rules` (which still checks each move under its locks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute

from scheduler import DEFAULT_OPTIONS

from ..extensions import db
from ..programme.catalogue import Catalogue
from ..programme.models import Room, Session, Workshop
from ..registration.models import Participant, ParticipantStatus
from .models import Assignment, WorkshopAssignment
from .rules import SOFT_RULES, presenting_rounds, refusal_message

PlaceT = TypeVar("PlaceT", Session, Workshop)


@dataclass
class MoveOption(Generic[PlaceT]):
    """One place of a round or slot, as the move page offers it (``PlaceT``: a session of
    a round or a workshop of a slot)."""

    target: PlaceT
    title: str              # "Gamma — Salle A (rouge)"
    seats_left: int         # for this participant (their own seat not counted)
    is_current: bool
    rule: str | None = None     # the first rule a move here breaks, None when allowed
    reason: str = ""            # that rule in words

    @property
    def allowed(self) -> bool:
        return self.rule is None

    @property
    def soft(self) -> bool:
        """Forbidden only by a rule the organiser may break with "move anyway"."""
        return self.rule in SOFT_RULES


def _seated_counts(model: type[Assignment] | type[WorkshopAssignment],
                   column: InstrumentedAttribute[int], person: Participant,
                   *where: ColumnElement[bool]) -> dict[int, int]:
    """Seated participants other than ``person`` in ``model``, grouped by ``column`` (one
    query)."""
    rows = db.session.execute(
        select(column, func.count()).select_from(model)
        .join(Participant, Participant.id == model.participant_id)
        .where(Participant.status == ParticipantStatus.REGISTERED,
               model.participant_id != person.id, *where)
        .group_by(column))
    return dict(rows.all())


def _room_loads(person: Participant, round_ids: list[int]
                ) -> dict[tuple[int, int | None], int]:
    """(round id, room id) -> seated participants other than ``person`` (one query)."""
    rows = db.session.execute(
        select(Assignment.round_id, Session.room_id, func.count()).select_from(Assignment)
        .join(Session, Session.id == Assignment.session_id)
        .join(Participant, Participant.id == Assignment.participant_id)
        .where(Participant.status == ParticipantStatus.REGISTERED,
               Assignment.participant_id != person.id,
               Assignment.round_id.in_(round_ids))
        .group_by(Assignment.round_id, Session.room_id))
    return {(round_id, room_id): count for round_id, room_id, count in rows}


def session_title(cat: Catalogue, session: Session, room: Room) -> str:
    """"Project — Room · Table (colour name)": what an organiser recognises a session (placed
    in ``room``) by."""
    project = cat.session_project(session)
    theme = cat.themes[project.theme_id]
    label = room.table_label(session.table_number or 0) if room.tables > 1 else ""
    table = f" · {label}" if label else ""
    return f"{project.name} — {room.name}{table} ({theme.colour_name})"


def round_options(cat: Catalogue, person: Participant, current: dict[int, int]
                  ) -> dict[int, list[MoveOption[Session]]]:
    """Round id -> the round's placed sessions for ``person`` (``current``: round id ->
    their session id now), each with its free seats and, if forbidden, why."""
    round_ids = [r.id for r in cat.rounds]
    by_session = _seated_counts(Assignment, Assignment.session_id, person,
                                Assignment.round_id.in_(round_ids))
    by_room = _room_loads(person, round_ids)
    presenting = presenting_rounds(person)
    unavailable = {r.id for r in person.unavailable_rounds}
    wanted = int((cat.event.scheduling_options or {}).get(
        "min_distinct_themes", DEFAULT_OPTIONS["min_distinct_themes"]) or 0)
    name = person.full_name or person.key
    result: dict[int, list[MoveOption[Session]]] = {}
    for round_ in cat.rounds:
        others = [cat.sessions[s] for r, s in current.items() if r != round_.id]
        options: list[MoveOption[Session]] = []
        for session in cat.sessions.values():
            if session.round_id != round_.id or not session.room_id:
                continue
            room = cat.rooms[session.room_id]
            capacity = session.effective_capacity or 0
            in_session = by_session.get(session.id, 0)
            in_room = by_room.get((round_.id, room.id), 0)
            option = MoveOption(session, session_title(cat, session, room),
                                min(capacity - in_session, room.capacity - in_room),
                                current.get(round_.id) == session.id)
            if not option.is_current:
                _judge(cat, option, name=name, room=room, capacity=capacity,
                       in_session=in_session, in_room=in_room, others=others,
                       wanted=wanted, leaving=cat.sessions.get(current.get(round_.id, 0)),
                       by_session=by_session, blocked=round_.id in unavailable,
                       presents=round_.id in presenting, step_free=person.needs_step_free)
            options.append(option)
        options.sort(key=lambda o: (not o.allowed, o.title))
        result[round_.id] = options
    return result


def _judge(cat: Catalogue, option: MoveOption[Session], *, name: str, room: Room,
           capacity: int, in_session: int, in_room: int, others: list[Session], wanted: int,
           leaving: Session | None, by_session: dict[int, int], blocked: bool, presents: bool,
           step_free: bool) -> None:
    """Set the option's first broken rule, in the order :mod:`operations` checks them."""
    session = option.target
    project = cat.session_project(session)
    checks: list[tuple[str, bool, dict[str, Any]]] = [
        ("unavailable_round", blocked, {}),
        ("presenter_busy", presents, {}),
        ("step_free", step_free and not room.step_free, {"room": room.name}),
        ("same_project", any(s.project_id == session.project_id for s in others),
         {"project": project.name}),
        ("session_full", in_session + 1 > capacity,
         {"project": project.name, "taken": in_session, "capacity": capacity}),
        ("room_full", in_room + 1 > room.capacity,
         {"room": room.name, "taken": in_room, "capacity": room.capacity}),
    ]
    themes = {cat.session_project(s).theme_id for s in others} | {project.theme_id}
    needed = min(wanted, len(others) + 1)
    checks.append(("theme_variety", wanted > 1 and len(themes) < needed,
                   {"got": len(themes), "needed": needed}))
    checks.append(("min_audience_join", in_session == 0 and session.min_audience > 1,
                   {"project": project.name, "minimum": session.min_audience}))
    if leaving is not None:
        left = by_session.get(leaving.id, 0)
        checks.append(("min_audience", 0 < left < leaving.min_audience,
                       {"project": cat.session_project(leaving).name, "left": left,
                        "minimum": leaving.min_audience}))
    for rule, broken, params in checks:
        if broken:
            option.rule = rule
            option.reason = refusal_message(rule, name=name, **params)
            return


def slot_options(cat: Catalogue, person: Participant, current: dict[int, int]
                 ) -> dict[int, list[MoveOption[Workshop]]]:
    """Slot id -> the slot's workshops for ``person`` (``current``: slot id -> workshop
    id now), each with its free seats and, if forbidden, why."""
    taken = _seated_counts(WorkshopAssignment, WorkshopAssignment.workshop_id, person,
                           WorkshopAssignment.slot_id.in_([s.id for s in cat.slots]))
    unavailable = {s.id for s in person.unavailable_slots}
    name = person.full_name or person.key
    result: dict[int, list[MoveOption[Workshop]]] = {}
    for slot in cat.slots:
        options: list[MoveOption[Workshop]] = []
        for workshop in cat.workshops.values():
            if workshop.slot_id != slot.id:
                continue
            room = cat.rooms.get(workshop.room_id)
            count = taken.get(workshop.id, 0)
            option = MoveOption(workshop, workshop.name + (f" — {room.name}" if room else ""),
                                workshop.capacity - count, current.get(slot.id) == workshop.id)
            checks: list[tuple[str, bool, dict[str, Any]]] = [
                ("unavailable_slot", slot.id in unavailable, {}),
                ("step_free", person.needs_step_free and room is not None
                 and not room.step_free, {"room": room.name if room else ""}),
                ("workshop_full", count + 1 > workshop.capacity,
                 {"workshop": workshop.name, "taken": count, "capacity": workshop.capacity}),
            ]
            for rule, broken, params in checks if not option.is_current else []:
                if broken:
                    option.rule = rule
                    option.reason = refusal_message(rule, name=name, **params)
                    break
            options.append(option)
        options.sort(key=lambda o: (not o.allowed, o.title))
        result[slot.id] = options
    return result
