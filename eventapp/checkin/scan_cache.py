"""What the scan routes keep between requests: the event, the checkpoint and its label.

A scan's own statements (``scan_sql``) read everything its decision depends on under the
person's lock. Around them, each request would also load the event by its address, the
checkpoint the body names and that checkpoint's label (room, round number, workshop):
rows that change a few times a day, read by every scan of the morning. They are kept
here for ``SCAN_CACHE_SECONDS`` (default 10; 0 turns the cache off), per process:

* the event: its id, address and timezone (the rehearsal flag is read fresh, by the
  scan's read statement);
* the checkpoint: its event and kind (its window and place are read fresh);
* its label, keyed by the checkpoint and its room, round and workshop ids (a renamed
  room shows under its old name until the entry expires).

A removed event or checkpoint is therefore still accepted for a few seconds, and the
scan's read statement then finds no checkpoint: the scan is refused, nothing recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..events.models import Event
from ..extensions import db
from ..ttl_cache import TTLCache, cache_seconds
from .models import Checkpoint

EVENTS, CHECKPOINTS, LABELS = TTLCache(), TTLCache(), TTLCache()


def seconds() -> float:
    return cache_seconds(current_app.config)


def clear() -> None:
    for cache in (EVENTS, CHECKPOINTS, LABELS):
        cache.clear()


@dataclass(frozen=True)
class ScanEvent:
    """The part of an event a scan and its answer use (``checkin_rehearsal`` as the
    scan's read statement found it, when one has run)."""

    id: int
    slug: str
    timezone: str
    checkin_rehearsal: bool = False
    _tz: ZoneInfo | None = field(default=None, compare=False, repr=False)

    @property
    def tz(self) -> tzinfo:
        return self._tz or ZoneInfo(self.timezone)

    def to_local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def with_rehearsal(self, rehearsal: bool) -> ScanEvent:
        return ScanEvent(self.id, self.slug, self.timezone, rehearsal, self._tz)


def scan_event_or_404(slug: str) -> ScanEvent:
    """The event at this address, from the cache or one query; 404 as every page."""
    ttl = seconds()
    found = EVENTS.get(slug) if ttl else None
    if found is not None:
        return found
    row = db.session.execute(select(Event.id, Event.slug, Event.timezone,
                                    Event.checkin_rehearsal)
                             .where(Event.slug == slug)).first()
    if row is None:
        abort(404, description=_(
            "No event has the address “%(slug)s”. It may have been renamed or removed: "
            "the home page lists every event.", slug=slug))
    found = ScanEvent(row.id, row.slug, row.timezone, row.checkin_rehearsal,
                      ZoneInfo(row.timezone))
    if ttl:
        EVENTS.put(slug, found, ttl)
    return found


@dataclass(frozen=True)
class CheckpointRef:
    """A checkpoint as a scan request names it: its id, event and kind."""

    id: int
    event_id: int
    kind: str


def checkpoint_for_scan(event_id: int, checkpoint_id: int) -> CheckpointRef | None:
    """The event's checkpoint of this id (None: not one of the event's)."""
    ttl = seconds()
    found = CHECKPOINTS.get(checkpoint_id) if ttl else None
    if found is None:
        row = db.session.execute(select(Checkpoint.id, Checkpoint.event_id, Checkpoint.kind)
                                 .where(Checkpoint.id == checkpoint_id)).first()
        if row is None:
            return None
        found = CheckpointRef(row.id, row.event_id, row.kind)
        if ttl:
            CHECKPOINTS.put(checkpoint_id, found, ttl)
    return found if found.event_id == event_id else None


def checkpoint_label(event: Any, checkpoint: Any) -> str:
    """The checkpoint's label ("Salle 2 — round 2"), cached with its place's ids."""
    from .queries import CheckpointNames

    key = (checkpoint.id, checkpoint.kind, checkpoint.room_id, checkpoint.round_id,
           checkpoint.workshop_id, str(get_locale()))  # the labels are translated
    ttl = seconds()
    label = LABELS.get(key) if ttl else None
    if label is None:
        label = CheckpointNames.of_checkpoint(event, checkpoint).label(checkpoint)
        if ttl:
            LABELS.put(key, label, ttl)
    return label
