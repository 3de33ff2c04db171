"""A published day of any size for the benchmarks that need a real event in a database.

The generator's instance (``benchmarks/generate.py``) imported as an event, the demo
day's plenary items, and the first-come-first-served seating stored as the published
schedule (the solver is not what these benchmarks measure). Used by
``benchmarks.calendars`` (SQLite) and ``benchmarks.checkin_load`` (PostgreSQL).
"""

from __future__ import annotations

from datetime import time as clock

PALETTE = [("#f2c500", "jaune"), ("#d0312d", "rouge"), ("#2e8b57", "vert"),
           ("#1f6fb2", "bleu"), ("#7b3fa0", "violet"), ("#e67e22", "orange")]


def build_published_day(participants: int, seed: int, date: str | None = None):
    """Create and commit the event (on ``date``, ISO, if given); returns
    ``(event, publication)``. Needs an app context whose database has the schema."""
    from benchmarks.generate import generate
    from eventapp.demo.loader import demo_data
    from eventapp.exchange.operations import import_instance
    from eventapp.extensions import db
    from eventapp.programme.models import ProgrammeItem
    from eventapp.scheduling.catalogue import ScheduleCatalogue as Catalogue
    from eventapp.scheduling.models import Publication, PublishedSchedule
    from eventapp.scheduling.queries import current_rooms, solution_map
    from scheduler.baseline import first_come_first_served

    instance = generate(participants, seed=seed)
    if date is not None:
        instance["event"]["date"] = date
    for number, theme in enumerate(instance["themes"]):  # the app needs signage colours
        theme.setdefault("colour", PALETTE[number % len(PALETTE)][0])
        theme.setdefault("colour_name", PALETTE[number % len(PALETTE)][1])
    rooms = [room["id"] for room in instance["rooms"]]
    for number, workshop in enumerate(instance["workshops"]):
        workshop.setdefault("room", rooms[number % len(rooms)])  # the app needs a room
    event = import_instance(instance)
    db.session.flush()
    for item in demo_data()["programme"]:
        db.session.add(ProgrammeItem(
            event=event, kind=item["kind"], title=item["title"],
            starts_at=event.local_to_utc(clock.fromisoformat(item["start"])),
            ends_at=event.local_to_utc(clock.fromisoformat(item["end"])),
            speakers="\n".join(item["speakers"]), description=item["description"]))
    schedule = solution_map(first_come_first_served(instance))
    cat = Catalogue.load(event)
    where = current_rooms(cat, schedule)
    publication = Publication(event=event, version=1)
    db.session.add(publication)
    db.session.flush()
    by_key = cat.participant_by_key
    db.session.add_all(PublishedSchedule(
        publication_id=publication.id, participant_id=by_key[key].id,
        sessions=entry["sessions"], workshops=entry["workshops"], rooms=where.get(key, {}))
        for key, entry in schedule.items())
    db.session.commit()
    return event, publication
