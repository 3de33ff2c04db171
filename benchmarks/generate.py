"""Generate realistic speed-dating instances of any size.

``python -m benchmarks.generate --participants 1000 --seed 1 -o day.json [--programme-mode]``

Shape (after the 2016 day): about participants/25 projects over a handful of themes, 3 rounds,
themed rooms with 1-2 tables plus a few unthemed rooms, seats per round about 1.05-1.15x the
participants, wishes skewed towards popular projects (Zipf), a few needs_accessible and
unavailable participants, presenters among the participants, one workshop slot.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from typing import Any

THEME_NAMES = ["remobiliser", "dynamiser", "transformer", "former", "accompagner", "financer",
               "territoires", "numerique", "mobilite", "logement"]


def generate(participants: int, seed: int = 0, programme_mode: bool = False) -> dict[str, Any]:
    rng = random.Random(seed)
    n_rounds = 3
    n_projects = max(4, round(participants / 25))
    n_themes = max(2, min(len(THEME_NAMES), round(math.sqrt(n_projects) * 0.8)))
    themes = [{"id": t, "name": t.capitalize()} for t in THEME_NAMES[:n_themes]]
    projects = []
    for j in range(n_projects):
        projects.append({"id": f"pr{j:04d}", "name": f"Project {j}",
                         "theme": themes[j % n_themes]["id"], "presenters": []})
    # popularity: Zipf-like weights over a shuffled order
    order = list(range(n_projects))
    rng.shuffle(order)
    pop = [0.0] * n_projects
    for rank, j in enumerate(order):
        pop[j] = 1.0 / (rank + 1) ** 0.8
    # sessions: popular projects present 2-3 times, others once
    sessions_of = []
    for j in range(n_projects):
        share = pop[j] / sum(pop)
        k = 3 if share > 2.5 / n_projects else 2 if share > 1.3 / n_projects else 1
        sessions_of.append(k)
    n_sessions = sum(sessions_of)
    per_round = math.ceil(n_sessions / n_rounds)
    # seats: ~1.1 x participants per round over per_round tables
    seat_target = participants * rng.uniform(1.05, 1.15)
    session_cap = max(6, math.ceil(seat_target / per_round))
    # rooms: per theme, rooms with 1-2 tables; a few unthemed rooms
    rooms = []
    tables_needed: dict[str, int] = {t["id"]: 0 for t in themes}
    for j, p in enumerate(projects):
        tables_needed[p["theme"]] += sessions_of[j]
    for t in themes:
        need = math.ceil(tables_needed[t["id"]] / n_rounds)
        k = 0
        while need > 0:
            tables = 2 if need >= 2 and rng.random() < 0.5 else 1
            rooms.append({"id": f"room-{t['id']}-{k}", "name": f"{t['name']} {k}",
                          "capacity": session_cap * tables, "tables": tables,
                          "accessible": k == 0 or rng.random() > 0.3, "themes": [t["id"]]})
            need -= tables
            k += 1
    for k in range(2):
        rooms.append({"id": f"room-open-{k}", "name": f"Open room {k}",
                      "capacity": session_cap, "tables": 1, "accessible": True, "themes": []})
    # fixed programme: per theme, each project takes tables in distinct rounds, always in
    # the rounds with most free tables left (this spreads the sessions evenly)
    sessions = []
    placed_at: list[tuple[int, str]] = []
    free: dict[str, dict[int, list[str]]] = {}
    for room in rooms:
        if room["themes"]:
            per = free.setdefault(room["themes"][0], {r: [] for r in range(n_rounds)})
            for r in range(n_rounds):
                per[r].extend([room["id"]] * room["tables"])
    for j in sorted(range(n_projects), key=lambda j: (-sessions_of[j], j)):
        per = free[projects[j]["theme"]]
        rounds = sorted(range(n_rounds), key=lambda r: (-len(per[r]), rng.random()))
        for k, r in enumerate(rounds[:sessions_of[j]]):
            room = per[r].pop(0)
            s = {"id": f"pr{j:04d}-{k + 1}", "project": projects[j]["id"],
                 "round": f"r{r + 1}", "room": room, "capacity": session_cap,
                 "min_audience": 3}
            sessions.append(s)
            placed_at.append((r, room))
    # themes rarely split evenly over rounds: top up the thinner rounds so that every round
    # seats about seat_target people, and make rooms big enough for their tables
    placed = [(s, r, room) for s, (r, room) in zip(sessions, placed_at, strict=True)]
    for r in range(n_rounds):
        in_r = [s for s, rr, _ in placed if rr == r]
        if in_r:
            cap = max(session_cap, math.ceil(seat_target / len(in_r)))
            for s in in_r:
                s["capacity"] = cap
    room_by_id = {room["id"]: room for room in rooms}
    load: dict[tuple[int, str], int] = {}
    for s, r, room in placed:
        load[(r, room)] = load.get((r, room), 0) + s["capacity"]
    for (_r, room), total in load.items():
        room_by_id[room]["capacity"] = max(room_by_id[room]["capacity"], total)
    if programme_mode:
        for s in sessions:
            if rng.random() < 0.85:
                s.pop("round")
                s.pop("room")
    sessions.sort(key=lambda s: s["id"])
    # participants
    workshops_n = max(2, participants // 60)
    wcap = math.ceil(participants * 1.1 / workshops_n)
    workshops = [{"id": f"w{k:03d}", "name": f"Workshop {k}", "slot": "ateliers",
                  "capacity": wcap} for k in range(workshops_n)]
    wpop = [1.0 / (k + 1) ** 0.6 for k in range(workshops_n)]
    people = []
    ids = list(range(n_projects))
    for i in range(participants):
        nw = rng.choice([3, 4, 5, 5])
        wishes: list[int] = []
        while len(wishes) < nw:
            j = rng.choices(ids, weights=pop)[0]
            if j not in wishes:
                wishes.append(j)
        p: dict[str, Any] = {
            "id": f"p{i:05d}", "category": rng.choice(["association", "siae", "entreprise",
                                                        "service-public", "financeur"]),
            "wishes": [projects[j]["id"] for j in wishes],
            "themes": [rng.choice(themes)["id"]],
            "workshop_wishes": [],
        }
        ww: list[int] = []
        for _ in range(rng.choice([2, 3])):
            k = rng.choices(range(workshops_n), weights=wpop)[0]
            if k not in ww:
                ww.append(k)
        p["workshop_wishes"] = [workshops[k]["id"] for k in ww]
        if rng.random() < 0.02:
            p["needs_accessible"] = True
        if rng.random() < 0.04:
            p["unavailable"] = [f"r{rng.randint(1, n_rounds)}"]
        people.append(p)
    # presenters: one participant per project (who then wishes nothing)
    presenters = rng.sample(range(participants), min(participants, n_projects))
    for j, i in enumerate(presenters):
        projects[j]["presenters"] = [people[i]["id"]]
        people[i]["wishes"] = []
        people[i].pop("unavailable", None)
    return {
        "format": "speed-dating-instance/1",
        "event": {"name": f"Generated day ({participants} participants, seed {seed})",
                  "date": "2026-12-07", "timezone": "Europe/Paris"},
        "themes": themes,
        "rooms": rooms,
        "rounds": [{"id": "r1", "start": "11:50", "end": "12:10"},
                   {"id": "r2", "start": "12:15", "end": "12:35"},
                   {"id": "r3", "start": "12:40", "end": "13:00"}][:n_rounds],
        "projects": projects,
        "sessions": sessions,
        "workshop_slots": [{"id": "ateliers", "start": "14:30", "end": "16:00"}],
        "workshops": workshops,
        "participants": people,
        "options": {"rank_weights": [100, 60, 40, 25, 15, 10], "theme_weight": 5,
                    "unlucky_penalty": 200, "min_distinct_themes": 2, "change_penalty": 0,
                    "allow_idle": False, "time_limit_s": 60, "workers": 2, "seed": 0},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.generate")
    ap.add_argument("--participants", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--programme-mode", action="store_true")
    ap.add_argument("-o", "--output")
    a = ap.parse_args(argv)
    data = generate(a.participants, a.seed, a.programme_mode)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if a.output:
        with open(a.output, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
