"""Read-side helpers of the programme area.

The public programme page is built from plain data structures (the speed-dating grid,
the day's timeline, each project's presentations) computed here, so that the template
only lays them out and other pages (the organiser's builder, exports, badges) can reuse
the same reading of the programme.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import selectinload

from ..events.models import Event
from ..events.queries import get_event_or_404  # noqa: F401 (its home is events/; many callers)
from ..extensions import db
from .grid import Grid, GridColumn, Seat, grid_rows, table_columns
from .models import ProgrammeItem, Project, Room, Round, Session, Theme, Workshop, WorkshopSlot

# --- Speed-dating grid ---------------------------------------------------------------


@dataclass(frozen=True)
class GridCell:
    """What the public grid shows at a track in a round: its session, if any."""

    column: GridColumn
    session: Session | None

    @property
    def is_empty(self) -> bool:
        return self.session is None

    @property
    def presenters(self) -> list:
        return self.session.presenters if self.session is not None else []


SpeedDatingGrid = Grid[GridCell]
"""The public page's grid: only the rooms hosting a placed session, a session per cell."""


def _event_sessions(event: Event) -> list[Session]:
    return list(db.session.scalars(
        db.select(Session)
        .where(Session.event_id == event.id)
        .options(
            selectinload(Session.project).selectinload(Project.presenters),
            selectinload(Session.project).selectinload(Project.theme),
            selectinload(Session.extra_presenters),
            selectinload(Session.room).selectinload(Room.themes),
            selectinload(Session.round),
        )
        .order_by(Session.id)
    ))


def event_rounds(event: Event) -> list[Round]:
    return list(db.session.scalars(
        db.select(Round).where(Round.event_id == event.id).order_by(Round.starts_at, Round.id)
    ))


def _seat_sessions(placed: list[Session]) -> dict[Seat, Session]:
    """Map (round id, room id, table number) to its session.

    A session placed in a room without a table number (the exchange format has none) is
    shown at the room's first free table of its round: nothing placed is ever hidden,
    even if a room holds more sessions than it has tables.
    """
    seats: dict[Seat, Session] = {}
    for session, round_id, room_id in _placements(placed):
        if session.table_number is not None:
            seats[(round_id, room_id, session.table_number)] = session
    for session, round_id, room_id in _placements(placed):
        if session.table_number is None:
            table = 1
            while (round_id, room_id, table) in seats:
                table += 1
            seats[(round_id, room_id, table)] = session
    return seats


def _placements(placed: list[Session]) -> Iterator[tuple[Session, int, int]]:
    """Each placed session with its round and room ids (never None once placed)."""
    for session in placed:
        if session.round_id is not None and session.room_id is not None:
            yield session, session.round_id, session.room_id


def _column_theme(room: Room, sessions: list[Session]) -> Theme | None:
    """The room's theme, else the one theme shared by every session of the column."""
    if room.themes:
        return room.themes[0]
    themes = {session.project.theme_id: session.project.theme for session in sessions}
    return next(iter(themes.values())) if len(themes) == 1 else None


def _columns(seats: dict[Seat, Session]) -> list[GridColumn]:
    """The tables of the rooms hosting a seat, named by their label, else their theme's
    name, else the room's name (a booklet track always has a heading)."""
    by_column: dict[tuple[int, int], list[Session]] = defaultdict(list)
    rooms: dict[int, Room] = {}
    for (_round_id, room_id, table), session in seats.items():
        assert session.room is not None  # seated, so placed in a room
        rooms[room_id] = session.room
        by_column[(room_id, table)].append(session)

    def describe(room: Room, table: int) -> tuple[str, Theme | None]:
        theme = _column_theme(room, by_column.get((room.id, table), []))
        return room.table_label(table) or (theme.name if theme else "") or room.name, theme

    ordered = sorted(rooms.values(), key=lambda r: (r.position, r.name, r.id))
    return table_columns(ordered, used=seats, describe=describe)


def build_speed_dating_grid(event: Event) -> SpeedDatingGrid:
    """The speed-dating as the printed booklet lays it out (rounds × tracks).

    Columns are the tables of the rooms that host at least one placed session, in room
    order; a cell without a session stays in the grid as an explicit empty cell.
    """
    sessions = _event_sessions(event)
    placed = [s for s in sessions if s.round_id is not None and s.room_id is not None]
    unplaced = [s for s in sessions if s.round_id is None or s.room_id is None]
    unplaced.sort(key=lambda s: (s.project.position, s.project.name, s.key))
    seats = _seat_sessions(placed)
    columns = _columns(seats)
    rows = grid_rows(event_rounds(event), columns,
                     lambda round_, column: GridCell(column, seats.get(column.seat(round_))))
    return Grid(columns=columns, rows=rows, unplaced=unplaced)


