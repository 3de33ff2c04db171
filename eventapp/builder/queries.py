"""Read side of the organiser's builder: lists, the speed-dating grid, dependencies."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any, NamedTuple, TypeVar

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, contains_eager, selectinload

from ..events.models import Event
from ..events.queries import get_event_or_404, get_owned_or_404  # noqa: F401 (views use them)
from ..extensions import Model, db
from ..programme.grid import Grid, Seat, grid_rows, table_columns
from ..programme.models import (
    EventPeriod,
    ProgrammeItem,
    Project,
    Room,
    Round,
    Session,
    Theme,
    Workshop,
    WorkshopSlot,
    project_presenters,
    session_presenters,
)
from ..registration.models import Participant, ProjectWish, WorkshopWish
from ..scheduling.models import Assignment, WorkshopAssignment

__all__ = ["get_event_or_404"]

P = TypeVar("P", bound=EventPeriod)


# --- lists -------------------------------------------------------------------------------


def all_events() -> list[Event]:
    return list(db.session.scalars(db.select(Event).order_by(Event.date.desc(), Event.name)))


def themes(event: Event) -> list[Theme]:
    return list(db.session.scalars(db.select(Theme).where(Theme.event_id == event.id)
                                   .options(selectinload(Theme.projects))
                                   .order_by(Theme.position, Theme.name)))


def rooms(event: Event) -> list[Room]:
    return list(db.session.scalars(db.select(Room).where(Room.event_id == event.id)
                                   .options(selectinload(Room.themes))
                                   .order_by(Room.position, Room.name)))


def projects(event: Event) -> list[Project]:
    return list(db.session.scalars(
        db.select(Project).join(Project.theme).where(Project.event_id == event.id)
        .options(contains_eager(Project.theme), selectinload(Project.presenters),
                 selectinload(Project.sessions))
        .order_by(Theme.position, Project.position, Project.name)))


def _in_time_order(model: type[P], event: Event) -> list[P]:
    return list(db.session.scalars(db.select(model).where(model.event_id == event.id)
                                   .order_by(model.starts_at)))


def rounds(event: Event) -> list[Round]:
    return _in_time_order(Round, event)


def next_round_start(event: Event, changeover_minutes: int = 5) -> time | None:
    """Local time at which a new round would follow the last one, if any."""
    existing = rounds(event)
    if not existing:
        return None
    moment = event.to_local(existing[-1].ends_at) + timedelta(minutes=changeover_minutes)
    return moment.time().replace(second=0, microsecond=0)


def slots(event: Event) -> list[WorkshopSlot]:
    return list(db.session.scalars(
        db.select(WorkshopSlot).where(WorkshopSlot.event_id == event.id)
        .options(selectinload(WorkshopSlot.workshops).selectinload(Workshop.room))
        .order_by(WorkshopSlot.starts_at)))


def workshops(event: Event) -> list[Workshop]:
    return list(db.session.scalars(
        db.select(Workshop).join(Workshop.slot).where(Workshop.event_id == event.id)
        .options(selectinload(Workshop.room), selectinload(Workshop.slot))
        .order_by(WorkshopSlot.starts_at, Workshop.position, Workshop.name)))


def programme_items(event: Event) -> list[ProgrammeItem]:
    return list(db.session.scalars(db.select(ProgrammeItem)
                                   .where(ProgrammeItem.event_id == event.id)
                                   .options(selectinload(ProgrammeItem.room))
                                   .order_by(ProgrammeItem.starts_at)))


# What pages read of a session (round, room and its themes, project with its theme and
# presenters, extra presenters): loaded with the sessions, not one query per session.
SESSION_DETAILS = (
    selectinload(Session.round),
    selectinload(Session.room).selectinload(Room.themes),
    selectinload(Session.project).selectinload(Project.theme),
    selectinload(Session.project).selectinload(Project.presenters),
    selectinload(Session.extra_presenters),
)


# What a session's name (:func:`_session_name`) reads.
SESSION_NAME = (selectinload(Session.project), selectinload(Session.round))


def sessions(event: Event) -> list[Session]:
    """Sessions by round (unplaced last), room and table, with what the grid, the list
    and the placement checks read of each loaded in a fixed number of queries."""
    return sorted(
        db.session.scalars(db.select(Session).where(Session.event_id == event.id)
                           .options(*SESSION_DETAILS)),
        key=lambda s: (s.round is None, s.round.starts_at.isoformat() if s.round else "",
                       s.room.position if s.room else 0, s.room.name if s.room else "",
                       s.table_number or 0, s.project.name))


PEOPLE_PAGE = 20  # people per page of a presenter search (form and JSON)


@dataclass
class PeopleFound:
    """One page of a presenter search: who, and whether more match (refine or page on)."""

    people: list[Participant]
    more: bool


def search_people(event: Event, query: str, page: int = 1, per_page: int = PEOPLE_PAGE,
                  exclude: tuple[int, ...] | list[int] = ()) -> PeopleFound:
    """Who could present (not cancelled) whose name, organisation, email or key contains
    every word of ``query`` (case-insensitive), presenters first, then by name; one page
    of ``per_page``, in SQL: the forms that pick presenters no longer list the whole
    event (one checkbox per person was 1.7 MB at 10,000 people)."""
    words = query.split()[:5]
    if not words:
        return PeopleFound([], False)
    statement = select(Participant).where(Participant.event_id == event.id,
                                          Participant.status != "cancelled")
    for word in words:
        pattern = "%" + word.lower().replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_") + "%"
        statement = statement.where(or_(*(func.lower(column).like(pattern, escape="\\")
                                          for column in (Participant.first_name,
                                                         Participant.last_name,
                                                         Participant.organisation,
                                                         Participant.email,
                                                         Participant.key))))
    if exclude:
        statement = statement.where(Participant.id.not_in(list(exclude)))
    page = max(1, page)
    rows = list(db.session.scalars(
        statement.order_by((Participant.role != "presenter"), func.lower(Participant.last_name),
                           func.lower(Participant.first_name), Participant.id)
        .offset((page - 1) * per_page).limit(per_page + 1)))
    return PeopleFound(rows[:per_page], len(rows) > per_page)


def people_by_ids(event: Event, ids: list[int]) -> list[Participant]:
    """The event's people among ``ids`` (a form's chosen presenters), by name."""
    if not ids:
        return []
    return list(db.session.scalars(select(Participant).where(
        Participant.event_id == event.id, Participant.id.in_(list(ids)))
        .order_by(Participant.last_name, Participant.first_name, Participant.id)))


def presenters(event: Event) -> list[Participant]:
    """People with the presenter role or presenting a project."""
    presenting = select(project_presenters.c.participant_id)
    return list(db.session.scalars(db.select(Participant).where(
        Participant.event_id == event.id,
        or_(Participant.role == "presenter", Participant.id.in_(presenting)),
    ).order_by(Participant.last_name, Participant.first_name)))


def presenters_with_projects(event: Event) -> list[tuple[Participant, list[Project]]]:
    """Each presenter (:func:`presenters`) with the projects they present, in two
    queries whatever the number of presenters."""
    people = presenters(event)
    presented: dict[int, list[Project]] = defaultdict(list)
    for person_id, project in db.session.execute(
            db.select(project_presenters.c.participant_id, Project)
            .join(project_presenters, project_presenters.c.project_id == Project.id)
            .where(Project.event_id == event.id).order_by(Project.name)):
        presented[person_id].append(project)
    return [(person, presented.get(person.id, [])) for person in people]


def presented_projects(person: Participant) -> list[Project]:
    return list(db.session.scalars(
        db.select(Project).join(project_presenters,
                                project_presenters.c.project_id == Project.id)
        .where(project_presenters.c.participant_id == person.id).order_by(Project.name)))


def timeline(event: Event) -> list[tuple[Any, str]]:
    """Plenary items, rounds and workshop slots in time order, tagged by kind."""
    entries = ([(i, "item") for i in programme_items(event)]
               + [(r, "round") for r in rounds(event)]
               + [(s, "slot") for s in slots(event)])
    return sorted(entries, key=lambda entry: entry[0].starts_at)


def summary(event: Event) -> dict[str, int]:
    """How many of each thing the event holds (dashboard and delete confirmation)."""

    def count(model: type[Model]) -> int:
        return db.session.scalar(select(func.count()).select_from(model)
                                 .where(model.__table__.c.event_id == event.id)) or 0

    return {
        "themes": count(Theme), "rooms": count(Room), "projects": count(Project),
        "rounds": count(Round), "sessions": count(Session), "slots": count(WorkshopSlot),
        "workshops": count(Workshop), "items": count(ProgrammeItem),
        "participants": count(Participant),
        "unplaced": db.session.scalar(select(func.count()).select_from(Session).where(
            Session.event_id == event.id,
            or_(Session.round_id.is_(None), Session.room_id.is_(None)))) or 0,
    }


@dataclass(frozen=True)
class SetupStep:
    """One step of the event's setup checklist: done or not, what it says, where to go."""

    name: str
    title: str
    done: bool
    detail: str
    url: str


