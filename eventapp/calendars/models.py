"""Calendar feeds (their secrets) and the version of every item a calendar has shown.

A calendar's *owner* is a string naming whose calendar it is: ``participant:<id>``,
``presenter:<id>``, ``room:<id>`` or ``programme``. The matching foreign key (participant
or room) is set too, so erasing a person or deleting a room deletes their feeds and
entries with them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import Model
from ..programme.models import Room
from ..registration.models import Participant

SCOPES = ("participant", "programme", "room", "presenter")
_SCOPE_CHECK = "scope IN ('participant', 'programme', 'room', 'presenter')"
# The target each scope names: a participant, a room, or nothing (the whole programme).
_TARGET_CHECK = (
    "(scope IN ('participant', 'presenter') AND participant_id IS NOT NULL"
    " AND room_id IS NULL)"
    " OR (scope = 'room' AND room_id IS NOT NULL AND participant_id IS NULL)"
    " OR (scope = 'programme' AND room_id IS NULL AND participant_id IS NULL)"
)


class CalendarFeed(Model):
    """A subscription link. The URL's secret is never stored: it is an HMAC of
    ``nonce`` under SECRET_KEY, so the page can show the same link again, a leaked
    database alone opens no feed, and replacing the nonce revokes the old link."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        UniqueConstraint("event_id", "owner", name="uq_calendar_feeds_event_owner"),
        CheckConstraint(_SCOPE_CHECK, name="valid_scope"),
        CheckConstraint(_TARGET_CHECK, name="scope_target"),
        CheckConstraint("length(nonce) >= 16", name="nonce_long_enough"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str] = mapped_column(String(60))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    # SHA-256 of the derived secret: the feed is found by it, in one indexed look-up.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    participant: Mapped[Participant | None] = relationship()
    room: Mapped[Room | None] = relationship()


class CalendarEntry(Model):
    """One item as one calendar last showed it: UID, SEQUENCE, LAST-MODIFIED.

    Updated when a publication, a participant's own switch or a programme edit changes
    what the item says (compared by ``content_hash``), so an unchanged item keeps its
    SEQUENCE and DTSTAMP and a changed one gets a higher SEQUENCE. An item that left the
    calendar stays here as ``removed`` with what it last said, so an update email can
    cancel it (METHOD:CANCEL, same UID, higher SEQUENCE).
    """

    __tablename__ = "calendar_entries"
    __table_args__ = (
        UniqueConstraint("event_id", "owner", "identity", name="uq_calendar_entries_item"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    owner: Mapped[str] = mapped_column(String(60))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    identity: Mapped[str] = mapped_column(String(120))
    uid: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    content_hash: Mapped[str] = mapped_column(String(64))
    last_modified: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed: Mapped[bool] = mapped_column(default=False)
    # What the item last said, for a CANCEL after it left the calendar.
    summary: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
