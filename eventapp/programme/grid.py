"""The skeleton of every speed-dating grid: rounds down, room tables across.

Four pages draw this grid (the public programme, the organiser's builder, the solve
review and the check-in occupancy). They agree on its shape — a column per table of a
room, in the order the rooms are given, a row per round numbered from 1, a cell for each
(round, column) and the sessions that could not be placed listed apart — but not on what
a cell holds or on how a session finds its table. So the shape is built here once and
each page passes only its own cell content, usually read from a mapping keyed by
:data:`Seat` (round id, room id, table number).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .models import Room, Round, Session, Theme

C = TypeVar("C")

Seat = tuple[int, int, int]
"""(round id, room id, table number): where a session sits in the grid."""


@dataclass(frozen=True)
class GridColumn:
    """One track of the grid: table ``table`` (from 1) of ``room``.

    ``label`` names the track (the room's label for that table unless a page says
    otherwise) and ``theme`` is the colour a page shows for it, if it shows one.
    """

    room: Room
    table: int
    label: str = ""
    theme: Theme | None = None

    @property
    def shows_room_separately(self) -> bool:
        """Whether the room's name adds something to the label (it does unless equal)."""
        return self.label != self.room.name

    def seat(self, round_: Round) -> Seat:
        """This column's cell key in ``round_``."""
        return (round_.id, self.room.id, self.table)


@dataclass(frozen=True)
class GridRow(Generic[C]):
    """One round: its number in the day (from 1) and a cell per column, in column order."""

    round: Round
    number: int
    cells: list[C]


@dataclass(frozen=True)
class Grid(Generic[C]):
    """Rounds down, tracks across; sessions without a place are listed apart."""

    columns: list[GridColumn]
    rows: list[GridRow[C]]
    unplaced: list[Session] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.rows and not self.unplaced


def table_columns(rooms: Iterable[Room], used: Iterable[Seat] = (),
                  describe: Callable[[Room, int], tuple[str, Theme | None]] | None = None,
                  ) -> list[GridColumn]:
    """A column per table of each room, rooms in the given order.

    A room has its ``tables`` columns, or more when a seat in ``used`` sits at a higher
    table (so nothing placed is hidden). ``describe`` gives a column's label and theme;
    by default the room's label for that table and no theme.
    """
    highest: dict[int, int] = {}
    for _round_id, room_id, table in used:
        highest[room_id] = max(highest.get(room_id, 0), table)
    columns = []
    for room in rooms:
        for table in range(1, max(room.tables, highest.get(room.id, 0)) + 1):
            label, theme = describe(room, table) if describe else (room.table_label(table), None)
            columns.append(GridColumn(room, table, label, theme))
    return columns


def grid_rows(rounds: Iterable[Round], columns: list[GridColumn],
              cell: Callable[[Round, GridColumn], C]) -> list[GridRow[C]]:
    """A row per round, numbered from 1, with ``cell(round, column)`` for each column."""
    return [GridRow(round_, number, [cell(round_, column) for column in columns])
            for number, round_ in enumerate(rounds, start=1)]
