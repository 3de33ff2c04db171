"""Changes of the report: the organiser's texts, rapporteur links, workshop summaries."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from ..events.models import Event
from ..extensions import db
from ..programme.models import Workshop
from ..registration.tokens import hash_token
from .models import DayReport, WorkshopReport


def report_for_update(event: Event) -> DayReport:
    report = db.session.get(DayReport, event.id)
    if report is None:
        report = DayReport(event_id=event.id, intro="", conclusion="")
        db.session.add(report)
    return report


def save_texts(event: Event, intro: str, conclusion: str) -> DayReport:
    report = report_for_update(event)
    report.intro, report.conclusion = intro, conclusion
    db.session.flush()
    return report


def workshop_report_for_update(workshop: Workshop) -> WorkshopReport:
    report = db.session.get(WorkshopReport, workshop.id)
    if report is None:
        report = WorkshopReport(workshop_id=workshop.id, event_id=workshop.event_id,
                                summary="", next_steps="")
        db.session.add(report)
    return report


def new_rapporteur_link(workshop: Workshop) -> str:
    """A new secret for the workshop's rapporteur (returned once, in clear); the previous
    link stops working."""
    token = secrets.token_urlsafe(24)
    workshop_report_for_update(workshop).rapporteur_token_hash = hash_token(token)
    db.session.flush()
    return token


def find_by_rapporteur_token(token: str) -> WorkshopReport | None:
    if not token or len(token) > 200:
        return None
    return db.session.scalar(select(WorkshopReport).where(
        WorkshopReport.rapporteur_token_hash == hash_token(token)))


def save_workshop_report(workshop: Workshop, summary: str, next_steps: str) -> WorkshopReport:
    report = workshop_report_for_update(workshop)
    report.summary, report.next_steps = summary, next_steps
    db.session.flush()
    return report
