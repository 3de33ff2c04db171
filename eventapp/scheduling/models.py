"""Who attends which session in each round, and which workshop in each slot.

An assignment names its round as well as its session: the composite foreign key to
``sessions(id, round_id)`` makes the database refuse a session of another round, and the
unique constraint refuses two sessions for one person in one round.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, ForeignKeyConstraint, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..programme.models import Round, Session, Workshop, WorkshopSlot
from ..registration.models import Participant


class Assignment(db.Model):
    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("participant_id", "round_id", name="uq_assignments_participant_round"),
        ForeignKeyConstraint(
            ["session_id", "round_id"],
            ["sessions.id", "sessions.round_id"],
            name="fk_assignments_session_round",
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(index=True)
    # Pinned by the organiser ("fixed" in the exchange format): a re-solve keeps it.
    pinned: Mapped[bool] = mapped_column(default=False)

    participant: Mapped[Participant] = relationship()
    round: Mapped[Round] = relationship()
    session: Mapped[Session] = relationship(
        foreign_keys=[session_id], primaryjoin="Assignment.session_id == Session.id"
    )


class WorkshopAssignment(db.Model):
    __tablename__ = "workshop_assignments"
    __table_args__ = (
        UniqueConstraint("participant_id", "slot_id", name="uq_workshop_assignments_slot"),
        ForeignKeyConstraint(
            ["workshop_id", "slot_id"],
            ["workshops.id", "workshops.slot_id"],
            name="fk_workshop_assignments_workshop_slot",
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_slots.id", ondelete="CASCADE"), index=True
    )
    workshop_id: Mapped[int] = mapped_column(index=True)
    pinned: Mapped[bool] = mapped_column(default=False)

    participant: Mapped[Participant] = relationship()
    slot: Mapped[WorkshopSlot] = relationship()
    workshop: Mapped[Workshop] = relationship(
        foreign_keys=[workshop_id], primaryjoin="WorkshopAssignment.workshop_id == Workshop.id"
    )
