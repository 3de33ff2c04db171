"""Read side of calendars: what each calendar holds, and finding a feed by its secret.

A :class:`CalendarContext` loads an event's programme once (rooms, themes, presenters'
names, plenary items, who sits where) so that building one feed costs a few queries and
building ten thousand costs the same few queries plus pure Python.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select

from ..events.models import Event
from ..extensions import db
from ..programme.catalogue import Catalogue
from ..programme.models import (
    ProgrammeItem,
    ProgrammeItemKind,
    Project,
    Room,
    Round,
    Session,
    Theme,
    Workshop,
    WorkshopSlot,
    project_presenters,
    room_themes,
    session_presenters,
)
from ..registration.models import Participant, ParticipantStatus
from ..scheduling.models import Publication, PublishedSchedule
from ..scheduling.queries import DayItem, latest_publication, participant_day, published_days
from ..urls import external_url
from .ics import ALARM_MINUTES, CalendarItem
from .models import CalendarEntry, CalendarFeed

MAX_NAMES_LISTED = 200

# The programme rows a participant's calendar reads (each of one event).
Row = TypeVar("Row", Theme, Room, Round, WorkshopSlot, Session, Project, Workshop)


# --- feeds and their secrets ---------------------------------------------------------------

def feed_secret(nonce: str) -> str:
    """The URL secret of a feed: HMAC-SHA256 of its nonce under SECRET_KEY (43 chars)."""
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    digest = hmac.new(key, f"calendar-feed:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def find_feed(secret: str) -> CalendarFeed | None:
    """The feed this secret opens, or None (unknown, revoked or malformed)."""
    if not secret or len(secret) > 100:
        return None
    return db.session.scalar(select(CalendarFeed).where(
        CalendarFeed.token_hash == hash_secret(secret)))


def owner_of(scope: str, participant_id: int | None = None, room_id: int | None = None
             ) -> str:
    """The owner string of a calendar (see :mod:`.models`)."""
    if scope in ("participant", "presenter"):
        return f"{scope}:{participant_id}"
    if scope == "room":
        return f"room:{room_id}"
    return "programme"


def feed_of(event: Event, owner: str) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(
        CalendarFeed.event_id == event.id, CalendarFeed.owner == owner))


def feed_links(feed: CalendarFeed) -> dict[str, str]:
    """The https, webcal and download addresses of a feed (the secret in clear)."""
    endpoint = "calendars.participant_feed" if feed.scope == "participant" \
        else "calendars.organiser_feed"
    https = external_url(endpoint, secret=feed_secret(feed.nonce))
    webcal = "webcal://" + https.split("://", 1)[1]
    download = external_url(endpoint, secret=feed_secret(feed.nonce), download=1)
    return {"https": https, "webcal": webcal, "download": download,
            "google": "https://calendar.google.com/calendar/r?cid=" + webcal}


def organiser_feeds(event: Event) -> dict[str, CalendarFeed]:
    """The event's organiser feeds (programme, rooms, presenters) by owner."""
    rows = db.session.scalars(select(CalendarFeed).where(
        CalendarFeed.event_id == event.id, CalendarFeed.scope != "participant"))
    return {feed.owner: feed for feed in rows}


def entries_of(event: Event, owners: list[str] | None = None
               ) -> dict[str, dict[str, CalendarEntry]]:
    """owner -> identity -> entry (every owner of the event when ``owners`` is None)."""
    query = select(CalendarEntry).where(CalendarEntry.event_id == event.id)
    if owners is not None:
        query = query.where(CalendarEntry.owner.in_(owners))
    result: dict[str, dict[str, CalendarEntry]] = defaultdict(dict)
    for entry in db.session.scalars(query):
        result[entry.owner][entry.identity] = entry
    return result


