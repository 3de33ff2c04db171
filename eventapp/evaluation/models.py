"""The evaluation questionnaire sent after the day.

* **Questionnaire**: one per event (created on first use): an introduction, the closing
  date (answers can be edited until then), when it was sent and when the reminder went.
* **Question**: built from ready blocks (the day overall, each session the person
  attended, their workshop, "pistes d'action") or written freely (single choice, multiple
  choice, scale, text), in French and English. A per-session or per-workshop question is
  answered once per thing the person attended: its answers carry a ``target``
  ("session:<id>", "workshop:<id>").
* **Response**: one per person (unique), with the person's category when they answered
  (results by category). Erasing the person deletes it.
* **Answer**: one per question and target of a response.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import Model
from ..registration.models import Participant, _in

BLOCKS = ("day", "sessions", "workshop", "next_steps", "free")
KINDS = ("scale", "single", "multiple", "text")
SCALE_MAX = 5


class Questionnaire(Model):
    __tablename__ = "questionnaires"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    intro: Mapped[str] = mapped_column(Text, default="")
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()

    def open_at(self, now: datetime) -> bool:
        return self.sent_at is not None and (self.closes_at is None or now < self.closes_at)


class Question(Model):
    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint(_in("block", BLOCKS), name="valid_block"),
        CheckConstraint(_in("kind", KINDS), name="valid_kind"),
        CheckConstraint("length(label_fr) > 0 AND length(label_en) > 0", name="labels_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    block: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    label_fr: Mapped[str] = mapped_column(String(500))
    label_en: Mapped[str] = mapped_column(String(500))
    # Choices of a single or multiple choice question: [{"fr": "...", "en": "..."}].
    options: Mapped[list] = mapped_column(JSON, default=list)

    def label(self, locale: str) -> str:
        return self.label_en if locale == "en" else self.label_fr

    def option_labels(self, locale: str) -> list[str]:
        return [option.get("en" if locale == "en" else "fr", "") for option in self.options]


class Response(Model):
    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("event_id", "participant_id", name="uq_responses_event_participant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    category: Mapped[str | None] = mapped_column(String(40))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant: Mapped[Participant] = relationship()
    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan",
                                                 passive_deletes=True)


class Answer(Model):
    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id", "target",
                         name="uq_answers_response_question_target"),
        CheckConstraint(f"number IS NULL OR (number >= 0 AND number <= {SCALE_MAX * 20})",
                        name="number_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"),
                                             index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"),
                                             index=True)
    # "" for a question asked once; "session:<id>" / "workshop:<id>" per thing attended.
    target: Mapped[str] = mapped_column(String(40), default="")
    # A scale's value (1..5) or a single choice's index.
    number: Mapped[int | None] = mapped_column(Integer)
    # A multiple choice's indexes.
    choices: Mapped[list] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text, default="")
