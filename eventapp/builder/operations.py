"""Changes to an event's programme: the organiser's builder.

Every function changes the session and flushes, raising :class:`ProgrammeError` with a
message fit for the organiser when a rule would be broken; the view commits once per
request, or rolls back. Rules are checked here *before* the database would refuse, so the
organiser reads which field is wrong and why; the database constraints remain the last
line of defence (see :func:`integrity_message`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..colours import HEX_COLOUR
from ..errors import Refused
from ..events.models import Event
from ..extensions import db
from ..programme.keys import is_valid_key, key_taken, slugify, unique_key
from ..programme.models import (
    EventPeriod,
    ProgrammeItem,
    ProgrammeItemKind,
    Project,
    Room,
    Round,
    Session,
    Theme,
    Workshop,
    WorkshopSlot,
)
from ..programme.palette import colour_name as palette_colour_name
from ..registration.models import Participant
from ..signals import participant_erased
from . import queries

UTC = ZoneInfo("UTC")


class ProgrammeError(Refused, ValueError):
    """A refused change, with a message for the organiser and the form field at fault."""


# --- helpers -----------------------------------------------------------------------------


def _flush() -> None:
    """Flush, turning a constraint violation into a readable error (concurrent edits)."""
    try:
        db.session.flush()
    except IntegrityError as error:
        raise ProgrammeError(integrity_message(error)) from error


def integrity_message(error: IntegrityError) -> str:
    """A user-facing explanation of a constraint the database enforced.

    Reached when two people edit at once, or a rule slipped past the form checks: the
    change is refused as a whole and nothing is half-saved.
    """
    text = str(error.orig).lower()
    known = [
        # PostgreSQL names the constraint; SQLite lists its columns.
        ("uq_sessions_project_round", _("This project already presents in that round.")),
        ("sessions.project_id, sessions.round_id",
         _("This project already presents in that round.")),
        ("uq_sessions_table", _("That table is already taken in that round.")),
        ("sessions.round_id, sessions.room_id, sessions.table_number",
         _("That table is already taken in that round.")),
        ("_event_key", _("This key is already used by another item of this event.")),
        (".event_id, ", _("This key is already used by another item of this event.")),
        ("events_slug", _("This web address (slug) is already used by another event.")),
        ("events.slug", _("This web address (slug) is already used by another event.")),
        ("uq_participants_event_email", _("Another person of this event has this email.")),
        ("min_audience_within_capacity",
         _("The minimum audience cannot exceed the capacity.")),
        ("foreign key", _("Something this change refers to was deleted or is still in use.")),
        ("unique", _("Someone else just saved a conflicting change.")),
    ]
    for marker, message in known:
        if marker in text:
            return message + " " + _("Nothing was saved; reload the page and try again.")
    return _("The database refused this change; nothing was saved. Reload the page and "
             "try again.")


def _text(value: Any) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value)


def _lines(value: str | None) -> str:
    """Normalise a one-item-per-line text: trimmed lines, no blank ones."""
    return "\n".join(line.strip() for line in (value or "").splitlines() if line.strip())


def _resolve_key(model: type, event: Event, wanted: str | None, name: str, fallback: str,
                 exclude_id: int | None = None) -> str:
    """The key the organiser typed (checked), or one derived from the name."""
    wanted = _text(wanted)
    if not wanted:
        return unique_key(model, event.id, name, fallback, exclude_id)
    if not is_valid_key(wanted):
        raise ProgrammeError(
            _("A key may contain only letters, digits, '.', '_', ':' and '-', and must start "
              "with a letter or digit."), "key")
    if key_taken(model, event.id, wanted, exclude_id):
        raise ProgrammeError(_('The key "%(key)s" is already used in this event.', key=wanted),
                             "key")
    return wanted


def _owned(model: type, event: Event, ident: int | None, field: str) -> Any:
    """The row ``ident`` of ``model`` if it belongs to ``event`` (forms may be tampered)."""
    if ident in (None, "", 0):
        return None
    obj = db.session.get(model, int(ident))
    if obj is None or obj.event_id != event.id:
        raise ProgrammeError(_("This choice no longer exists; reload the page."), field)
    return obj


def _utc(event: Event, local: time | None, field: str) -> datetime:
    if local is None:
        raise ProgrammeError(_("Give a time (HH:MM)."), field)
    return event.local_to_utc(local)


def _check_period(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ProgrammeError(_("The end time must be after the start time."), "ends")


# --- events ------------------------------------------------------------------------------


def validate_timezone(name: str) -> str:
    name = _text(name)
    if name not in available_timezones():
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ProgrammeError(
                _('"%(zone)s" is not a known time zone; use a name such as Europe/Paris.',
                  zone=name), "timezone") from None
    return name


RESERVED_SLUGS = frozenset({"new"})  # /manage/events/new is the creation page


def suggest_event_slug(name: str, exclude_id: int | None = None) -> str:
    """A free, URL-safe web address derived from the event's name."""
    stem = slugify(name, 70) or "event"
    candidate, n = stem, 2
    while candidate in RESERVED_SLUGS or _slug_taken(candidate, exclude_id):
        candidate, n = f"{stem}-{n}", n + 1
    return candidate