def _participant_catalogue(event: Event, participant: Participant) -> Catalogue:
    """A catalogue holding every room, theme, round, slot and workshop, and only the
    sessions (with their projects) that the participant attends or presents."""
    publication = latest_publication(event)
    keys: list[str] = []
    if publication is not None:
        snapshot = db.session.scalar(select(PublishedSchedule.sessions).where(
            PublishedSchedule.publication_id == publication.id,
            PublishedSchedule.participant_id == participant.id))
        keys = list((snapshot or {}).values())
    presented_projects = select(project_presenters.c.project_id).where(
        project_presenters.c.participant_id == participant.id)
    presented_sessions = select(session_presenters.c.session_id).where(
        session_presenters.c.participant_id == participant.id)

    def rows(model: type[Row], *order: Any, where: Sequence[ColumnElement[bool]] = ()
             ) -> Sequence[Row]:
        return db.session.scalars(select(model).where(model.event_id == event.id, *where)
                                  .order_by(*order, model.id)).all()

    cat = Catalogue(event)
    cat.themes = {t.id: t for t in rows(Theme, Theme.position)}
    cat.rooms = {r.id: r for r in rows(Room, Room.position)}
    cat.rounds = list(rows(Round, Round.starts_at))
    cat.slots = list(rows(WorkshopSlot, WorkshopSlot.starts_at))
    cat.sessions = {s.id: s for s in rows(Session, where=[
        Session.key.in_(keys) | Session.project_id.in_(presented_projects)
        | Session.id.in_(presented_sessions)])}
    project_ids = {s.project_id for s in cat.sessions.values()}
    cat.projects = {p.id: p for p in rows(Project, Project.position,
                                          where=[Project.id.in_(project_ids)])}
    cat.workshops = {w.id: w for w in rows(Workshop, Workshop.position)}
    return cat


# --- what the calendars say -------------------------------------------------------------

@dataclass
class CalendarContext:
    """An event's programme, loaded once, in the terms calendars need."""

    event: Event
    cat: Catalogue
    public_url: str
    plenary: list[ProgrammeItem]
    room_theme: dict[int, Theme]                       # a room's signage colour
    presenters: dict[int, list[str]] = field(default_factory=dict)   # session id -> names
    presenter_sessions: dict[int, list[Session]] = field(default_factory=dict)  # person id
    publication: Publication | None = None
    # latest publication: session key / workshop key -> seated participants' names
    audience: dict[str, list[str]] = field(default_factory=dict)
    # items already built, shared by everyone who has them (key includes the language)
    memo: dict[tuple, CalendarItem] = field(default_factory=dict)

    def shared(self, key: tuple, build: Callable[[], CalendarItem]) -> CalendarItem:
        """The item for ``key``, built once per context (and its hash computed once)."""
        item = self.memo.get(key)
        if item is None:
            item = self.memo[key] = build()
        return item

    @classmethod
    def load(cls, event: Event, *, with_audience: bool = False,
             participant: Participant | None = None) -> CalendarContext:
        """The event's programme; with ``participant``, only the sessions and projects
        of their published day and of their own presentations (one feed of a
        10,000-person day then loads tens of rows, not the whole catalogue)."""
        cat = Catalogue.load(event) if participant is None \
            else _participant_catalogue(event, participant)
        plenary = list(db.session.scalars(
            select(ProgrammeItem).where(ProgrammeItem.event_id == event.id)
            .order_by(ProgrammeItem.starts_at, ProgrammeItem.id)))
        themes_of_room: dict[int, Theme] = {}
        for room_id, theme_id in db.session.execute(
                select(room_themes.c.room_id, room_themes.c.theme_id)
                .where(room_themes.c.room_id.in_(list(cat.rooms)))):
            theme = cat.themes.get(theme_id)
            current = themes_of_room.get(room_id)
            if theme is not None and (current is None or theme.position < current.position):
                themes_of_room[room_id] = theme
        ctx = cls(event, cat, external_url("public.programme", slug=event.slug),
                  plenary, themes_of_room, publication=latest_publication(event))
        ctx._load_presenters()
        if with_audience:
            ctx._load_audience()
        return ctx

    def _load_presenters(self) -> None:
        """Presenters' names per session (the project's, then the session's extra ones)."""
        names: dict[int, str] = {}
        by_project: dict[int, list[int]] = defaultdict(list)
        by_session: dict[int, list[int]] = defaultdict(list)
        for link, column, target in ((project_presenters, "project_id", by_project),
                                     (session_presenters, "session_id", by_session)):
            rows = db.session.execute(
                select(link.c[column], Participant.id, Participant.first_name,
                       Participant.last_name)
                .join(Participant, Participant.id == link.c.participant_id)
                # the link rows of this event's projects and sessions: no scan of people
                .where(link.c[column].in_(list(self.cat.projects if column == "project_id"
                                               else self.cat.sessions)))
                .order_by(Participant.last_name, Participant.first_name, Participant.id))
            for owner_id, person_id, first, last in rows:
                names[person_id] = f"{first} {last}".strip()
                target[owner_id].append(person_id)
        for session in self.cat.sessions.values():
            people = list(dict.fromkeys(by_project[session.project_id]
                                        + by_session[session.id]))
            self.presenters[session.id] = [names[p] for p in people if names[p]]
            if session.round_id is not None:
                for person in people:
                    self.presenter_sessions.setdefault(person, []).append(session)

    def _load_audience(self) -> None:
        """Who was told they sit where, by the latest publication (room hosts' lists)."""
        if self.publication is None:
            return
        rows = db.session.execute(
            select(PublishedSchedule.sessions, PublishedSchedule.workshops,
                   Participant.first_name, Participant.last_name)
            .join(Participant, Participant.id == PublishedSchedule.participant_id)
            .where(PublishedSchedule.publication_id == self.publication.id,
                   Participant.status == ParticipantStatus.REGISTERED)
            .order_by(Participant.last_name, Participant.first_name, Participant.id))
        audience: dict[str, list[str]] = defaultdict(list)
        for sessions, workshops, first, last in rows:
            name = f"{first} {last}".strip()
            for key in (sessions or {}).values():
                audience[f"session:{key}"].append(name)
            for key in (workshops or {}).values():
                audience[f"workshop:{key}"].append(name)
        self.audience = dict(audience)

    # --- pieces of text

    def room_location(self, room: Room | None, theme: Theme | None = None,
                      table: str = "") -> str:
        """"Salle 2, Table B — bleu": the room, the table when the room has several (the
        first thing looked for at the door) and the colour on its signs (never colour
        alone)."""
        if room is None:
            return self.event.venue or ""
        theme = theme or self.room_theme.get(room.id)
        place = f"{room.name}, {table}" if table else room.name
        return f"{place} — {theme.colour_name}" if theme is not None else place

    def link_line(self) -> str:
        return _("Programme of the day: %(url)s", url=self.public_url)