def setup_checklist(event: Event, counts: dict[str, int]) -> list[SetupStep]:
    """The setup steps in the order they depend on each other (themes and colours, rooms,
    projects and presenters, rounds, sessions, workshops, plenary items, registration).
    A step still to do links to the form that does it for several items at once.

    ``counts`` is :func:`summary`; one more statement counts projects without presenters.
    """
    alone = db.session.scalar(select(func.count()).select_from(Project).where(
        Project.event_id == event.id,
        ~select(project_presenters.c.project_id)
        .where(project_presenters.c.project_id == Project.id).exists())) or 0
    slug = event.slug

    def link(endpoint: str) -> str:
        return url_for(endpoint, slug=slug)

    def todo(done: bool, listing: str, adding: str) -> str:
        """A step still to do links to the form that does it; a done one to its list."""
        return link(listing if done else adding)

    projects_done = counts["projects"] > 0 and alone == 0
    return [
        SetupStep("themes", _("Themes and their colours"), counts["themes"] > 0,
                  ngettext("%(num)d theme", "%(num)d themes", counts["themes"]),
                  todo(counts["themes"] > 0, "programme.themes", "programme.quick_start")),
        SetupStep("rooms", _("Rooms"), counts["rooms"] > 0,
                  ngettext("%(num)d room", "%(num)d rooms", counts["rooms"]),
                  todo(counts["rooms"] > 0, "programme.rooms", "programme.quick_start")),
        SetupStep("projects", _("Projects and their presenters"), projects_done,
                  ngettext("%(num)d project", "%(num)d projects", counts["projects"])
                  + (" · " + ngettext("%(num)d without a presenter",
                                      "%(num)d without a presenter", alone) if alone else ""),
                  todo(counts["projects"] > 0, "programme.projects",
                       "programme.projects_quick")),
        SetupStep("rounds", _("Speed-dating rounds"), counts["rounds"] > 0,
                  ngettext("%(num)d round", "%(num)d rounds", counts["rounds"]),
                  todo(counts["rounds"] > 0, "programme.rounds", "programme.rounds_generate")),
        SetupStep("sessions", _("Sessions (who presents in which round)"),
                  counts["sessions"] > 0,
                  ngettext("%(num)d session", "%(num)d sessions", counts["sessions"]),
                  link("programme.grid")),
        SetupStep("workshops", _("Workshops"), counts["workshops"] > 0,
                  ngettext("%(num)d workshop", "%(num)d workshops", counts["workshops"]),
                  todo(counts["workshops"] > 0, "programme.workshops",
                       "programme.workshops_quick")),
        SetupStep("items", _("Plenary items (welcome, talks, lunch)"), counts["items"] > 0,
                  ngettext("%(num)d item", "%(num)d items", counts["items"]),
                  todo(counts["items"] > 0, "programme.timeline", "programme.items_quick")),
        SetupStep("registration", _("Registration"), event.stage != "draft",
                  _("Open") if event.stage == "open" else
                  _("Closed") if event.stage == "closed" else _("Not open yet (draft)"),
                  link("programme.event_open")),
    ]


