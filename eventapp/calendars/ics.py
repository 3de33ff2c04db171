"""Building iCalendar (RFC 5545) files from plain data: no database, no Flask.

Everything a feed or an email attachment needs arrives as :class:`CalendarItem` (what
the event is) and :class:`ItemStamp` (its identity and version: UID, SEQUENCE,
LAST-MODIFIED). Escaping, folding and parameter quoting are the icalendar library's job:
text typed by people (names, titles) only ever becomes a property *value*, so a
"\\r\\nATTENDEE:..." inside a name is escaped, never a new property.

Text comes from the database, where rows stored before input was checked may hold line
breaks or control characters in single-line fields (a line break in the event's name made
the library refuse the whole feed): the writer neutralises them (:mod:`eventapp.text`)
rather than fail.

Times are written in the event's IANA zone with its generated VTIMEZONE (never floating,
never ``TZID=GMT``); the VTIMEZONE is built once per zone and year and reused.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

import webcolors
from icalendar import Alarm, Calendar, Event, Timezone, vCalAddress, vText

from ..text import neutral_block, neutral_line

PRODID = "-//Journees de restitution//eventapp calendars//FR"
ALARM_MINUTES = 5
# Hint for clients that honour it (Apple, Outlook): poll hourly. Google ignores it.
REFRESH_INTERVAL = timedelta(hours=1)
UID_NAMESPACE = uuid.UUID("6f1f2d1e-8a3b-4c58-9a57-2f4f3c0de5a1")

PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"
_UTC = UTC


@dataclass(frozen=True)
class CalendarItem:
    """One event of a calendar, as the reader sees it.

    ``identity`` names the programme item within its calendar ("item:12", "round:r1",
    "slot:ateliers", "present:ais-1"); with the calendar's owner it gives the UID, so
    it must never name a row that a re-solve replaces.
    """

    identity: str
    summary: str
    starts_at: datetime          # aware
    ends_at: datetime            # aware
    location: str = ""
    description: str = ""
    categories: tuple[str, ...] = ()
    colour: str | None = None    # "#rrggbb"; written as the nearest CSS3 name (RFC 7986)
    alarm_minutes: int | None = None
    url: str = ""
    # Display only ("Mon programme" draws the swatch of this theme next to its colour
    # name); never written to the file, where ``colour`` and ``categories`` say it.
    theme_id: int | None = field(default=None, compare=False)

    @cached_property
    def digest(self) -> str:
        """:meth:`content_hash`, computed once per item (items are shared between the
        calendars of everyone in the same session)."""
        return self.content_hash()

    def content_hash(self) -> str:
        """What a reader would notice changing (times compared in UTC).

        The public page's address is left out: it is the same page whichever host name
        the request came by (a feed read through a proxy must not bump every SEQUENCE).
        """
        description = self.description.replace(self.url, "") if self.url else self.description
        payload = {
            "summary": self.summary, "location": self.location,
            "description": description, "categories": list(self.categories),
            "colour": self.colour, "alarm": self.alarm_minutes,
            "start": self.starts_at.astimezone(_UTC).isoformat(),
            "end": self.ends_at.astimezone(_UTC).isoformat(),
        }
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ItemStamp:
    """The version of one item in one calendar: kept in the database per owner."""

    uid: str
    sequence: int
    last_modified: datetime      # aware UTC


@dataclass(frozen=True)
class Invitation:
    """iTIP envelope of an emailed calendar (REQUEST or CANCEL): who sends, who attends."""

    organizer_email: str
    organizer_name: str
    attendee_email: str
    attendee_name: str


@dataclass
class CalendarDocument:
    """A whole calendar: its name, zone and items with their stamps."""

    name: str
    timezone: str
    items: list[tuple[CalendarItem, ItemStamp]] = field(default_factory=list)
    description: str = ""




def item_uid(*parts: object) -> str:
    """A stable UID from the owner's and the item's identities (a name-based UUID, so it
    tells nothing about the person to whoever receives a forwarded calendar)."""
    return str(uuid.uuid5(UID_NAMESPACE, "/".join(str(p) for p in parts)))


@lru_cache(maxsize=4096)
def css3_colour_name(hex_colour: str) -> str:
    """The CSS3 colour keyword nearest to ``#rrggbb`` (what RFC 7986 COLOR takes).

    Distance in RGB weighted for the eye ("redmean"), good enough to tell jaune from
    rouge on a phone; the French colour name stays in LOCATION for people.
    """
    target = webcolors.hex_to_rgb(hex_colour)
    best, best_distance = "black", float("inf")
    for name in webcolors.names("css3"):
        rgb = webcolors.name_to_rgb(name)
        mean_red = (target.red + rgb.red) / 2
        dr, dg, db = target.red - rgb.red, target.green - rgb.green, target.blue - rgb.blue
        distance = ((2 + mean_red / 256) * dr * dr + 4 * dg * dg
                    + (2 + (255 - mean_red) / 256) * db * db)
        if distance < best_distance:
            best, best_distance = name, distance
    return best


@lru_cache(maxsize=64)
def _vtimezone_ical(tzid: str, year: int) -> bytes:
    """The zone's VTIMEZONE for the years around an event (generated once, then reused)."""
    zone = Timezone.from_tzid(tzid, first_date=date(year - 1, 1, 1),
                              last_date=date(year + 2, 1, 1))
    return zone.to_ical()


