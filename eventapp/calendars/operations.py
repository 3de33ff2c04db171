"""Every change of the calendars area: feed links (create, replace, revoke) and the
versions of calendar items (SEQUENCE / LAST-MODIFIED), kept per calendar owner.

Stamping compares what an item says now with what the calendar last showed (a content
hash): unchanged items keep their SEQUENCE and DTSTAMP, changed ones go up by one with a
new LAST-MODIFIED, vanished ones are marked removed (and go up too, so a CANCEL wins over
the last REQUEST). It runs at publication, after a participant's own switch, and when a
feed is read (a programme edit since then shows at the next poll).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from ..db_types import utcnow
from ..errors import Refused
from ..events.models import Event
from ..extensions import db
from ..programme.models import Room
from ..registration.models import Participant
from ..scheduling.models import Publication
from .ics import CalendarItem, ItemStamp, item_uid
from .models import CalendarEntry, CalendarFeed
from .queries import (
    CalendarContext,
    all_participant_items,
    entries_of,
    feed_links,
    feed_of,
    feed_secret,
    hash_secret,
    owner_of,
    participant_day_items,
    presenters_of,
)


class CalendarError(Refused):
    """A refused change, with a message for the user."""


def _new_nonce() -> tuple[str, str]:
    nonce = secrets.token_urlsafe(24)
    return nonce, hash_secret(feed_secret(nonce))


# --- feed links -------------------------------------------------------------------------

def ensure_feed(event: Event, scope: str, *, participant: Participant | None = None,
                room: Room | None = None) -> CalendarFeed:
    """The calendar's feed, created on first need (two requests at once: one row wins,
    the unique constraint turns the other into a re-read)."""
    owner = owner_of(scope, participant.id if participant else None,
                     room.id if room else None)
    feed = feed_of(event, owner)
    if feed is not None:
        return feed
    nonce, token_hash = _new_nonce()
    feed = CalendarFeed(event_id=event.id, scope=scope, owner=owner,
                        participant_id=participant.id if participant else None,
                        room_id=room.id if room else None, nonce=nonce,
                        token_hash=token_hash, created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(feed)
    except IntegrityError:
        existing = feed_of(event, owner)
        if existing is None:
            raise
        return existing
    return feed


def replace_feed_secret(feed: CalendarFeed) -> CalendarFeed:
    """A new link for the same calendar: the old address stops working at once."""
    feed.nonce, feed.token_hash = _new_nonce()
    feed.created_at = utcnow()
    db.session.flush()
    return feed


def revoke_feed(feed: CalendarFeed) -> None:
    """Delete an organiser's feed link (a new one can be created later)."""
    if feed.scope == "participant":
        raise CalendarError("a participant's feed is replaced, not deleted")
    db.session.delete(feed)
    db.session.flush()


def create_organiser_feeds(event: Event) -> int:
    """Links for the whole programme, every room and every presenter that lacks one;
    returns how many were created."""
    ctx = CalendarContext.load(event)
    before = db.session.query(CalendarFeed).filter_by(event_id=event.id).count()
    ensure_feed(event, "programme")
    for room in ctx.cat.rooms.values():
        ensure_feed(event, "room", room=room)
    for presenter in presenters_of(ctx):
        ensure_feed(event, "presenter", participant=presenter)
    db.session.flush()
    return db.session.query(CalendarFeed).filter_by(event_id=event.id).count() - before


# --- item versions ----------------------------------------------------------------------

@dataclass
class Stamped:
    """A calendar's items with their versions, and the items it no longer holds."""

    items: list[tuple[CalendarItem, ItemStamp]] = field(default_factory=list)
    removed: list[tuple[CalendarItem, ItemStamp, datetime]] = field(default_factory=list)
    changed: bool = False

    @property
    def last_modified(self) -> datetime | None:
        moments = [stamp.last_modified for _, stamp in self.items]
        moments += [when for _, _, when in self.removed]
        return max(moments) if moments else None


