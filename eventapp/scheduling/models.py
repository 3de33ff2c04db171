"""Who attends which session in each round, and which workshop in each slot; solve jobs
and publications.

An assignment names its round as well as its session: the composite foreign key to
``sessions(id, round_id)`` makes the database refuse a session of another round, and the
unique constraint refuses two sessions for one person in one round.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User  # noqa: F401 (MoveOverride.user names it: mapped first)
from ..db_types import UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import Model
from ..programme.models import Round, Session, Workshop, WorkshopSlot
from ..registration.models import Participant, _in


class Assignment(Model):
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


class WorkshopAssignment(Model):
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


class JobStatus:
    """Life cycle of a solve job; QUEUED and RUNNING are the "active" states."""

    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    CANCELLED = "cancelled"
    FAILED = "failed"
    ACTIVE = (QUEUED, RUNNING)
    ALL = (QUEUED, RUNNING, FINISHED, CANCELLED, FAILED)


class SolveJob(Model):
    """One run of the scheduler on a snapshot of the event's data.

    The instance sent to the solver is kept with the job, so the result can be reviewed
    and checked against exactly what was solved. At most one job per event is queued or
    running: a partial unique index says so on both SQLite and PostgreSQL.
    """

    __tablename__ = "solve_jobs"
    __table_args__ = (
        CheckConstraint(_in("status", JobStatus.ALL), name="valid_status"),
        CheckConstraint("backend IN ('thread', 'rq')", name="valid_backend"),
        CheckConstraint("time_limit_s > 0", name="time_limit_positive"),
        CheckConstraint("change_penalty >= 0", name="change_penalty_not_negative"),
        Index(
            "uq_solve_jobs_one_active_per_event",
            "event_id",
            unique=True,
            sqlite_where=text("status IN ('queued', 'running')"),
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED)
    backend: Mapped[str] = mapped_column(String(10), default="thread")
    time_limit_s: Mapped[int] = mapped_column(Integer)
    change_penalty: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written by the running job every ~0.5 s; a stale one means the worker died.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    elapsed_s: Mapped[float | None] = mapped_column(Float)
    best: Mapped[float | None] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)
    # The solver's verdict: OPTIMAL, FEASIBLE, INFEASIBLE or UNKNOWN.
    solver_status: Mapped[str | None] = mapped_column(String(20))
    error: Mapped[str] = mapped_column(Text, default="")
    instance: Mapped[dict] = mapped_column(JSON, default=dict)
    solution: Mapped[dict | None] = mapped_column(JSON)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    progress: Mapped[list[SolveProgress]] = relationship(
        order_by="SolveProgress.seconds", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_active(self) -> bool:
        return self.status in JobStatus.ACTIVE

    @property
    def outcome(self) -> str:
        """One word for the organiser: queued, running, optimal, feasible, infeasible,
        no_solution, cancelled or failed."""
        if self.status in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED):
            return self.status
        if self.status == JobStatus.CANCELLED:
            return "cancelled"
        return {"OPTIMAL": "optimal", "FEASIBLE": "feasible",
                "INFEASIBLE": "infeasible"}.get(self.solver_status or "", "no_solution")

    @property
    def has_schedule(self) -> bool:
        """A result that can be reviewed and accepted (complete assignments)."""
        return bool(self.solution and self.solution.get("assignments")
                    and self.solution.get("status") in ("OPTIMAL", "FEASIBLE"))

    def __repr__(self) -> str:
        return f"<SolveJob {self.id} {self.status}>"


class SolveProgress(Model):
    """A sample of the search: best objective and proven bound after ``seconds``."""

    __tablename__ = "solve_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("solve_jobs.id", ondelete="CASCADE"),
                                        index=True)
    seconds: Mapped[float] = mapped_column(Float)
    best: Mapped[float | None] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)


class Publication(Model):
    """One publication of the event's schedule to its participants (version 1, 2...).

    The latest version is what participants see; each keeps a snapshot per participant,
    so a later publication can tell who moved.
    """

    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("event_id", "version", name="uq_publications_event_version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    event: Mapped[Event] = relationship()


class PublishedSchedule(Model):
    """What one participant was shown by one publication, as exchange-format keys.

    Keys (not row ids) because the snapshot must survive edits of the programme and is
    exactly the ``previous`` map a re-solve needs.
    """

    __tablename__ = "published_schedules"
    __table_args__ = (
        UniqueConstraint("publication_id", "participant_id",
                         name="uq_published_schedules_participant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    # round key -> session key, and workshop slot key -> workshop key
    sessions: Mapped[dict] = mapped_column(JSON, default=dict)
    workshops: Mapped[dict] = mapped_column(JSON, default=dict)
    # round/slot key -> room key at publication time: a room change is a change too
    rooms: Mapped[dict] = mapped_column(JSON, default=dict)

    publication: Mapped[Publication] = relationship()
    participant: Mapped[Participant] = relationship()


class ScheduleSwitch(Model):
    """A participant's own switch after publication (self-service, from the portal).

    The switch changes the participant's assignment *and* their snapshot in the latest
    publication, so it is never reported back to them as an organiser's change; this log
    is what lets the organiser see that people switched (and how many since publishing).
    ``kind`` is "session" (``when_key`` a round key) or "workshop" (a slot key); keys, not
    ids, like the snapshots.
    """

    __tablename__ = "schedule_switches"
    __table_args__ = (
        CheckConstraint("kind IN ('session', 'workshop')", name="valid_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    when_key: Mapped[str] = mapped_column(String(100))
    from_key: Mapped[str | None] = mapped_column(String(100))
    to_key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant: Mapped[Participant] = relationship()


class MoveOverride(Model):
    """An organiser's hand move that broke a soft rule on purpose ("move anyway").

    One row per rule broken: who moved whom, when, where to, and which rule (the rule
    names of ``rules.SOFT_RULES``). Keys, not ids, like the switch log, so the
    record still reads after the programme changes.
    """

    __tablename__ = "move_overrides"
    __table_args__ = (
        CheckConstraint("kind IN ('session', 'workshop')", name="valid_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    when_key: Mapped[str] = mapped_column(String(100))
    to_key: Mapped[str] = mapped_column(String(100))
    rule: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant: Mapped[Participant] = relationship()
    user = relationship("User")


class ScheduleReview(Model):
    """The figures of a schedule's review (``review.review_data``: metrics, fill, the
    unlucky and why), computed once and read back: computing them evaluates the whole
    day (about a second at 10,000 people), and the organiser's pages show them at every
    visit. ``source`` is "draft" (the event's current assignments), or "job-<id>" (a
    solve's result, which never changes; ``job_id`` deletes it with its job).

    A draft's review is deleted by ``review_store`` as soon as anything it depends on
    changes (participants, wishes, the programme, assignments, publications), and
    computed again at the next visit.
    """

    __tablename__ = "schedule_reviews"
    __table_args__ = (
        UniqueConstraint("event_id", "source", name="uq_schedule_reviews_event_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(30))
    job_id: Mapped[int | None] = mapped_column(
        ForeignKey("solve_jobs.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
