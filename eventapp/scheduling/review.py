"""What the organiser needs to judge a schedule: shares, unlucky people, room fill.

Works on any schedule in the exchange format's terms (a solver result or the current
draft) together with the instance it was made for, so the numbers are those the solver
optimised (:func:`scheduler.evaluate` computes them) and the capacities those it obeyed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from markupsafe import Markup

from scheduler import evaluate, load_instance, unlucky_findings

from ..programme.catalogue import Catalogue
from ..programme.grid import Grid, GridColumn, Seat, grid_rows, table_columns
from ..programme.models import Project, Room, Session, Theme, Workshop, WorkshopSlot
from ..registration.models import Participant
from .catalogue import ScheduleCatalogue
from .diagnosis import explain
from .queries import ScheduleMap, map_to_assignments

FULL_SHARE = 1.0
HIGH_SHARE = 0.85
LOW_SHARE = 0.5


def fill_level(count: int, capacity: int) -> str:
    """A word for the fill rate, shown next to the number (colour is never the only cue)."""
    if capacity <= 0:
        return "empty" if count == 0 else "over"
    share = count / capacity
    if share > FULL_SHARE:
        return "over"
    if share == FULL_SHARE:
        return "full"
    if share >= HIGH_SHARE:
        return "high"
    if share >= LOW_SHARE:
        return "medium"
    return "low"


@dataclass
class Cell:
    session: Session | None
    project: Project | None = None
    theme: Theme | None = None
    count: int = 0
    capacity: int = 0

    @property
    def level(self) -> str:
        return fill_level(self.count, self.capacity)


@dataclass
class WorkshopFill:
    slot: WorkshopSlot
    workshop: Workshop
    room: Room | None
    count: int
    capacity: int

    @property
    def level(self) -> str:
        return fill_level(self.count, self.capacity)


@dataclass
class Unlucky:
    participant: Participant
    wishes: list[Project]
    why: list[Markup] = field(default_factory=list)  # one sentence per wish, with links


@dataclass
class Review:
    metrics: dict
    grid: Grid[Cell]
    workshops: list[WorkshopFill]
    unlucky: list[Unlucky]
    seated: int
    participants: int
    unknown_keys: list[str] = field(default_factory=list)


def build_review(cat: ScheduleCatalogue, instance: dict, schedule: ScheduleMap,
                 programme: list[dict] | None = None) -> Review:
    """The review of ``schedule`` (made for ``instance``), named with ``cat``'s rows."""
    # Parsed and checked once for the metrics and the unlucky (each would otherwise
    # validate the whole document again: about a second at 10,000 people).
    parsed = load_instance(instance)
    assignments = map_to_assignments(schedule)
    metrics = evaluate(parsed, assignments)
    grid, unknown = _grid(cat, instance, schedule, programme or [])
    return Review(
        metrics=metrics, grid=grid,
        workshops=_workshop_fill(cat, instance, schedule),
        unlucky=_unlucky(cat, instance, parsed, schedule, assignments, programme or []),
        seated=sum(1 for entry in schedule.values() if entry["sessions"] or entry["workshops"]),
        participants=len(instance["participants"]),
        unknown_keys=unknown,
    )


def _grid(cat: Catalogue, instance: dict, schedule: ScheduleMap,
          programme: list[dict]) -> tuple[Grid[Cell], list[str]]:
    """The fill grid, each session where ``programme`` (the solve's placement) puts it,
    else where the database does, and the attended session keys nobody knows."""
    columns = table_columns(cat.rooms.values())
    attendance = Counter(s for entry in schedule.values() for s in entry["sessions"].values())
    unknown = sorted(key for key in attendance if key not in cat.session_by_key)
    seats = _seats(cat, instance, programme, attendance, columns)
    rows = grid_rows(cat.rounds, columns,
                     lambda round_, column: seats.get(column.seat(round_), Cell(None)))
    return Grid(columns, rows), unknown


def _seats(cat: Catalogue, instance: dict, programme: list[dict], attendance: Counter,
           columns: list[GridColumn]) -> dict[Seat, Cell]:
    """Each placed session's cell. A session moved to another room, or without a table,
    takes its room's next table of the round; the first session at a table keeps it."""
    placed = {e["session"]: (e.get("round"), e.get("room")) for e in programme}
    capacity = {s["id"]: s.get("capacity") for s in instance["sessions"]}
    tables = {(c.room.id, c.table) for c in columns}
    seats: dict[Seat, Cell] = {}
    next_table: Counter = Counter()
    for session in sorted(cat.session_by_key.values(), key=lambda s: (s.table_number or 99, s.id)):
        round_key, room_key = placed.get(session.key, (None, None))
        round_id = cat.round_by_key[round_key].id if round_key in cat.round_by_key \
            else session.round_id
        room = cat.room_by_key.get(room_key) if room_key else \
            cat.rooms.get(session.room_id) if session.room_id else None
        if round_id is None or room is None:
            continue
        table = session.table_number if session.room_id == room.id else None
        if table is None or (room.id, table) not in tables:
            next_table[(round_id, room.id)] += 1
            table = next_table[(round_id, room.id)]
        cap = capacity.get(session.key)
        if cap is None:
            cap = room.capacity // max(room.tables, 1)
        if (room.id, table) in tables and (round_id, room.id, table) not in seats:
            seats[(round_id, room.id, table)] = Cell(session, cat.session_project(session),
                                                   cat.session_theme(session),
                                                   attendance[session.key], cap)
    return seats


def _workshop_fill(cat: Catalogue, instance: dict, schedule: ScheduleMap) -> list[WorkshopFill]:
    capacity = {w["id"]: w["capacity"] for w in instance["workshops"]}
    attendance = Counter(w for entry in schedule.values() for w in entry["workshops"].values())
    slots = {slot.id: slot for slot in cat.slots}
    result = [WorkshopFill(slots[w.slot_id], w, cat.rooms.get(w.room_id), attendance[w.key],
                           capacity.get(w.key, w.capacity))
              for w in cat.workshops.values() if w.slot_id in slots]
    order = {slot.id: i for i, slot in enumerate(cat.slots)}
    result.sort(key=lambda f: (order[f.slot.id], f.workshop.position, f.workshop.id))
    return result


def _unlucky(cat: ScheduleCatalogue, instance: dict, parsed: object, schedule: ScheduleMap,
             assignments: list[dict], programme: list[dict]) -> list[Unlucky]:
    """Participants with project wishes who got none of them (the contract's "unlucky"),
    each wish with what kept them from it (``parsed``: ``instance`` loaded)."""
    why = unlucky_findings(parsed, {"assignments": assignments, "programme": programme})
    projects = cat.project_by_key
    session_project = {s["id"]: s["project"] for s in instance["sessions"]}
    people = cat.participant_by_key
    result = []
    for item in instance["participants"]:
        wishes = item.get("wishes") or []
        if not wishes or item["id"] not in people:
            continue
        seen = {session_project.get(s)
                for s in schedule.get(item["id"], {}).get("sessions", {}).values()}
        if not seen & set(wishes):
            result.append(Unlucky(people[item["id"]],
                                  [projects[k] for k in wishes if k in projects],
                                  explain(cat, why.get(item["id"], []))))
    result.sort(key=lambda u: (u.participant.last_name.lower(), u.participant.first_name.lower()))
    return result
