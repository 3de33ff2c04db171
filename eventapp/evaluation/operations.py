"""Every change of the evaluation: building the questionnaire from blocks, sending it and
its reminder (emails queued, sent after the commit), saving a person's answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..db_types import utcnow
from ..errors import Refused
from ..events.models import Event
from ..extensions import db
from ..i18n import local_time
from ..mail import queue_email, render_email
from ..registration.models import Participant, ParticipantStatus
from ..registration.queries import settings_of as registration_settings
from ..registration.tokens import PORTAL, issue_token
from ..text import block_problem, line_problem
from ..urls import external_url
from .models import KINDS, SCALE_MAX, Answer, Question, Questionnaire, Response

MAX_QUESTIONS = 40
MAX_OPTIONS = 12
TEXT_MAX = 2000

# The ready blocks: (kind, French label, English label) for each question they add.
READY_BLOCKS: dict[str, list[tuple[str, str, str]]] = {
    "day": [("scale", "Votre appréciation de la journée dans son ensemble (1 à 5)",
             "Your opinion of the day overall (1 to 5)"),
            ("text", "Vos commentaires sur la journée", "Your comments on the day")],
    "sessions": [("scale", "Votre appréciation de cette présentation (1 à 5)",
                  "Your opinion of this presentation (1 to 5)")],
    "workshop": [("scale", "Votre appréciation de votre atelier (1 à 5)",
                  "Your opinion of your workshop (1 to 5)")],
    "next_steps": [("text", "Vos pistes d’action : qu’allez-vous faire après cette journée ?",
                    "Your next steps: what will you do after this day?")],
}


class EvaluationError(Refused):
    """A refusal, in words for the user; ``field`` names the input at fault, ``status``
    is the JSON answers' HTTP status (400, or 404 for a row that is gone)."""

    def __init__(self, message: object, field: str | None = None, status: int = 400) -> None:
        super().__init__(str(message), field)
        self.status = status


def questionnaire_for_update(event: Event) -> Questionnaire:
    questionnaire = db.session.get(Questionnaire, event.id)
    if questionnaire is None:
        questionnaire = Questionnaire(event_id=event.id, intro="")
        db.session.add(questionnaire)
    return questionnaire


def _not_sent(event: Event) -> None:
    questionnaire = db.session.get(Questionnaire, event.id)
    if questionnaire is not None and questionnaire.sent_at is not None:
        raise EvaluationError(_l("The questionnaire was already sent: its questions can no "
                                 "longer change (answers would no longer match)."), "block",
                              409)


def _next_position(event: Event) -> int:
    count = db.session.scalar(select(func.count()).select_from(Question)
                              .where(Question.event_id == event.id)) or 0
    if count >= MAX_QUESTIONS:
        raise EvaluationError(_l("At most %(n)d questions.", n=MAX_QUESTIONS), "block")
    return count


def add_block(event: Event, block: str) -> list[Question]:
    """Add a ready block's questions (each block once)."""
    if block not in READY_BLOCKS:
        raise EvaluationError(_l("Unknown block."), "block")
    _not_sent(event)
    exists = db.session.scalar(select(Question.id).where(Question.event_id == event.id,
                                                         Question.block == block).limit(1))
    if exists is not None:
        raise EvaluationError(_l("This block is already in the questionnaire."), "block", 409)
    position = _next_position(event)
    questions = [Question(event_id=event.id, position=position + i, block=block, kind=kind,
                          label_fr=fr, label_en=en, options=[])
                 for i, (kind, fr, en) in enumerate(READY_BLOCKS[block])]
    db.session.add_all(questions)
    db.session.flush()
    return questions


def parse_options(text: str) -> list[dict]:
    """One choice per line, "Français | English" (or one label for both)."""
    options = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        french, _sep, english = line.partition("|")
        french, english = french.strip(), (english.strip() or french.strip())
        for value in (french, english):
            if line_problem(value) is not None or len(value) > 200:
                raise EvaluationError(_l("Choices: one per line, at most 200 characters, "
                                         "no control characters."), "options")
        options.append({"fr": french, "en": english})
    return options