def _paragraphs(*parts: str) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def plenary_item(ctx: CalendarContext, item: ProgrammeItem, *,
                 buffet: Theme | None = None) -> CalendarItem:
    """A plenary item (talk, break, lunch...); lunch names the buffet area when known."""
    room = ctx.cat.rooms.get(item.room_id) if item.room_id else None
    location = ctx.room_location(room)
    colour: str | None = None
    categories: tuple[str, ...] = ()
    extra = ""
    if item.kind == ProgrammeItemKind.LUNCH and buffet is not None:
        location = _("Buffet — %(colour)s area", colour=buffet.colour_name)
        colour, categories = buffet.colour, (buffet.name,)
        extra = _("Your buffet area: %(colour)s (the colour of “%(theme)s”, your last "
                  "speed-dating round before lunch).", colour=buffet.colour_name,
                  theme=buffet.name)
    speakers = "\n".join(item.speaker_lines)
    return CalendarItem(
        identity=f"item:{item.id}", summary=item.title,
        starts_at=ctx.event.to_local(item.starts_at), ends_at=ctx.event.to_local(item.ends_at),
        location=location, colour=colour, categories=categories, url=ctx.public_url,
        description=_paragraphs(extra, speakers, item.description or "", ctx.link_line()),
        theme_id=buffet.id if buffet is not None and colour else None)


def _session_description(ctx: CalendarContext, session: Session, number: int,
                         table_label: str, *extra: str) -> str:
    project = ctx.cat.session_project(session)
    lines = [_("Speed-dating, round %(number)d", number=number)]
    if table_label:
        lines.append(_("Table: %(label)s", label=table_label))
    presenters = ctx.presenters.get(session.id) or []
    if presenters:
        lines.append(_("Presented by: %(names)s", names=", ".join(presenters)))
    if project.organisation:
        lines.append(project.organisation)
    if project.keywords:
        lines.append(_("Keywords: %(words)s", words=", ".join(project.keywords)))
    return _paragraphs("\n".join(lines), *extra, ctx.link_line())


