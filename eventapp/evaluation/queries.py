"""Read side of the evaluation: a person's form (the questions expanded per session and
workshop they attended), the results per question, target and category, the CSV.

Costs a fixed number of SQL statements whatever the number of people or answers."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from ..events.models import Event
from ..extensions import db
from ..programme.models import Project, Session, Workshop
from ..registration.csv_io import neutralise
from ..registration.models import Participant
from ..registration.queries import CATEGORY_LABELS
from ..scheduling.models import Assignment, WorkshopAssignment
from .models import SCALE_MAX, Answer, Question, Questionnaire, Response
from .operations import recipients


def questionnaire_of(event: Event) -> Questionnaire:
    return db.session.get(Questionnaire, event.id) or Questionnaire(event_id=event.id,
                                                                     intro="")


def questions_of(event: Event) -> list[Question]:
    return list(db.session.scalars(select(Question).where(Question.event_id == event.id)
                                   .order_by(Question.position, Question.id)))


def target_labels(event: Event) -> dict[str, str]:
    """Every possible target's label: "session:<id>" -> the project's name,
    "workshop:<id>" -> the workshop's name (two statements)."""
    labels = {f"session:{sid}": name for sid, name in db.session.execute(
        select(Session.id, Project.name).join(Project, Project.id == Session.project_id)
        .where(Session.event_id == event.id))}
    labels.update({f"workshop:{wid}": name for wid, name in db.session.execute(
        select(Workshop.id, Workshop.name).where(Workshop.event_id == event.id))})
    return labels


def targets_for(participant: Participant) -> dict[str, list[str]]:
    """What the person attended: their sessions (one per round) and workshop(s)."""
    sessions = db.session.scalars(
        select(Assignment.session_id).where(Assignment.participant_id == participant.id)
        .order_by(Assignment.round_id)).all()
    workshops = db.session.scalars(
        select(WorkshopAssignment.workshop_id)
        .where(WorkshopAssignment.participant_id == participant.id)).all()
    return {"sessions": [f"session:{s}" for s in sessions],
            "workshop": [f"workshop:{w}" for w in workshops]}


@dataclass
class FormItem:
    question: Question
    target: str
    target_label: str
    name: str
    answer: Answer | None = None

    @property
    def values(self) -> set[int]:
        if self.answer is None:
            return set()
        if self.question.kind == "multiple":
            return set(self.answer.choices or [])
        return {self.answer.number} if self.answer.number is not None else set()


def form_items(participant: Participant) -> list[FormItem]:
    """The person's questions, a per-session or per-workshop one repeated for each thing
    they attended (left out when they attended none), with their current answers."""
    event = participant.event
    questions = questions_of(event)
    targets = targets_for(participant)
    labels = target_labels(event)
    response = db.session.scalar(select(Response).where(
        Response.event_id == event.id, Response.participant_id == participant.id))
    current = {(a.question_id, a.target): a for a in (response.answers if response else [])}
    items = []
    for question in questions:
        for target in targets.get(question.block, [""]):
            name = f"q{question.id}" + (f"-{target.replace(':', '')}" if target else "")
            items.append(FormItem(question, target, labels.get(target, ""), name,
                                  current.get((question.id, target))))
    return items


# --- results ---------------------------------------------------------------------------

@dataclass
class QuestionResult:
    question: Question
    answers: int = 0
    counts: list[int] = field(default_factory=list)  # per scale value or per option
    mean: float | None = None
    by_target: list[tuple[str, int, float | None]] = field(default_factory=list)
    by_category: list[tuple[str, int, float | None, list[int]]] = field(default_factory=list)
    texts: list[tuple[str, str, str]] = field(default_factory=list)  # (target, category, text)

    @property
    def top(self) -> int:
        return max(self.counts or [0]) or 1


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


@dataclass
class Results:
    asked: int
    responses: int
    questions: list[QuestionResult]

    @property
    def rate(self) -> float:
        return self.responses / self.asked if self.asked else 0.0


