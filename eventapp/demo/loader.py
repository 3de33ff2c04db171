"""The demo day: the real 7 December 2016 restitution day, loaded on first run.

The data lives in ``restitution_2016.json`` next to this module, taken from the seeds (the
programme booklet and the press release of the day). The seeds give the speed-dating
rounds (11:50, 12:15, 12:40), the rooms, tracks, projects, presenters, workshops, hosts and
panels; they do not give the times of the plenary items, the workshops' slot or the
venue's address, so those are plausible values. Keys (themes, rooms, rounds, projects,
sessions, workshops, presenters) are those of the shared exchange example
``restitution-2016.json``, so the demo and the example line up. Participants who register
are not part of the demo: registrations come later, through the app.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from ..auth.models import find_user_by_email
from ..auth.operations import create_user
from ..builder.queries import delete_event_rows
from ..events.models import Event
from ..extensions import db
from ..programme.models import (
    ProgrammeItem,
    Project,
    Room,
    Round,
    Session,
    Theme,
    Workshop,
    WorkshopSlot,
)
from ..registration.models import Participant

DATA_FILE = Path(__file__).with_name("restitution_2016.json")


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    role: str
    name: str


# Well-known credentials, printed by run.py: for a local demonstration only.
DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount("organisateur@demo.example", "restitution2016", "organiser",
                "Organisatrice (démo)"),
    DemoAccount("accueil@demo.example", "restitution2016", "staff", "Accueil (démo)"),
]


def demo_data() -> dict[str, Any]:
    """The demo day as plain data (a fresh copy each call)."""
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def demo_slug() -> str:
    return demo_data()["event"]["slug"]


def find_demo_event() -> Event | None:
    return db.session.scalar(db.select(Event).where(Event.slug == demo_slug()))


def ensure_demo() -> Event:
    """Load the demo day if the database has no event at all, and the demo accounts.

    An instance that already holds events (a real deployment) is left untouched apart
    from the demo accounts, which are created only if missing. Commits. Returns the demo
    event, or the first event of the database when the demo is not there.
    """
    first = db.session.scalar(db.select(Event).order_by(Event.id).limit(1))
    event = load_demo() if first is None else (find_demo_event() or first)
    ensure_demo_accounts()
    db.session.commit()
    return event


def ensure_demo_accounts() -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet; return those created."""
    created = []
    for account in DEMO_ACCOUNTS:
        if find_user_by_email(account.email) is None:
            create_user(account.email, account.password, account.role, name=account.name)
            created.append(account)
    db.session.flush()
    return created


def delete_event(event: Event) -> None:
    """Delete an event and everything in it (the caller commits)."""
    delete_event_rows(event)
    db.session.expunge_all()


def load_demo(reset: bool = False) -> Event:
    """Load the demo day; idempotent: an already loaded demo is returned as it is.

    With ``reset`` the existing demo event (and everything in it) is replaced by a fresh
    copy. The caller commits.
    """
    existing = find_demo_event()
    if existing is not None:
        if not reset:
            return existing
        delete_event(existing)
    return _build(demo_data())


def _build(data: dict[str, Any]) -> Event:
    info = data["event"]
    event = Event(
        slug=info["slug"],
        name=info["name"],
        date=date.fromisoformat(info["date"]),
        timezone=info["timezone"],
        venue=info["venue"],
        address=info["address"],
        description=info["description"],
        # The 2016 day is past: its check-in opens in rehearsal, so that someone trying
        # the demo can scan at the door and in the rooms today (docs/checkin.md).
        checkin_rehearsal=True,
        # A finished day whose registration was open: its public pages stay visible.
        stage="open",
    )
    db.session.add(event)
    themes = _add_themes(event, data["themes"])
    rooms = _add_rooms(event, data["rooms"], themes)
    people = _add_presenters(event, data["presenters"])
    projects = _add_projects(event, data["projects"], themes, people)
    rounds = _add_rounds(event, data["rounds"])
    _add_sessions(event, data["sessions"], projects, rounds, rooms, people)
    _add_programme(event, data["programme"], rooms)
    _add_workshops(event, data["workshop_slots"], data["workshops"], rooms)
    db.session.flush()
    return event


def _local(event: Event, hhmm: str) -> datetime:
    return event.local_to_utc(time.fromisoformat(hhmm))


