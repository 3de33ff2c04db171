"""The contract's nine hard rules and its objective, re-derived from
``shared/docs/scheduling.md`` alone, one function per rule, plus a brute-force optimum.

Independent on purpose: it imports nothing from ``scheduler`` (nor from ``helpers``'s
checker), so a misreading of the contract in the library's checker, shared by the solver
through ``evaluate``, cannot hide a solver bug. Works on the raw JSON dicts and applies the
contract's defaults itself.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from typing import Any

OPTION_DEFAULTS: dict[str, Any] = {
    "rank_weights": [100, 60, 40, 25, 15, 10], "theme_weight": 5, "unlucky_penalty": 200,
    "min_distinct_themes": 1, "previous": {}, "change_penalty": 0, "allow_idle": False}


@dataclass
class Day:
    """The instance with defaults applied and the solution's programme laid over it."""

    data: dict
    options: dict
    rooms: dict[str, dict]
    rounds: list[str]
    slots: list[str]
    sessions: dict[str, dict]
    workshops: dict[str, dict]
    theme_of_project: dict[str, str]
    place: dict[str, tuple[Any, Any]]  # session -> (round, room) after the programme
    programme_mode: bool

    @classmethod
    def of(cls, data: dict, solution: dict | None = None) -> Day:
        options = {**OPTION_DEFAULTS, **{k: v for k, v in (data.get("options") or {}).items()
                                         if k in OPTION_DEFAULTS}}
        rooms = {r["id"]: {"capacity": r["capacity"], "tables": r.get("tables", 1),
                           "accessible": r.get("accessible", True),
                           "themes": r.get("themes") or []} for r in data["rooms"]}
        sessions = {s["id"]: s for s in data["sessions"]}
        place = {sid: (s.get("round"), s.get("room")) for sid, s in sessions.items()}
        for entry in (solution or {}).get("programme") or []:
            place[entry["session"]] = (entry.get("round"), entry.get("room"))
        return cls(
            data=data, options=options, rooms=rooms,
            rounds=[r["id"] for r in data["rounds"]],
            slots=[s["id"] for s in data.get("workshop_slots") or []],
            sessions=sessions,
            workshops={w["id"]: w for w in data.get("workshops") or []},
            theme_of_project={p["id"]: p["theme"] for p in data["projects"]},
            place=place,
            programme_mode=any(s.get("round") is None or s.get("room") is None
                               for s in data["sessions"]))

    def project(self, sid: str) -> str:
        return self.sessions[sid]["project"]

    def theme(self, sid: str) -> str:
        return self.theme_of_project[self.project(sid)]

    def seats(self, sid: str) -> int:
        """Session capacity (default: room capacity / tables), never above the room's."""
        room = self.rooms[self.place[sid][1]]
        cap = self.sessions[sid].get("capacity")
        if cap is None:
            cap = room["capacity"] // room["tables"]
        return min(cap, room["capacity"])

    def workshop_seats(self, wid: str) -> int:
        w = self.workshops[wid]
        if w.get("capacity") is not None:
            return w["capacity"]
        return self.rooms[w["room"]]["capacity"]

    def presenting_rounds(self, pid: str) -> set:
        projects = {p["id"] for p in self.data["projects"] if pid in (p.get("presenters") or [])}
        return {self.place[sid][0] for sid in self.sessions if self.project(sid) in projects}


def _by_person(solution: dict) -> dict[str, dict]:
    return {a["participant"]: a for a in solution.get("assignments") or []}


# --------------------------------------------------------------------------- the programme


def programme_violations(day: Day) -> list[str]:
    """The programme keeps the organiser's placements, uses admitting rooms, tables and
    rule 9 (two sessions of a project never in the same round)."""
    out = []
    for sid, s in day.sessions.items():
        r, room = day.place[sid]
        if r not in day.rounds or room not in day.rooms:
            out.append(f"programme: {sid} is not placed")
            continue
        if s.get("round") is not None and s["round"] != r:
            out.append(f"programme: {sid} moved from round {s['round']}")
        if s.get("room") is not None and s["room"] != room:
            out.append(f"programme: {sid} moved from room {s['room']}")
        themes = day.rooms[room]["themes"]
        if s.get("room") is None and themes and day.theme(sid) not in themes:
            out.append(f"programme: {sid} in room {room} which does not admit its theme")
    return out


