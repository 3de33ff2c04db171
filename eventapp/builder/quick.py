"""Several items at once: the builder's "quick" forms (issue 15, "build fast").

A new organiser starting from an empty event should not fill one form per theme, room,
project, workshop and plenary item. Each quick form shows rows to fill in; empty rows are
ignored; every filled row goes through the same operation as the one-item form (same
rules, same messages), so nothing here bypasses a rule. A form is saved whole or not at
all: when one row is refused, every refusal is listed with its row and field, the
transaction is rolled back by the view, and what was typed stays on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import time
from functools import partial
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from ..errors import Refused
from ..events.models import Event
from ..extensions import db
from ..programme.models import (
    ProgrammeItemKind,
    Project,
    Room,
    Round,
    Theme,
    Workshop,
    WorkshopSlot,
)
from ..programme.palette import SIGNAGE_COLOURS
from . import operations as ops
from . import queries

# Fields that come filled in on an empty row: they alone do not make a row "filled".
PRESET = frozenset({"colour", "step_free", "kind"})
# Rows shown on an empty form; "more rows" adds as many again (up to MAX_ROWS).
DEFAULT_ROWS = 6
MAX_ROWS = 100


@dataclass(frozen=True)
class RowError:
    """One refusal: the input at fault (its HTML id) and a message that says what and
    where ("Room 2, seats: give the number of seats.")."""

    target: str
    message: str


class QuickError(Refused):
    """A quick form refused: every row at fault, none saved."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(_("Nothing was saved: correct the rows below."),
                         details=[error.message for error in errors])
        self.errors = errors


@dataclass
class Rows:
    """The filled rows of one group of a quick form (``prefix``-``index``-``name``)."""

    prefix: str
    names: tuple[str, ...]
    count: int
    values: list[dict[str, str]] = field(default_factory=list)

    def input_id(self, index: int, name: str) -> str:
        return f"{self.prefix}-{index}-{name}"

    @classmethod
    def read(cls, prefix: str, names: tuple[str, ...], form: Mapping[str, str],
             minimum: int = DEFAULT_ROWS) -> Rows:
        """Every row of the submitted (or empty) form, filled or not, in order."""
        count = _row_count(prefix, form, minimum)
        rows = cls(prefix, names, count)
        for index in range(count):
            rows.values.append({name: (form.get(rows.input_id(index, name)) or "").strip()
                                for name in names})
        return rows

    def filled(self) -> Iterable[tuple[int, dict[str, str]]]:
        """The rows where anything was typed, with their index (empty rows are ignored;
        a field that comes filled in, such as a colour or "step-free", does not count)."""
        for index, row in enumerate(self.values):
            if any(value for name, value in row.items() if name not in PRESET):
                yield index, row


def _row_count(prefix: str, form: Mapping[str, str], minimum: int) -> int:
    """As many rows as were sent (so nothing typed is lost), at least ``minimum``."""
    raw = form.get(f"{prefix}-rows", "")
    sent = int(raw) if raw.isdigit() else 0
    return min(max(minimum, sent), MAX_ROWS)


def _collect(errors: list[RowError], rows: Rows, index: int, label: str,
             change: Callable[[], Any]) -> Any:
    """Run one row's change; a refusal becomes a row error at its field.

    No savepoint: the operations check their rules before writing anything, and on
    SQLite (pysqlite) a savepoint opened first in a transaction commits when released.
    A refusal by the database itself (a concurrent change) ends the form at once: the
    session must be rolled back before anything else is read."""
    try:
        return change()
    except ops.ProgrammeError as error:
        if isinstance(error.__cause__, IntegrityError):
            raise QuickError([*errors, RowError("", error.message)]) from error
        name = _field_of(error.field, rows.names)
        errors.append(RowError(rows.input_id(index, name),
                               _("%(row)s: %(message)s", row=label, message=error.message)))
        return None