def table_name(room: Room | None, table_number: int | None) -> str:
    """The table as people read it on the signs: its label, else "Table 2"; "" when the
    room has a single table."""
    if room is None or not table_number or room.tables <= 1:
        return ""
    return room.table_label(table_number) or _("Table %(number)d", number=table_number)


def session_item(ctx: CalendarContext, day: DayItem) -> CalendarItem:
    """A participant's speed-dating round: the project, its room, table and colour, an
    alarm."""
    theme, session = day.theme, day.session
    assert session is not None  # a "session" day item
    return CalendarItem(
        identity=f"round:{day.label}", summary=day.title,
        starts_at=day.starts_at, ends_at=day.ends_at,
        location=ctx.room_location(day.room, theme, table_name(day.room, day.table_number)),
        description=_session_description(ctx, session, day.number, day.table_label),
        categories=(theme.name,) if theme else (), colour=theme.colour if theme else None,
        alarm_minutes=ALARM_MINUTES, url=ctx.public_url,
        theme_id=theme.id if theme else None)


def workshop_item(ctx: CalendarContext, day: DayItem, identity: str | None = None,
                  *extra: str) -> CalendarItem:
    workshop = day.workshop
    assert workshop is not None  # a "workshop" day item
    room_theme = ctx.room_theme.get(day.room.id) if day.room else None
    lines = []
    if workshop.host:
        lines.append(_("Host: %(name)s", name=workshop.host))
    if workshop.panel_members:
        lines.append(_("Panel:") + "\n" + "\n".join(workshop.panel_members))
    return CalendarItem(
        identity=identity or f"slot:{day.label}", summary=workshop.name,
        starts_at=day.starts_at, ends_at=day.ends_at,
        location=ctx.room_location(day.room),
        description=_paragraphs("\n".join(lines), workshop.description or "", *extra,
                                ctx.link_line()),
        colour=room_theme.colour if room_theme else None,
        categories=(room_theme.name,) if room_theme else (), url=ctx.public_url)


def _presented_sessions(ctx: CalendarContext, participant_id: int) -> list[Session]:
    return sorted(ctx.presenter_sessions.get(participant_id, []),
                  key=lambda s: (ctx.cat.rounds.index(_round(ctx, s)), s.id))


def _round(ctx: CalendarContext, session: Session) -> Round:
    return next(r for r in ctx.cat.rounds if r.id == session.round_id)


def _round_number(ctx: CalendarContext, session: Session) -> int:
    return ctx.cat.rounds.index(_round(ctx, session)) + 1


def presenting_item(ctx: CalendarContext, session: Session, *extra: str) -> CalendarItem:
    """A presenter's own presentation: where and when they present."""
    project = ctx.cat.session_project(session)
    theme = ctx.cat.themes.get(project.theme_id)
    round_ = _round(ctx, session)
    room = ctx.cat.rooms.get(session.room_id) if session.room_id else None
    label = room.table_label(session.table_number) \
        if room is not None and session.table_number and room.tables > 1 else ""
    return CalendarItem(
        identity=f"present:{session.key}",
        summary=_("You present: %(project)s", project=project.name),
        starts_at=ctx.event.to_local(round_.starts_at),
        ends_at=ctx.event.to_local(round_.ends_at),
        location=ctx.room_location(room, theme, table_name(room, session.table_number)),
        description=_session_description(ctx, session, _round_number(ctx, session), label,
                                         *extra),
        categories=(theme.name,) if theme else (), colour=theme.colour if theme else None,
        alarm_minutes=ALARM_MINUTES, url=ctx.public_url,
        theme_id=theme.id if theme else None)


