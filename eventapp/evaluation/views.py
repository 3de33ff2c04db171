"""Evaluation pages: the organiser builds, sends and reads; the participant answers by
their personal link until the closing date."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from ..auth.access import organiser_required
from ..db_types import utcnow
from ..events.models import Event
from ..extensions import db
from ..programme.queries import get_event_or_404
from ..registration.models import Participant, ParticipantStatus
from ..registration.tokens import portal_participant_or_404
from ..web import commit_or_refuse, csv_download
from . import forms, operations, queries
from .operations import EvaluationError


def _local_input(event: Event, moment):
    return event.to_local(moment).replace(tzinfo=None) if moment else None


def _to_utc(event: Event, moment):
    return event.local_to_utc(moment.time(), on=moment.date()) if moment else None


def _locale() -> str:
    return str(get_locale() or "fr")


def _builder_page(event: Event, *, settings_form=None, block_form=None, question_form=None,
                  status: int = 200):
    questionnaire = queries.questionnaire_of(event)
    if settings_form is None:
        settings_form = forms.SettingsForm(formdata=None)
        settings_form.intro.data = questionnaire.intro
        settings_form.closes_at.data = _local_input(event, questionnaire.closes_at)
    return render_template(
        "evaluation/builder.html", event=event, questionnaire=questionnaire,
        questions=queries.questions_of(event), settings_form=settings_form,
        block_form=block_form or forms.BlockForm(formdata=None),
        question_form=question_form or forms.FreeQuestionForm(formdata=None),
        button=forms.ButtonForm(), locale=_locale(),
        asked=len(operations.recipients(event))), status


@organiser_required
def builder(slug: str):
    event = get_event_or_404(slug)
    if request.method == "GET":
        return _builder_page(event)
    form = forms.SettingsForm()
    if not form.validate_on_submit():
        return _builder_page(event, settings_form=form, status=400)
    if not commit_or_refuse(lambda: operations.update_settings(
            event, form.intro.data or "", _to_utc(event, form.closes_at.data), utcnow()),
            EvaluationError, field=form.closes_at):
        return _builder_page(event, settings_form=form, status=400)
    flash(_("Questionnaire settings saved."), "success")
    return redirect(url_for("evaluation.builder", slug=slug))


@organiser_required
def add_block(slug: str):
    event = get_event_or_404(slug)
    form = forms.BlockForm()
    if form.validate_on_submit() and commit_or_refuse(
            lambda: operations.add_block(event, form.block.data), EvaluationError,
            field=form.block):
        flash(_("Block added."), "success")
        return redirect(url_for("evaluation.builder", slug=slug))
    return _builder_page(event, block_form=form, status=400)


@organiser_required
def add_question(slug: str):
    event = get_event_or_404(slug)
    form = forms.FreeQuestionForm()
    if form.validate_on_submit():
        added = commit_or_refuse(lambda: operations.add_free_question(
            event, form.kind.data, form.label_fr.data, form.label_en.data or "",
            form.options.data or ""), EvaluationError, show=False)
        if added:
            flash(_("Question added."), "success")
            return redirect(url_for("evaluation.builder", slug=slug))
        field = getattr(form, added.refusal.field or "options", form.options)
        field.errors = [*field.errors, added.refusal.message]
    return _builder_page(event, question_form=form, status=400)


@organiser_required
def delete_question(slug: str, question_id: int):
    event = get_event_or_404(slug)
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    if commit_or_refuse(lambda: operations.delete_question(event, question_id),
                        EvaluationError):
        flash(_("Question removed."), "success")
    return redirect(url_for("evaluation.builder", slug=slug))


def _sending(slug: str, action) -> object:
    event = get_event_or_404(slug)
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    sent = commit_or_refuse(lambda: action(event), EvaluationError, send_mail=True)
    if sent:
        flash(ngettext("%(num)d email sent.", "%(num)d emails sent.", sent.value),
              "success")
    return redirect(url_for("evaluation.builder", slug=slug))


@organiser_required
def send(slug: str):
    return _sending(slug, operations.send)


@organiser_required
def remind(slug: str):
    return _sending(slug, operations.remind)


@organiser_required
def results(slug: str):
    event = get_event_or_404(slug)
    data = queries.results(event, _locale())
    return render_template("evaluation/results.html", event=event, results=data,
                           questionnaire=queries.questionnaire_of(event), locale=_locale())


@organiser_required
def results_csv(slug: str):
    event = get_event_or_404(slug)
    return csv_download(queries.results_csv(event, _locale()), f"evaluation-{slug}.csv")


# --- the participant ---------------------------------------------------------------------


def portal_open(participant: Participant) -> bool:
    questionnaire = db.session.get(queries.Questionnaire, participant.event_id)
    return (participant.status == ParticipantStatus.REGISTERED and questionnaire is not None
            and questionnaire.open_at(utcnow()))


def answer(token: str):
    participant = portal_participant_or_404(token)
    event = participant.event
    questionnaire = queries.questionnaire_of(event)
    items = queries.form_items(participant)
    errors: dict[str, str] = {}
    refusal = None
    status = 200
    form = forms.ButtonForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        def answer_all() -> dict[str, str]:
            """Saved when open and every answer is valid; else the answers' errors."""
            operations.check_open(participant, utcnow())
            given, found = operations.read_answers(items, request.form.getlist)
            if not found:
                operations.save_response(participant, given)
            return found

        saved = commit_or_refuse(answer_all, EvaluationError, show=False)
        if not saved:
            refusal, status = saved.refusal.message, saved.refusal.status
        elif saved.value:
            errors, status = saved.value, 400
        else:
            flash(_("Thank you: your answers are saved. You can change them until the "
                    "questionnaire closes."), "success")
            return redirect(url_for("evaluation.answer", token=token))
    response = render_template(
        "evaluation/answer.html", token=token, participant=participant, event=event,
        questionnaire=questionnaire, items=items, errors=errors, refusal=refusal,
        form=form, locale=_locale(), is_open=questionnaire.open_at(utcnow()),
        submitted=request.form if request.method == "POST" else None)
    return _private(response, status)


def _private(body: str, status: int):
    response = make_response(body, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