def _field_of(operation_field: str | None, names: tuple[str, ...]) -> str:
    """The quick form's input matching the one-item form's field named in a refusal."""
    aliases = {"colour_hex": "colour", "new_last_name": "presenter",
               "new_email": "email", "starts": "starts", "ends": "ends", "title": "title"}
    wanted = aliases.get(operation_field or "", operation_field or "")
    return wanted if wanted in names else names[0]


def _finish(errors: list[RowError], nothing: RowError | None = None) -> None:
    if errors:
        raise QuickError(errors)
    if nothing is not None:
        raise QuickError([nothing])


def _whole(value: str, errors: list[RowError], target: str, label: str,
           what: str) -> int | None:
    try:
        number = int(value)
    except ValueError:
        errors.append(RowError(target, _("%(row)s: %(what)s must be a whole number (not "
                                         "\"%(value)s\").", row=label, what=what,
                                         value=value)))
        return None
    return number


def _time(value: str, errors: list[RowError], target: str, label: str) -> time | None:
    try:
        hours, minutes = value.replace("h", ":").replace("H", ":").split(":")
        return time(int(hours), int(minutes or 0))
    except ValueError:
        errors.append(RowError(target, _("%(row)s: write the time as HH:MM (not "
                                         "\"%(value)s\").", row=label, value=value)))
        return None


def _taken_names(model: type[Theme | Room | Project | Workshop], event: Event,
                 attribute: str = "name") -> set[str]:
    column = getattr(model, attribute)
    return {name.casefold() for name in db.session.scalars(
        db.select(column).where(model.event_id == event.id))}


def _duplicate(name: str, seen: set[str], errors: list[RowError], target: str,
               label: str) -> bool:
    """Two rows (or a row and an existing item) with one name: almost always a typo."""
    if name.casefold() in seen:
        errors.append(RowError(target, _("%(row)s: the name \"%(name)s\" is already used.",
                                         row=label, name=name)))
        return True
    seen.add(name.casefold())
    return False


# --- themes and rooms --------------------------------------------------------------------

THEME_FIELDS = ("name", "colour")
ROOM_FIELDS = ("name", "capacity", "tables", "step_free")
COLOURS = dict((hex_colour, name) for name, hex_colour in SIGNAGE_COLOURS)


@dataclass(frozen=True)
class Created:
    """What a quick form created, by kind (for the confirmation message)."""

    counts: dict[str, int]


def themes_and_rooms(event: Event, themes: Rows, rooms: Rows) -> Created:
    """The quick start: the event's themes with their colours, and its rooms."""
    errors: list[RowError] = []
    made = {"themes": 0, "rooms": 0}
    seen = _taken_names(Theme, event)
    for index, row in themes.filled():
        label = _("Theme %(number)d", number=index + 1)
        target = themes.input_id(index, "name")
        if not row["name"]:
            errors.append(RowError(target, _("%(row)s: give the theme a name.", row=label)))
            continue
        if _duplicate(row["name"], seen, errors, target, label):
            continue
        colour = row["colour"]
        if colour not in COLOURS:
            errors.append(RowError(themes.input_id(index, "colour"),
                                   _("%(row)s: choose a colour from the list.", row=label)))
            continue
        data: dict[str, Any] = {"name": row["name"], "swatch": colour,
                                "colour_name": COLOURS[colour]}
        if _collect(errors, themes, index, label, partial(ops.save_theme, event, None, data)):
            made["themes"] += 1
    seen = _taken_names(Room, event)
    for index, row in rooms.filled():
        label = _("Room %(number)d", number=index + 1)
        target = rooms.input_id(index, "name")
        if not row["name"]:
            errors.append(RowError(target, _("%(row)s: give the room a name.", row=label)))
            continue
        if _duplicate(row["name"], seen, errors, target, label):
            continue
        if not row["capacity"]:
            errors.append(RowError(rooms.input_id(index, "capacity"),
                                   _("%(row)s: give the number of seats.", row=label)))
            continue
        capacity = _whole(row["capacity"], errors, rooms.input_id(index, "capacity"), label,
                          _("the number of seats"))
        tables = _whole(row["tables"] or "1", errors, rooms.input_id(index, "tables"), label,
                        _("the number of tables"))
        if capacity is None or tables is None:
            continue
        if tables < 1:
            errors.append(RowError(rooms.input_id(index, "tables"),
                                   _("%(row)s: a room has at least one table.", row=label)))
            continue
        data = {"name": row["name"], "capacity": capacity, "tables": tables,
                "step_free": bool(row["step_free"])}
        if _collect(errors, rooms, index, label, partial(ops.save_room, event, None, data)):
            made["rooms"] += 1
    _finish(errors, None if any(made.values()) else RowError(
        themes.input_id(0, "name"), _("Fill in at least one theme or one room.")))
    return Created(made)


