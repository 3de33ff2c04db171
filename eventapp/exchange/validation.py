"""Validation of a ``speed-dating-instance/1`` document before anything is written.

The whole document is checked and *every* problem is collected with its JSON path, in
the contract's style (``sessions[3].room: unknown room "salle9"``), so the organiser can
fix a file in one go. The structure (types, required fields, time/date/colour patterns,
the options, their bounds and defaults) is the format's JSON Schema, shared with the
solver (:mod:`scheduler.schema`); its errors come first, and nothing is reported twice at
one place. What this module adds is what the app's database needs: the descriptive fields
it stores (names, the event's header, a known timezone), the text rules and length limits
of its columns, its categories, and the cross-item checks that the database would
otherwise refuse with an unreadable integrity error (a project presenting twice in a
round, too many sessions for a room's tables, a pinned session outside its round...),
besides the references between items. The rules are data: one tuple of field
specifications per list of the format.

Messages are technical and stay in English, like the solver's: they name JSON fields
and ids, which are the file's own language.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

from scheduler import DEFAULT_OPTIONS as SOLVER_OPTIONS
from scheduler import INSTANCE_FORMAT
from scheduler.schema import structure_errors

from ..errors import Refused
from ..json_depth import check_json_depth
from ..programme.models import KEY_LENGTH
from ..registration.models import CATEGORIES
from ..text import block_problem, line_problem, strip_bidi

FORMAT = INSTANCE_FORMAT

# The format's defaults for every option but ``previous`` (the schema's, through the solver):
# what an event's stored options are completed with.
DEFAULT_OPTIONS: dict[str, Any] = {name: value for name, value in SOLVER_OPTIONS.items()
                                   if name != "previous"}

# Spellings met in spreadsheets and other tools, mapped to registration.models.CATEGORIES.
# Keys are compared after :func:`_fold` (lower case, no accents, hyphens).
CATEGORY_ALIASES: dict[str, str] = {
    "service-public-de-l-emploi": "service-public",
    "spe": "service-public",
    "public-service": "service-public",
    "public": "service-public",
    "structure-d-insertion": "siae",
    "iae": "siae",
    "asso": "association",
    "nonprofit": "association",
    "non-profit": "association",
    "company": "entreprise",
    "business": "entreprise",
    "collectivite-territoriale": "collectivite",
    "local-authority": "collectivite",
    "research": "recherche",
    "chercheur": "recherche",
    "funder": "financeur",
    "job-seeker": "demandeur-emploi",
    "demandeur-d-emploi": "demandeur-emploi",
    "speaker": "intervenant",
    "presenter": "intervenant",
    "other": "autre",
}

LABELS = {
    "themes": "theme",
    "rooms": "room",
    "rounds": "round",
    "projects": "project",
    "sessions": "session",
    "workshop_slots": "workshop slot",
    "workshops": "workshop",
    "participants": "participant",
}

MAX_COUNT = 100_000  # capacities and tables: far above any venue, within an SQL integer

_REQUIRED = object()
_INVALID = object()
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class InstanceImportError(Refused):
    """The document cannot be imported; ``errors`` lists every (path, message)."""

    status = 400
    api_message = "The instance is not valid; nothing was imported."

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("\n".join(f"{path}: {message}" for path, message in errors),
                         details=[{"field": path, "message": message}
                                  for path, message in errors])


@dataclass
class Context:
    """Ids seen in the first pass, and the errors collected so far: the schema's first,
    then this module's, never a second one at a place the schema already named."""

    ids: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._reported = {path for path, _ in self.errors}

    def error(self, path: str, message: str) -> object:
        if path not in self._reported:
            self.errors.append((path, message))
        return _INVALID


Check = Callable[[Any, Context, str], Any]


@dataclass(frozen=True)
class Field:
    name: str
    check: Check
    default: Any = _REQUIRED  # _REQUIRED: the field must be present (and not null)


# --- value checks: (value, context, path) -> cleaned value or _INVALID ------------------


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false",
            type(None): "null"}.get(type(value), "a number")


def _wrong_type(ctx: Context, path: str, expected: str, value: Any) -> object:
    return ctx.error(path, f"must be {expected}, not {_type_name(value)}")


