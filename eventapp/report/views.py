"""The report of the day: the organiser writes the introduction and conclusion, makes a
link per workshop for its rapporteur (or writes the summary), and downloads the report
as DOCX or PDF; the rapporteur writes their workshop's summary by the link."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.access import organiser_required
from ..extensions import db
from ..programme.models import Workshop
from ..programme.queries import get_event_or_404
from ..urls import external_url
from ..web import commit_or_refuse
from . import operations
from .content import report_content
from .forms import ButtonForm, TextsForm, WorkshopForm
from .models import DayReport, WorkshopReport
from .render import render_docx, render_pdf

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _workshop_or_404(event, workshop_id: int) -> Workshop:
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or workshop.event_id != event.id:
        abort(404)
    return workshop


@organiser_required
def edit(slug: str):
    event = get_event_or_404(slug)
    report = db.session.get(DayReport, event.id)
    form = TextsForm(obj=report)
    if form.validate_on_submit() and commit_or_refuse(lambda: operations.save_texts(
            event, form.intro.data or "", form.conclusion.data or "")):
        flash(_("Introduction and conclusion saved."), "success")
        return redirect(url_for("report.edit", slug=slug))
    workshops = db.session.scalars(select(Workshop).where(Workshop.event_id == event.id)
                                   .order_by(Workshop.position, Workshop.id)).all()
    texts = {r.workshop_id: r for r in db.session.scalars(
        select(WorkshopReport).where(WorkshopReport.event_id == event.id))}
    status = 400 if form.is_submitted() and form.errors else 200
    return render_template("report/edit.html", event=event, form=form, workshops=workshops,
                           texts=texts, button=ButtonForm()), status


@organiser_required
def docx(slug: str):
    event = get_event_or_404(slug)
    body = render_docx(report_content(event, str(get_locale() or "fr")))
    return _download(body, DOCX_TYPE, f"actes-{slug}.docx")


@organiser_required
def pdf(slug: str):
    event = get_event_or_404(slug)
    body = render_pdf(report_content(event, str(get_locale() or "fr")))
    return _download(body, "application/pdf", f"actes-{slug}.pdf")


@organiser_required
def rapporteur_link(slug: str, workshop_id: int):
    event = get_event_or_404(slug)
    workshop = _workshop_or_404(event, workshop_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    made = commit_or_refuse(lambda: operations.new_rapporteur_link(workshop))
    if not made:
        return redirect(url_for("report.edit", slug=slug))
    token = made.value
    flash(_("Link for the rapporteur of “%(name)s” (shown once; a new link replaces it): "
            "%(link)s", name=workshop.name,
            link=external_url("report.rapporteur", token=token)), "success")
    return redirect(url_for("report.edit", slug=slug))


def _workshop_page(workshop: Workshop, form: WorkshopForm, back: str | None):
    status = 400 if form.is_submitted() and form.errors else 200
    return render_template("report/workshop.html", event=workshop.event, workshop=workshop,
                           form=form, back=back), status


@organiser_required
def workshop(slug: str, workshop_id: int):
    event = get_event_or_404(slug)
    item = _workshop_or_404(event, workshop_id)
    form = WorkshopForm(obj=db.session.get(WorkshopReport, item.id))
    if form.validate_on_submit() and commit_or_refuse(lambda: operations.save_workshop_report(
            item, form.summary.data or "", form.next_steps.data or "")):
        flash(_("Summary of “%(name)s” saved.", name=item.name), "success")
        return redirect(url_for("report.edit", slug=slug))
    return _workshop_page(item, form, url_for("report.edit", slug=slug))


def rapporteur(token: str):
    report = operations.find_by_rapporteur_token(token)
    if report is None:
        abort(404)
    form = WorkshopForm(obj=report)
    if form.validate_on_submit() and commit_or_refuse(lambda: operations.save_workshop_report(
            report.workshop, form.summary.data or "", form.next_steps.data or "")):
        flash(_("Thank you: the summary is saved. You can come back and change it."),
              "success")
        return redirect(url_for("report.rapporteur", token=token))
    body, status = _workshop_page(report.workshop, form, None)
    response = Response(body, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
