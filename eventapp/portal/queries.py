"""What "Mon programme" shows: the participant's whole day, from the same items as their
calendar (``calendars.queries.participant_items``), so the page and the phone's calendar
never disagree about a room, a table or a buffet colour."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask_babel import get_locale

from ..calendars.ics import CalendarItem
from ..calendars.queries import CalendarContext, participant_items
from ..events.models import Event
from ..programme.models import ProgrammeItemKind, Theme
from ..registration.models import Participant
from ..scheduling.queries import DayItem, participant_day

OSM_SEARCH = "https://www.openstreetmap.org/search"
# Identity prefixes of the items that are the participant's own (not plenary).
PERSONAL = ("round", "slot", "present")


@dataclass(frozen=True)
class AgendaRow:
    """One line of "Mon programme": the calendar item, and for a round or a workshop the
    published entry it came from (round number, room, table, change link)."""

    kind: str                  # "round", "slot", "present" or "item" (plenary)
    item: CalendarItem
    day: DayItem | None
    theme: Theme | None        # the colour shown with its name (round, presenting, lunch)
    is_lunch: bool = False


@dataclass(frozen=True)
class MyDay:
    rows: list[AgendaRow]
    day: list[DayItem]         # the published sessions and workshops (empty before)

    @property
    def has_personal(self) -> bool:
        """True once something of the day is theirs (a round, a workshop, a presentation):
        only then are the calendar and the badge worth offering."""
        return any(row.kind in PERSONAL for row in self.rows)


def my_day(participant: Participant) -> MyDay:
    """The participant's day in time order, in the page's language (a few queries,
    whatever the size of the event: the calendar loads only this person's sessions)."""
    event = participant.event
    if participant.status == "cancelled":
        return MyDay([], [])
    ctx = CalendarContext.load(event, participant=participant)
    day = participant_day(participant, ctx.cat) if participant.status == "registered" else []
    items = participant_items(ctx, participant, day, locale=str(get_locale()))
    by_identity = {("round:" if d.kind == "session" else "slot:") + d.label: d for d in day}
    lunches = {f"item:{p.id}" for p in ctx.plenary if p.kind == ProgrammeItemKind.LUNCH}
    rows = []
    for item in items:
        kind = item.identity.split(":", 1)[0]
        theme = ctx.cat.themes.get(item.theme_id) if item.theme_id else None
        rows.append(AgendaRow(kind, item, by_identity.get(item.identity), theme,
                              item.identity in lunches))
    return MyDay(rows, day)


def map_link(event: Event) -> str | None:
    """An OpenStreetMap search for the venue's address (a link, no embedded map: nothing
    loads from another site until the person asks)."""
    if not event.address.strip():
        return None
    lines = [line.strip() for line in (event.venue, *event.address.splitlines())]
    place = ", ".join(line for line in lines if line)
    return f"{OSM_SEARCH}?{urlencode({'query': place})}"
