"""What the organiser needs to judge a schedule: shares, unlucky people, room fill.

Works on any schedule in the exchange format's terms (a solver result or the current
draft) together with the instance it was made for, so the numbers are those the solver
optimised (:func:`scheduler.evaluate` computes them) and the capacities those it obeyed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from markupsafe import Markup

from scheduler import Reason, evaluate, load_instance, unlucky_findings

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
    reasons: list[Reason] = field(default_factory=list)  # one per wish
    cat: ScheduleCatalogue | None = None  # what names the reasons

    @cached_property
    def why(self) -> list[Markup]:
        """One sentence per wish, with links: written only for the people a page shows
        (the first hundred of thousands)."""
        return explain(self.cat, self.reasons) if self.cat is not None else []


@dataclass
class Review:
    metrics: dict
    grid: Grid[Cell]
    workshops: list[WorkshopFill]
    unlucky: list[Unlucky]
    seated: int
    participants: int
    unknown_keys: list[str] = field(default_factory=list)


def review_data(instance: dict, schedule: ScheduleMap,
                programme: list[dict] | None = None) -> dict:
    """Everything a review needs that costs the whole day to compute, as JSON: the
    metrics, the seats taken per session and workshop with their capacities, the unlucky
    (keys, wishes and the findings of why). What names them (:func:`review_from_data`,
    with the catalogue) is cheap, so this is what is stored (``review_store``) and read
    back while the draft does not change."""
    # Parsed and checked once for the metrics and the unlucky (each would otherwise
    # validate the whole document again: about a second at 10,000 people).
    parsed = load_instance(instance)
    assignments = map_to_assignments(schedule)
    metrics = evaluate(parsed, assignments)
    why = unlucky_findings(parsed, {"assignments": assignments, "programme": programme or []})
    session_project = {s["id"]: s["project"] for s in instance["sessions"]}
    unlucky = []
    for item in instance["participants"]:
        wishes = item.get("wishes") or []
        seen = {session_project.get(s)
                for s in schedule.get(item["id"], {}).get("sessions", {}).values()}
        if wishes and not seen & set(wishes):
            unlucky.append([item["id"], list(wishes),
                            [reason.as_dict() for reason in why.get(item["id"], [])]])
    return {
        "metrics": metrics,
        "attendance": Counter(s for entry in schedule.values()
                              for s in entry["sessions"].values()),
        "capacity": {s["id"]: s.get("capacity") for s in instance["sessions"]},
        "programme": programme or [],
        "workshop_attendance": Counter(w for entry in schedule.values()
                                       for w in entry["workshops"].values()),
        "workshop_capacity": {w["id"]: w["capacity"] for w in instance["workshops"]},
        "unlucky": unlucky,
        "seated": sum(1 for entry in schedule.values()
                      if entry["sessions"] or entry["workshops"]),
        "participants": len(instance["participants"]),
    }


def review_from_data(cat: ScheduleCatalogue, data: dict) -> Review:
    """The review of :func:`review_data`'s figures, named with ``cat``'s rows."""
    grid, unknown = _grid(cat, data)
    return Review(metrics=data["metrics"], grid=grid, workshops=_workshop_fill(cat, data),
                  unlucky=_unlucky(cat, data), seated=data["seated"],
                  participants=data["participants"], unknown_keys=unknown)


def build_review(cat: ScheduleCatalogue, instance: dict, schedule: ScheduleMap,
                 programme: list[dict] | None = None) -> Review:
    """The review of ``schedule`` (made for ``instance``), named with ``cat``'s rows."""
    return review_from_data(cat, review_data(instance, schedule, programme))


def _grid(cat: Catalogue, data: dict) -> tuple[Grid[Cell], list[str]]:
    """The fill grid, each session where the solve's placement (``programme``) puts it,
    else where the database does, and the attended session keys nobody knows."""
    columns = table_columns(cat.rooms.values())
    attendance = Counter(data["attendance"])
    unknown = sorted(key for key in attendance if key not in cat.session_by_key)
    seats = _seats(cat, data["capacity"], data["programme"], attendance, columns)
    rows = grid_rows(cat.rounds, columns,
                     lambda round_, column: seats.get(column.seat(round_), Cell(None)))
    return Grid(columns, rows), unknown


def _seats(cat: Catalogue, capacity: dict[str, int | None], programme: list[dict],
           attendance: Counter, columns: list[GridColumn]) -> dict[Seat, Cell]:
    """Each placed session's cell. A session moved to another room, or without a table,
    takes its room's next table of the round; the first session at a table keeps it."""
    placed = {e["session"]: (e.get("round"), e.get("room")) for e in programme}
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


def _workshop_fill(cat: Catalogue, data: dict) -> list[WorkshopFill]:
    capacity, attendance = data["workshop_capacity"], data["workshop_attendance"]
    slots = {slot.id: slot for slot in cat.slots}
    result = [WorkshopFill(slots[w.slot_id], w, cat.rooms.get(w.room_id),
                           attendance.get(w.key, 0), capacity.get(w.key, w.capacity))
              for w in cat.workshops.values() if w.slot_id in slots]
    order = {slot.id: i for i, slot in enumerate(cat.slots)}
    result.sort(key=lambda f: (order[f.slot.id], f.workshop.position, f.workshop.id))
    return result


def _unlucky(cat: ScheduleCatalogue, data: dict) -> list[Unlucky]:
    """Participants with project wishes who got none of them (the contract's "unlucky"),
    each wish with what kept them from it; people no longer in the event are left out."""
    projects = cat.project_by_key
    people = cat.participant_by_key
    result = [Unlucky(people[key], [projects[k] for k in wishes if k in projects],
                      [Reason.from_dict(reason) for reason in reasons], cat)
              for key, wishes, reasons in data["unlucky"] if key in people]
    result.sort(key=lambda u: (u.participant.last_name.lower(), u.participant.first_name.lower()))
    return result