def rule9(day: Day, solution: dict) -> list[str]:
    per = Counter((day.project(sid), day.place[sid][0]) for sid in day.sessions)
    return [f"rule 9: {pr} twice in {r}" for (pr, r), n in per.items() if n > 1]


# --------------------------------------------------------------------------- rules 1-8


def rule1(day: Day, solution: dict) -> list[str]:
    """Exactly one session per available round (at most one with allow_idle), exactly one
    workshop per available slot; and each entry is held where it says."""
    out = []
    by = _by_person(solution)
    for p in day.data["participants"]:
        a = by.get(p["id"])
        if a is None:
            out.append(f"rule 1: {p['id']} has no assignment")
            continue
        unav = set(p.get("unavailable") or [])
        busy = day.presenting_rounds(p["id"])
        for r in day.rounds:
            if r not in unav and r not in busy and r not in a["sessions"] \
                    and not day.options["allow_idle"]:
                out.append(f"rule 1: {p['id']} has no session in {r}")
        for r, sid in a["sessions"].items():
            if r not in day.rounds or sid not in day.sessions or day.place[sid][0] != r:
                out.append(f"rule 1: {p['id']} has {sid} in {r}, where it is not held")
        for slot in day.slots:
            if slot not in unav and slot not in a.get("workshops", {}):
                out.append(f"rule 1: {p['id']} has no workshop in {slot}")
        for slot, wid in a.get("workshops", {}).items():
            if wid not in day.workshops or day.workshops[wid]["slot"] != slot:
                out.append(f"rule 1: {p['id']} has {wid} in {slot}, where it is not held")
    return out


def rule2(day: Day, solution: dict) -> list[str]:
    out = []
    for pid, a in _by_person(solution).items():
        projects = Counter(day.project(s) for s in a["sessions"].values() if s in day.sessions)
        out += [f"rule 2: {pid} sees {pr} {n} times" for pr, n in projects.items() if n > 1]
        unav = set(next(p for p in day.data["participants"] if p["id"] == pid)
                   .get("unavailable") or [])
        out += [f"rule 2: {pid} attends {k} while unavailable"
                for k in list(a["sessions"]) + list(a.get("workshops", {})) if k in unav]
    return out


def rule3(day: Day, solution: dict) -> list[str]:
    out = []
    for pid, a in _by_person(solution).items():
        busy = day.presenting_rounds(pid)
        out += [f"rule 3: {pid} attends {r} while presenting" for r in a["sessions"] if r in busy]
    return out


def _attendance(day: Day, solution: dict) -> Counter:
    n: Counter = Counter()
    for a in _by_person(solution).values():
        n.update(a["sessions"].values())
        n.update(a.get("workshops", {}).values())
    return n


def rule4(day: Day, solution: dict) -> list[str]:
    out = []
    n = _attendance(day, solution)
    room_load: Counter = Counter()
    tables: Counter = Counter()
    for sid in day.sessions:
        if n[sid] > day.seats(sid):
            out.append(f"rule 4: {sid} seats {n[sid]} for {day.seats(sid)}")
        room_load[day.place[sid]] += n[sid]
        tables[day.place[sid]] += 1
    for wid, w in day.workshops.items():
        if n[wid] > day.workshop_seats(wid):
            out.append(f"rule 4: workshop {wid} seats {n[wid]}")
        if w.get("room"):
            room_load[(w["slot"], w["room"])] += n[wid]
    for (t, room), k in room_load.items():
        if k > day.rooms[room]["capacity"]:
            out.append(f"rule 4: room {room} holds {k} in {t}")
    for (t, room), k in tables.items():
        if k > day.rooms[room]["tables"]:
            out.append(f"rule 4: room {room} holds {k} sessions in {t}")
    return out


def rule5(day: Day, solution: dict) -> list[str]:
    n = _attendance(day, solution)
    return [f"rule 5: {sid} has {n[sid]} < {s.get('min_audience', 0)}"
            for sid, s in day.sessions.items()
            if (n[sid] > 0 or day.programme_mode) and n[sid] < (s.get("min_audience") or 0)]


def rule6(day: Day, solution: dict) -> list[str]:
    out = []
    needs = {p["id"] for p in day.data["participants"] if p.get("needs_accessible")}
    for pid, a in _by_person(solution).items():
        if pid not in needs:
            continue
        rooms = [day.place[s][1] for s in a["sessions"].values() if s in day.sessions]
        rooms += [day.workshops[w].get("room") for w in a.get("workshops", {}).values()
                  if w in day.workshops]
        out += [f"rule 6: {pid} in room {m}" for m in rooms
                if m is not None and not day.rooms[m]["accessible"]]
    return out


