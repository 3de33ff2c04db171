"""Organiser pages: download an event as an instance, import one (new or replace)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as ResponseBase

from ..auth.access import organiser_required
from ..events.models import Event
from ..programme.queries import get_event_or_404
from ..web import Attempt, commit_or_refuse
from . import pending
from .forms import ConfirmReplaceForm, UploadForm
from .operations import InstanceImportError, import_instance, load_document, validate_instance
from .queries import (
    document_counts,
    event_counts,
    export_filename,
    export_instance,
    identity_differences,
    instance_json,
)


@organiser_required
def export_event(slug: str) -> Response:
    event = get_event_or_404(slug)
    response = Response(instance_json(export_instance(event)), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{export_filename(event)}"'
    response.headers["Cache-Control"] = "no-store"  # participants' names and choices
    return response


def _uploaded_document(form: UploadForm) -> Any:
    return load_document(form.file.data.read())


def _import_errors(attempt: Attempt[Any]) -> list[tuple[str, str]]:
    """What the refused import found wrong (``commit_or_refuse`` was told to catch only
    :class:`InstanceImportError`)."""
    error = attempt.refusal
    assert isinstance(error, InstanceImportError)
    return error.errors


def _imported(event: Event, *, replaced: bool = False) -> ResponseBase:
    counts = event_counts(event)
    if replaced:
        message = _("Replaced the programme of “%(name)s”: %(participants)d participants, "
                    "%(sessions)d sessions.", name=event.name,
                    participants=counts["participants"], sessions=counts["sessions"])
    else:
        message = _("Imported “%(name)s”: %(participants)d participants, %(sessions)d "
                    "sessions.", name=event.name, participants=counts["participants"],
                    sessions=counts["sessions"])
    flash(message, "success")
    return redirect(url_for("programme.events"))


@organiser_required
def import_new() -> ResponseReturnValue:
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("exchange/import_new.html", form=form), \
            400 if form.is_submitted() else 200
    imported = commit_or_refuse(lambda: import_instance(_uploaded_document(form)),
                                InstanceImportError, show=False)
    if not imported:
        return render_template("exchange/import_new.html", form=UploadForm(formdata=None),
                               errors=_import_errors(imported)), 400
    event = imported.value
    assert event is not None  # done: import_instance returned it
    return _imported(event)


@organiser_required
def import_into(slug: str) -> ResponseReturnValue:
    """Step 1: upload and validate; step 2 (with the token): confirm and replace."""
    event = get_event_or_404(slug)
    confirm_form = ConfirmReplaceForm(prefix="confirm")
    if confirm_form.token.data:
        return _confirm_replace(event, confirm_form)
    form = UploadForm()
    context = {"event": event, "counts": event_counts(event)}
    if not form.validate_on_submit():
        return render_template("exchange/import_into.html", form=form, **context), \
            400 if form.is_submitted() else 200

    def check_and_keep() -> dict[str, Any]:
        """The upload, valid, kept for step 2 under the confirmation form's token."""
        document = _uploaded_document(form)
        validate_instance(document)
        confirm_form.token.data = pending.stash(document, event_id=event.id,
                                                user_id=current_user.id)
        return document

    checked = commit_or_refuse(check_and_keep, InstanceImportError, show=False)
    if not checked:
        return render_template("exchange/import_into.html", form=UploadForm(formdata=None),
                               errors=_import_errors(checked), **context), 400
    document = checked.value
    assert document is not None  # done: check_and_keep returned it
    return render_template("exchange/confirm_replace.html", form=confirm_form,
                           new_counts=document_counts(document),
                           differences=identity_differences(event, document), **context)


def _confirm_replace(event: Event, form: ConfirmReplaceForm) -> ResponseReturnValue:
    if not form.validate_on_submit():
        document = pending.take(form.token.data, event_id=event.id, user_id=current_user.id)
        if document is None:
            return _expired(event)
        # Keep the upload for the next attempt under a fresh token.
        form.token.data = pending.stash(document, event_id=event.id, user_id=current_user.id)
        return render_template("exchange/confirm_replace.html", form=form, event=event,
                               counts=event_counts(event),
                               new_counts=document_counts(document),
                               differences=identity_differences(event, document)), 400
    document = pending.take(form.token.data, event_id=event.id, user_id=current_user.id)
    if document is None:
        return _expired(event)
    imported = commit_or_refuse(lambda: import_instance(document, event=event),
                                InstanceImportError, show=False)
    if not imported:  # the file was valid at upload: rare, but say so
        return render_template("exchange/import_into.html", form=UploadForm(formdata=None),
                               errors=_import_errors(imported), event=event,
                               counts=event_counts(event)), 400
    return _imported(event, replaced=True)


def _expired(event: Event) -> ResponseReturnValue:
    flash(_("The uploaded file is no longer available (it expires after an hour). "
            "Upload it again; nothing was changed."), "error")
    return redirect(url_for("exchange.import_into", slug=event.slug))