def buffet_theme(ctx: CalendarContext, lunch: ProgrammeItem, rounds: list[tuple[datetime, Theme]]
                 ) -> Theme | None:
    """The buffet colour of a participant: the theme of their last speed-dating round that
    ends by the start of lunch (the room they come out of), else their first round after
    it; None when they have no round."""
    before = [(end, theme) for end, theme in rounds if end <= lunch.starts_at]
    if before:
        return max(before, key=lambda pair: pair[0])[1]
    return min(rounds, key=lambda pair: pair[0])[1] if rounds else None


def participant_items(ctx: CalendarContext, participant: Participant, day: list[DayItem],
                      locale: str | None = None) -> list[CalendarItem]:
    """Everything of the participant's day: plenary items, their rounds (or their own
    presentations), their workshop, and lunch at the buffet of their colour.

    A cancelled person's calendar is empty (the feed answers 410 anyway); someone on the
    waiting list sees the plenary items only, until they have a seat and a published day.
    ``locale``: the language of the page showing them (default: the participant's).
    """
    if participant.status == "cancelled":
        return []
    locale = locale or participant.locale or "fr"
    with force_locale(locale):
        items: list[CalendarItem] = []
        rounds: list[tuple[datetime, Theme]] = []
        for entry in day:
            if entry.presenting:
                continue  # their own presentations come from the programme, below
            if entry.kind == "session" and entry.session is not None:
                items.append(ctx.shared(("round", entry.label, entry.session.id, locale),
                                        partial(session_item, ctx, entry)))
                if entry.theme is not None:
                    rounds.append((entry.ends_at, entry.theme))
            elif entry.kind == "workshop" and entry.workshop is not None:
                items.append(ctx.shared(("slot", entry.label, entry.workshop.id, locale),
                                        partial(workshop_item, ctx, entry)))
        if participant.status == ParticipantStatus.REGISTERED:
            for session in _presented_sessions(ctx, participant.id):
                items.append(ctx.shared(("present", session.id, locale),
                                        partial(presenting_item, ctx, session)))
                theme = ctx.cat.session_theme(session)
                rounds.append((ctx.event.to_local(_round(ctx, session).ends_at), theme))
        for item in ctx.plenary:
            buffet = buffet_theme(ctx, item, rounds) \
                if item.kind == ProgrammeItemKind.LUNCH else None
            items.append(ctx.shared(
                ("item", item.id, buffet.id if buffet else None, locale),
                partial(plenary_item, ctx, item, buffet=buffet)))
    items.sort(key=lambda i: (i.starts_at, i.identity))
    return items


def participant_day_items(participant: Participant, ctx: CalendarContext | None = None
                          ) -> list[CalendarItem]:
    """The participant's calendar from their published day (one person: a few queries)."""
    ctx = ctx or CalendarContext.load(participant.event)
    seated = participant.status == ParticipantStatus.REGISTERED
    day = participant_day(participant, ctx.cat) if seated else []
    return participant_items(ctx, participant, day)


def all_participant_items(ctx: CalendarContext, only: set[int] | None = None
                          ) -> dict[int, list[CalendarItem]]:
    """Every participant's calendar of the latest publication (one pass: emails, the
    benchmark), or of the participants ``only``; participant id -> items."""
    query = select(Participant).where(Participant.event_id == ctx.event.id)
    if only is not None:
        query = query.where(Participant.id.in_(only))
    people = {p.id: p for p in db.session.scalars(query)}
    days = published_days(ctx.publication) if ctx.publication is not None else {}
    return {pid: participant_items(ctx, person, days.get(pid, [])
                                   if person.status == ParticipantStatus.REGISTERED else [])
            for pid, person in people.items()}


# --- organisers' calendars --------------------------------------------------------------

def _audience_line(ctx: CalendarContext, key: str) -> str:
    if ctx.publication is None:
        return _("Not published yet: the list of participants comes with the publication.")
    names = ctx.audience.get(key, [])
    listed = "\n".join(names[:MAX_NAMES_LISTED])
    more = len(names) - MAX_NAMES_LISTED
    if more > 0:
        listed += "\n" + _("… and %(count)d more", count=more)
    return _paragraphs(_("%(count)d participant(s) expected", count=len(names)), listed)


def _count_summary(ctx: CalendarContext, title: str, key: str) -> str:
    if ctx.publication is None:
        return title
    return _("%(title)s (%(count)d participants)", title=title,
             count=len(ctx.audience.get(key, [])))


