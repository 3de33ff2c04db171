"""Instance parsing and complete validation (format ``speed-dating-instance/1``).

Validation collects *every* problem with its place (``participants[12].wishes[0]``) instead of
stopping at the first one: an organiser fixing an import wants the whole list at once.
The structure (types, required fields, patterns, the options and their bounds and
defaults) is the JSON Schema of :mod:`scheduler.schema`, shared with the app's import;
this module adds the rules a schema cannot state (references, duplicates, times in order,
fixed and previous entries) and builds the :class:`Instance`. Descriptive extra fields on
entities (``name``, ``email``, ``keywords``...) are ignored; unknown keys inside ``options``
and an unknown ``format`` are errors because they usually mean a typo that would silently
change the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .schema import (
    option_bounds,
    option_defaults,
    option_is_valid,
    structure_errors,
)

INSTANCE_FORMAT = "speed-dating-instance/1"
SOLUTION_FORMAT = "speed-dating-solution/1"

# Every option's default, and the bounds of the numeric ones, are the schema's. The bounds
# are generous for any real event, yet they keep the objective far inside CP-SAT's 64-bit
# arithmetic (a weight of 2**70 made a solve overflow into hours of search) and a run
# inside one hour.
DEFAULT_OPTIONS: dict[str, Any] = option_defaults()
OPTION_BOUNDS: dict[str, tuple[int | float, int | float]] = option_bounds()


_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class InstanceError(ValueError):
    """An invalid instance; ``errors`` lists every ``(path, message)`` found."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = list(errors)
        super().__init__("\n".join(f"{p}: {m}" if p else m for p, m in self.errors))


@dataclass(frozen=True)
class Room:
    id: str
    capacity: int
    tables: int = 1
    accessible: bool = True
    themes: tuple[str, ...] = ()

    def admits(self, theme: str) -> bool:
        """A room with no themes takes any project; otherwise only its listed themes."""
        return not self.themes or theme in self.themes


@dataclass(frozen=True)
class Round:
    id: str
    start: str | None = None
    end: str | None = None


@dataclass(frozen=True)
class Project:
    id: str
    theme: str
    presenters: tuple[str, ...] = ()


@dataclass(frozen=True)
class Session:
    id: str
    project: str
    round: str | None
    room: str | None
    capacity: int | None  # explicit capacity; None = room capacity / tables
    min_audience: int = 0


@dataclass(frozen=True)
class Workshop:
    id: str
    slot: str
    room: str | None
    capacity: int


@dataclass(frozen=True)
class Participant:
    id: str
    category: str | None = None
    wishes: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    workshop_wishes: tuple[str, ...] = ()
    unavailable: frozenset[str] = frozenset()
    needs_accessible: bool = False
    fixed: tuple[tuple[str, str], ...] = ()

    @property
    def fixed_map(self) -> dict[str, str]:
        return dict(self.fixed)


@dataclass
class Options:
    rank_weights: tuple[int, ...]
    theme_weight: int
    unlucky_penalty: int
    min_distinct_themes: int
    previous: dict[str, dict[str, str]]
    change_penalty: int
    allow_idle: bool
    time_limit_s: float | None
    workers: int
    seed: int


