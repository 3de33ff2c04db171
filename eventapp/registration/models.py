"""Participants and what they want to see.

A presenter is a participant too (rule 3 of the scheduling contract: they attend nothing
while their project presents), so there is one table for every person of an event.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Self

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..db_types import UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import Model
from ..programme.models import KEY_LENGTH, Project, Round, Theme, Workshop, WorkshopSlot

CATEGORIES = (
    "siae",
    "service-public",
    "association",
    "entreprise",
    "collectivite",
    "recherche",
    "financeur",
    "demandeur-emploi",
    "intervenant",
    "autre",
)
ROLES = ("participant", "presenter", "speaker", "staff")


class ParticipantStatus(StrEnum):
    """Where a person stands. Only the registered are seated: scheduled, badged, shown a
    day; the waiting list and cancelled people are not."""

    REGISTERED = "registered"
    WAITING = "waiting"
    CANCELLED = "cancelled"


STATUSES = tuple(status.value for status in ParticipantStatus)
# Categories a person may pick on the public form ("intervenant" is set by organisers).
PUBLIC_CATEGORIES = tuple(c for c in CATEGORIES if c != "intervenant")
# What a participant's token opens; later areas add their own (calendar feed, badge...).
TOKEN_PURPOSES = ("portal", "calendar", "badge")


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class Participant(Model):
    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("event_id", "key", name="uq_participants_event_key"),
        UniqueConstraint("event_id", "email", name="uq_participants_event_email"),
        CheckConstraint("length(key) > 0", name="key_not_empty"),
        CheckConstraint(_in("category", CATEGORIES) + " OR category IS NULL", name="category"),
        CheckConstraint(_in("role", ROLES), name="valid_role"),
        CheckConstraint(_in("status", STATUSES), name="valid_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    first_name: Mapped[str] = mapped_column(String(150), default="")
    last_name: Mapped[str] = mapped_column(String(150), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(300), default="")
    job_title: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20), default="participant")
    status: Mapped[str] = mapped_column(String(20), default=ParticipantStatus.REGISTERED.value)
    needs_step_free: Mapped[bool] = mapped_column(default=False)
    accessibility_notes: Mapped[str] = mapped_column(Text, default="")
    dietary_notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the person ticked the privacy consent box (None: added by an organiser).
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Interface language the person registered in; their emails are written in it.
    locale: Mapped[str] = mapped_column(String(8), default="fr", server_default="fr")
    # Position on the waiting list: the earliest waiter is promoted first.
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    project_wishes: Mapped[list[ProjectWish]] = relationship(
        order_by="ProjectWish.rank", cascade="all, delete-orphan", passive_deletes=True
    )
    workshop_wishes: Mapped[list[WorkshopWish]] = relationship(
        order_by="WorkshopWish.rank", cascade="all, delete-orphan", passive_deletes=True
    )
    theme_interests: Mapped[list[Theme]] = relationship(secondary="participant_themes")
    unavailable_rounds: Mapped[list[Round]] = relationship(
        secondary="participant_unavailable_rounds"
    )
    unavailable_slots: Mapped[list[WorkshopSlot]] = relationship(
        secondary="participant_unavailable_slots"
    )

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def __repr__(self) -> str:
        return f"<Participant {self.key}>"


class RankedWish:
    """What a project wish and a workshop wish share: the participant's k-th choice of a
    ``target`` (rank 0 is the first wish), each target wished at most once and each rank
    used once per participant.

    A mixin, not a base table: each kind keeps its own table, the wished thing's column
    (``<target>_id``) declared by the class itself.
    """

    __tablename__: str
    # The wished thing: "project" or "workshop" (its column is "<target>_id").
    target: ClassVar[str]

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        table = cls.__tablename__
        return (
            UniqueConstraint("participant_id", f"{cls.target}_id",
                             name=f"uq_{table}_{cls.target}"),
            UniqueConstraint("participant_id", "rank", name=f"uq_{table}_rank"),
            CheckConstraint("rank >= 0", name="rank_not_negative"),
        )

    # Column order of the tables the migrations create: id, participant_id, then the
    # class's own "<target>_id" (default sort order 0), then rank.
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True, sort_order=-1
    )
    rank: Mapped[int] = mapped_column(Integer, sort_order=1)

    @classmethod
    def of(cls, target_id: int, rank: int) -> Self:
        """The wish for the target with this id (a project's, a workshop's) at ``rank``."""
        return cls(**{f"{cls.target}_id": target_id, "rank": rank})


class ProjectWish(RankedWish, Model):
    """The participant's k-th choice of project (rank 0 is the first wish)."""

    __tablename__ = "project_wishes"
    target = "project"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )

    # "selectin": a person's wishes come with what they name in one more query, not one
    # per wish (pages list them).
    project: Mapped[Project] = relationship(lazy="selectin")


class WorkshopWish(RankedWish, Model):
    """The participant's k-th choice of workshop (rank 0 is the first wish)."""

    __tablename__ = "workshop_wishes"
    target = "workshop"

    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )

    workshop: Mapped[Workshop] = relationship(lazy="selectin")


class ParticipantTheme(Model):
    __tablename__ = "participant_themes"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True
    )


class ParticipantUnavailableRound(Model):
    __tablename__ = "participant_unavailable_rounds"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )


class ParticipantUnavailableSlot(Model):
    __tablename__ = "participant_unavailable_slots"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_slots.id", ondelete="CASCADE"), primary_key=True
    )


class ParticipantToken(Model):
    """A secret link of one participant for one purpose.

    Only the SHA-256 of the token is stored: a leaked database does not leak working
    links. A token is revoked (never reused) when the person asks for it or is erased.
    """

    __tablename__ = "participant_tokens"
    __table_args__ = (CheckConstraint("length(purpose) > 0", name="purpose_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(30))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when a newer link of the same purpose is issued: the old one keeps working
    # until then (the newest email may take a while to arrive), never after.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    participant: Mapped[Participant] = relationship()


class RegistrationSettings(Model):
    """How an event takes registrations: dates, capacity, wishes deadline, privacy contact.

    One row per event, created on first use; an event without a row takes registrations
    with no limit, which is what an organiser expects before configuring anything.
    """

    __tablename__ = "registration_settings"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR closes_at > opens_at",
            name="closes_after_opening",
        ),
        CheckConstraint("retention_months >= 1", name="retention_positive"),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)
    waiting_list: Mapped[bool] = mapped_column(default=True)
    wishes_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Data controller shown on the privacy notice (the organising body) and its contact.
    organiser_name: Mapped[str] = mapped_column(String(300), default="")
    privacy_contact: Mapped[str] = mapped_column(String(254), default="")
    retention_months: Mapped[int] = mapped_column(Integer, default=12)

    event: Mapped[Event] = relationship()