def next_setup_step(event: Event) -> SetupStep | None:
    """The first setup step still to do (shown on the builder's pages while the event is a
    draft, so the organiser goes on without coming back to the checklist)."""
    if event.stage != "draft":
        return None
    return next((step for step in setup_checklist(event, summary(event)) if not step.done),
                None)


def session_assignment_count(session: Session) -> int:
    return db.session.scalar(select(func.count()).select_from(Assignment)
                             .where(Assignment.session_id == session.id)) or 0


def workshop_has_activity(workshop: Workshop) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(WorkshopAssignment)
                                  .where(WorkshopAssignment.workshop_id == workshop.id)))


# --- dependencies ------------------------------------------------------------------------

BLOCKS = "blocks"      # must be changed first: deletion refused
DELETES = "deletes"    # deleted too, after confirmation
DETACHES = "detaches"  # kept, but loses its link (room cleared, presenter removed...)


class Dependent(NamedTuple):
    """Something that depends on an item about to be deleted."""

    kind: str
    name: str
    effect: str
    target: Any = None  # the dependent row, when one row stands behind the name

    def describe(self) -> str:
        return f"{self.kind}: {self.name}"


def dependents_of(obj: Any) -> list[Dependent]:
    """What depends on ``obj``, and what deleting it would do to each (see the constants).

    Each entry reads as ``(kind, name, effect, target)``: a translated kind ("Project"),
    the dependent's name, BLOCKS / DELETES / DETACHES, and the row itself when there is
    one. The delete confirmation page lists them by name, and
    ``operations.delete`` refuses while any of them BLOCKS and otherwise applies
    all of them in the caller's transaction, so nothing is ever half-deleted.
    Handles Theme, Room, Project, Round, WorkshopSlot, Workshop, Session and Participant;
    anything else has no dependents.
    """
    finder = _DEPENDENCY_FINDERS.get(type(obj))
    return finder(obj) if finder else []