@dataclass
class Instance:
    """A validated instance. Lists keep input order; ``*_by_id`` maps give O(1) look-ups."""

    themes: list[str]
    rooms: dict[str, Room]
    rounds: list[Round]
    projects: dict[str, Project]
    sessions: list[Session]
    workshop_slots: list[Round]
    workshops: list[Workshop]
    participants: list[Participant]
    options: Options
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.session_by_id = {s.id: s for s in self.sessions}
        self.workshop_by_id = {w.id: w for w in self.workshops}
        self.round_ids = [r.id for r in self.rounds]
        self.slot_ids = [s.id for s in self.workshop_slots]
        self.participant_by_id = {p.id: p for p in self.participants}
        # participant id -> projects they present
        pres: dict[str, list[str]] = {}
        for pr in self.projects.values():
            for pid in pr.presenters:
                pres.setdefault(pid, []).append(pr.id)
        self.presents = {k: tuple(v) for k, v in pres.items()}

    @property
    def programme_mode(self) -> bool:
        """True when at least one session's round or room is left to the solver."""
        return any(s.round is None or s.room is None for s in self.sessions)

    def session_capacity(self, session: Session, room_id: str) -> int:
        """Seats of ``session`` when held in ``room_id`` (explicit capacity, else capacity/tables),
        never more than the room itself holds."""
        room = self.rooms[room_id]
        cap = session.capacity if session.capacity is not None else room.capacity // room.tables
        return min(cap, room.capacity)

    def theme_of(self, session: Session) -> str:
        return self.projects[session.project].theme

    @cached_property
    def forced_rounds(self) -> dict[str, set[str]]:
        """Session -> rounds that participants' fixed entries pin it to (programme mode: a
        session without a round that someone is fixed to in round r must be held in r).
        Computed once: an instance is not modified after validation."""
        out: dict[str, set[str]] = {}
        for p in self.participants:
            for key, val in p.fixed:
                if key in self.round_ids:
                    out.setdefault(val, set()).add(key)
        return out


# --------------------------------------------------------------------------- parsing helpers


class _V:
    """Error collector for the rules the schema cannot state, with tolerant readers: a value
    of the wrong type (already reported by :func:`structure_errors`) reads as its default,
    and no second error is reported where the structure already failed."""

    def __init__(self, reported: list[tuple[str, str]]) -> None:
        self.errors: list[tuple[str, str]] = list(reported)
        self._reported = {path for path, _ in reported}

    def err(self, path: str, msg: str) -> None:
        if path not in self._reported:
            self.errors.append((path, msg))

    def obj(self, value: Any, path: str) -> dict | None:
        return value if isinstance(value, dict) else None

    def lst(self, value: Any, path: str) -> list | None:
        return value if isinstance(value, list) else None

    def id_(self, d: dict, path: str) -> str | None:
        v = d.get("id")
        return v if isinstance(v, str) and v else None

    def int_(self, d: dict, key: str, path: str, default: Any = None, minimum: int | None = 0,
             required: bool = False) -> Any:
        v = d.get(key)
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if isinstance(v, bool) or not isinstance(v, int) or (minimum is not None and v < minimum):
            return default
        return v

    def bool_(self, d: dict, key: str, path: str, default: bool) -> bool:
        v = d.get(key)
        return v if isinstance(v, bool) else default

    def ref(self, value: Any, path: str, known: dict | set, what: str) -> str | None:
        if not isinstance(value, str):
            return None
        if value not in known:
            self.err(path, f'unknown {what} "{value}"')
            return None
        return value

    def ref_list(self, d: dict, key: str, path: str, known: dict | set, what: str) -> list[str]:
        items = self.lst(d.get(key), f"{path}.{key}")
        if items is None:
            return []
        out: list[str] = []
        for i, v in enumerate(items):
            r = self.ref(v, f"{path}.{key}[{i}]", known, what)
            if r is None:
                continue
            if r in out:
                self.err(f"{path}.{key}[{i}]", f'"{r}" is listed twice')
                continue
            out.append(r)
        return out

    def time_(self, d: dict, path: str) -> tuple[str | None, str | None]:
        times = [v if isinstance(v, str) and _TIME_RE.match(v) else None
                 for v in (d.get("start"), d.get("end"))]
        start, end = times
        if start and end and end <= start:
            self.err(f"{path}.end", f"must be after start ({start}), got {end}")
        return start, end


def _tname(v: Any) -> str:
    if v is None:
        return "null"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "an object"}.get(type(v), type(v).__name__)


def _entities(v: _V, data: dict, key: str, required: bool = True) -> list[tuple[str, dict]]:
    """Return ``(path, object)`` for each entity of list ``key`` that has a unique valid id."""
    items = v.lst(data.get(key), key)
    if items is None:
        return []
    out = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        path = f"{key}[{i}]"
        d = v.obj(item, path)
        if d is None:
            continue
        ident = v.id_(d, path)
        if ident is None:
            continue
        if ident in seen:
            v.err(f"{path}.id", f'duplicate id "{ident}" (already {key}[{seen[ident]}])')
            continue
        seen[ident] = i
        out.append((path, d))
    return out