def add_free_question(event: Event, kind: str, label_fr: str, label_en: str,
                      options_text: str) -> Question:
    if kind not in KINDS:
        raise EvaluationError(_l("Choose the kind of question."), "kind")
    _not_sent(event)
    options = parse_options(options_text) if kind in ("single", "multiple") else []
    if kind in ("single", "multiple") and not 2 <= len(options) <= MAX_OPTIONS:
        raise EvaluationError(_l("Give between 2 and %(n)d choices, one per line.",
                                 n=MAX_OPTIONS), "options")
    question = Question(event_id=event.id, position=_next_position(event), block="free",
                        kind=kind, label_fr=label_fr, label_en=label_en or label_fr,
                        options=options)
    db.session.add(question)
    db.session.flush()
    return question


def delete_question(event: Event, question_id: int) -> None:
    _not_sent(event)
    question = db.session.get(Question, question_id)
    if question is None or question.event_id != event.id:
        raise EvaluationError(_l("This question no longer exists."), "question", 404)
    db.session.delete(question)
    db.session.flush()


def update_settings(event: Event, intro: str, closes_at: datetime | None,
                    now: datetime) -> Questionnaire:
    if closes_at is not None and closes_at <= now:
        raise EvaluationError(_l("The closing date must be in the future."), "closes_at")
    questionnaire = questionnaire_for_update(event)
    questionnaire.intro = intro
    questionnaire.closes_at = closes_at
    db.session.flush()
    return questionnaire


def recipients(event: Event) -> list[Participant]:
    """Who is asked: registered people with an email address (not staff)."""
    return list(db.session.scalars(
        select(Participant).where(Participant.event_id == event.id,
                                  Participant.status == ParticipantStatus.REGISTERED,
                                  Participant.role != "staff",
                                  Participant.email.is_not(None))
        .order_by(Participant.id)))


def _queue(event: Event, people: list[Participant], template: str,
           questionnaire: Questionnaire) -> int:
    settings = registration_settings(event)
    for person in people:
        assert person.email  # the recipients are chosen among people with an address
        link = external_url("evaluation.answer", token=issue_token(person, PORTAL))
        queue_email(render_email(
            template, person.email, person.locale, participant=person, event=event,
            settings=settings, link=link,
            closes=(local_time(questionnaire.closes_at, event.timezone),
                    event.to_local(questionnaire.closes_at).date())
            if questionnaire.closes_at else None))
    return len(people)


def send(event: Event, now: datetime | None = None) -> int:
    """Send the questionnaire: one email each, a personal link into "Mon programme"."""
    now = now or utcnow()
    questionnaire = questionnaire_for_update(event)
    if questionnaire.sent_at is not None:
        raise EvaluationError(_l("The questionnaire was already sent; send a reminder "
                                 "instead."), "send", 409)
    if not db.session.scalar(select(Question.id).where(Question.event_id == event.id)
                             .limit(1)):
        raise EvaluationError(_l("Add at least one question first."), "send")
    if questionnaire.closes_at is None or questionnaire.closes_at <= now:
        raise EvaluationError(_l("Set a closing date in the future first."), "closes_at")
    questionnaire.sent_at = now
    db.session.flush()
    return _queue(event, recipients(event), "evaluation_invite", questionnaire)


def remind(event: Event, now: datetime | None = None) -> int:
    """Remind those who have not answered yet (while it is open)."""
    now = now or utcnow()
    questionnaire = db.session.get(Questionnaire, event.id)
    if questionnaire is None or not questionnaire.open_at(now):
        raise EvaluationError(_l("The questionnaire is not open: nothing to remind."),
                              "remind", 409)
    answered = set(db.session.scalars(select(Response.participant_id)
                                      .where(Response.event_id == event.id)))
    people = [p for p in recipients(event) if p.id not in answered]
    questionnaire.reminded_at = now
    db.session.flush()
    return _queue(event, people, "evaluation_reminder", questionnaire)


