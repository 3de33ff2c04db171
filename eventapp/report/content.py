"""What the report of the day holds, as plain data both renderers (DOCX, PDF) draw.

Built with a fixed number of SQL statements (the programme, the attendance aggregates, the
evaluation results, the workshops' texts), whatever the number of people."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import time

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..attendance import pdf as attendance_pdf
from ..attendance import queries as attendance_queries
from ..attendance.models import AttendanceSheet, Signature
from ..checkin.models import Admission, Checkpoint
from ..evaluation import queries as evaluation_queries
from ..events.models import Event
from ..extensions import db
from ..i18n import local_time
from ..programme.queries import build_public_programme
from ..registration.models import CATEGORIES, Participant
from ..registration.queries import CATEGORY_LABELS
from ..registration.queries import settings_of as registration_settings
from .models import DayReport, WorkshopReport

HALF_DAY_SPLIT = time(13, 0)


@dataclass(frozen=True)
class GridCellText:
    text: str
    colour: str = ""        # "#c0392b"
    colour_name: str = ""   # "rouge": colour is never the only cue


@dataclass(frozen=True)
class AttendanceLine:
    label: str
    registered: int
    came: int
    signed_am: int
    signed_pm: int


@dataclass(frozen=True)
class EvaluationLine:
    question: str
    answers: int
    summary: str                       # "moyenne 4.2 / 5" or "Oui : 3 · Non : 1"
    by_category: list[tuple[str, str]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class WorkshopText:
    name: str
    host: str
    summary: str
    next_steps: str


@dataclass
class ReportContent:
    title: str
    subtitle: str
    organiser: str
    intro: str
    conclusion: str
    timeline: list[tuple[str, str, str]]            # (times, title, details)
    grid_header: list[str]
    grid_rows: list[tuple[str, list[GridCellText]]]  # (round label, cells)
    projects: list[tuple[str, str, str]]             # (name, organisation, theme)
    attendance: list[AttendanceLine]
    attendance_total: AttendanceLine
    response_rate: str
    evaluation: list[EvaluationLine]
    workshops: list[WorkshopText]
    funders: attendance_pdf.Funders
    labels: dict[str, str]


def _labels() -> dict[str, str]:
    return {
        "report": _("Report of the day"), "intro": _("Introduction"),
        "programme": _("Programme"), "grid": _("Speed-dating"),
        "projects": _("Projects presented"), "attendance": _("Attendance"),
        "category": _("Category"), "registered": _("Registered"), "came": _("Came"),
        "signed_am": _("Signed, morning"), "signed_pm": _("Signed, afternoon"),
        "total": _("Total"), "evaluation": _("Evaluation"), "workshops": _("Workshops"),
        "summary": _("Summary"), "next_steps": _("Next steps (“pistes d’action”)"),
        "conclusion": _("Conclusion"), "round": _("Round"), "host": _("Host"),
        "no_summary": _("No summary written yet."), "funders": _("With the support of"),
        "organisation": _("Organisation"), "theme": _("Theme"),
    }


def _timeline(event: Event, programme) -> list[tuple[str, str, str]]:
    rows = []
    for entry in programme.timeline:
        times = f"{local_time(entry.starts_at, event.timezone)}–" \
                f"{local_time(entry.ends_at, event.timezone)}"
        if entry.kind == "item":
            rows.append((times, entry.item.title, "; ".join(entry.item.speaker_lines)))
        elif entry.kind == "speed_dating":
            rows.append((times, _("Speed-dating (%(n)d rounds)", n=len(entry.rounds)), ""))
        else:
            rows.append((times, _("Workshops"), "; ".join(w.name for w in entry.workshops)))
    return rows


def _grid(event: Event, programme) -> tuple[list[str], list[tuple[str, list[GridCellText]]]]:
    grid = programme.grid
    header = [column.label for column in grid.columns]
    rows = []
    for row in grid.rows:
        cells = []
        for cell in row.cells:
            theme = cell.session.project.theme if cell.session is not None else None
            cells.append(GridCellText(cell.session.project.name if cell.session else "—",
                                      theme.colour if theme else "",
                                      theme.colour_name if theme else ""))
        label = _("Round %(n)d, %(time)s", n=row.number,
                  time=local_time(row.round.starts_at, event.timezone))
        rows.append((label, cells))
    return header, rows


def attendance_lines(event: Event) -> tuple[list[AttendanceLine], AttendanceLine]:
    """Per category: registered, came (admitted at the door or signed), signed in the
    morning and in the afternoon (any sheet starting before / after 13:00)."""
    registered = dict(db.session.execute(
        select(Participant.category, func.count()).where(
            Participant.event_id == event.id, Participant.status == "registered",
            Participant.role != "staff").group_by(Participant.category)).all())
    people = dict(db.session.execute(select(Participant.id, Participant.category).where(
        Participant.event_id == event.id)).all())
    came: dict[str | None, set[int]] = defaultdict(set)
    for admitted in db.session.scalars(
            select(Admission.participant_id).join(Checkpoint,
                                                  Checkpoint.id == Admission.checkpoint_id)
            .where(Admission.event_id == event.id, Checkpoint.kind == "door")):
        if admitted is not None:  # an erased person's admission keeps no link to them
            came[people.get(admitted)].add(admitted)
    split = event.local_to_utc(HALF_DAY_SPLIT)
    signed: dict[tuple[str | None, bool], set[int]] = defaultdict(set)
    for pid, starts_at in db.session.execute(
            select(Signature.participant_id, AttendanceSheet.starts_at)
            .join(AttendanceSheet, AttendanceSheet.id == Signature.sheet_id)
            .where(Signature.event_id == event.id, Signature.participant_id.is_not(None))):
        if pid is None:  # filtered out above; the column allows it (erased people)
            continue
        category = people.get(pid)
        signed[(category, starts_at < split)].add(pid)
        came[category].add(pid)
    lines = []
    for category in [*CATEGORIES, None]:
        line = AttendanceLine(
            str(CATEGORY_LABELS.get(category, _("Not given"))) if category else _("Not given"),
            registered.get(category, 0), len(came.get(category, ())),
            len(signed.get((category, True), ())), len(signed.get((category, False), ())))
        if line.registered or line.came:
            lines.append(line)
    total = AttendanceLine(_("Total"), *(sum(getattr(line, name) for line in lines)
                                         for name in ("registered", "came", "signed_am",
                                                      "signed_pm")))
    return lines, total


def _evaluation(event: Event, locale: str) -> tuple[str, list[EvaluationLine]]:
    results = evaluation_queries.results(event, locale)
    rate = _("%(responses)d answers from %(asked)d people asked (%(rate)s %%)",
             responses=results.responses, asked=results.asked,
             rate=f"{results.rate * 100:.0f}")
    lines = []
    for result in results.questions:
        question = result.question
        if question.kind == "text":
            lines.append(EvaluationLine(question.label(locale), result.answers, "",
                                        texts=[text for _t, _c, text in result.texts][:30]))
            continue
        if question.kind == "scale":
            summary = _("average %(mean)s / 5", mean=result.mean) if result.mean else "—"
            by_category = [(label, f"{mean}") for label, _n, mean, _c in result.by_category
                           if mean is not None]
        else:
            options = question.option_labels(locale)
            summary = " · ".join(f"{option} : {count}"
                                 for option, count in zip(options, result.counts, strict=False))
            by_category = [(label, " · ".join(str(c) for c in counts))
                           for label, _n, _m, counts in result.by_category]
        lines.append(EvaluationLine(question.label(locale), result.answers, summary,
                                    by_category))
    return rate, lines


def _workshops(event: Event, programme) -> list[WorkshopText]:
    texts = {r.workshop_id: r for r in db.session.scalars(
        select(WorkshopReport).where(WorkshopReport.event_id == event.id))}
    out = []
    for _slot, workshops in programme.workshop_slots:
        for workshop in workshops:
            report = texts.get(workshop.id)
            out.append(WorkshopText(workshop.name, workshop.host,
                                    report.summary if report else "",
                                    report.next_steps if report else ""))
    return out


def report_content(event: Event, locale: str = "fr") -> ReportContent:
    programme = build_public_programme(event)
    report = db.session.get(DayReport, event.id)
    organiser = registration_settings(event).organiser_name
    header, rows = _grid(event, programme)
    lines, total = attendance_lines(event)
    rate, evaluation = _evaluation(event, locale)
    subtitle = format_date(event.date, "full") + (f" · {event.venue}" if event.venue else "")
    return ReportContent(
        title=event.name, subtitle=subtitle, organiser=organiser,
        intro=report.intro if report else "", conclusion=report.conclusion if report else "",
        timeline=_timeline(event, programme), grid_header=header, grid_rows=rows,
        projects=[(entry.project.name, entry.project.organisation, entry.project.theme.name)
                  for entry in programme.projects],
        attendance=lines, attendance_total=total, response_rate=rate, evaluation=evaluation,
        workshops=_workshops(event, programme),
        funders=attendance_queries.funders(event), labels=_labels())
