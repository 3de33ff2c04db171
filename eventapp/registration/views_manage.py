"""Organiser pages: participant list, edit, cancel, settings, CSV import and export."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..auth.access import organiser_required
from ..db_types import utcnow
from ..events.models import Event
from ..extensions import db
from ..programme.queries import get_event_or_404
from ..web import commit_or_refuse, csv_download, csv_stream
from . import csv_io, import_store, operations, queries
from .forms import (
    ConfirmForm,
    ImportConfirmForm,
    ImportForm,
    ImportLinksForm,
    NewParticipantForm,
    OrganiserParticipantForm,
    SettingsForm,
)
from .models import CATEGORIES, STATUSES, Participant

PER_PAGE = 50


def _participant_or_404(event: Event, participant_id: int) -> Participant:
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.event_id != event.id:
        abort(404)
    return participant


@organiser_required
def participants(slug: str):
    event = get_event_or_404(slug)
    filters = {"text": request.args.get("q", "")[:200],
               "category": request.args.get("category", ""),
               "status": request.args.get("status", "")}
    page = db.paginate(queries.search_participants(event.id, **filters),
                       per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    return render_template(
        "registration/manage/participants.html", event=event, page=page, filters=filters,
        categories=CATEGORIES, statuses=STATUSES, counts=queries.status_counts(event.id),
        settings=queries.settings_of(event), labels=_labels(),
        state=queries.registration_state(event, utcnow()))


def _labels() -> dict:
    return {"category": queries.CATEGORY_LABELS, "role": queries.ROLE_LABELS,
            "status": queries.STATUS_LABELS}


@organiser_required
def participant_new(slug: str):
    event = get_event_or_404(slug)
    form = NewParticipantForm()
    if form.validate_on_submit():
        def add() -> Participant:
            participant = operations.add_participant(event, form.details())
            if form.send_link.data:
                operations.send_portal_link(participant)
            return participant

        added = commit_or_refuse(add, operations.RegistrationError, field=form.email,
                                 send_mail=True)
        person = added.value
        if person is not None:
            flash(_("%(name)s was added.", name=person.full_name), "success")
            return redirect(url_for("registration.participants", slug=slug))
    status = 400 if form.is_submitted() else 200
    return render_template("registration/manage/participant_form.html", event=event, form=form,
                           participant=None), status


@organiser_required
def participant_edit(slug: str, participant_id: int):
    event = get_event_or_404(slug)
    participant = _participant_or_404(event, participant_id)
    form = OrganiserParticipantForm()
    if request.method == "GET":
        form.fill(participant)
    elif form.validate_on_submit() and commit_or_refuse(
            lambda: operations.update_details(participant, form.details()),
            operations.RegistrationError, field=form.email).done:
        flash(_("Changes to %(name)s saved.", name=participant.full_name), "success")
        return redirect(url_for("registration.participants", slug=slug))
    status = 400 if form.is_submitted() and form.errors else 200
    return render_template("registration/manage/participant_form.html", event=event, form=form,
                           participant=participant,
                           labels=_labels()), status


@organiser_required
def participant_cancel(slug: str, participant_id: int):
    event = get_event_or_404(slug)
    participant = _participant_or_404(event, participant_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    cancelled = commit_or_refuse(lambda: operations.cancel(participant, by_organiser=True),
                                 operations.RegistrationError, send_mail=True)
    if cancelled.done:
        flash(_("Registration of %(name)s cancelled.", name=participant.full_name), "success")
        for person in cancelled.value or []:
            flash(_("%(name)s moves up from the waiting list and was told by email.",
                    name=person.full_name), "info")
    return redirect(url_for("registration.participants", slug=slug))


@organiser_required
def participant_send_link(slug: str, participant_id: int):
    event = get_event_or_404(slug)
    participant = _participant_or_404(event, participant_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not participant.email:
        flash(_("%(name)s has no email address.", name=participant.full_name), "error")
    elif commit_or_refuse(lambda: operations.send_portal_link(participant, "link_resent"),
                          send_mail=True):
        flash(_("A new personal link was sent to %(email)s.", email=participant.email),
              "success")
    return redirect(url_for("registration.participant_edit", slug=slug,
                            participant_id=participant.id))


def _local_input(event: Event, moment: datetime | None) -> datetime | None:
    return event.to_local(moment).replace(tzinfo=None) if moment else None


def _to_utc(event: Event, moment: datetime | None) -> datetime | None:
    return event.local_to_utc(moment.time(), on=moment.date()) if moment else None


@organiser_required
def settings(slug: str):
    event = get_event_or_404(slug)
    current = queries.settings_of(event)
    form = SettingsForm()
    if request.method == "GET":
        form.opens_at.data = _local_input(event, current.opens_at)
        form.closes_at.data = _local_input(event, current.closes_at)
        form.wishes_deadline.data = _local_input(event, current.wishes_deadline)
        for name in ("capacity", "waiting_list", "organiser_name", "privacy_contact",
                     "retention_months"):
            getattr(form, name).data = getattr(current, name)
    elif form.validate_on_submit() and commit_or_refuse(
            lambda: _save_settings(event, form), operations.RegistrationError,
            field=form.closes_at, send_mail=True).done:
        flash(_("Registration settings saved."), "success")
        return redirect(url_for("registration.participants", slug=slug))
    status = 400 if form.is_submitted() and form.errors else 200
    return render_template("registration/manage/settings.html", event=event, form=form), status


def _save_settings(event: Event, form: SettingsForm) -> None:
    operations.update_settings(
        event, opens_at=_to_utc(event, form.opens_at.data),
        closes_at=_to_utc(event, form.closes_at.data), capacity=form.capacity.data,
        waiting_list=bool(form.waiting_list.data),
        wishes_deadline=_to_utc(event, form.wishes_deadline.data),
        organiser_name=(form.organiser_name.data or "").strip(),
        privacy_contact=(form.privacy_contact.data or "").strip().lower(),
        retention_months=form.retention_months.data)


@organiser_required
def export_csv(slug: str):
    event = get_event_or_404(slug)
    return csv_stream(csv_io.export_rows(event), f"participants-{event.slug}.csv")


@organiser_required
def import_upload(slug: str):
    event = get_event_or_404(slug)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        import_id = import_store.save(upload.read(), event.id, current_user.id,
                                      upload.filename or "participants.csv")
        return redirect(url_for("registration.import_preview", slug=slug, import_id=import_id))
    status = 400 if form.is_submitted() else 200
    return render_template("registration/manage/import.html", event=event, form=form), status


def _stored_or_404(event: Event, import_id: str) -> import_store.StoredImport:
    stored = import_store.load(import_id, event.id, current_user.id)
    if stored is None:
        abort(404)
    return stored


@organiser_required
def import_template(slug: str):
    """An example file with the columns the import reads and the event's project names."""
    event = get_event_or_404(slug)
    return csv_download(csv_io.template_csv(queries.projects_of(event.id),
                                            queries.workshops_of(event.id)),
                        f"modele-participants-{event.slug}.csv")