# --- projects ----------------------------------------------------------------------------

PROJECT_FIELDS = ("name", "theme", "presenter", "email")


def _split_name(full: str) -> tuple[str, str]:
    """"Ana Martin" -> ("Ana", "Martin"); one word is a last name."""
    parts = full.split()
    if len(parts) == 1:
        return "", parts[0]
    return " ".join(parts[:-1]), parts[-1]


def projects(event: Event, rows: Rows) -> Created:
    """Projects with their theme and, optionally, a new presenter each."""
    errors: list[RowError] = []
    made = 0
    seen = _taken_names(Project, event)
    themes = {str(theme.id): theme for theme in queries.themes(event)}
    for index, row in rows.filled():
        label = _("Project %(number)d", number=index + 1)
        target = rows.input_id(index, "name")
        if not row["name"]:
            errors.append(RowError(target, _("%(row)s: give the project a name.", row=label)))
            continue
        if _duplicate(row["name"], seen, errors, target, label):
            continue
        if row["theme"] not in themes:
            errors.append(RowError(rows.input_id(index, "theme"),
                                   _("%(row)s: choose the project's theme.", row=label)))
            continue
        first, last = _split_name(row["presenter"]) if row["presenter"] else ("", "")
        if row["email"] and not row["presenter"]:
            errors.append(RowError(rows.input_id(index, "presenter"),
                                   _("%(row)s: give the presenter's name with the email.",
                                     row=label)))
            continue
        data = {"name": row["name"], "theme": themes[row["theme"]].id,
                "new_first_name": first, "new_last_name": last, "new_email": row["email"]}
        if _collect(errors, rows, index, label,
                    partial(ops.save_project, event, None, data)):
            made += 1
    _finish(errors, None if made else RowError(rows.input_id(0, "name"),
                                               _("Fill in at least one project.")))
    return Created({"projects": made})


# --- rounds with their sessions ----------------------------------------------------------


def sessions_for_every_round(event: Event, rounds: list[Round] | None = None
                             ) -> ops.SessionFill:
    """"Generate the sessions" for the whole day (or the ``rounds`` given): each round's
    free tables get the projects that presented least so far, round after round (the
    rotation)."""
    created, left_out = [], {}
    rounds = queries.rounds(event) if rounds is None else rounds
    if not rounds:
        raise ops.ProgrammeError(_("Add the rounds first: there is nothing to fill."))
    if not queries.projects(event):
        raise ops.ProgrammeError(_("Add the projects first: there is nobody to place."))
    for round_ in rounds:
        try:
            fill = ops.generate_sessions(event, round_)
        except ops.ProgrammeError as error:
            if isinstance(error.__cause__, IntegrityError):
                raise
            continue  # that round is full, or every project already presents in it
            # (checked before anything is written)
        created += fill.created
        number = queries.round_number(event, round_)
        for name, reason in fill.left_out.items():
            left_out[f"{name} ({_('Round %(number)d', number=number)})"] = reason
    return ops.SessionFill(created, left_out)


# --- workshops ---------------------------------------------------------------------------

WORKSHOP_FIELDS = ("name", "room", "host")


