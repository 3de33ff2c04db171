"""Badges, checkpoints, scans and admissions.

* A **badge** is one issued code of a participant: its random serial (the code itself is
  recomputed from the serial and the key, never stored), when it was issued and revoked.
  At most one live badge per participant (a partial unique index). Badges outlive an
  erased participant (``participant_id`` set to NULL) so that the revocation list still
  names their serial.
* A **checkpoint** is a place and time where staff scan: the door, each (room, round) of
  the speed-dating, each workshop, lunch. Rows are derived from the programme
  (``checkpoints.sync_checkpoints``) under a deterministic key, so scans and admissions
  keep pointing at the same row while the programme is edited.
* A **scan** is every scan received, refused or not (the audit log), unique by its
  nonce within the event: a retried request or a re-uploaded offline queue finds its row
  and gets the same answer, and nothing is counted twice.
* An **admission** is a participant let in at a checkpoint: at most one per participant
  and checkpoint (unique constraint), pointing at the scan that admitted them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..db_types import UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import Model
from ..programme.models import KEY_LENGTH, ProgrammeItem, Room, Round, Workshop
from ..registration.models import Participant, _in

REVOKE_REASONS = ("reissued", "cancelled", "erased")
CHECKPOINT_KINDS = ("door", "session", "workshop", "lunch")
RESULTS = ("ok", "already", "wrong_place", "unknown", "revoked", "cancelled",
           "outside_window")
# Why a scan's device time was not trusted (the server's time was used instead): earlier
# than the day before the checkpoint's day, or ahead of the server's clock.
TIME_FLAGS = ("device_time_early", "device_time_ahead")


class Badge(Model):
    __tablename__ = "badges"
    __table_args__ = (
        UniqueConstraint("event_id", "serial", name="uq_badges_event_serial"),
        CheckConstraint("serial > 0", name="serial_positive"),
        CheckConstraint(_in("revoked_reason", REVOKE_REASONS) + " OR revoked_reason IS NULL",
                        name="valid_revoked_reason"),
        CheckConstraint("(revoked_at IS NULL) = (revoked_reason IS NULL)",
                        name="revoked_with_reason"),
        Index("uq_badges_one_live_per_participant", "participant_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"),
              postgresql_where=text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    # NULL once the participant is erased: the serial stays on the revocation list.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"))
    serial: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(20))

    event: Mapped[Event] = relationship()
    participant: Mapped[Participant | None] = relationship()

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.participant_id is not None


class Checkpoint(Model):
    __tablename__ = "checkpoints"
    __table_args__ = (
        UniqueConstraint("event_id", "key", name="uq_checkpoints_event_key"),
        CheckConstraint(_in("kind", CHECKPOINT_KINDS), name="valid_kind"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        CheckConstraint("length(key) > 0", name="key_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    # "door", "session:<round key>:<room key>", "workshop:<workshop key>", "lunch:<item id>"
    key: Mapped[str] = mapped_column(String(2 * KEY_LENGTH + 20))
    kind: Mapped[str] = mapped_column(String(20))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"),
                                                index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"),
                                                 index=True)
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="SET NULL"), index=True)
    programme_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_items.id", ondelete="SET NULL"), index=True)
    # When scans are accepted (UTC): the programme's times with a margin either side.
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # False once the programme no longer has it; kept for its scans and admissions.
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship()
    room: Mapped[Room | None] = relationship()
    round: Mapped[Round | None] = relationship()
    workshop: Mapped[Workshop | None] = relationship()
    programme_item: Mapped[ProgrammeItem | None] = relationship()


class Scan(Model):
    __tablename__ = "scans"
    __table_args__ = (
        UniqueConstraint("event_id", "nonce", name="uq_scans_event_nonce"),
        CheckConstraint(_in("result", RESULTS), name="valid_result"),
        CheckConstraint("length(nonce) > 0", name="nonce_not_empty"),
        CheckConstraint(_in("time_flag", TIME_FLAGS) + " OR time_flag IS NULL",
                        name="valid_time_flag"),
        Index("ix_scans_event_received", "event_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    checkpoint_id: Mapped[int] = mapped_column(
        ForeignKey("checkpoints.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(100))
    scanned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    device: Mapped[str] = mapped_column(String(100), default="")
    offline: Mapped[bool] = mapped_column(default=False)
    # The device's clock when scanned (None: sent at once), when the server got it, and
    # the moment the rules used (the device's time unless it is outside the trusted
    # window, see operations.effective_time; ``time_flag`` then says why).
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)
    badge_id: Mapped[int | None] = mapped_column(ForeignKey("badges.id", ondelete="SET NULL"),
                                                 index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True)
    # SHA-256 of what was scanned: repeated unknown codes can be spotted, none is kept.
    code_hash: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(String(20))
    # What the device showed offline ("ok" if it let the person in), when uploaded.
    device_result: Mapped[str | None] = mapped_column(String(20))
    # An offline admission that another scan had already made: both kept, this flagged.
    conflict: Mapped[bool] = mapped_column(default=False)
    # Set when the device's time was not trusted (one of TIME_FLAGS): the organiser sees it.
    time_flag: Mapped[str | None] = mapped_column(String(20))
    # An entry recorded by name (participant id, no badge code): audited as manual.
    manual: Mapped[bool] = mapped_column(default=False)
    # The answer's non-personal part (first scan time, expected place, window): a
    # replayed nonce gets exactly the same answer; the person is read from their row.
    answer: Mapped[dict] = mapped_column(JSON, default=dict)

    checkpoint: Mapped[Checkpoint] = relationship()
    participant: Mapped[Participant | None] = relationship()
    badge: Mapped[Badge | None] = relationship()
    scanned_by: Mapped[User | None] = relationship()


class Admission(Model):
    __tablename__ = "admissions"
    __table_args__ = (
        UniqueConstraint("checkpoint_id", "participant_id",
                         name="uq_admissions_checkpoint_participant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id",
                                                          ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"),
                                         index=True)
    # The earliest admitting scan's effective time (an offline scan uploaded later may
    # be earlier than the online one that created the row).
    admitted_at: Mapped[datetime] = mapped_column(UTCDateTime)

    checkpoint: Mapped[Checkpoint] = relationship()
    participant: Mapped[Participant] = relationship()
    scan: Mapped[Scan] = relationship(foreign_keys=[scan_id])