def _people_names(rows: Iterable[Participant]) -> str:
    names = [p.full_name or p.key for p in rows]
    return ", ".join(names[:10]) + (f" (+{len(names) - 10})" if len(names) > 10 else "")


def _session_name(session: Session, numbers: dict[int, int]) -> str:
    """"TAPAJ (Round 2)"; ``numbers`` is :func:`round_numbers`, read once per page."""
    where = _("Round %(number)d", number=numbers.get(session.round_id, 0)) \
        if session.round_id else _("unplaced")
    return f"{session.project.name} ({where})"


def _theme_dependents(theme: Theme) -> list[Dependent]:
    found = [Dependent(_("Project"), p.name, BLOCKS, p)
             for p in sorted(theme.projects, key=lambda p: p.name)]
    found += [Dependent(_("Room admitting this theme"), r.name, DETACHES) for r in theme.rooms]
    interested = db.session.scalars(db.select(Participant).join(
        Participant.theme_interests).where(Theme.id == theme.id)).all()
    if interested:
        found.append(Dependent(_("Participants interested"), _people_names(interested),
                               DETACHES))
    return found


def _room_dependents(room: Room) -> list[Dependent]:
    found = [Dependent(_("Workshop"), w.name, BLOCKS, w) for w in db.session.scalars(
        db.select(Workshop).where(Workshop.room_id == room.id).order_by(Workshop.name))]
    numbers = round_numbers(room.event)
    found += [Dependent(_("Session (will be unplaced)"), _session_name(s, numbers), DETACHES)
              for s in db.session.scalars(db.select(Session).where(Session.room_id == room.id)
                                          .options(*SESSION_NAME))]
    found += [Dependent(_("Programme item (room cleared)"), i.title, DETACHES)
              for i in db.session.scalars(db.select(ProgrammeItem)
                                          .where(ProgrammeItem.room_id == room.id))]
    return found