# --------------------------------------------------------------------------- main entry


def load_instance(data: Any) -> Instance:
    """Parse and validate an instance dict; raise :class:`InstanceError` listing every error."""
    if isinstance(data, Instance):
        return data
    if not isinstance(data, dict):
        raise InstanceError([("", "the instance must be a JSON object")])
    v = _V(structure_errors(data))

    themes = [d["id"] for _, d in _entities(v, data, "themes")]
    theme_set = set(themes)

    rooms: dict[str, Room] = {}
    for path, d in _entities(v, data, "rooms"):
        cap = v.int_(d, "capacity", path, required=True)
        tables = v.int_(d, "tables", path, default=1, minimum=1)
        acc = v.bool_(d, "accessible", path, True)
        rthemes = v.ref_list(d, "themes", path, theme_set, "theme")
        rooms[d["id"]] = Room(d["id"], cap if cap is not None else 0, tables, acc, tuple(rthemes))

    rounds = []
    for path, d in _entities(v, data, "rounds"):
        start, end = v.time_(d, path)
        rounds.append(Round(d["id"], start, end))
    slots = []
    for path, d in _entities(v, data, "workshop_slots", required=False):
        start, end = v.time_(d, path)
        slots.append(Round(d["id"], start, end))
    round_ids = {r.id for r in rounds}
    slot_ids = {s.id for s in slots}
    for path, d in _entities(v, data, "workshop_slots", required=False):
        if d["id"] in round_ids:
            v.err(f"{path}.id", f'"{d["id"]}" is already a round id')

    participants_raw = _entities(v, data, "participants")
    participant_ids = {d["id"] for _, d in participants_raw}

    projects: dict[str, Project] = {}
    for path, d in _entities(v, data, "projects"):
        theme = v.ref(d.get("theme"), f"{path}.theme", theme_set, "theme")
        presenters = v.ref_list(d, "presenters", path, participant_ids, "participant")
        projects[d["id"]] = Project(d["id"], theme or "", tuple(presenters))

    sessions: list[Session] = []
    for path, d in _entities(v, data, "sessions"):
        project = v.ref(d.get("project"), f"{path}.project", projects, "project")
        rnd = d.get("round")
        if rnd is not None:
            rnd = v.ref(rnd, f"{path}.round", round_ids, "round")
        room = d.get("room")
        if room is not None:
            room = v.ref(room, f"{path}.room", rooms, "room")
        cap = v.int_(d, "capacity", path)
        mina = v.int_(d, "min_audience", path, default=0)
        if room is not None and mina is not None:
            r = rooms[room]
            eff = min(cap if cap is not None else r.capacity // r.tables, r.capacity)
            if mina > eff:
                v.err(f"{path}.min_audience",
                      f"{mina} is more than the session's capacity {eff} in room {room}")
        elif cap is not None and mina is not None and mina > cap:
            v.err(f"{path}.min_audience", f"{mina} is more than the session's capacity {cap}")
        if project is None:
            continue
        sessions.append(Session(d["id"], project, rnd if rnd else None, room if room else None,
                                cap, mina or 0))
    session_by_id = {s.id: s for s in sessions}

    workshops: list[Workshop] = []
    for path, d in _entities(v, data, "workshops", required=False):
        slot = v.ref(d.get("slot"), f"{path}.slot", slot_ids, "workshop slot")
        room = d.get("room")
        if room is not None:
            room = v.ref(room, f"{path}.room", rooms, "room")
        cap = v.int_(d, "capacity", path)
        if cap is None:
            if room is not None:
                cap = rooms[room].capacity
            elif "capacity" not in d or d.get("capacity") is None:
                v.err(f"{path}.capacity", "is required when the workshop has no room")
        if slot is None or cap is None:
            continue
        workshops.append(Workshop(d["id"], slot, room, cap))
    workshop_by_id = {w.id: w for w in workshops}
    time_ids = round_ids | slot_ids

    def check_entry(key: Any, value: Any, path: str) -> tuple[str, str] | None:
        """Validate one ``round/slot -> session/workshop`` entry (fixed or previous)."""
        if not isinstance(key, str) or key not in time_ids:
            v.err(path, f'unknown round or workshop slot "{key}"')
            return None
        if key in round_ids:
            s = v.ref(value, f"{path}", session_by_id, "session")
            if s is None:
                return None
            sr = session_by_id[s].round
            if sr is not None and sr != key:
                v.err(path, f'session "{s}" is in round {sr}, not {key}')
                return None
        else:
            w = v.ref(value, f"{path}", workshop_by_id, "workshop")
            if w is None:
                return None
            if workshop_by_id[w].slot != key:
                v.err(path, f'workshop "{w}" is in slot {workshop_by_id[w].slot}, not {key}')
                return None
            s = w
        return key, s

    participants: list[Participant] = []
    for path, d in participants_raw:
        cat = d.get("category")
        if cat is not None and not isinstance(cat, str):
            v.err(f"{path}.category", f"must be a string or null, not {_tname(cat)}")
            cat = None
        wishes = v.ref_list(d, "wishes", path, projects, "project")
        pthemes = v.ref_list(d, "themes", path, theme_set, "theme")
        wwishes = v.ref_list(d, "workshop_wishes", path, workshop_by_id, "workshop")
        unav = v.ref_list(d, "unavailable", path, time_ids, "round or workshop slot")
        acc = v.bool_(d, "needs_accessible", path, False)
        fixed: list[tuple[str, str]] = []
        fx = d.get("fixed")
        if fx is not None and v.obj(fx, f"{path}.fixed") is not None:
            for key in fx:
                e = check_entry(key, fx[key], f"{path}.fixed.{key}")
                if e:
                    fixed.append(e)
        participants.append(Participant(d["id"], cat, tuple(wishes), tuple(pthemes),
                                        tuple(wwishes), frozenset(unav), acc, tuple(fixed)))

    options = _parse_options(v, data.get("options"), participant_ids, check_entry)
    if v.errors:
        raise InstanceError(v.errors)
    return Instance(themes, rooms, rounds, projects, sessions, slots, workshops, participants,
                    options, raw=data)


def _parse_options(v: _V, raw: Any, participant_ids: set[str], check_entry) -> Options:
    opts = dict(DEFAULT_OPTIONS)
    if raw is not None and v.obj(raw, "options") is not None:
        d = raw
        # The schema reported every invalid value; those keep their default here.
        for key, value in d.items():
            if key in opts and key != "previous" and value is not None \
                    and option_is_valid(key, value):
                opts[key] = value
        opts["rank_weights"] = [int(w) for w in opts["rank_weights"]]
        for key in ("theme_weight", "unlucky_penalty", "min_distinct_themes", "change_penalty",
                    "seed", "workers"):
            opts[key] = int(opts[key])
        if "time_limit_s" in d:
            t = d["time_limit_s"]
            opts["time_limit_s"] = None if t is None else (
                float(t) if option_is_valid("time_limit_s", t) else opts["time_limit_s"])
        prev: dict[str, dict[str, str]] = {}
        pr = d.get("previous")
        if pr is not None and v.obj(pr, "options.previous") is not None:
            for pid, entries in pr.items():
                path = f"options.previous.{pid}"
                if pid not in participant_ids:
                    v.err(path, f'unknown participant "{pid}"')
                    continue
                if v.obj(entries, path) is None:
                    continue
                got = {}
                for key, val in entries.items():
                    e = check_entry(key, val, f"{path}.{key}")
                    if e:
                        got[e[0]] = e[1]
                prev[pid] = got
        opts["previous"] = prev
    return Options(tuple(opts["rank_weights"]), opts["theme_weight"], opts["unlucky_penalty"],
                   opts["min_distinct_themes"], opts["previous"], opts["change_penalty"],
                   opts["allow_idle"], opts["time_limit_s"], opts["workers"], opts["seed"])