@organiser_required
def import_preview(slug: str, import_id: str):
    event = get_event_or_404(slug)
    stored = _stored_or_404(event, import_id)
    if stored.imported:
        return redirect(url_for("registration.import_done", slug=slug, import_id=import_id))
    result = csv_io.parse_participants(stored.data, event)
    return render_template("registration/manage/import_preview.html", event=event,
                           stored=stored, result=result, confirm_form=ImportConfirmForm(),
                           labels=_labels())


@organiser_required
def import_confirm(slug: str, import_id: str):
    """Import the good rows (the bad ones stay listed, with a file to correct them)."""
    event = get_event_or_404(slug)
    stored = _stored_or_404(event, import_id)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if stored.imported:
        return redirect(url_for("registration.import_done", slug=slug, import_id=import_id))
    result = csv_io.parse_participants(stored.data, event)
    if not result.importable:
        flash(_("The file still has errors; nothing was imported."), "error")
        return redirect(url_for("registration.import_preview", slug=slug, import_id=import_id))
    created: list[int] = []
    updated: list[int] = []

    def apply_rows() -> None:
        for row in result.rows:
            participant = operations.apply_import_row(event, row)
            (created if row.action == "create" else updated).append(participant.id)
            if form.send_links.data and row.action == "create":
                operations.send_portal_link(participant)

    if not commit_or_refuse(apply_rows, send_mail=True):
        return redirect(url_for("registration.import_preview", slug=slug, import_id=import_id))
    import_store.mark_imported(import_id, created, updated)
    flash(_("Import done: %(created)s participants added, %(updated)s updated.",
            created=len(created), updated=len(updated)), "success")
    if form.send_links.data:
        import_store.mark_links_sent(import_id)
    return redirect(url_for("registration.import_done", slug=slug, import_id=import_id))


def _imported_or_404(event: Event, import_id: str) -> import_store.StoredImport:
    stored = _stored_or_404(event, import_id)
    if not stored.imported:
        abort(404)
    return stored


@organiser_required
def import_done(slug: str, import_id: str):
    """What the import did, the rows left to correct, and the personal links to send."""
    event = get_event_or_404(slug)
    stored = _imported_or_404(event, import_id)
    result = csv_io.parse_participants(stored.data, event)
    preview = queries.link_mail_preview(event, stored.created or [], stored.updated or [])
    return render_template("registration/manage/import_done.html", event=event,
                           stored=stored, result=result, preview=preview,
                           form=ImportLinksForm())


@organiser_required
def import_rejected(slug: str, import_id: str):
    event = get_event_or_404(slug)
    stored = _stored_or_404(event, import_id)
    result = csv_io.parse_participants(stored.data, event)
    return csv_download(csv_io.rejected_csv(result), f"a-corriger-{event.slug}.csv")


@organiser_required
def import_links(slug: str, import_id: str):
    """Email every imported person (with an address) a fresh personal link, after the
    commit; once per import."""
    event = get_event_or_404(slug)
    stored = _imported_or_404(event, import_id)
    form = ImportLinksForm()
    if not form.validate_on_submit():
        abort(400)
    if stored.links_sent:
        flash(_("The personal links of this import were already sent."), "error")
        return redirect(url_for("registration.import_done", slug=slug, import_id=import_id))
    ids = (stored.created or []) + ((stored.updated or []) if form.include_updated.data
                                    else [])
    people = queries.participants_with_email(event.id, ids)
    def send_links() -> None:
        for person in people:
            operations.send_portal_link(person)

    if not commit_or_refuse(send_links, send_mail=True):
        return redirect(url_for("registration.import_done", slug=slug, import_id=import_id))
    import_store.mark_links_sent(import_id)
    flash(ngettext("Personal link sent to %(num)d person.",
                   "Personal links sent to %(num)d people.", len(people)), "success")
    return redirect(url_for("registration.participants", slug=slug))