def _people(count: int) -> str:
    return ngettext("%(num)d person", "%(num)d people", count)


def _wishes(count: int) -> str:
    return ngettext("%(num)d wish", "%(num)d wishes", count)


def _wish_count(model: type[Model], column: InstrumentedAttribute[int], ident: int) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(column == ident)) or 0


def _project_dependents(project: Project) -> list[Dependent]:
    found = []
    numbers = round_numbers(project.event)
    for session in project.sessions:
        found.append(Dependent(_("Session"), _session_name(session, numbers), DELETES))
        assigned = session_assignment_count(session)
        if assigned:
            found.append(Dependent(_("Assignments to this session"),
                                   _people(assigned), DELETES))
    wishes = _wish_count(ProjectWish, ProjectWish.project_id, project.id)
    if wishes:
        found.append(Dependent(_("Participants' wishes"), _wishes(wishes),
                               DELETES))
    return found


def _round_dependents(round_: Round) -> list[Dependent]:
    found = [Dependent(_("Session (will be unplaced)"), s.project.name, DETACHES)
             for s in db.session.scalars(db.select(Session).where(Session.round_id == round_.id)
                                         .options(*SESSION_NAME).order_by(Session.id))]
    assigned = db.session.scalar(select(func.count()).select_from(Assignment)
                                 .where(Assignment.round_id == round_.id)) or 0
    if assigned:
        found.append(Dependent(_("Assignments in this round"),
                               _people(assigned), DELETES))
    return found


def _slot_dependents(slot: WorkshopSlot) -> list[Dependent]:
    found = []
    ids = [workshop.id for workshop in slot.workshops]
    wishes = _counts_by(WorkshopWish.workshop_id, ids)
    assigned = _counts_by(WorkshopAssignment.workshop_id, ids)
    for workshop in slot.workshops:
        found.append(Dependent(_("Workshop"), workshop.name, DELETES))
        found += _workshop_dependents(workshop, wishes.get(workshop.id, 0),
                                      assigned.get(workshop.id, 0))
    return found


def _counts_by(column: InstrumentedAttribute[int], ids: list[int]) -> dict[int, int]:
    """Rows per value of ``column`` among ``ids``, in one query."""
    return dict(db.session.execute(select(column, func.count()).where(column.in_(ids))
                                   .group_by(column)).all()) if ids else {}


def _workshop_dependents(workshop: Workshop, wishes: int | None = None,
                         assigned: int | None = None) -> list[Dependent]:
    """``wishes`` and ``assigned`` are counted here unless given (a slot counts all its
    workshops' at once)."""
    found = []
    if wishes is None:
        wishes = _wish_count(WorkshopWish, WorkshopWish.workshop_id, workshop.id)
    if wishes:
        found.append(Dependent(_("Wishes for %(name)s", name=workshop.name),
                               _wishes(wishes), DELETES))
    if assigned is None:
        assigned = _wish_count(WorkshopAssignment, WorkshopAssignment.workshop_id,
                               workshop.id)
    if assigned:
        found.append(Dependent(_("Assignments to %(name)s", name=workshop.name),
                               _people(assigned), DELETES))
    return found


def _session_dependents(session: Session) -> list[Dependent]:
    assigned = session_assignment_count(session)
    if not assigned:
        return []
    return [Dependent(_("Assignments to this session"), _people(assigned),
                      DELETES)]


def _participant_dependents(person: Participant) -> list[Dependent]:
    found = [Dependent(_("Presents the project (removed from its presenters)"), p.name,
                       DETACHES) for p in presented_projects(person)]
    extra = db.session.scalars(db.select(Session).join(
        session_presenters, session_presenters.c.session_id == Session.id)
        .where(session_presenters.c.participant_id == person.id)).all()
    numbers = round_numbers(person.event) if extra else {}
    found += [Dependent(_("Co-presents the session (removed)"), _session_name(s, numbers),
                        DETACHES) for s in extra]
    for model, label in ((Assignment, _("Speed-dating assignments")),
                         (WorkshopAssignment, _("Workshop assignments")),
                         (ProjectWish, _("Project wishes")),
                         (WorkshopWish, _("Workshop wishes"))):
        n = _wish_count(model, model.participant_id, person.id)
        if n:
            found.append(Dependent(label, str(n), DELETES))
    return found


