"""Programme entities of an event.

Each entity has a ``key``: the id used by the exchange format
(``speed-dating-instance/1``), unique within its event. Rules that must always hold
(capacities not negative, a project presenting at most once per round, one session per
table and round...) are database constraints, not only form checks.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..db_types import UTCDateTime
from ..events.models import Event
from ..extensions import Model

if TYPE_CHECKING:  # the people presenting (the registration area names them at run time)
    from ..registration.models import Participant

KEY_LENGTH = 100


def _event_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)


def _key_constraints(table: str) -> tuple:
    return (
        UniqueConstraint("event_id", "key", name=f"uq_{table}_event_key"),
        CheckConstraint("length(key) > 0", name="key_not_empty"),
    )


room_themes = Table(
    "room_themes",
    Model.metadata,
    Column("room_id", ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)

project_presenters = Table(
    "project_presenters",
    Model.metadata,
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
)

session_presenters = Table(
    "session_presenters",
    Model.metadata,
    Column("session_id", ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
)


class Theme(Model):
    """A theme of the speed-dating, with the signage colour used for its rooms and buffet."""

    __tablename__ = "themes"
    __table_args__ = (
        *_key_constraints("themes"),
        CheckConstraint("length(colour) = 7 AND substr(colour, 1, 1) = '#'", name="colour_hex"),
        CheckConstraint("length(colour_name) > 0", name="colour_name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = _event_fk()
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    name: Mapped[str] = mapped_column(String(300))
    colour: Mapped[str] = mapped_column(String(7))
    colour_name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship()
    projects: Mapped[list[Project]] = relationship(back_populates="theme", passive_deletes=True)
    rooms: Mapped[list[Room]] = relationship(secondary=room_themes, back_populates="themes")

    def __repr__(self) -> str:
        return f"<Theme {self.key}>"


class Room(Model):
    """A room: capacity, tables (parallel presentations), step-free access, directions."""

    __tablename__ = "rooms"
    __table_args__ = (
        *_key_constraints("rooms"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("tables >= 1", name="at_least_one_table"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = _event_fk()
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    name: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    tables: Mapped[int] = mapped_column(Integer, default=1)
    step_free: Mapped[bool] = mapped_column(default=True)
    directions: Mapped[str] = mapped_column(Text, default="")
    # Optional name of each table's track ("Construire des parcours innovants"), in order.
    table_labels: Mapped[list] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship()
    themes: Mapped[list[Theme]] = relationship(
        secondary=room_themes, back_populates="rooms", order_by="Theme.position"
    )

    def admits(self, theme: Theme) -> bool:
        """A room with no listed theme admits every theme."""
        return not self.themes or any(t.id == theme.id for t in self.themes)

    def table_label(self, table_number: int) -> str:
        labels = self.table_labels or []
        if 1 <= table_number <= len(labels) and labels[table_number - 1]:
            return labels[table_number - 1]
        return ""

    def __repr__(self) -> str:
        return f"<Room {self.key}>"


class Project(Model):
    """An initiative presented during the speed-dating, by its presenters."""

    __tablename__ = "projects"
    __table_args__ = _key_constraints("projects")

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = _event_fk()
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    name: Mapped[str] = mapped_column(String(300))
    organisation: Mapped[str] = mapped_column(String(300), default="")
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship()
    theme: Mapped[Theme] = relationship(back_populates="projects")
    presenters: Mapped[list[Participant]] = relationship(
        "Participant", secondary=project_presenters, order_by="Participant.last_name"
    )
    sessions: Mapped[list[Session]] = relationship(back_populates="project", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Project {self.key}>"


class EventPeriod:
    """What a speed-dating round and a workshop slot share: a keyed period of the event.

    A mixin, not a base table: each keeps its own table (``rounds``, ``workshop_slots``)
    with the same columns and rules, the constraint names derived from the table name.
    """

    __tablename__: str

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (
            *_key_constraints(cls.__tablename__),
            CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = _event_fk()
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @declared_attr
    def event(cls) -> Mapped[Event]:
        return relationship(Event)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.key}>"


class Round(EventPeriod, Model):
    """One rotation of the speed-dating (by default 20 minutes, then 5 to change rooms)."""

    __tablename__ = "rounds"

    sessions: Mapped[list[Session]] = relationship(back_populates="round", passive_deletes=True)


class WorkshopSlot(EventPeriod, Model):
    """A time slot in which several workshops run in parallel."""

    __tablename__ = "workshop_slots"

    # What organisers and participants read ("Ateliers de l'après-midi"); empty: the times.
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")

    workshops: Mapped[list[Workshop]] = relationship(back_populates="slot", passive_deletes=True)


class Workshop(Model):
    """A workshop: a room, a capacity, a host and a panel."""

    __tablename__ = "workshops"
    __table_args__ = (
        *_key_constraints("workshops"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        # Target of the workshop assignments' composite foreign key.
        UniqueConstraint("id", "slot_id", name="uq_workshops_id_slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = _event_fk()
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    name: Mapped[str] = mapped_column(String(300))
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_slots.id", ondelete="RESTRICT"), index=True
    )
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="RESTRICT"), index=True)
    capacity: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(300), default="")
    # One panel member per line ("Name, function, organisation").
    panel: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship()
    slot: Mapped[WorkshopSlot] = relationship(back_populates="workshops")
    room: Mapped[Room] = relationship()

    @property
    def panel_members(self) -> list[str]:
        return [line.strip() for line in (self.panel or "").splitlines() if line.strip()]


class Session(Model):
    """A project's presentation in one round, room and table.

    Round and room may be left empty: the scheduler then places the session
    (programme mode). A project presents at most once per round, and a table holds one
    session per round; both are unique constraints.
    """

    __tablename__ = "sessions"
    __table_args__ = (
        *_key_constraints("sessions"),
        UniqueConstraint("project_id", "round_id", name="uq_sessions_project_round"),
        UniqueConstraint("round_id", "room_id", "table_number", name="uq_sessions_table"),
        # Target of the assignments' composite foreign key (session belongs to round).
        UniqueConstraint("id", "round_id", name="uq_sessions_id_round"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("min_audience >= 0", name="min_audience_not_negative"),
        CheckConstraint(
            "capacity IS NULL OR min_audience <= capacity", name="min_audience_within_capacity"
        ),
        CheckConstraint("table_number IS NULL OR table_number >= 1", name="table_positive"),
        CheckConstraint(
            "table_number IS NULL OR room_id IS NOT NULL", name="table_needs_room"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = _event_fk()
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("rounds.id", ondelete="RESTRICT"), index=True
    )
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("rooms.id", ondelete="RESTRICT"), index=True
    )
    table_number: Mapped[int | None] = mapped_column(Integer)
    capacity: Mapped[int | None] = mapped_column(Integer)
    min_audience: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship()
    project: Mapped[Project] = relationship(back_populates="sessions")
    round: Mapped[Round | None] = relationship(back_populates="sessions")
    room: Mapped[Room | None] = relationship()
    extra_presenters: Mapped[list[Participant]] = relationship(
        "Participant", secondary=session_presenters, order_by="Participant.last_name"
    )

    @property
    def presenters(self) -> list:
        """The project's presenters plus those added for this session only."""
        seen = {p.id for p in self.project.presenters}
        return list(self.project.presenters) + [
            p for p in self.extra_presenters if p.id not in seen
        ]

    @property
    def effective_capacity(self) -> int | None:
        """Capacity as the exchange format defines it: the room's share per table."""
        if self.capacity is not None:
            return self.capacity
        if self.room is None:
            return None
        return self.room.capacity // max(self.room.tables, 1)

    def __repr__(self) -> str:
        return f"<Session {self.key}>"


class ProgrammeItemKind:
    WELCOME = "welcome"
    TALK = "talk"
    BREAK = "break"
    LUNCH = "lunch"
    OTHER = "other"
    ALL = (WELCOME, TALK, BREAK, LUNCH, OTHER)


class ProgrammeItem(Model):
    """A plenary item of the timeline: talks, lunch, breaks, restitution, conclusions."""

    __tablename__ = "programme_items"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "kind IN ('welcome', 'talk', 'break', 'lunch', 'other')", name="valid_kind"
        ),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = _event_fk()
    kind: Mapped[str] = mapped_column(String(20), default=ProgrammeItemKind.TALK)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("rooms.id", ondelete="SET NULL"), index=True
    )
    # One speaker per line ("Name, function, organisation").
    speakers: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[Event] = relationship()
    room: Mapped[Room | None] = relationship()

    @property
    def speaker_lines(self) -> list[str]:
        return [line.strip() for line in (self.speakers or "").splitlines() if line.strip()]