def vtimezone(tzid: str, year: int) -> Timezone:
    zone = Timezone.from_ical(_vtimezone_ical(tzid, year))
    assert isinstance(zone, Timezone)  # parsed from a VTIMEZONE just written
    return zone


def build_calendar(document: CalendarDocument, *, method: str = PUBLISH,
                   invitation: Invitation | None = None) -> bytes:
    """The document as an ``.ics`` file.

    ``PUBLISH`` (feeds, downloads): no ORGANIZER/ATTENDEE, as RFC 5546 §3.2.1 asks.
    ``REQUEST`` (update emails): ORGANIZER and the participant as ATTENDEE, so mail
    clients update the events already imported (same UID, higher SEQUENCE).
    ``CANCEL``: the same envelope, STATUS:CANCELLED, for items that left the day.

    Each VEVENT is serialised by the icalendar library once per distinct item and
    reused for everyone who has it (the same session for 40 people, the same plenary
    talk for all); only its UID, SEQUENCE and timestamps, which we generate and which
    need no escaping, are written per calendar. Building 10,000 feeds stays cheap.
    """
    if method != PUBLISH and invitation is None:
        raise ValueError("REQUEST and CANCEL calendars need an invitation envelope")
    years = {item.starts_at.year for item, _ in document.items} or {date.today().year}
    parts = [_calendar_head(neutral_line(document.name), neutral_block(document.description),
                            document.timezone, min(years), method)]
    for item, stamp in document.items:
        parts.append(_stamped_event(_event_body(item, document.timezone, method, invitation),
                                    stamp))
    parts.append(b"END:VCALENDAR\r\n")
    return b"".join(parts)


@lru_cache(maxsize=256)
def _calendar_head(name: str, description: str, tzid: str, year: int, method: str) -> bytes:
    """Everything before the first VEVENT: calendar properties and the VTIMEZONE."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("name", name)           # RFC 7986
    calendar.add("x-wr-calname", name)   # Apple, Google, Outlook read this one
    calendar.add("x-wr-timezone", tzid)
    if description:
        calendar.add("description", description)
    if method == PUBLISH:
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", REFRESH_INTERVAL)
    calendar.add_component(vtimezone(tzid, year))
    text = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert text.endswith(end)
    return text[: -len(end)]


_SAFE_UID = re.compile(r"^[A-Za-z0-9@._-]{1,64}$")


def _stamped_event(body: bytes, stamp: ItemStamp) -> bytes:
    """Insert the per-calendar properties after BEGIN:VEVENT (plain ASCII we generate)."""
    if not _SAFE_UID.match(stamp.uid):
        raise ValueError(f"unsafe UID {stamp.uid!r}")
    moment = stamp.last_modified.astimezone(_UTC).strftime("%Y%m%dT%H%M%SZ")
    head = (f"BEGIN:VEVENT\r\nUID:{stamp.uid}\r\nDTSTAMP:{moment}\r\n"
            f"LAST-MODIFIED:{moment}\r\nSEQUENCE:{int(stamp.sequence)}\r\n").encode("ascii")
    return head + body[len(b"BEGIN:VEVENT\r\n"):]


@lru_cache(maxsize=8192)
def _event_body(item: CalendarItem, tzid: str, method: str,
                invitation: Invitation | None) -> bytes:
    return _event(item, tzid, method, invitation).to_ical()


def _event(item: CalendarItem, tzid: str, method: str, invitation: Invitation | None
           ) -> Event:
    """The VEVENT without its per-calendar properties (see :func:`_stamped_event`)."""
    zone = ZoneInfo(tzid)
    event = Event()
    event.add("dtstart", item.starts_at.astimezone(zone))
    event.add("dtend", item.ends_at.astimezone(zone))
    summary = neutral_block(item.summary)  # escaped line breaks are fine in a SUMMARY
    event.add("summary", summary)
    if item.location:
        event.add("location", neutral_block(item.location))
    if item.description:
        event.add("description", neutral_block(item.description))
    if item.categories:
        event.add("categories", [neutral_block(category) for category in item.categories])
    if item.colour:
        event.add("color", css3_colour_name(item.colour))
    if item.url:
        event.add("url", item.url)
    event.add("transp", "OPAQUE")
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    if invitation is not None:
        organizer = vCalAddress(f"mailto:{invitation.organizer_email}")
        organizer.params["CN"] = vText(neutral_line(invitation.organizer_name))
        event.add("organizer", organizer)
        attendee = vCalAddress(f"mailto:{invitation.attendee_email}")
        attendee.params.update({
            "CN": vText(neutral_line(invitation.attendee_name or invitation.attendee_email)),
            "CUTYPE": "INDIVIDUAL", "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "ACCEPTED", "RSVP": "FALSE"})
        event.add("attendee", attendee)
    if item.alarm_minutes is not None and method != CANCEL:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", timedelta(minutes=-item.alarm_minutes))
        event.add_component(alarm)
    return event