def results(event: Event, locale: str = "fr") -> Results:
    """Per question: answer counts, distribution, mean; per target (session/project,
    workshop) and per participant category; free texts listed; the response rate."""
    questions = questions_of(event)
    labels = target_labels(event)
    rows = db.session.execute(
        select(Answer, Response.category).join(Response, Response.id == Answer.response_id)
        .where(Response.event_id == event.id)).all()
    responses = db.session.scalar(select(db.func.count()).select_from(Response)
                                  .where(Response.event_id == event.id)) or 0
    by_question: dict[int, list[tuple[Answer, str | None]]] = defaultdict(list)
    for answer, category in rows:
        by_question[answer.question_id].append((answer, category))
    out = []
    for question in questions:
        result = QuestionResult(question)
        given = by_question.get(question.id, [])
        result.answers = len(given)
        if question.kind == "text":
            result.texts = [(labels.get(a.target, ""), str(CATEGORY_LABELS.get(c or "", c or "")),
                             a.text) for a, c in given]
        else:
            size = SCALE_MAX if question.kind == "scale" else len(question.options)
            offset = 1 if question.kind == "scale" else 0
            counter: Counter = Counter()
            for answer, _category in given:
                for value in (answer.choices if question.kind == "multiple"
                              else [answer.number]):
                    counter[value] += 1
            result.counts = [counter.get(i + offset, 0) for i in range(size)]
            if question.kind == "scale":
                scored = [(a, a.number) for a, _ in given if a.number is not None]
                result.mean = _mean([number for _, number in scored])
                targets: dict[str, list[int]] = defaultdict(list)
                for answer, number in scored:
                    if answer.target:
                        targets[answer.target].append(number)
                result.by_target = sorted(
                    ((labels.get(t, t), len(v), _mean(v)) for t, v in targets.items()),
                    key=lambda row: row[0].casefold())
            categories: dict[str, list[Answer]] = defaultdict(list)
            for answer, category in given:
                categories[category or ""].append(answer)
            result.by_category = []
            for category, answers in sorted(categories.items()):
                label = str(CATEGORY_LABELS.get(category, category or "—"))
                numbers = [a.number for a in answers if a.number is not None]
                cat_counter: Counter = Counter()
                for answer in answers:
                    for value in (answer.choices if question.kind == "multiple"
                                  else [answer.number]):
                        cat_counter[value] += 1
                result.by_category.append(
                    (label, len(answers), _mean(numbers) if question.kind == "scale" else None,
                     [cat_counter.get(i + offset, 0) for i in range(size)]))
        out.append(result)
    return Results(len(recipients(event)), responses, out)


def results_csv(event: Event, locale: str = "fr") -> bytes:
    """One line per answer: the response (not the person), category, question, target,
    value: no names, so the file can be shared with funders. UTF-8 with BOM and
    semicolons, formulas defused, like the other exports."""
    questions = {q.id: q for q in questions_of(event)}
    labels = target_labels(event)
    rows = db.session.execute(
        select(Answer, Response.id, Response.category)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.event_id == event.id)
        .order_by(Response.id, Answer.question_id, Answer.target)).all()
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Réponse", "Catégorie", "Question", "Objet", "Valeur"])
    for answer, response_id, category in rows:
        question = questions[answer.question_id]
        if question.kind == "text":
            value = answer.text
        elif question.kind == "scale":
            value = str(answer.number)
        else:
            options = question.option_labels(locale)
            picked = (answer.choices if question.kind == "multiple"
                      else [answer.number] if answer.number is not None else [])
            value = "; ".join(options[i] for i in picked if 0 <= i < len(options))
        writer.writerow([neutralise(v) for v in (
            response_id, category or "", question.label(locale),
            labels.get(answer.target, ""), value)])
    return out.getvalue().encode("utf-8-sig")


def answers_export(participant: Participant) -> list[dict]:
    """The person's evaluation answers for their data export (RGPD right of access)."""
    rows = db.session.execute(
        select(Answer, Question).join(Question, Question.id == Answer.question_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.participant_id == participant.id)
        .order_by(Question.position, Answer.target))
    return [{"question": question.label_fr, "target": answer.target,
             "number": answer.number, "choices": answer.choices, "text": answer.text}
            for answer, question in rows]