def _slug_taken(slug: str, exclude_id: int | None) -> bool:
    query = db.select(Event.id).where(Event.slug == slug)
    if exclude_id is not None:
        query = query.where(Event.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


def _event_slug(wanted: str | None, name: str, exclude_id: int | None) -> str:
    wanted = _text(wanted).lower()
    if not wanted:
        return suggest_event_slug(name, exclude_id)
    if slugify(wanted, 80) != wanted:
        raise ProgrammeError(_("The web address may contain only lower-case letters, digits "
                               "and hyphens (for example %(example)s).",
                               example=slugify(wanted, 80) or "journee-2016"), "slug")
    if wanted in RESERVED_SLUGS:
        raise ProgrammeError(_('"%(slug)s" is reserved; choose another web address.',
                               slug=wanted), "slug")
    if _slug_taken(wanted, exclude_id):
        raise ProgrammeError(_('The web address "%(slug)s" is already used by another event; '
                               '"%(free)s" is free.', slug=wanted,
                               free=suggest_event_slug(wanted, exclude_id)), "slug")
    return wanted


def save_event(event: Event | None, data: dict) -> Event:
    """Create (``event`` None) or update an event.

    Changing the date or the time zone keeps every time of the programme at the same
    wall-clock time on the new day, which is what an organiser who postpones a day means.
    """
    name = _text(data.get("name"))
    if not name:
        raise ProgrammeError(_("Give the event a name."), "name")
    timezone = validate_timezone(data.get("timezone") or "Europe/Paris")
    slug = _event_slug(data.get("slug"), name, event.id if event else None)
    if event is None:
        event = Event(name=name, slug=slug, date=data["date"], timezone=timezone)
        db.session.add(event)
    else:
        old_date, old_zone = event.date, event.timezone
        event.name, event.slug, event.date, event.timezone = name, slug, data["date"], timezone
        if (old_date, old_zone) != (event.date, event.timezone):
            _rebase_times(event, old_date, ZoneInfo(old_zone))
    event.venue = _text(data.get("venue"))
    event.address = _text(data.get("address"))
    event.description = _text(data.get("description"))
    _flush()
    return event


def _rebase_times(event: Event, old_date: date, old_zone: ZoneInfo) -> None:
    """Move every stored moment to the same local time on the event's new date/zone."""
    shift_days = event.date - old_date
    for model in (Round, WorkshopSlot, ProgrammeItem):
        for row in db.session.scalars(db.select(model).where(model.event_id == event.id)):
            for attr in ("starts_at", "ends_at"):
                local = getattr(row, attr).astimezone(old_zone)
                moved = datetime.combine(local.date() + shift_days, local.time())
                setattr(row, attr, moved.replace(tzinfo=event.tz).astimezone(UTC))


def delete_event(event: Event) -> None:
    """Delete the event and everything in it (the foreign keys cascade from ``events``)."""
    queries.delete_event_rows(event)
    _flush()


# --- themes ------------------------------------------------------------------------------


def _chosen_colour(data: dict) -> str:
    """The colour from the picker or the typed code, whichever the user changed.

    Without JavaScript the two inputs do not follow each other, so the one that differs
    from the colour shown (``colour_was``) is the user's choice; the typed code wins a tie.
    """
    typed, picked = _text(data.get("colour_hex")), _text(data.get("colour"))
    shown = _text(data.get("colour_was")).lower()
    if typed and typed.lower() != shown:
        return typed
    swatch = _text(data.get("swatch"))  # a named colour of the palette
    if swatch:
        return swatch
    return picked or typed


def save_theme(event: Event, theme: Theme | None, data: dict) -> Theme:
    name = _text(data.get("name"))
    if not name:
        raise ProgrammeError(_("Give the theme a name."), "name")
    colour = _chosen_colour(data)
    if not HEX_COLOUR.match(colour):
        raise ProgrammeError(_("The colour must be written #rrggbb, for example #d0312d."),
                             "colour_hex")
    # Left empty, the colour's name is the nearest of the palette's (said aloud on site).
    colour_name = _text(data.get("colour_name")) or palette_colour_name(colour)
    key = _resolve_key(Theme, event, data.get("key"), name, "theme", theme.id if theme else None)
    if theme is None:
        theme = Theme(event=event)
        db.session.add(theme)
    theme.name, theme.key, theme.colour, theme.colour_name = name, key, colour.lower(), colour_name
    theme.position = data.get("position") or 0
    _flush()
    return theme


# --- rooms -------------------------------------------------------------------------------


def save_room(event: Event, room: Room | None, data: dict) -> Room:
    name = _text(data.get("name"))
    if not name:
        raise ProgrammeError(_("Give the room a name."), "name")
    capacity, tables = data.get("capacity"), data.get("tables") or 1
    if capacity is None or capacity < 0:
        raise ProgrammeError(_("The capacity must be a number of seats, 0 or more."), "capacity")
    if tables < 1:
        raise ProgrammeError(_("A room has at least one table."), "tables")
    themes = [_owned(Theme, event, ident, "themes") for ident in data.get("themes") or []]
    labels = [line.strip() for line in (data.get("table_labels") or "").splitlines()]
    while labels and not labels[-1]:
        labels.pop()
    if len(labels) > tables:
        raise ProgrammeError(_("There are %(labels)d table names for %(tables)d tables: give at "
                               "most one name per table.", labels=len(labels), tables=tables),
                             "table_labels")
    if room is not None:
        _check_room_still_fits(room, tables, themes)
    key = _resolve_key(Room, event, data.get("key"), name, "room", room.id if room else None)
    if room is None:
        room = Room(event=event)
        db.session.add(room)
    room.name, room.key, room.capacity, room.tables = name, key, capacity, tables
    room.table_labels = labels
    room.step_free = bool(data.get("step_free"))
    room.directions = _text(data.get("directions"))
    room.position = data.get("position") or 0
    room.themes = themes
    _flush()
    return room


def _check_room_still_fits(room: Room, tables: int, themes: list[Theme]) -> None:
    """Refuse to remove tables or themes that placed sessions rely on."""
    placed = db.session.scalars(db.select(Session).where(Session.room_id == room.id)).all()
    beyond = [s for s in placed if s.table_number and s.table_number > tables]
    if beyond:
        raise ProgrammeError(
            _("Sessions are placed at tables beyond %(tables)d (%(names)s): move them first.",
              tables=tables, names=", ".join(sorted({s.project.name for s in beyond}))), "tables")
    if themes:
        allowed = {t.id for t in themes}
        excluded = [s for s in placed if s.project.theme_id not in allowed]
        if excluded:
            raise ProgrammeError(
                _("Sessions of other themes are placed in this room (%(names)s): move them "
                  "first or admit their theme.",
                  names=", ".join(sorted({s.project.name for s in excluded}))), "themes")


# --- people and projects ----------------------------------------------------------------


def add_presenter(event: Event, first_name: str | None, last_name: str | None,
                  email: str | None = None, organisation: str | None = "", *,
                  field_prefix: str = "new_") -> Participant:
    """A new person of the event who presents a project (role "presenter").

    ``field_prefix``: how the form names the person's fields (the project form's "new
    presenter" fields by default; the presenter form's own fields with "")."""
    first_name, last_name = _text(first_name), _text(last_name)
    if not last_name and not first_name:
        raise ProgrammeError(_("Give the new presenter's name."), f"{field_prefix}last_name")
    email = _text(email).lower() or None
    if email and db.session.scalar(db.select(Participant.id).where(
            Participant.event_id == event.id, Participant.email == email)) is not None:
        raise ProgrammeError(_("A person of this event already has the email %(email)s: pick "
                               "them in the list instead.", email=email),
                             f"{field_prefix}email")
    person = Participant(
        event=event, first_name=first_name, last_name=last_name, email=email,
        organisation=_text(organisation), role="presenter", category="intervenant",
        key=unique_key(Participant, event.id, f"{first_name} {last_name}", "person"),
    )
    db.session.add(person)
    _flush()
    return person


def save_presenter(event: Event, person: Participant, data: dict) -> Participant:
    """Edit the name, email, organisation and key of a person who presents."""
    first, last = _text(data.get("first_name")), _text(data.get("last_name"))
    if not first and not last:
        raise ProgrammeError(_("Give the person's name."), "last_name")
    email = _text(data.get("email")).lower() or None
    if email and db.session.scalar(db.select(Participant.id).where(
            Participant.event_id == event.id, Participant.email == email,
            Participant.id != person.id)) is not None:
        raise ProgrammeError(_("Another person of this event has this email."), "email")
    person.key = _resolve_key(Participant, event, data.get("key"), f"{first} {last}", "person",
                              person.id)
    person.first_name, person.last_name, person.email = first, last, email
    person.organisation = _text(data.get("organisation"))
    _flush()
    return person


def parse_keywords(text: str | None) -> list[str]:
    """Comma- (or semicolon-) separated keywords, trimmed, without duplicates."""
    seen: dict[str, str] = {}
    for raw in (text or "").replace(";", ",").split(","):
        word = raw.strip()
        if word and word.lower() not in seen:
            seen[word.lower()] = word
    return list(seen.values())


def save_project(event: Event, project: Project | None, data: dict) -> Project:
    name = _text(data.get("name"))
    if not name:
        raise ProgrammeError(_("Give the project a name."), "name")
    theme = _owned(Theme, event, data.get("theme"), "theme")
    if theme is None:
        raise ProgrammeError(_("Choose the project's theme."), "theme")
    presenters = [_owned(Participant, event, ident, "presenters")
                  for ident in data.get("presenters") or []]
    if _text(data.get("new_first_name")) or _text(data.get("new_last_name")):
        presenters.append(add_presenter(
            event, data.get("new_first_name"), data.get("new_last_name"),
            data.get("new_email"), data.get("new_organisation")))
    elif _text(data.get("new_email")) or _text(data.get("new_organisation")):
        raise ProgrammeError(_("Give the new presenter's name."), "new_last_name")
    if project is not None and project.theme_id != theme.id:
        for session in project.sessions:
            if session.room is not None and not session.room.admits(theme):
                raise ProgrammeError(
                    _("The session in %(room)s does not admit the theme %(theme)s: move it "
                      "first.", room=session.room.name, theme=theme.name), "theme")
    key = _resolve_key(Project, event, data.get("key"), name, "project",
                       project.id if project else None)
    if project is None:
        project = Project(event=event)
        db.session.add(project)
    project.name, project.key, project.theme = name, key, theme
    project.organisation = _text(data.get("organisation"))
    project.keywords = parse_keywords(data.get("keywords"))
    project.description = _text(data.get("description"))
    project.position = data.get("position") or 0
    project.presenters = list(dict.fromkeys(presenters))
    _flush()
    if project.sessions:
        for session in project.sessions:
            _check_presenters_free(session)
    return project


# --- timeline ----------------------------------------------------------------------------


def save_programme_item(event: Event, item: ProgrammeItem | None, data: dict) -> ProgrammeItem:
    title = _text(data.get("title"))
    if not title:
        raise ProgrammeError(_("Give the item a title."), "title")
    kind = data.get("kind") or ProgrammeItemKind.TALK
    if kind not in ProgrammeItemKind.ALL:
        raise ProgrammeError(_("Choose a kind from the list."), "kind")
    starts_at = _utc(event, data.get("starts"), "starts")
    ends_at = _utc(event, data.get("ends"), "ends")
    _check_period(starts_at, ends_at)
    room = _owned(Room, event, data.get("room"), "room")
    if item is None:
        item = ProgrammeItem(event=event)
        db.session.add(item)
    item.title, item.kind, item.starts_at, item.ends_at, item.room = (
        title, kind, starts_at, ends_at, room)
    item.speakers = _lines(data.get("speakers"))
    item.description = _text(data.get("description"))
    _flush()
    return item


def save_round(event: Event, round_: Round | None, data: dict) -> Round:
    starts_at = _utc(event, data.get("starts"), "starts")
    ends_at = _utc(event, data.get("ends"), "ends")
    _check_period(starts_at, ends_at)
    _check_no_overlap(Round, event, starts_at, ends_at, round_.id if round_ else None)
    number = len(queries.rounds(event)) + (0 if round_ else 1)
    key = _resolve_key(Round, event, data.get("key"), f"r{number}", "round",
                       round_.id if round_ else None)
    if round_ is None:
        round_ = Round(event=event)
        db.session.add(round_)
    round_.key, round_.starts_at, round_.ends_at = key, starts_at, ends_at
    _flush()
    return round_


def _check_no_overlap(model: type[EventPeriod], event: Event, starts_at: datetime,
                      ends_at: datetime, exclude_id: int | None) -> None:
    """Rounds never overlap: a participant attends one session per round."""
    query = db.select(model).where(model.event_id == event.id, model.starts_at < ends_at,
                                   model.ends_at > starts_at)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    other = db.session.scalar(query.limit(1))
    if other is not None:
        name = _("Round %(number)d", number=queries.round_number(event, other)) \
            if isinstance(other, Round) else (other.name or other.key)
        raise ProgrammeError(
            _("This period overlaps %(key)s (%(start)s–%(end)s).", key=name,
              start=event.to_local(other.starts_at).strftime("%H:%M"),
              end=event.to_local(other.ends_at).strftime("%H:%M")), "starts")


@dataclass(frozen=True)
class RoundPlan:
    """What "generate rounds" creates: ``count`` rounds of ``minutes`` every
    ``minutes + changeover`` minutes from ``first_start`` (local time of the event)."""

    first_start: time
    count: int
    minutes: int = 20
    changeover: int = 5


def generate_rounds(event: Event, plan: RoundPlan) -> list[Round]:
    """Append rounds r<n+1>... after the existing ones, refusing any overlap."""
    if not 1 <= plan.count <= 30:
        raise ProgrammeError(_("Generate between 1 and 30 rounds."), "count")
    if not 1 <= plan.minutes <= 240:
        raise ProgrammeError(_("A round lasts between 1 and 240 minutes."), "minutes")
    if not 0 <= plan.changeover <= 120:
        raise ProgrammeError(_("The changeover lasts between 0 and 120 minutes."), "changeover")
    start = event.local_to_utc(plan.first_start)
    existing = len(queries.rounds(event))
    created = []
    for index in range(plan.count):
        starts_at = start + index * timedelta(minutes=plan.minutes + plan.changeover)
        ends_at = starts_at + timedelta(minutes=plan.minutes)
        if event.to_local(ends_at).date() != event.date:
            raise ProgrammeError(_("The last rounds would end after midnight."), "count")
        try:
            _check_no_overlap(Round, event, starts_at, ends_at, None)
        except ProgrammeError as error:
            raise ProgrammeError(error.message, "first_start") from None
        number = existing + index + 1
        round_ = Round(event=event, starts_at=starts_at, ends_at=ends_at,
                       key=unique_key(Round, event.id, f"r{number}", "round"))
        db.session.add(round_)
        _flush()
        created.append(round_)
    return created


def save_slot(event: Event, slot: WorkshopSlot | None, data: dict) -> WorkshopSlot:
    starts_at = _utc(event, data.get("starts"), "starts")
    ends_at = _utc(event, data.get("ends"), "ends")
    _check_period(starts_at, ends_at)
    _check_no_overlap(WorkshopSlot, event, starts_at, ends_at, slot.id if slot else None)
    label = _text(data.get("key")) or f"slot-{event.to_local(starts_at).strftime('%Hh%M')}"
    key = _resolve_key(WorkshopSlot, event, data.get("key"), label, "slot",
                       slot.id if slot else None)
    if slot is None:
        slot = WorkshopSlot(event=event)
        db.session.add(slot)
    slot.key, slot.starts_at, slot.ends_at = key, starts_at, ends_at
    slot.name = _text(data.get("name"))
    _flush()
    return slot


def save_workshop(event: Event, workshop: Workshop | None, data: dict) -> Workshop:
    name = _text(data.get("name"))
    if not name:
        raise ProgrammeError(_("Give the workshop a name."), "name")
    slot = _owned(WorkshopSlot, event, data.get("slot"), "slot")
    if slot is None:
        raise ProgrammeError(_("Choose the workshop's time slot."), "slot")
    room = _owned(Room, event, data.get("room"), "room")
    if room is None:
        raise ProgrammeError(_("Choose the workshop's room."), "room")
    capacity = data.get("capacity")
    if capacity is None:
        capacity = room.capacity
    if capacity < 0:
        raise ProgrammeError(_("The capacity must be 0 or more."), "capacity")
    if capacity > room.capacity:
        raise ProgrammeError(_("%(room)s has %(seats)d seats: the capacity cannot exceed it.",
                               room=room.name, seats=room.capacity), "capacity")
    clash = db.session.scalar(db.select(Workshop).where(
        Workshop.slot_id == slot.id, Workshop.room_id == room.id,
        Workshop.id != (workshop.id if workshop else -1)).limit(1))
    if clash is not None:
        raise ProgrammeError(_("%(room)s already hosts %(name)s in this slot.",
                               room=room.name, name=clash.name), "room")
    if workshop is not None and workshop.slot_id != slot.id and queries.workshop_has_activity(
            workshop):
        raise ProgrammeError(_("People are already assigned to this workshop: delete their "
                               "assignments before moving it to another slot."), "slot")
    key = _resolve_key(Workshop, event, data.get("key"), name, "workshop",
                       workshop.id if workshop else None)
    if workshop is None:
        workshop = Workshop(event=event)
        db.session.add(workshop)
    workshop.name, workshop.key, workshop.slot, workshop.room = name, key, slot, room
    workshop.capacity = capacity
    workshop.host = _text(data.get("host"))
    workshop.panel = _lines(data.get("panel"))
    workshop.description = _text(data.get("description"))
    workshop.position = data.get("position") or 0
    _flush()
    return workshop


# --- sessions ----------------------------------------------------------------------------


def save_session(event: Event, session: Session | None, data: dict) -> Session:
    """Create or edit a session, checking the placement rules first (see module doc)."""
    project = _owned(Project, event, data.get("project"), "project")
    if project is None:
        raise ProgrammeError(_("Choose the project that presents."), "project")
    round_ = _owned(Round, event, data.get("round"), "round")
    room = _owned(Room, event, data.get("room"), "room")
    table = data.get("table_number")
    capacity, min_audience = data.get("capacity"), data.get("min_audience") or 0
    extra = [_owned(Participant, event, ident, "extra_presenters")
             for ident in data.get("extra_presenters") or []]
    own_id = session.id if session else None
    _check_placement(project, round_, room, table, own_id)
    _check_capacity(room, capacity, min_audience)
    if session is not None and session.round_id != (round_.id if round_ else None) and \
            queries.session_assignment_count(session):
        raise ProgrammeError(_("People are already assigned to this session: delete their "
                               "assignments before moving it to another round."), "round")
    key = _resolve_key(Session, event, data.get("key"),
                       f"{project.key}-{round_.key}" if round_ else project.key, "session",
                       own_id)
    if session is None:
        session = Session(event=event)
        db.session.add(session)
    session.key, session.project, session.round, session.room = key, project, round_, room
    session.table_number = table if room is not None else None
    if room is not None and table is None:
        session.table_number = 1 if room.tables == 1 else None
    session.capacity, session.min_audience = capacity, min_audience
    session.extra_presenters = [p for p in dict.fromkeys(extra) if p not in project.presenters]
    _flush()
    _check_presenters_free(session)
    return session


def place_in_cell(event: Event, project_id: int | None, round_id: int, room_id: int,
                  table: int) -> Session:
    """The grid's empty cell (round, room table) gets a session of the chosen project,
    with the same checks as the session form."""
    if project_id is None:
        raise ProgrammeError(_("Choose the project that presents."), "project")
    return save_session(event, None, {"project": project_id, "round": round_id,
                                      "room": room_id, "table_number": table})


@dataclass(frozen=True)
class SessionFill:
    """What "generate the sessions" of a round did: the sessions created and, for each
    project left out, why (by project name)."""

    created: list[Session]
    left_out: dict[str, str]


def generate_sessions(event: Event, round_: Round) -> SessionFill:
    """Fill the free tables of ``round_`` with projects not presenting in it yet.

    Projects that presented least so far come first (so each presents once per round
    where there are tables enough); a room only takes the themes it admits; two projects
    sharing a presenter never go to the same round. The most projects are seated (a
    matching, not first come first served); what is left out is said, with why.
    """
    if round_.event_id != event.id:
        raise ProgrammeError(_("This round does not belong to the event."))
    all_sessions = queries.sessions(event)
    in_round = [s for s in all_sessions if s.round_id == round_.id]
    taken = {(s.room_id, s.table_number or 1) for s in in_round if s.room_id}
    cells = [(room, table) for room in queries.rooms(event)
             for table in range(1, room.tables + 1) if (room.id, table) not in taken]
    round_name = _("Round %(number)d", number=_round_number(event, round_))
    if not cells:
        raise ProgrammeError(_("Every table of %(round)s is taken: nothing to generate.",
                               round=round_name))
    presenting = {s.project_id for s in in_round}
    busy = {p.id for s in in_round for p in s.presenters}
    count = {p.id: 0 for p in queries.projects(event)}
    for session in all_sessions:
        if session.round_id is not None:
            count[session.project_id] = count.get(session.project_id, 0) + 1
    candidates, left_out = [], {}
    for project in sorted(queries.projects(event), key=lambda p: (count[p.id], p.position)):
        if project.id in presenting:
            continue
        people = {p.id for p in project.presenters}
        if people & busy:
            left_out[project.name] = _("a presenter already presents in this round")
            continue
        busy |= people
        candidates.append(project)
    if not candidates:
        raise ProgrammeError(_("Every project already presents in %(round)s.",
                               round=round_name))
    match = _match_projects(candidates, cells)
    created = []
    for project in candidates:
        cell = match.get(project.id)
        if cell is None:
            admitted = any(room.admits(project.theme) for room, _table in cells)
            left_out[project.name] = _("no free table left") if admitted else \
                _("no free table in a room that admits its theme")
            continue
        room, table = cell
        created.append(save_session(event, None, {"project": project.id,
                                                  "round": round_.id, "room": room.id,
                                                  "table_number": table}))
    return SessionFill(created, left_out)


def _round_number(event: Event, round_: Round) -> int:
    """The round's number in the day ("round 2"), what organisers read, not its key."""
    return queries.round_number(event, round_)


def _match_projects(projects: list[Project], cells: list[tuple[Room, int]]
                    ) -> dict[int, tuple[Room, int]]:
    """Project id -> cell: a maximum matching where a room admits the project's theme
    (Kuhn's augmenting paths; projects earlier in the list keep their seat once placed)."""
    owner: dict[int, int] = {}  # cell index -> project index

    def seat(index: int, seen: set[int]) -> bool:
        for cell_index, (room, _table) in enumerate(cells):
            if cell_index in seen or not room.admits(projects[index].theme):
                continue
            seen.add(cell_index)
            if cell_index not in owner or seat(owner[cell_index], seen):
                owner[cell_index] = index
                return True
        return False

    for index in range(len(projects)):
        seat(index, set())
    return {projects[p].id: cells[c] for c, p in owner.items()}


def _check_placement(project: Project, round_: Round | None, room: Room | None,
                     table: int | None, own_id: int | None) -> None:
    if table is not None and room is None:
        raise ProgrammeError(_("Choose a room before choosing a table."), "room")
    if room is not None:
        if table is not None and not 1 <= table <= room.tables:
            raise ProgrammeError(
                _("%(room)s has %(count)d table(s): choose a table from 1 to %(count)d.",
                  room=room.name, count=room.tables), "table_number")
        if table is None and room.tables > 1 and round_ is not None:
            raise ProgrammeError(_("%(room)s has %(count)d tables: say which one.",
                                   room=room.name, count=room.tables), "table_number")
        if not room.admits(project.theme):
            raise ProgrammeError(
                _("%(room)s does not admit the theme %(theme)s (it admits: %(themes)s).",
                  room=room.name, theme=project.theme.name,
                  themes=", ".join(t.name for t in room.themes)), "room")
    if round_ is None:
        return
    same_round = db.select(Session).where(Session.round_id == round_.id)
    if own_id is not None:
        same_round = same_round.where(Session.id != own_id)
    if db.session.scalar(same_round.where(Session.project_id == project.id).limit(1)):
        raise ProgrammeError(_("%(project)s already presents in round %(round)s.",
                               project=project.name,
                               round=_round_number(project.event, round_)), "round")
    if room is not None:
        number = table if table is not None else 1
        taken = db.session.scalar(same_round.where(
            Session.room_id == room.id, Session.table_number == number).limit(1))
        if taken is not None:
            raise ProgrammeError(
                _("Table %(table)d of %(room)s is already taken by %(project)s in round "
                  "%(round)s.", table=number, room=room.name, project=taken.project.name,
                  round=_round_number(project.event, round_)), "table_number")


def _check_capacity(room: Room | None, capacity: int | None, min_audience: int) -> None:
    if capacity is not None and capacity < 0:
        raise ProgrammeError(_("The capacity must be 0 or more."), "capacity")
    if min_audience < 0:
        raise ProgrammeError(_("The minimum audience must be 0 or more."), "min_audience")
    if capacity is not None and room is not None and capacity > room.capacity:
        raise ProgrammeError(_("%(room)s has %(seats)d seats: the capacity cannot exceed it.",
                               room=room.name, seats=room.capacity), "capacity")
    effective = capacity
    if effective is None and room is not None:
        effective = room.capacity // max(room.tables, 1)
    if effective is not None and min_audience > effective:
        raise ProgrammeError(_("The minimum audience (%(minimum)d) exceeds the capacity "
                               "(%(capacity)d).", minimum=min_audience, capacity=effective),
                             "min_audience")


def _check_presenters_free(session: Session) -> None:
    """A person presents in one place at a time."""
    if session.round_id is None:
        return
    others = db.session.scalars(db.select(Session).where(
        Session.round_id == session.round_id, Session.id != session.id)).all()
    mine = {p.id for p in session.presenters}
    for other in others:
        clash = mine & {p.id for p in other.presenters}
        if clash:
            person = db.session.get_one(Participant, next(iter(clash)))
            raise ProgrammeError(
                _("%(person)s already presents %(project)s in this round.",
                  person=person.full_name, project=other.project.name), "round")


# --- deletion ----------------------------------------------------------------------------


def delete(obj: Any, confirmed: bool) -> None:
    """Delete ``obj`` with what depends on it, in the caller's single transaction.

    Refused when something *blocks* it (the organiser must change that first) or when
    dependents would be deleted or changed without ``confirmed``.
    """
    dependents = queries.dependents_of(obj)
    blockers = [d for d in dependents if d.effect == queries.BLOCKS]
    if blockers:
        raise ProgrammeError(_("This cannot be deleted yet: %(what)s.",
                               what="; ".join(f"{d.kind}: {d.name}" for d in blockers)))
    if dependents and not confirmed:
        raise ProgrammeError(_("Confirm the deletion: other items depend on this one."))
    _delete_with_dependents(obj)
    _flush()


@dataclass(frozen=True)
class _Cascade:
    """What deleting one kind of row does to what depends on it: ``before`` runs first
    (a signal, rows in another area); ``children`` are deleted with it, or, with
    ``detach``, kept with those attributes set (a session keeps its project when its room
    or round goes)."""

    children: Callable[[Any], Iterable[Any]] | None = None
    detach: dict[str, Any] | None = None
    before: Callable[[Any], Any] | None = None


def _delete_with_dependents(obj: Any) -> None:
    cascade = _CASCADES[type(obj)]
    if cascade.before is not None:
        cascade.before(obj)
    if cascade.children is not None:
        for child in list(cascade.children(obj)):
            if cascade.detach is None:
                db.session.delete(child)
            else:
                for name, value in cascade.detach.items():
                    setattr(child, name, value)
        db.session.flush()
    db.session.delete(obj)


_CASCADES: dict[type, _Cascade] = {
    Theme: _Cascade(),
    Room: _Cascade(children=lambda room: db.session.scalars(
        db.select(Session).where(Session.room_id == room.id)),
        detach={"room": None, "table_number": None}),
    Project: _Cascade(children=lambda project: project.sessions),
    Round: _Cascade(children=lambda round_: round_.sessions, detach={"round": None},
                    before=queries.delete_round_assignments),
    WorkshopSlot: _Cascade(children=lambda slot: slot.workshops),
    Workshop: _Cascade(),
    Session: _Cascade(),
    ProgrammeItem: _Cascade(),
    # A presenter deleted from the builder is erased like any participant (their badge
    # is revoked: ``participant_erased``).
    Participant: _Cascade(before=participant_erased.send),
}