# Each finder takes a row of its key's model.
_DEPENDENCY_FINDERS: dict[type[Model], Callable[[Any], list[Dependent]]] = {
    Theme: _theme_dependents,
    Room: _room_dependents,
    Project: _project_dependents,
    Round: _round_dependents,
    WorkshopSlot: _slot_dependents,
    Workshop: _workshop_dependents,
    Session: _session_dependents,
    Participant: _participant_dependents,
}


def delete_round_assignments(round_: Round) -> None:
    db.session.execute(delete(Assignment).where(Assignment.round_id == round_.id))


def delete_event_rows(event: Event) -> None:
    """Delete the event and everything in it, table by table, dependants first.

    The foreign keys would cascade from ``events`` alone, but some are RESTRICT (projects
    keep their theme, sessions their round and room) and PostgreSQL checks RESTRICT row by
    row, so every table holding an ``event_id`` is emptied first, in reverse dependency
    order; rows without one (wishes, assignments, tokens) cascade from their parents.
    """
    db.session.flush()
    for table in reversed(db.metadata.sorted_tables):
        if "event_id" in table.c and table.name != "events":
            db.session.execute(table.delete().where(table.c.event_id == event.id))
    db.session.execute(delete(Event).where(Event.id == event.id))


# --- the builder grid --------------------------------------------------------------------


@dataclass(frozen=True)
class SpeedDatingGrid(Grid[list[Session]]):
    """Sessions by round (rows) and room table (columns), with what needs attention.

    A cell lists every session placed there, so that two sessions at one table show as a
    clash instead of one hiding the other.
    """

    problems: list[Problem] = field(default_factory=list)


def speed_dating_grid(event: Event) -> SpeedDatingGrid:
    columns = table_columns(rooms(event))
    tables = {(c.room.id, c.table) for c in columns}
    seats: dict[Seat, list[Session]] = defaultdict(list)
    unplaced: list[Session] = []
    problems: list[Problem] = []
    for session in sessions(event):
        if session.round is None or session.room is None:
            unplaced.append(session)
            continue
        table = session.table_number or 1
        if (session.room_id, table) not in tables:
            problems.append(Problem(
                _("%(project)s is placed at table %(table)s of %(room)s, which no longer "
                  "exists.", project=session.project.name, table=session.table_number,
                  room=session.room.name),
                "programme.session_edit", slug=event.slug, session_id=session.id))
            unplaced.append(session)
            continue
        seats[(session.round.id, session.room.id, table)].append(session)
    problems += placement_problems(event)
    rows = grid_rows(rounds(event), columns,
                     lambda round_, column: seats.get(column.seat(round_), []))
    return SpeedDatingGrid(columns=columns, rows=rows, unplaced=unplaced, problems=problems)


def cell_choices(event: Event, grid: SpeedDatingGrid) -> dict[Seat, list[Project]]:
    """For each empty cell of the grid, the projects that may present there: not already
    presenting in that round, and of a theme the room admits (no query per cell)."""
    all_projects = projects(event)
    in_round: dict[int, set[int]] = defaultdict(set)
    for row in grid.rows:
        for cell in row.cells:
            in_round[row.round.id].update(s.project_id for s in cell)
    for session in grid.unplaced:
        if session.round_id is not None:
            in_round[session.round_id].add(session.project_id)
    admitted = {column.room.id: [p for p in all_projects if column.room.admits(p.theme)]
                for column in grid.columns}
    choices: dict[Seat, list[Project]] = {}
    for row in grid.rows:
        for column, cell in zip(grid.columns, row.cells, strict=True):
            if not cell:
                choices[column.seat(row.round)] = [
                    p for p in admitted[column.room.id] if p.id not in in_round[row.round.id]]
    return choices