def workshops(event: Event, slot_id: str, slot_data: dict[str, Any], rows: Rows) -> Created:
    """Workshops of one time slot: an existing one, or a new one described above."""
    errors: list[RowError] = []
    slot = None
    if slot_id:
        slot = db.session.get(WorkshopSlot, int(slot_id)) if slot_id.isdigit() else None
        if slot is None or slot.event_id != event.id:
            errors.append(RowError("slot", _("This time slot no longer exists; reload the "
                                              "page.")))
    else:
        try:
            slot = ops.save_slot(event, None, slot_data)
        except ops.ProgrammeError as error:
            if isinstance(error.__cause__, IntegrityError):
                raise QuickError([RowError("", error.message)]) from error
            target = {"starts": "slot_starts", "ends": "slot_ends"}.get(error.field or "",
                                                                       "slot_name")
            errors.append(RowError(target, _("Time slot: %(message)s",
                                             message=error.message)))
    rooms = {str(room.id): room for room in queries.rooms(event)}
    seen = _taken_names(Workshop, event)
    made = 0
    for index, row in rows.filled():
        label = _("Workshop %(number)d", number=index + 1)
        target = rows.input_id(index, "name")
        if not row["name"]:
            errors.append(RowError(target, _("%(row)s: give the workshop a name.",
                                             row=label)))
            continue
        if _duplicate(row["name"], seen, errors, target, label):
            continue
        if row["room"] not in rooms:
            errors.append(RowError(rows.input_id(index, "room"),
                                   _("%(row)s: choose a room.", row=label)))
            continue
        if slot is None:
            continue
        data = {"name": row["name"], "slot": slot.id, "room": rooms[row["room"]].id,
                "host": row["host"]}
        if _collect(errors, rows, index, label,
                    partial(ops.save_workshop, event, None, data)):
            made += 1
    _finish(errors, None if made else RowError(rows.input_id(0, "name"),
                                               _("Fill in at least one workshop.")))
    return Created({"workshops": made})


# --- plenary items -----------------------------------------------------------------------

ITEM_FIELDS = ("title", "kind", "starts", "ends", "room")


def programme_items(event: Event, rows: Rows) -> Created:
    """The day's plenary items (welcome, talks, lunch, closing) with their times."""
    errors: list[RowError] = []
    rooms = {str(room.id): room for room in queries.rooms(event)}
    made = 0
    for index, row in rows.filled():
        label = _("Item %(number)d", number=index + 1)
        if not row["title"]:
            errors.append(RowError(rows.input_id(index, "title"),
                                   _("%(row)s: give the item a title.", row=label)))
            continue
        if row["kind"] not in ProgrammeItemKind.ALL:
            errors.append(RowError(rows.input_id(index, "kind"),
                                   _("%(row)s: choose a kind from the list.", row=label)))
            continue
        times = []
        for name in ("starts", "ends"):
            if not row[name]:
                errors.append(RowError(rows.input_id(index, name),
                                       _("%(row)s: give the start and end times (HH:MM).",
                                         row=label)))
                break
            times.append(_time(row[name], errors, rows.input_id(index, name), label))
        if len(times) < 2 or None in times:
            continue
        if row["room"] and row["room"] not in rooms:
            errors.append(RowError(rows.input_id(index, "room"),
                                   _("%(row)s: this room no longer exists; reload the page.",
                                     row=label)))
            continue
        data = {"title": row["title"], "kind": row["kind"], "starts": times[0],
                "ends": times[1], "room": rooms[row["room"]].id if row["room"] else None}
        if _collect(errors, rows, index, label,
                    partial(ops.save_programme_item, event, None, data)):
            made += 1
    _finish(errors, None if made else RowError(rows.input_id(0, "title"),
                                               _("Fill in at least one item.")))
    return Created({"items": made})


def is_empty(event: Event) -> bool:
    """No theme and no room yet: the quick start is the way in."""
    return not db.session.scalar(db.select(func.count()).select_from(Theme).where(
        Theme.event_id == event.id)) and not db.session.scalar(
        db.select(func.count()).select_from(Room).where(Room.event_id == event.id))


