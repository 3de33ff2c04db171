"""Sessions and workshops behind one interface: a :class:`Seating` says how a person takes a
place at one time of the day (a session in a round, a workshop in a slot).

The organiser's move (:func:`operations.move_to`), a participant's own switch
(:func:`operations.switch_to`), the move page's options and the portal's change page go
through one path and ask the seating only for what really differs: the models and columns,
the rules of a session (presenting, the same project twice, room seats, theme variety,
the minimum audience) that a workshop does not have, and the words.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import select

from scheduler import DEFAULT_OPTIONS

from ..events.models import Event
from ..extensions import Model, db
from ..programme.catalogue import Catalogue
from ..programme.models import Project, Room, Round, Session, Workshop, WorkshopSlot
from ..registration.models import Participant, ParticipantStatus
from .models import Assignment, WorkshopAssignment
from .move_options import MoveOption, round_options, slot_options
from .queries import SwitchOption, round_numbers, session_options, workshop_options
from .rules import (
    PARTICIPANT,
    SOFT_RULES,
    SchedulingError,
    count_rows,
    lock,
    lock_all,
    presenting_rounds,
    refuse,
    seated,
)
from .text import _

Place = Session | Workshop

# One kind of place: a session of a round seated by an Assignment, or a workshop of a slot
# seated by a WorkshopAssignment.
PlaceT = TypeVar("PlaceT", Session, Workshop)
WhenT = TypeVar("WhenT", Round, WorkshopSlot)
RowT = TypeVar("RowT", Assignment, WorkshopAssignment)


@dataclass
class SeatPlan(Generic[PlaceT, WhenT, RowT]):
    """What a move needs once the rules that do not depend on seats passed."""

    target: PlaceT
    room: Room
    when: WhenT
    current: RowT | None     # the person's assignment there, if they have one
    audience: str
    others: list[Assignment] = field(default_factory=list)  # sessions: their other rounds


@dataclass(frozen=True)
class SeatingWords:
    """The sentences that name the place ("presentation", "workshop") for each reader."""

    foreign: str            # organiser: the place is not of this event
    not_in_day: str         # participant: the place is not of their day
    nothing_to_change: str  # participant: no place at that time
    already_there: str      # participant: they already have it
    chosen_by_organisers: str  # participant: a pinned place


class Seating(ABC, Generic[PlaceT, WhenT, RowT]):
    """One kind of place. ``kind`` ("session"/"workshop") is what the switch log, the move
    overrides and the day items store; ``when_kind`` ("round"/"slot") what URLs, form
    prefixes and pins say."""

    kind: str
    when_kind: str
    when_model: type[WhenT]
    target_model: type[PlaceT]
    assignment_model: type[RowT]
    when_column: str        # on the target and the assignment: "round_id" / "slot_id"
    target_column: str      # on the assignment: "session_id" / "workshop_id"
    snapshot_field: str     # on PublishedSchedule: "sessions" / "workshops"

    def when_id(self, target: PlaceT) -> int | None:
        when_id: int | None = getattr(target, self.when_column)
        return when_id

    def target_id(self, row: RowT) -> int:
        target_id: int = getattr(row, self.target_column)
        return target_id

    def current_row(self, participant: Participant, when_id: int) -> RowT | None:
        """The participant's assignment at ``when_id``, or None."""
        model = self.assignment_model
        return db.session.scalar(select(model).where(
            model.participant_id == participant.id,
            getattr(model, self.when_column) == when_id))

    def get_target(self, target_id: int) -> PlaceT | None:
        """The place of that id, None if there is none (the id may come from a form)."""
        return db.session.get(self.target_model, target_id)

    def targets_of(self, when_id: int) -> list[PlaceT]:
        return list(db.session.scalars(select(self.target_model).where(
            getattr(self.target_model, self.when_column) == when_id)))

    def blocked(self, participant: Participant) -> dict[int, list[str]]:
        """When id -> the rules that keep the person from any place at that time, in the
        order the writers check them (a fixed number of queries)."""
        return {w.id: [self.unavailable_rule]
                for w in getattr(participant, self.unavailable_attr)}

    def blocked_rule(self, participant: Participant, when_id: int) -> str | None:
        """The first rule that keeps the person from any place at this time, if one does."""
        return next(iter(self.blocked(participant).get(when_id, [])), None)

    unavailable_attr: str   # "unavailable_rounds" / "unavailable_slots"
    unavailable_rule: str   # "unavailable_round" / "unavailable_slot"

    def check_person(self, participant: Participant, when_id: int, room: Room,
                     audience: str) -> None:
        """The rules of the person's own situation, in the order every writer checks them:
        registered, available (not presenting), step-free access if needed."""
        name = participant.full_name or participant.key
        if participant.status != ParticipantStatus.REGISTERED:
            raise refuse("not_registered", audience, name=name)
        rule = self.blocked_rule(participant, when_id)
        if rule is not None:
            raise refuse(rule, audience, name=name)
        if participant.needs_step_free and not room.step_free:
            raise refuse("step_free", audience, name=name, room=room.name)

    @property
    @abstractmethod
    def words(self) -> SeatingWords:
        """This kind's sentences, in the request's language."""

    @abstractmethod
    def plan(self, event: Event, participant: Participant, target: PlaceT,
             audience: str) -> SeatPlan[PlaceT, WhenT, RowT]:
        """Lock, then check the rules that do not depend on seats."""

    @abstractmethod
    def seat(self, event: Event, participant: Participant,
             plan: SeatPlan[PlaceT, WhenT, RowT], *, pin: bool,
             overridden: list[str] | None = None) -> RowT:
        """Check the seats (and the soft rules), then write the move. ``overridden``: a
        list to collect the soft rules broken instead of refusing them (the organiser's
        "move anyway"); None refuses every rule."""

    @abstractmethod
    def move_options(self, cat: Catalogue, person: Participant, current: dict[int, int]
                     ) -> dict[int, list[MoveOption[PlaceT]]]:
        """When id -> what the organiser's move page offers (see :mod:`move_options`)."""

    @abstractmethod
    def switch_options(self, participant: Participant, when: WhenT) -> list[SwitchOption]:
        """What the participant's change page lists, with free seats."""

    @abstractmethod
    def full_refusal(self, option: SwitchOption) -> str:
        """Why an option without a free seat cannot be taken, in the participant's words."""

    def leaving_refusal(self, current: SwitchOption) -> str | None:
        """A rule that keeps the person in their place now (none but for sessions)."""
        return None

    def day_refusals(self, participant: Participant, options: list[SwitchOption]
                     ) -> dict[int, str]:
        """Rules that depend on the rest of the person's day (none but for sessions)."""
        return {}

    @abstractmethod
    def switch_heading(self, number: int) -> str:
        """The title of the participant's change page."""