def rule7(day: Day, solution: dict) -> list[str]:
    out = []
    by = _by_person(solution)
    for p in day.data["participants"]:
        a = by.get(p["id"], {"sessions": {}, "workshops": {}})
        for key, val in (p.get("fixed") or {}).items():
            now = a["sessions"].get(key) if key in day.rounds else a.get("workshops", {}).get(key)
            if now != val:
                out.append(f"rule 7: {p['id']} fixed to {val} in {key}, has {now}")
    return out


def rule8(day: Day, solution: dict) -> list[str]:
    k = day.options["min_distinct_themes"]
    out = []
    for pid, a in _by_person(solution).items():
        sids = [s for s in a["sessions"].values() if s in day.sessions]
        if len({day.theme(s) for s in sids}) < min(k, len(sids)):
            out.append(f"rule 8: {pid} covers too few themes")
    return out


RULES = (rule1, rule2, rule3, rule4, rule5, rule6, rule7, rule8, rule9)


def violations(data: dict, solution: dict) -> list[str]:
    day = Day.of(data, solution)
    out = programme_violations(day)
    if out:
        return out
    for rule in RULES:
        out += rule(day, solution)
    return out


# --------------------------------------------------------------------------- objective


def objective(data: dict, solution: dict) -> int:
    """satisfaction - unlucky_penalty x unlucky - change_penalty x changed."""
    day = Day.of(data, solution)
    o = day.options
    w = o["rank_weights"]
    by = _by_person(solution)
    total = 0
    for p in data["participants"]:
        a = by.get(p["id"], {"sessions": {}, "workshops": {}})
        wishes = p.get("wishes") or []
        got = [day.project(s) for s in a["sessions"].values()]
        for pr in got:
            if pr in wishes:
                total += w[wishes.index(pr)] if wishes.index(pr) < len(w) else 0
            elif day.theme_of_project[pr] in (p.get("themes") or []):
                total += o["theme_weight"]
        ww = p.get("workshop_wishes") or []
        for wid in a.get("workshops", {}).values():
            if wid in ww and ww.index(wid) < len(w):
                total += w[ww.index(wid)]
        if wishes and not set(wishes) & set(got):
            total -= o["unlucky_penalty"]
        for key, val in (o["previous"].get(p["id"]) or {}).items():
            now = a["sessions"].get(key) if key in day.rounds else a.get("workshops", {}).get(key)
            if now != val:
                total -= o["change_penalty"]
    return total


# --------------------------------------------------------------------------- brute force


def brute_force_optimum(data: dict, programme: list | None = None) -> int | None:
    """Optimum of a tiny fixed-programme day by enumeration (None: no schedule).

    Each person's choices are every combination of one session or nothing per round and one
    workshop or nothing per slot, kept when they pass that person's own rules (1, 2, 3, 6,
    7, 8); then every combination of those over people is checked against every rule.
    ``programme`` (entries as in a solution) places the sessions of a programme-mode day."""
    laid = {"programme": programme or []}
    day = Day.of(data, laid)
    people = data["participants"]
    per_person = []
    for p in people:
        alone_day = Day.of({**data, "participants": [p]}, laid)
        choices = []
        rounds = [[None] + [s for s in day.sessions if day.place[s][0] == r] for r in day.rounds]
        slots = [[None] + [w for w, x in day.workshops.items() if x["slot"] == sl]
                 for sl in day.slots]
        for combo in itertools.product(*rounds, *slots):
            a = {"participant": p["id"],
                 "sessions": {r: s for r, s in zip(day.rounds, combo, strict=False) if s},
                 "workshops": {sl: x for sl, x in zip(day.slots, combo[len(day.rounds):],
                                                      strict=True) if x}}
            alone = {**laid, "assignments": [a]}
            if not any(rule(alone_day, alone) for rule in
                       (rule1, rule2, rule3, rule6, rule7, rule8)):
                choices.append(a)
        per_person.append(choices)
    best = None
    for pick in itertools.product(*per_person):
        sol = {**laid, "assignments": list(pick)}
        if rule4(day, sol) or rule5(day, sol):
            continue
        value = objective(data, sol)
        if best is None or value > best:
            best = value
    return best