def _span(event: Event, item: dict[str, Any]) -> tuple[datetime, datetime]:
    starts, ends = _local(event, item["start"]), _local(event, item["end"])
    if ends <= starts:  # a slot running past midnight; not in the demo, but be exact
        ends += timedelta(days=1)
    return starts, ends


def _add_themes(event: Event, items: list[dict]) -> dict[str, Theme]:
    themes = {}
    for position, item in enumerate(items):
        themes[item["id"]] = Theme(
            event=event, key=item["id"], name=item["name"], colour=item["colour"],
            colour_name=item["colour_name"], position=position,
        )
    db.session.add_all(themes.values())
    return themes


def _add_rooms(event: Event, items: list[dict], themes: dict[str, Theme]) -> dict[str, Room]:
    rooms = {}
    for position, item in enumerate(items):
        room = Room(
            event=event, key=item["id"], name=item["name"], capacity=item["capacity"],
            tables=item["tables"], step_free=item["accessible"],
            table_labels=list(item.get("table_labels", [])), position=position,
            directions=item.get("directions", ""),
        )
        room.themes = [themes[key] for key in item["themes"]]
        rooms[item["id"]] = room
    db.session.add_all(rooms.values())
    return rooms


def _add_presenters(event: Event, items: list[dict]) -> dict[str, Participant]:
    people = {}
    for item in items:
        people[item["id"]] = Participant(
            event=event, key=item["id"], first_name=item["first_name"],
            last_name=item["last_name"], email=None, organisation=item["organisation"],
            job_title=item["job_title"], category="intervenant", role="presenter",
        )
    db.session.add_all(people.values())
    return people


def _add_projects(event: Event, items: list[dict], themes: dict[str, Theme],
                  people: dict[str, Participant]) -> dict[str, Project]:
    projects = {}
    for position, item in enumerate(items):
        project = Project(
            event=event, key=item["id"], name=item["name"], organisation=item["organisation"],
            keywords=list(item["keywords"]), description=item["description"],
            theme=themes[item["theme"]], position=position,
        )
        project.presenters = [people[key] for key in item["presenters"]]
        projects[item["id"]] = project
    db.session.add_all(projects.values())
    return projects


def _add_rounds(event: Event, items: list[dict]) -> dict[str, Round]:
    rounds = {}
    for item in items:
        starts, ends = _span(event, item)
        rounds[item["id"]] = Round(event=event, key=item["id"], starts_at=starts, ends_at=ends)
    db.session.add_all(rounds.values())
    return rounds


def _add_sessions(event: Event, items: list[dict], projects: dict[str, Project],
                  rounds: dict[str, Round], rooms: dict[str, Room],
                  people: dict[str, Participant]) -> None:
    for item in items:
        session = Session(
            event=event, key=item["id"], project=projects[item["project"]],
            round=rounds[item["round"]] if item.get("round") else None,
            room=rooms[item["room"]] if item.get("room") else None,
            table_number=item.get("table"), capacity=item.get("capacity"),
            min_audience=item.get("min_audience", 0),
        )
        session.extra_presenters = [people[key] for key in item.get("extra_presenters", [])]
        db.session.add(session)


def _add_programme(event: Event, items: list[dict], rooms: dict[str, Room]) -> None:
    for item in items:
        starts, ends = _span(event, item)
        db.session.add(ProgrammeItem(
            event=event, kind=item["kind"], title=item["title"], starts_at=starts,
            ends_at=ends, room=rooms[item["room"]] if item.get("room") else None,
            speakers="\n".join(item["speakers"]), description=item.get("description", ""),
        ))


def _add_workshops(event: Event, slots: list[dict], items: list[dict],
                   rooms: dict[str, Room]) -> None:
    by_key = {}
    for slot in slots:
        starts, ends = _span(event, slot)
        by_key[slot["id"]] = WorkshopSlot(event=event, key=slot["id"], starts_at=starts,
                                          ends_at=ends)
    db.session.add_all(by_key.values())
    for position, item in enumerate(items):
        db.session.add(Workshop(
            event=event, key=item["id"], name=item["name"], slot=by_key[item["slot"]],
            room=rooms[item["room"]], capacity=item["capacity"], host=item["host"],
            panel="\n".join(item["panel"]), description=item.get("description", ""),
            position=position,
        ))
