"""Reading calendars in tests with two independent parsers: icalendar and vobject."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC as _UTC
from datetime import datetime

import icalendar
import vobject


@dataclass(frozen=True)
class SeenEvent:
    """What a calendar reader sees of one VEVENT (times in UTC)."""

    uid: str
    summary: str
    start: datetime
    end: datetime
    sequence: int
    location: str


def icalendar_events(body: bytes) -> list[SeenEvent]:
    calendar = icalendar.Calendar.from_ical(body)
    return sorted((SeenEvent(str(e["UID"]), str(e["SUMMARY"]), e.start.astimezone(_UTC),
                             e.end.astimezone(_UTC), int(e.get("SEQUENCE", 0)),
                             str(e.get("LOCATION", "")))
                   for e in calendar.walk("VEVENT")), key=_order)


def vobject_events(body: bytes) -> list[SeenEvent]:
    # vobject keeps every VTIMEZONE it read in a process-wide map by TZID: forget the
    # previous calendar's, so each file is read with its own VTIMEZONE only.
    vars(vobject.icalendar)["__tzidMap"].clear()
    calendar = vobject.readOne(body.decode("utf-8"))
    events = []
    for e in getattr(calendar, "vevent_list", []):
        location = e.location.value if hasattr(e, "location") else ""
        sequence = int(e.sequence.value) if hasattr(e, "sequence") else 0
        events.append(SeenEvent(e.uid.value, e.summary.value,
                                e.dtstart.value.astimezone(_UTC),
                                e.dtend.value.astimezone(_UTC), sequence, location))
    return sorted(events, key=_order)


def both_parsers(body: bytes) -> list[SeenEvent]:
    """The events, after checking that both parsers see exactly the same ones."""
    first, second = icalendar_events(body), vobject_events(body)
    assert first == second
    return first


def _order(event: SeenEvent):
    return (event.start, event.uid)