@dataclass(frozen=True)
class GivenAnswer:
    question: Question
    target: str
    number: int | None = None
    choices: tuple[int, ...] = ()
    text: str = ""


def check_answer(question: Question, raw: list[str]) -> GivenAnswer | None:
    """One field's values as an answer (None when left empty), or an error naming it."""
    values = [v.strip() for v in raw if v.strip()]
    if not values:
        return None
    if question.kind == "text":
        text = values[0]
        problem = block_problem(text)
        if problem is not None or len(text) > TEXT_MAX:
            raise EvaluationError(_l("At most %(n)d characters, no control characters.",
                                     n=TEXT_MAX))
        return GivenAnswer(question, "", text=text)
    try:
        numbers = [int(v) for v in values if len(v) <= 4] if len(values) <= MAX_OPTIONS \
            else []
        if len(numbers) != len(values):
            raise ValueError("not a choice")
    except ValueError as error:
        raise EvaluationError(_l("Choose one of the answers offered.")) from error
    top = SCALE_MAX if question.kind == "scale" else len(question.options) - 1
    low = 1 if question.kind == "scale" else 0
    if any(not low <= n <= top for n in numbers):
        raise EvaluationError(_l("Choose one of the answers offered."))
    if question.kind == "multiple":
        return GivenAnswer(question, "", choices=tuple(sorted(set(numbers))))
    if len(numbers) > 1:
        raise EvaluationError(_l("Choose only one answer."))
    return GivenAnswer(question, "", number=numbers[0])


def save_response(participant: Participant, given: list[GivenAnswer],
                  now: datetime | None = None) -> Response:
    """Create or replace the person's answers, until the closing date."""
    now = now or utcnow()
    check_open(participant, now)
    event = participant.event
    response = db.session.scalar(select(Response).where(
        Response.event_id == event.id, Response.participant_id == participant.id))
    if response is None:
        response = Response(event_id=event.id, participant_id=participant.id,
                            submitted_at=now)
        db.session.add(response)
    response.category = participant.category
    response.updated_at = now
    response.answers.clear()
    db.session.flush()
    response.answers.extend(
        Answer(question_id=g.question.id, target=g.target, number=g.number,
               choices=list(g.choices), text=g.text) for g in given)
    db.session.flush()
    return response


def read_answers(items: list[Any], values: Callable[[str], list[str]]
                 ) -> tuple[list[GivenAnswer], dict[str, str]]:
    """The answers given to the form's ``items`` (each with ``name``, ``question`` and
    ``target``; ``values``: a field's submitted values), and the errors, field name ->
    message: every field is read, so the page shows all its mistakes at once."""
    given, errors = [], {}
    for item in items:
        try:
            answer = check_answer(item.question, values(item.name))
        except EvaluationError as error:
            errors[item.name] = error.message
            continue
        if answer is not None:
            given.append(GivenAnswer(item.question, item.target, answer.number,
                                     answer.choices, answer.text))
    return given, errors


def check_open(participant: Participant, now: datetime) -> None:
    """Refuse, saying why, when the person cannot answer now."""
    event = participant.event
    questionnaire = db.session.get(Questionnaire, event.id)
    if questionnaire is None or questionnaire.sent_at is None:
        raise EvaluationError(_l("There is no questionnaire to answer yet."), None, 409)
    if not questionnaire.open_at(now):
        assert questionnaire.closes_at is not None  # a sent questionnaire closes only so
        raise EvaluationError(_l("The questionnaire closed on %(date)s at %(time)s: answers "
                                 "can no longer be given or changed.",
                                 date=format_date(event.to_local(questionnaire.closes_at)
                                                  .date(), "long"),
                                 time=local_time(questionnaire.closes_at, event.timezone)),
                              None, 409)
    if participant.status != "registered":
        raise EvaluationError(_l("Only registered participants answer."), None, 403)