class SessionSeating(Seating[Session, Round, Assignment]):
    kind = "session"
    when_kind = "round"
    when_model = Round
    target_model = Session
    assignment_model = Assignment
    when_column = "round_id"
    target_column = "session_id"
    snapshot_field = "sessions"
    unavailable_attr = "unavailable_rounds"
    unavailable_rule = "unavailable_round"

    @property
    def words(self) -> SeatingWords:
        return SeatingWords(
            foreign=_("This session does not belong to the event."),
            not_in_day=_("This presentation is not part of your day."),
            nothing_to_change=_("You have no place in this round to change."),
            already_there=_("This is already your presentation for this round."),
            chosen_by_organisers=_("The organisers chose your place in this round themselves: "
                                   "ask them if you need to change it."),
        )

    def blocked(self, participant: Participant) -> dict[int, list[str]]:
        result = super().blocked(participant)
        for round_id in presenting_rounds(participant):
            result.setdefault(round_id, []).append("presenter_busy")
        return result

    def plan(self, event: Event, participant: Participant, target: Session,
             audience: str) -> SeatPlan[Session, Round, Assignment]:
        """Lock, then check status, availability, presenting, step-free access, the same
        project twice."""
        session = target
        if session.event_id != event.id or participant.event_id != event.id:
            raise SchedulingError(self.words.foreign)
        if session.round_id is None or session.room_id is None:
            raise SchedulingError(_("This session has no round or room yet."))
        room = db.session.get_one(Room, session.room_id)
        round_ = db.session.get_one(Round, session.round_id)
        lock(Participant, participant.id)
        current = self.current_row(participant, round_.id)
        locks: list[tuple[type[Model], int]] = [(Room, room.id), (Session, session.id)]
        if current is not None:
            locks.append((Session, current.session_id))
        lock_all(locks)
        self.check_person(participant, round_.id, room, audience)
        others = db.session.scalars(select(Assignment).where(
            Assignment.participant_id == participant.id, Assignment.round_id != round_.id)).all()
        for other in others:
            seen = db.session.get_one(Session, other.session_id)
            if seen.project_id == session.project_id:
                raise refuse("same_project", audience,
                             name=participant.full_name or participant.key,
                             project=session.project.name,
                             number=round_numbers(event).get(other.round_id, 0))
        return SeatPlan(session, room, round_, current, audience, list(others))

    def seat(self, event: Event, participant: Participant,
             plan: SeatPlan[Session, Round, Assignment], *, pin: bool,
             overridden: list[str] | None = None) -> Assignment:
        self._check_seats(participant, plan)
        current = plan.current
        soft: list[Callable[[], None]] = [
            lambda: self._check_theme_variety(event, participant, plan),
            lambda: self._check_min_audience_on_joining(plan.target, participant,
                                                        plan.audience)]
        if current is not None:
            leaving = current.session_id
            soft.append(lambda: self._check_min_audience_after_leaving(leaving, participant,
                                                                       plan.audience))
        for check in soft:
            try:
                check()
            except SchedulingError as error:
                if overridden is None or error.rule is None or error.rule not in SOFT_RULES:
                    raise
                overridden.append(error.rule)
        if current is not None:
            current.session_id = plan.target.id
            current.pinned = pin
        else:
            current = Assignment(participant_id=participant.id, round_id=plan.when.id,
                                 session_id=plan.target.id, pinned=pin)
            db.session.add(current)
        db.session.flush()
        # Counted again inside the transaction after the write (belt and braces: the locks
        # above already serialise the writers of these rows).
        self._check_seats(participant, plan)
        return current

    @staticmethod
    def _check_theme_variety(event: Event, participant: Participant,
                             plan: SeatPlan[Session, Round, Assignment]) -> None:
        """Rule 8: the sessions attended cover min(min_distinct_themes, rounds attended)
        themes."""
        wanted = _wanted_themes(event)
        if wanted <= 1:
            return
        sessions = [db.session.get_one(Session, a.session_id) for a in plan.others] + \
            [plan.target]
        themes = {s.project.theme_id for s in sessions}
        needed = min(wanted, len(sessions))
        if len(themes) < needed:
            raise refuse("theme_variety", plan.audience,
                         name=participant.full_name or participant.key,
                         got=len(themes), needed=needed)

    @staticmethod
    def _check_seats(participant: Participant,
                     plan: SeatPlan[Session, Round, Assignment]) -> None:
        """Seats taken by others, plus this person, must fit in the session and the room."""
        session, room = plan.target, plan.room
        taken = count_rows(seated(select(Assignment.id), Assignment).where(
            Assignment.session_id == session.id, Assignment.participant_id != participant.id))
        capacity = session.effective_capacity or 0
        if taken + 1 > capacity:
            raise refuse("session_full", plan.audience, project=session.project.name,
                         taken=taken, capacity=capacity)
        in_room = count_rows(seated(select(Assignment.id), Assignment)
                             .join(Session, Session.id == Assignment.session_id)
                             .where(Session.room_id == room.id,
                                    Assignment.round_id == plan.when.id,
                                    Assignment.participant_id != participant.id))
        if in_room + 1 > room.capacity:
            raise refuse("room_full", plan.audience, room=room.name, taken=in_room,
                         capacity=room.capacity)

    @staticmethod
    def _check_min_audience_after_leaving(session_id: int, participant: Participant,
                                          audience: str) -> None:
        old = db.session.get_one(Session, session_id)
        left = count_rows(seated(select(Assignment.id), Assignment).where(
            Assignment.session_id == old.id, Assignment.participant_id != participant.id))
        if 0 < left < old.min_audience:
            raise refuse("min_audience", audience, project=old.project.name, left=left,
                         minimum=old.min_audience)

    @staticmethod
    def _check_min_audience_on_joining(session: Session, participant: Participant,
                                       audience: str) -> None:
        """The other side of the minimum audience: opening an empty session with one person
        leaves it under its minimum just as leaving one does (publication refuses both)."""
        others = count_rows(seated(select(Assignment.id), Assignment).where(
            Assignment.session_id == session.id, Assignment.participant_id != participant.id))
        if others == 0 and session.min_audience > 1:
            raise refuse("min_audience_join", audience, project=session.project.name,
                         minimum=session.min_audience)

    def move_options(self, cat: Catalogue, person: Participant, current: dict[int, int]
                     ) -> dict[int, list[MoveOption[Session]]]:
        return round_options(cat, person, current)

    def switch_options(self, participant: Participant, when: Round) -> list[SwitchOption]:
        return session_options(participant, when)

    def full_refusal(self, option: SwitchOption) -> str:
        if option.capacity - option.taken > 0:  # seats at the table, none in the room
            assert option.room is not None  # a session is offered once placed in a room
            return refuse("room_full", PARTICIPANT, room=option.room.name).message
        return refuse("session_full", PARTICIPANT, project=option.title).message

    def leaving_refusal(self, current: SwitchOption) -> str | None:
        leaving, left = _session_of(current), current.taken
        if 0 < left < leaving.min_audience:
            return refuse("min_audience", PARTICIPANT, project=leaving.project.name,
                          left=left, minimum=leaving.min_audience).message
        return None

    def day_refusals(self, participant: Participant, options: list[SwitchOption]
                     ) -> dict[int, str]:
        """The same project twice, the variety of themes."""
        if not options:
            return {}
        event = participant.event
        round_id = _session_of(options[0]).round_id
        seen = db.session.execute(
            select(Session.project_id, Assignment.round_id, Project.theme_id)
            .join(Assignment, Assignment.session_id == Session.id)
            .join(Project, Project.id == Session.project_id)
            .where(Assignment.participant_id == participant.id,
                   Assignment.round_id != round_id)
        ).all()
        numbers = round_numbers(event)
        by_project = {project_id: numbers.get(other_round, 0)
                      for project_id, other_round, _theme in seen}
        wanted = _wanted_themes(event)
        themes = {theme for _p, _r, theme in seen}
        refusals: dict[int, str] = {}
        for option in options:
            session = _session_of(option)
            if session.project_id in by_project:
                refusals[session.id] = refuse("same_project", PARTICIPANT,
                                              project=option.title,
                                              number=by_project[session.project_id]).message
                continue
            needed = min(wanted, len(seen) + 1)
            assert option.project is not None  # every session option names its project
            got = len(themes | {option.project.theme_id})
            if wanted > 1 and got < needed:
                refusals[session.id] = refuse("theme_variety", PARTICIPANT, got=got,
                                              needed=needed).message
        return refusals

    def switch_heading(self, number: int) -> str:
        return _("Change my presentation for round %(number)d", number=number)