def round_number(event: Event, round_: Round) -> int:
    """A round's 1-based number in the day ("Tour 2"), what organisers call it."""
    return round_numbers(event).get(round_.id, 0)


def round_numbers(event: Event) -> dict[int, int]:
    """Round id -> its 1-based number in the day: pages say "Round 2" (in French "Tour
    2"), never the exchange format's key ("r2"). One statement per page."""
    return {r.id: i for i, r in enumerate(rounds(event), start=1)}


def cell_name(event: Event, round_id: int | None, room_id: int | None,
              table: int | None) -> str:
    """"Salle A, table 2, round 3" for a cell of the grid, or "" if it does not exist."""
    round_ = db.session.get(Round, round_id) if round_id else None
    room = db.session.get(Room, room_id) if room_id else None
    if round_ is None or room is None or event.id not in (round_.event_id, room.event_id) \
            or round_.event_id != room.event_id:
        return ""
    return _("%(room)s, table %(table)s, round %(number)d", room=room.name, table=table,
             number=round_number(event, round_))


class Problem(str):
    """A rule breach said in words (it is the string), with the page that fixes it:
    ``endpoint`` and its ``values`` (the session, workshop or person at fault)."""

    endpoint: str
    values: dict

    def __new__(cls, message: str, endpoint: str, **values: Any) -> Problem:
        problem = super().__new__(cls, message)
        problem.endpoint, problem.values = endpoint, values
        return problem


def placement_problems(event: Event) -> list[Problem]:
    """Rule breaches the database cannot see, typically left behind when a room or a
    project changed after sessions were placed: theme not admitted, capacity above the
    room's seats, minimum audience above capacity, table missing, presenter in two places."""
    problems: list[Problem] = []
    by_round: dict[int, list[Session]] = defaultdict(list)
    for session in sessions(event):
        room, name = session.room, session.project.name
        at_session = {"slug": event.slug, "session_id": session.id}
        if room is not None and not room.admits(session.project.theme):
            problems.append(Problem(_("%(room)s does not admit the theme of %(project)s.",
                                      room=room.name, project=name), "programme.session_edit",
                                    **at_session))
        if room is not None and session.capacity is not None and session.capacity > room.capacity:
            problems.append(Problem(_("%(project)s expects %(capacity)s people but %(room)s "
                                      "has %(seats)s seats.", project=name,
                                      capacity=session.capacity, room=room.name,
                                      seats=room.capacity), "programme.session_edit",
                                    **at_session))
        capacity = session.effective_capacity
        if capacity is not None and session.min_audience > capacity:
            problems.append(Problem(_("%(project)s needs at least %(minimum)s people but "
                                      "holds only %(capacity)s.", project=name,
                                      minimum=session.min_audience, capacity=capacity),
                                    "programme.session_edit",
                                    **at_session))
        if room is not None and room.tables > 1 and session.round_id is not None \
                and session.table_number is None:
            problems.append(Problem(_("%(project)s has no table in %(room)s.", project=name,
                                      room=room.name), "programme.session_edit",
                                    **at_session))
        if session.round_id is not None:
            by_round[session.round_id].append(session)
    for workshop in workshops(event):
        if workshop.capacity > workshop.room.capacity:
            problems.append(Problem(
                _("The workshop %(name)s expects %(capacity)s people but %(room)s has "
                  "%(seats)s seats.", name=workshop.name, capacity=workshop.capacity,
                  room=workshop.room.name, seats=workshop.room.capacity),
                "programme.workshop_edit", slug=event.slug, workshop_id=workshop.id))
    for round_id, round_sessions in by_round.items():
        seen: dict[int, Session] = {}
        for session in round_sessions:
            for person in session.presenters:
                if person.id in seen and seen[person.id] is not session:
                    problems.append(Problem(
                        _("%(person)s presents twice in round %(round)s.",
                          person=person.full_name,
                          round=round_numbers(event).get(round_id, 0)),
                        "programme.presenter_edit", slug=event.slug, participant_id=person.id))
                seen[person.id] = session
    return problems