def _placed_sessions(ctx: CalendarContext, room_id: int | None = None) -> list[Session]:
    rounds: dict[int | None, int] = {r.id: i for i, r in enumerate(ctx.cat.rounds)}
    sessions = [s for s in ctx.cat.sessions.values()
                if s.round_id in rounds and (room_id is None or s.room_id == room_id)]
    return sorted(sessions, key=lambda s: (rounds[s.round_id], s.room_id or 0,
                                           s.table_number or 0, s.id))


def _organiser_session_item(ctx: CalendarContext, session: Session, identity: str,
                            with_names: bool) -> CalendarItem:
    item = presenting_item(ctx, session, _audience_line(ctx, f"session:{session.key}")
                           if with_names else "")
    project = ctx.cat.session_project(session)
    return CalendarItem(
        identity=identity, summary=_count_summary(ctx, project.name, f"session:{session.key}"),
        starts_at=item.starts_at, ends_at=item.ends_at, location=item.location,
        description=item.description, categories=item.categories, colour=item.colour,
        url=item.url)


def _organiser_workshop_items(ctx: CalendarContext, room_id: int | None,
                              with_names: bool) -> list[CalendarItem]:
    items = []
    for slot_number, slot in enumerate(ctx.cat.slots, start=1):
        for workshop in ctx.cat.workshops.values():
            if workshop.slot_id != slot.id or (room_id is not None
                                               and workshop.room_id != room_id):
                continue
            day = DayItem("workshop", slot.key, slot_number, ctx.event.to_local(slot.starts_at),
                          ctx.event.to_local(slot.ends_at), workshop.name, None, None,
                          workshop, ctx.cat.rooms.get(workshop.room_id), "", None, None)
            key = f"workshop:{workshop.key}"
            base = workshop_item(ctx, day, key,
                                 _audience_line(ctx, key) if with_names else "")
            items.append(CalendarItem(
                identity=base.identity, summary=_count_summary(ctx, base.summary, key),
                starts_at=base.starts_at, ends_at=base.ends_at, location=base.location,
                description=base.description, categories=base.categories,
                colour=base.colour, url=base.url))
    return items


def programme_items(ctx: CalendarContext) -> list[CalendarItem]:
    """The whole day for organisers: plenary items, every session, every workshop."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")):
        items = [plenary_item(ctx, item) for item in ctx.plenary]
        items += [_organiser_session_item(ctx, s, f"session:{s.key}", with_names=False)
                  for s in _placed_sessions(ctx)]
        items += _organiser_workshop_items(ctx, None, with_names=False)
    return sorted(items, key=lambda i: (i.starts_at, i.identity))


def room_items(ctx: CalendarContext, room: Room) -> list[CalendarItem]:
    """A room host's day: what happens in the room, who comes and how many."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")):
        items = [plenary_item(ctx, item) for item in ctx.plenary if item.room_id == room.id]
        items += [_organiser_session_item(ctx, s, f"session:{s.key}", with_names=True)
                  for s in _placed_sessions(ctx, room.id)]
        items += _organiser_workshop_items(ctx, room.id, with_names=True)
    return sorted(items, key=lambda i: (i.starts_at, i.identity))


def presenter_items(ctx: CalendarContext, presenter: Participant) -> list[CalendarItem]:
    """When and where one presenter presents (with how many are expected)."""
    with force_locale(presenter.locale or "fr"):
        items = [_organiser_session_item(ctx, s, f"present:{s.key}", with_names=False)
                 for s in _presented_sessions(ctx, presenter.id)]
    return items


def presenters_of(ctx: CalendarContext) -> list[Participant]:
    """Participants who present at least one placed session, by name."""
    ids = [pid for pid, sessions in ctx.presenter_sessions.items() if sessions]
    if not ids:
        return []
    return list(db.session.scalars(select(Participant).where(Participant.id.in_(ids))
                                   .order_by(Participant.last_name, Participant.first_name,
                                             Participant.id)))


def event_rooms(ctx: CalendarContext) -> list[Room]:
    return list(ctx.cat.rooms.values())