# --- Timeline ------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One step of the day: a plenary item, the speed-dating block or a workshop slot."""

    kind: str  # "item", "speed_dating" or "workshops"
    starts_at: datetime
    ends_at: datetime
    item: ProgrammeItem | None = None
    rounds: list[Round] = field(default_factory=list)
    slot: WorkshopSlot | None = None
    workshops: list[Workshop] = field(default_factory=list)


def event_workshop_slots(event: Event) -> list[tuple[WorkshopSlot, list[Workshop]]]:
    """Each workshop slot in time order with its workshops (room and slot loaded)."""
    slots = db.session.scalars(
        db.select(WorkshopSlot)
        .where(WorkshopSlot.event_id == event.id)
        .order_by(WorkshopSlot.starts_at, WorkshopSlot.id)
    ).all()
    workshops = db.session.scalars(
        db.select(Workshop)
        .where(Workshop.event_id == event.id)
        .options(selectinload(Workshop.room))
        .order_by(Workshop.position, Workshop.name, Workshop.id)
    ).all()
    by_slot: dict[int, list[Workshop]] = defaultdict(list)
    for workshop in workshops:
        by_slot[workshop.slot_id].append(workshop)
    return [(slot, by_slot.get(slot.id, [])) for slot in slots]


def build_timeline(event: Event, rounds: list[Round] | None = None,
                   slots: list[tuple[WorkshopSlot, list[Workshop]]] | None = None
                   ) -> list[TimelineEntry]:
    """The day in time order: plenary items, the speed-dating block and workshop slots."""
    rounds = event_rounds(event) if rounds is None else rounds
    slots = event_workshop_slots(event) if slots is None else slots
    items = db.session.scalars(
        db.select(ProgrammeItem)
        .where(ProgrammeItem.event_id == event.id)
        .options(selectinload(ProgrammeItem.room))
        .order_by(ProgrammeItem.starts_at, ProgrammeItem.id)
    ).all()
    entries = [TimelineEntry("item", item.starts_at, item.ends_at, item=item) for item in items]
    if rounds:
        entries.append(TimelineEntry(
            "speed_dating", min(r.starts_at for r in rounds), max(r.ends_at for r in rounds),
            rounds=list(rounds),
        ))
    entries.extend(
        TimelineEntry("workshops", slot.starts_at, slot.ends_at, slot=slot, workshops=workshops)
        for slot, workshops in slots
    )
    return sorted(entries, key=lambda entry: (entry.starts_at, entry.ends_at))


# --- Projects ------------------------------------------------------------------------


@dataclass(frozen=True)
class Presentation:
    """When and where a project presents (round, room and track), and by whom."""

    session: Session
    round_number: int | None
    track: str

    @property
    def is_placed(self) -> bool:
        return self.session.round_id is not None and self.session.room_id is not None


@dataclass(frozen=True)
class ProjectEntry:
    project: Project
    presentations: list[Presentation]

    @property
    def presenters(self) -> list:
        """The project's presenters and everybody presenting one of its sessions."""
        people = list(self.project.presenters)
        seen = {p.id for p in people}
        for presentation in self.presentations:
            for person in presentation.session.extra_presenters:
                if person.id not in seen:
                    seen.add(person.id)
                    people.append(person)
        return people


def build_project_entries(event: Event, grid: SpeedDatingGrid) -> list[ProjectEntry]:
    """Every project of the event with its presentations in time order."""
    projects = db.session.scalars(
        db.select(Project)
        .where(Project.event_id == event.id)
        .options(selectinload(Project.theme), selectinload(Project.presenters))
        .order_by(Project.position, Project.name, Project.id)
    ).all()
    by_project: dict[int, list[Presentation]] = defaultdict(list)
    for row in grid.rows:
        for cell in row.cells:
            if cell.session is not None:
                by_project[cell.session.project_id].append(
                    Presentation(cell.session, row.number, cell.column.label)
                )
    for session in grid.unplaced:
        by_project[session.project_id].append(Presentation(session, None, ""))
    return [ProjectEntry(project, by_project.get(project.id, [])) for project in projects]


# --- The whole page ------------------------------------------------------------------


@dataclass(frozen=True)
class PublicProgramme:
    event: Event
    themes: list[Theme]
    timeline: list[TimelineEntry]
    grid: SpeedDatingGrid
    projects: list[ProjectEntry]
    workshop_slots: list[tuple[WorkshopSlot, list[Workshop]]]


def event_themes(event: Event) -> list[Theme]:
    return list(db.session.scalars(
        db.select(Theme).where(Theme.event_id == event.id).order_by(Theme.position, Theme.id)
    ))


def build_public_programme(event: Event) -> PublicProgramme:
    """Everything the public programme page of an event shows."""
    grid = build_speed_dating_grid(event)
    slots = event_workshop_slots(event)
    return PublicProgramme(
        event=event,
        themes=event_themes(event),
        timeline=build_timeline(event, rounds=[row.round for row in grid.rows], slots=slots),
        grid=grid,
        projects=build_project_entries(event, grid),
        workshop_slots=slots,
    )