class WorkshopSeating(Seating[Workshop, WorkshopSlot, WorkshopAssignment]):
    kind = "workshop"
    when_kind = "slot"
    when_model = WorkshopSlot
    target_model = Workshop
    assignment_model = WorkshopAssignment
    when_column = "slot_id"
    target_column = "workshop_id"
    snapshot_field = "workshops"
    unavailable_attr = "unavailable_slots"
    unavailable_rule = "unavailable_slot"

    @property
    def words(self) -> SeatingWords:
        return SeatingWords(
            foreign=_("This workshop does not belong to the event."),
            not_in_day=_("This workshop is not part of your day."),
            nothing_to_change=_("You have no workshop at this time to change."),
            already_there=_("This is already your workshop at this time."),
            chosen_by_organisers=_("The organisers chose your workshop themselves: ask them if "
                                   "you need to change it."),
        )

    def plan(self, event: Event, participant: Participant, target: Workshop,
             audience: str) -> SeatPlan[Workshop, WorkshopSlot, WorkshopAssignment]:
        """Lock, check status, availability and step-free access."""
        workshop = target
        if workshop.event_id != event.id or participant.event_id != event.id:
            raise SchedulingError(self.words.foreign)
        slot = db.session.get_one(WorkshopSlot, workshop.slot_id)
        room = db.session.get_one(Room, workshop.room_id)
        lock(Participant, participant.id)
        lock_all([(Room, room.id), (Workshop, workshop.id)])
        self.check_person(participant, slot.id, room, audience)
        return SeatPlan(workshop, room, slot, self.current_row(participant, slot.id), audience)

    def seat(self, event: Event, participant: Participant,
             plan: SeatPlan[Workshop, WorkshopSlot, WorkshopAssignment], *, pin: bool,
             overridden: list[str] | None = None) -> WorkshopAssignment:
        """Check the workshop's seats (before and after the write), then move."""
        workshop, current = plan.target, plan.current

        def check_seats() -> None:
            taken = count_rows(seated(select(WorkshopAssignment.id), WorkshopAssignment).where(
                WorkshopAssignment.workshop_id == workshop.id,
                WorkshopAssignment.participant_id != participant.id))
            if taken + 1 > workshop.capacity:
                raise refuse("workshop_full", plan.audience, workshop=workshop.name,
                             taken=taken, capacity=workshop.capacity)

        check_seats()
        if current is not None:
            current.workshop_id = workshop.id
            current.pinned = pin
        else:
            current = WorkshopAssignment(participant_id=participant.id,
                                         slot_id=workshop.slot_id,
                                         workshop_id=workshop.id, pinned=pin)
            db.session.add(current)
        db.session.flush()
        check_seats()
        return current

    def move_options(self, cat: Catalogue, person: Participant, current: dict[int, int]
                     ) -> dict[int, list[MoveOption[Workshop]]]:
        return slot_options(cat, person, current)

    def switch_options(self, participant: Participant, when: WorkshopSlot
                       ) -> list[SwitchOption]:
        return workshop_options(participant, when)

    def full_refusal(self, option: SwitchOption) -> str:
        return refuse("workshop_full", PARTICIPANT, workshop=option.title).message

    def switch_heading(self, number: int) -> str:
        return _("Change my workshop")


def _session_of(option: SwitchOption) -> Session:
    """The session a switch option of a round offers (:func:`queries.session_options`
    lists sessions only)."""
    assert isinstance(option.target, Session)
    return option.target


def _wanted_themes(event: Event) -> int:
    return int((event.scheduling_options or {}).get(
        "min_distinct_themes", DEFAULT_OPTIONS["min_distinct_themes"]) or 0)


SESSIONS = SessionSeating()
WORKSHOPS = WorkshopSeating()
SEATINGS: tuple[Seating, ...] = (SESSIONS, WORKSHOPS)
BY_KIND = {s.kind: s for s in SEATINGS}
BY_WHEN_KIND = {s.when_kind: s for s in SEATINGS}


def seating_of(target: Place) -> Seating:
    """The seating of a session or a workshop."""
    return SESSIONS if isinstance(target, Session) else WORKSHOPS
