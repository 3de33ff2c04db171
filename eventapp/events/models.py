"""The event: one day with its programme, registrations and schedule."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, CheckConstraint, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from ..db_types import UTCDateTime, utcnow
from ..extensions import Model

DEFAULT_TIMEZONE = "Europe/Paris"
# What the organiser decides about an event (the rest of its life, published programme,
# the day, finished, is derived: see builder/lifecycle.py). A new event is a draft: not
# public, no registration, until the organiser opens registration after the check.
STAGES = ("draft", "open", "closed")


class Event(Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("length(slug) > 0", name="slug_not_empty"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("stage IN ('draft', 'open', 'closed')", name="valid_stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    date: Mapped[date]
    venue: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    description: Mapped[str] = mapped_column(Text, default="")
    # Solver options of the exchange format (rank_weights, theme_weight, ...): kept as
    # given so that an imported instance exports with the same options.
    scheduling_options: Mapped[dict] = mapped_column(JSON, default=dict)
    # Check-in rehearsal: staff practise scanning before the day (or on the demo), so the
    # checkpoints' time windows are not checked; the organiser ends it, clearing its scans.
    checkin_rehearsal: Mapped[bool] = mapped_column(default=False, server_default=false())
    # draft (not public, no registration) | open (registration open) | closed.
    stage: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_to_utc(self, local_time: time, on: dt.date | None = None) -> datetime:
        """Turn a wall-clock time of the event's day into an aware UTC datetime."""
        naive = datetime.combine(on or self.date, local_time)
        return naive.replace(tzinfo=self.tz).astimezone(ZoneInfo("UTC"))

    def to_local(self, moment: datetime) -> datetime:
        """Show a stored UTC moment in the event's own timezone."""
        return moment.astimezone(self.tz)

    @property
    def is_draft(self) -> bool:
        return self.stage == "draft"

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"