def stamp_items(event: Event, owner: str, items: list[CalendarItem],
                entries: dict[str, CalendarEntry], *, participant_id: int | None = None,
                room_id: int | None = None, now: datetime | None = None,
                new_rows: list[dict] | None = None) -> Stamped:
    """Give each item its UID, SEQUENCE and LAST-MODIFIED, writing what changed.

    ``entries`` are the owner's rows (identity -> entry), as loaded by the caller in bulk.
    New items become rows inserted at once, or appended to ``new_rows`` for the caller
    to insert in one statement (a first publication of 10,000 people).
    """
    now = (now or utcnow()).replace(microsecond=0)
    result = Stamped()
    seen = set()
    inserts: list[dict] = []
    for item in items:
        seen.add(item.identity)
        digest = item.digest
        entry = entries.get(item.identity)
        if entry is None:
            uid = item_uid(event.id, owner, item.identity)
            inserts.append({
                "event_id": event.id, "owner": owner, "participant_id": participant_id,
                "room_id": room_id, "identity": item.identity, "uid": uid, "sequence": 0,
                "content_hash": digest, "last_modified": now, "removed": False,
                "summary": item.summary, "starts_at": item.starts_at,
                "ends_at": item.ends_at})
            result.items.append((item, ItemStamp(uid, 0, now)))
            result.changed = True
            continue
        if entry.content_hash != digest or entry.removed:
            entry.sequence += 1
            entry.content_hash, entry.last_modified, entry.removed = digest, now, False
            _remember(entry, item)
            result.changed = True
        result.items.append((item, _stamp(entry)))
    for identity, entry in entries.items():
        if identity in seen:
            continue
        if not entry.removed:
            entry.sequence += 1
            entry.removed, entry.last_modified = True, now
            result.changed = True
        result.removed.append((_remembered(entry), _stamp(entry), entry.last_modified))
    if new_rows is not None:
        new_rows.extend(inserts)
    else:
        insert_entries(inserts)
    return result


def insert_entries(rows: list[dict]) -> None:
    """Insert new calendar entries in one executemany (no ORM objects to track)."""
    if rows:
        db.session.execute(insert(CalendarEntry), rows)


def _remember(entry: CalendarEntry, item: CalendarItem) -> None:
    entry.summary = item.summary
    entry.starts_at, entry.ends_at = item.starts_at, item.ends_at


def _remembered(entry: CalendarEntry) -> CalendarItem:
    """What a removed item last said (enough for a CANCEL)."""
    return CalendarItem(identity=entry.identity, summary=entry.summary,
                        starts_at=entry.starts_at, ends_at=entry.ends_at)


def _stamp(entry: CalendarEntry) -> ItemStamp:
    return ItemStamp(entry.uid, entry.sequence, entry.last_modified)


def portal_calendar_links(participant: Participant) -> dict[str, str] | None:
    """The links shown on "Mon programme" (the feed is created on the first visit; the
    caller commits)."""
    if participant.status == "cancelled":
        return None
    feed = ensure_feed(participant.event, "participant", participant=participant)
    return feed_links(feed)


def stamp_participant(participant: Participant, ctx: CalendarContext | None = None,
                      now: datetime | None = None) -> Stamped:
    """The participant's calendar as it is now, with its versions up to date (after a
    switch, or when their feed is read)."""
    event = participant.event
    ctx = ctx or CalendarContext.load(event, participant=participant)
    owner = owner_of("participant", participant.id)
    entries = entries_of(event, [owner]).get(owner, {})
    return stamp_items(event, owner, participant_day_items(participant, ctx), entries,
                       participant_id=participant.id, now=now)


def record_publication(publication: Publication, now: datetime | None = None
                       ) -> dict[int, Stamped]:
    """Bring every participant's calendar up to the new publication (one pass over the
    event): changed items get a higher SEQUENCE, items no longer in a day are removed."""
    event = publication.event
    ctx = CalendarContext.load(event)
    entries = entries_of(event)
    now = now or publication.published_at
    results: dict[int, Stamped] = {}
    rows: list[dict] = []
    for participant_id, items in all_participant_items(ctx).items():
        owner = owner_of("participant", participant_id)
        results[participant_id] = stamp_items(event, owner, items, entries.get(owner, {}),
                                              participant_id=participant_id, now=now,
                                              new_rows=rows)
    db.session.flush()
    insert_entries(rows)
    return results


def stamp_organiser_calendar(event: Event, owner: str, items: list[CalendarItem], *,
                             room_id: int | None = None, participant_id: int | None = None
                             ) -> Stamped:
    entries = entries_of(event, [owner]).get(owner, {})
    return stamp_items(event, owner, items, entries, room_id=room_id,
                       participant_id=participant_id)