def text(max_length: int, *, empty: bool = False, multiline: bool = False,
         keep_bidi: bool = False) -> Check:
    """A string, with the app's text rules (:mod:`eventapp.text`, as in every form):
    single-line text refuses control characters and line breaks and loses its bidi controls
    (``keep_bidi`` for ids, which must match their references exactly); ``multiline`` text
    refuses control characters other than tabs and line breaks. NUL is always refused
    (PostgreSQL text cannot hold it)."""

    def check(value: Any, ctx: Context, path: str) -> Any:
        if not isinstance(value, str):
            return _wrong_type(ctx, path, "a string", value)
        if not multiline and not keep_bidi:
            value = strip_bidi(value)
        if not empty and not value.strip():
            return ctx.error(path, "must not be empty")
        problem = block_problem(value) if multiline else line_problem(value)
        if problem is not None:
            return ctx.error(path, problem)
        if len(value) > max_length:
            return ctx.error(path, f"too long ({len(value)} characters, at most {max_length})")
        return value

    return check


def integer(minimum: int | None = None, maximum: int | None = None) -> Check:
    def check(value: Any, ctx: Context, path: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            return _wrong_type(ctx, path, "an integer", value)
        if maximum is not None and value > maximum:
            return ctx.error(path, f"must be at most {maximum} (got {value})")
        if minimum is not None and value < minimum:
            if minimum == 0:
                return ctx.error(path, f"must not be negative (got {value})")
            return ctx.error(path, f"must be at least {minimum} (got {value})")
        return value

    return check


def boolean(value: Any, ctx: Context, path: str) -> Any:
    if not isinstance(value, bool):
        return _wrong_type(ctx, path, "true or false", value)
    return value


def clock(value: Any, ctx: Context, path: str) -> Any:
    if not isinstance(value, str):
        return _wrong_type(ctx, path, "a string", value)
    match = _TIME.match(value)
    if not match:
        return ctx.error(path, f'invalid time "{value}": expected HH:MM (00:00 to 23:59)')
    return time(int(match[1]), int(match[2]))


def colour(value: Any, ctx: Context, path: str) -> Any:
    if not isinstance(value, str):
        return _wrong_type(ctx, path, "a string", value)
    if not _COLOUR.match(value):
        return ctx.error(path, f'invalid colour "{value}": expected #rrggbb')
    return value.lower()


def iso_date(value: Any, ctx: Context, path: str) -> Any:
    if not isinstance(value, str):
        return _wrong_type(ctx, path, "a string", value)
    try:
        if not _DATE.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        return ctx.error(path, f'invalid date "{value}": expected YYYY-MM-DD')


def timezone(value: Any, ctx: Context, path: str) -> Any:
    checked = text(64)(value, ctx, path)
    if checked is _INVALID:
        return checked
    try:
        ZoneInfo(value)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return ctx.error(path, f'unknown timezone "{value}": expected an IANA name such as '
                               '"Europe/Paris"')
    return value


def _fold(value: str) -> str:
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def category(value: Any, ctx: Context, path: str) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        return _wrong_type(ctx, path, "a string or null", value)
    folded = _fold(value)
    if folded in CATEGORIES:
        return folded
    if folded in CATEGORY_ALIASES:
        return CATEGORY_ALIASES[folded]
    return ctx.error(path, f'unknown category "{value}" (expected one of '
                           f'{", ".join(CATEGORIES)})')


def person_name(value: Any, ctx: Context, path: str) -> Any:
    """A full name, split at the first space into first and last name on import."""
    checked = text(301, empty=True)(value, ctx, path)
    if checked is _INVALID:
        return checked
    first, _, last = checked.strip().partition(" ")
    if len(first) > 150 or len(last) > 150:
        return ctx.error(path, "too long (first and last name: at most 150 characters each)")
    return checked.strip()


def _list_of(item_check: Check) -> Check:
    def check(value: Any, ctx: Context, path: str) -> Any:
        if not isinstance(value, list):
            return _wrong_type(ctx, path, "a list", value)
        cleaned = [item_check(item, ctx, f"{path}[{k}]") for k, item in enumerate(value)]
        return _INVALID if _INVALID in cleaned else cleaned

    return check


def string_list(max_length: int) -> Check:
    return _list_of(text(max_length))


def _describe(collections: tuple[str, ...]) -> str:
    return " or ".join(LABELS[name] for name in collections)


def ref(*collections: str) -> Check:
    """An id of an item of one of ``collections``."""

    def check(value: Any, ctx: Context, path: str) -> Any:
        if not isinstance(value, str):
            return _wrong_type(ctx, path, "a string id", value)
        if not any(value in ctx.ids.get(name, {}) for name in collections):
            return ctx.error(path, f'unknown {_describe(collections)} "{value}"')
        return value

    return check


def refs(*collections: str) -> Check:
    """A list of distinct ids; each wrong element is reported at its own index."""
    item_check = ref(*collections)

    def check(value: Any, ctx: Context, path: str) -> Any:
        if not isinstance(value, list):
            return _wrong_type(ctx, path, "a list", value)
        cleaned: list[Any] = []
        for k, item in enumerate(value):
            if isinstance(item, str) and item in cleaned:
                cleaned.append(ctx.error(f"{path}[{k}]",
                                         f'duplicate {_describe(collections)} "{item}"'))
            else:
                cleaned.append(item_check(item, ctx, f"{path}[{k}]"))
        return _INVALID if _INVALID in cleaned else cleaned

    return check


def mapping(key_check: Check, value_check: Check) -> Check:
    """An object whose keys and values are both checked (``fixed``, ``previous``)."""

    def check(value: Any, ctx: Context, path: str) -> Any:
        if not isinstance(value, dict):
            return _wrong_type(ctx, path, "an object", value)
        cleaned = {}
        for key, item in value.items():
            item_path = f"{path}.{key}"
            if key_check(key, ctx, item_path) is _INVALID:
                cleaned[key] = _INVALID
            else:
                cleaned[key] = value_check(item, ctx, item_path)
        return _INVALID if _INVALID in cleaned.values() else cleaned

    return check


# --- the format, as data ---------------------------------------------------------------

ID = text(KEY_LENGTH, keep_bidi=True)
COUNT = integer(0, MAX_COUNT)
NAME = text(300)
DESCRIPTION = text(100_000, empty=True, multiline=True)

COLLECTIONS: dict[str, tuple[Field, ...]] = {
    "themes": (Field("name", NAME), Field("colour", colour)),
    "rooms": (
        Field("name", text(200)),
        Field("capacity", COUNT),
        Field("tables", integer(1, MAX_COUNT), 1),
        Field("accessible", boolean, True),
        Field("themes", refs("themes"), []),
        Field("directions", DESCRIPTION, ""),
        Field("table_labels", string_list(300), []),
    ),
    "rounds": (Field("start", clock), Field("end", clock)),
    "projects": (
        Field("name", NAME),
        Field("theme", ref("themes")),
        Field("presenters", refs("participants"), []),
        Field("organisation", text(300, empty=True), ""),
        Field("keywords", string_list(100), []),
        Field("description", DESCRIPTION, ""),
    ),
    "sessions": (
        Field("project", ref("projects")),
        Field("round", ref("rounds"), None),
        Field("room", ref("rooms"), None),
        Field("capacity", COUNT, None),
        Field("min_audience", COUNT, 0),
    ),
    "workshop_slots": (Field("start", clock), Field("end", clock)),
    "workshops": (
        Field("name", NAME),
        Field("slot", ref("workshop_slots")),
        Field("room", ref("rooms")),
        Field("capacity", COUNT),
        Field("host", text(300, empty=True), ""),
        Field("panel", DESCRIPTION, ""),
        Field("description", DESCRIPTION, ""),
    ),
    "participants": (
        Field("name", person_name, ""),
        Field("category", category, None),
        Field("wishes", refs("projects"), []),
        Field("themes", refs("themes"), []),
        Field("workshop_wishes", refs("workshops"), []),
        Field("unavailable", refs("rounds", "workshop_slots"), []),
        Field("needs_accessible", boolean, False),
        Field("fixed", mapping(ref("rounds", "workshop_slots"), ref("sessions", "workshops")),
              {}),
    ),
}

EVENT_FIELDS: tuple[Field, ...] = (
    Field("name", NAME),
    Field("date", iso_date),
    Field("timezone", timezone),
    Field("venue", text(300, empty=True), ""),
    Field("address", DESCRIPTION, ""),
    Field("description", DESCRIPTION, ""),
)

# The schema checks every option's type and bounds; ``previous`` also names items.
OPTION_CHECKS: dict[str, Check] = {
    "previous": mapping(
        ref("participants"),
        mapping(ref("rounds", "workshop_slots"), ref("sessions", "workshops")),
    ),
}


# --- the document ----------------------------------------------------------------------


def _clean_object(obj: dict, fields: tuple[Field, ...], ctx: Context, path: str) -> dict:
    cleaned: dict[str, Any] = {}
    for spec in fields:
        value = obj.get(spec.name)
        if value is None and spec.default is _REQUIRED:
            message = "required field missing" if spec.name not in obj else "must not be null"
            cleaned[spec.name] = ctx.error(f"{path}.{spec.name}", message)
        elif value is None:
            cleaned[spec.name] = _copy(spec.default)
        else:
            cleaned[spec.name] = spec.check(value, ctx, f"{path}.{spec.name}")
    return cleaned


def _copy(value: Any) -> Any:
    """A fresh copy of a mutable default ([] or {}), never the shared one."""
    return copy.copy(value)


def _collect_ids(data: dict, ctx: Context) -> dict[str, list[dict]]:
    """First pass: every list is a list of objects with unique, non-empty ids."""
    items: dict[str, list[dict]] = {}
    for name in COLLECTIONS:
        raw = data.get(name)
        raw = [] if raw is None else raw  # (a missing required list: the schema said so)
        ctx.ids[name] = {}
        items[name] = []
        if not isinstance(raw, list):
            _wrong_type(ctx, name, "a list", raw)
            continue
        for index, obj in enumerate(raw):
            path = f"{name}[{index}]"
            if not isinstance(obj, dict):
                _wrong_type(ctx, path, "an object", obj)
                continue
            key = obj.get("id")
            if "id" not in obj or key is None:
                ctx.error(f"{path}.id", "required field missing")
            elif ID(key, ctx, f"{path}.id") is not _INVALID:
                if key in ctx.ids[name]:
                    ctx.error(f"{path}.id", f'duplicate id "{key}" (already used by '
                                            f"{name}[{ctx.ids[name][key]}])")
                else:
                    ctx.ids[name][key] = index
            # A wrong id (already reported) must not break the dict lookups that follow.
            items[name].append({"_path": path, "_raw": obj,
                                "id": key if isinstance(key, str) else None})
    return items


def _cross_checks(doc: dict, ctx: Context) -> None:
    """Rules across items, checked only on values that passed their own checks."""
    rooms = {room["id"]: room for room in doc["rooms"]}
    sessions = {session["id"]: session for session in doc["sessions"]}
    workshops = {workshop["id"]: workshop for workshop in doc["workshops"]}
    for name in ("rounds", "workshop_slots"):
        for item in doc[name]:
            start, end = item["start"], item["end"]
            if isinstance(start, time) and isinstance(end, time) and end <= start:
                ctx.error(f"{item['_path']}.end",
                          f'must be after start ({end:%H:%M} is not after {start:%H:%M})')
    project_rounds: dict[tuple, str] = {}
    tables_used: dict[tuple, int] = {}
    for session in doc["sessions"]:
        path = session["_path"]
        capacity, minimum = session["capacity"], session["min_audience"]
        if isinstance(capacity, int) and isinstance(minimum, int) and minimum > capacity:
            ctx.error(f"{path}.min_audience", f"{minimum} exceeds capacity {capacity}")
        round_key, room_key = session["round"], session["room"]
        if round_key in (None, _INVALID):
            continue
        if session["project"] is not _INVALID:
            slot = (session["project"], round_key)
            if slot in project_rounds:
                ctx.error(f"{path}.round", f'project "{session["project"]}" already presents in '
                                           f'round "{round_key}" ({project_rounds[slot]})')
            project_rounds.setdefault(slot, path)
        room = rooms.get(room_key)
        if room is not None and isinstance(room["tables"], int):
            used = tables_used[(round_key, room_key)] = tables_used.get((round_key, room_key),
                                                                        0) + 1
            if used > room["tables"]:
                ctx.error(f"{path}.room", f'room "{room_key}" has {room["tables"]} table(s), '
                                          f'all taken in round "{round_key}"')
    for person in doc["participants"]:
        fixed = person["fixed"]
        if fixed is _INVALID:
            continue
        unavailable = person["unavailable"] if person["unavailable"] is not _INVALID else []
        for when, what in fixed.items():
            path = f"{person['_path']}.fixed.{when}"
            if when in unavailable:
                ctx.error(path, f'"{when}" is also listed in unavailable')
            if when in ctx.ids["rounds"]:
                session = sessions.get(what)
                if session is None:
                    ctx.error(path, f'"{what}" is not a session (round "{when}" needs one)')
                elif session["round"] is not _INVALID and session["round"] != when:
                    where = f'round "{session["round"]}"' if session["round"] else "no round"
                    ctx.error(path, f'session "{what}" is in {where}, not in round "{when}"')
            else:
                workshop = workshops.get(what)
                if workshop is None:
                    ctx.error(path, f'"{what}" is not a workshop (slot "{when}" needs one)')
                elif workshop["slot"] is not _INVALID and workshop["slot"] != when:
                    ctx.error(path, f'workshop "{what}" is in slot "{workshop["slot"]}", '
                                    f'not in slot "{when}"')


def _clean_options(raw: Any, ctx: Context) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        _wrong_type(ctx, "options", "an object", raw)
        return {}
    cleaned = {}
    for name, value in raw.items():
        if name in OPTION_CHECKS:
            cleaned[name] = OPTION_CHECKS[name](value, ctx, f"options.{name}")
        elif name in SOLVER_OPTIONS:  # (unknown ones were reported by the schema)
            cleaned[name] = value
    return cleaned


def validate_instance(data: Any) -> dict:
    """Check a parsed document; return it cleaned, with every default filled in.

    Items keep their list order and carry ``_path`` (for messages); times are
    ``datetime.time``; categories are canonical. Raises :class:`InstanceImportError`
    with every problem found.
    """
    if not isinstance(data, dict):
        raise InstanceImportError([("document", "must be a JSON object")])
    ctx = Context(errors=structure_errors(data))
    items = _collect_ids(data, ctx)
    doc: dict[str, Any] = {}
    raw_event = data.get("event")
    if isinstance(raw_event, dict):
        doc["event"] = _clean_object(raw_event, EVENT_FIELDS, ctx, "event")
    elif raw_event is None:
        ctx.error("event", "required field missing")
    else:
        _wrong_type(ctx, "event", "an object", raw_event)
    for name, fields in COLLECTIONS.items():
        doc[name] = [
            {"id": item["id"], "_path": item["_path"],
             **_clean_object(item["_raw"], fields, ctx, item["_path"])}
            for item in items[name]
        ]
    doc["options"] = _clean_options(data.get("options"), ctx)
    _cross_checks(doc, ctx)
    if ctx.errors:
        raise InstanceImportError(ctx.errors)
    return doc


def load_document(raw: bytes) -> Any:
    """Decode an uploaded file: UTF-8 (a BOM is tolerated) JSON, or a clear error."""
    try:
        text_value = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InstanceImportError([(
            "file", f"not UTF-8 text (byte 0x{raw[error.start]:02x} at position "
                    f"{error.start}); save the file as UTF-8 and try again",
        )]) from error

    def refuse_constant(name: str) -> Any:
        raise ValueError(f"{name} is not allowed in JSON")

    def unique_keys(pairs: list[tuple[str, Any]]) -> dict:
        # json keeps the last of two equal keys silently; a hand-edited file would then
        # lose data without a word.
        obj: dict[str, Any] = {}
        for key, value in pairs:
            if key in obj:
                raise ValueError(f'duplicate key "{key}" in an object')
            obj[key] = value
        return obj

    try:
        return check_json_depth(json.loads(text_value, parse_constant=refuse_constant,
                                           object_pairs_hook=unique_keys))
    except RecursionError as error:
        raise InstanceImportError([("file", "invalid JSON: nested too deeply")]) from error
    except json.JSONDecodeError as error:
        raise InstanceImportError([(
            "file", f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}",
        )]) from error
    except ValueError as error:
        raise InstanceImportError([("file", f"invalid JSON: {error}")]) from error
