"""Émargement pages: the organiser's sheets, windows, funders' block and certificates;
the staff phone's signing JSON (one signature, or a queued batch); the participant's own
signing page and certificate on "Mon programme"."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Iterator

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as ResponseBase

from ..auth.access import organiser_required, staff_required
from ..checkin.forms import BodyError
from ..checkin.models import Badge, Checkpoint
from ..db_types import utcnow
from ..events.models import Event
from ..extensions import db
from ..programme.queries import get_event_or_404
from ..registration.models import Participant
from ..registration.tokens import portal_participant_or_404
from ..text import neutral_line
from ..web import commit_or_refuse
from . import forms, operations, pdf, queries
from .images import (
    LOGO_MAX_BYTES,
    SIGNATURE_MAX_BYTES,
    ImageProblem,
    logo_from_upload,
    signature_from_data_url,
    signature_from_png,
)
from .models import Signature
from .operations import AttendanceError

# One signature is at most ~410 KB of base64; a batch of MAX_BATCH of them.
SIGN_BODY_MAX = 512 * 1024
BATCH_BODY_MAX = forms.MAX_BATCH * SIGN_BODY_MAX


def _private(response: ResponseBase) -> ResponseBase:
    response.headers["Cache-Control"] = "no-store"
    return response


def _pdf(body: bytes, filename: str, attachment: bool = False) -> ResponseBase:
    response = Response(body, mimetype="application/pdf")
    kind = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{kind}; filename="{filename}"'
    return _private(response)


def _json_error(status: int, message: str, field: str | None = None):
    return _private(jsonify({"error": {"status": status, "message": message,
                                       "field": field}})), status


def _sheet_or_404(event: Event, sheet_id: int):
    sheet = queries.get_sheet(event, sheet_id)
    if sheet is None:
        abort(404)
    return sheet


def _participant_or_404(event: Event, participant_id: int) -> Participant:
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.event_id != event.id:
        abort(404)
    return participant


# --- organisers: sheets and windows ----------------------------------------------------

@organiser_required
def index(slug: str):
    event = get_event_or_404(slug)
    sheets = operations.sync_sheets(event)
    summaries = queries.sheet_summaries(event, sheets)
    settings = queries.settings_of(event)
    db.session.commit()
    return render_template("attendance/index.html", event=event, summaries=summaries,
                           settings=settings, button=forms.ButtonForm(),
                           unit_label=queries.UNIT_LABELS[settings.sheet_unit])


@organiser_required
def sheet_pdf(slug: str, sheet_id: int):
    event = get_event_or_404(slug)
    operations.sync_sheets(event)
    sheet = _sheet_or_404(event, sheet_id)
    body = pdf.render_sheet(queries.sheet_document(event, sheet))
    db.session.commit()
    return _pdf(body, f"emargement-{slug}-{sheet_id}.pdf")


@organiser_required
def sheets_pdf(slug: str):
    event = get_event_or_404(slug)
    sheets = operations.sync_sheets(event)
    block = queries.funders(event)
    body = pdf.render_sheets(queries.sheet_document(event, s, block) for s in sheets)
    db.session.commit()
    return _pdf(body, f"emargement-{slug}.pdf")


@organiser_required
def window_open(slug: str, sheet_id: int):
    return _window(slug, sheet_id, opening=True)


@organiser_required
def window_close(slug: str, sheet_id: int):
    return _window(slug, sheet_id, opening=False)


def _window(slug: str, sheet_id: int, opening: bool):
    event = get_event_or_404(slug)
    sheet = _sheet_or_404(event, sheet_id)
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    change = operations.open_window if opening else operations.close_window
    if not commit_or_refuse(lambda: change(sheet, utcnow()), AttendanceError):
        return redirect(url_for("attendance.index", slug=slug))
    flash(_("Participants can now sign “%(title)s” on their phone.", title=sheet.title)
          if opening else _("Signing on participants' phones is closed for “%(title)s”.",
                            title=sheet.title), "success")
    return redirect(url_for("attendance.index", slug=slug))


@staff_required
def countersign(slug: str, sheet_id: int):
    event = get_event_or_404(slug)
    sheet = _sheet_or_404(event, sheet_id)
    form = forms.CountersignForm()
    image_error = None
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        signed = commit_or_refuse(lambda: operations.countersign(
            sheet, form.name.data, signature_from_data_url(request.form.get("image", "")),
            utcnow()), (ImageProblem, AttendanceError), show=False)
        if signed:
            flash(_("“%(title)s” is countersigned and closed.", title=sheet.title), "success")
            return redirect(url_for("attendance.index", slug=slug))
        image_error, status = signed.refusal.message, signed.refusal.status
    elif request.method == "POST":
        status = 400
    elif not form.name.data:
        form.name.data = sheet.facilitator
    return render_template("attendance/countersign.html", event=event, sheet=sheet,
                           form=form, image_error=image_error), status


# --- organisers: funders' block and settings ----------------------------------------------

@organiser_required
def settings(slug: str):
    event = get_event_or_404(slug)
    current = queries.settings_of(event)
    form = forms.SettingsForm(obj=current)
    image_error = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            upload = form.signatory_image.data

            def save() -> None:
                image = signature_from_png(upload.read(SIGNATURE_MAX_BYTES + 1)) \
                    if upload else None
                operations.update_settings(
                    event, sheet_unit=form.sheet_unit.data,
                    proof_retention_months=form.proof_retention_months.data,
                    esf_mention=form.esf_mention.data,
                    funders_mention=form.funders_mention.data or "",
                    signatory_name=form.signatory_name.data or "", signatory_image=image,
                    remove_signatory_image=form.remove_signatory_image.data)
                operations.sync_sheets(event)

            saved = commit_or_refuse(save, ImageProblem, show=False)
            if saved:
                flash(_("Attendance settings saved."), "success")
                return redirect(url_for("attendance.settings", slug=slug))
            image_error, status = saved.refusal.message, 400
        else:
            status = 400
    return render_template("attendance/settings.html", event=event, form=form,
                           settings=current, logos=queries.logos_of(event),
                           logo_form=forms.LogoForm(formdata=None), button=forms.ButtonForm(),
                           image_error=image_error), status


@organiser_required
def logo_add(slug: str):
    event = get_event_or_404(slug)
    form = forms.LogoForm()
    status = 400
    if form.validate_on_submit() and commit_or_refuse(lambda: operations.add_logo(
            event, form.name.data, logo_from_upload(form.file.data.read(LOGO_MAX_BYTES + 1))),
            (ImageProblem, AttendanceError), field=form.file):
        flash(_("Logo of %(name)s added.", name=form.name.data), "success")
        return redirect(url_for("attendance.settings", slug=slug))
    current = queries.settings_of(event)
    return render_template("attendance/settings.html", event=event,
                           form=forms.SettingsForm(obj=current, formdata=None),
                           settings=current, logos=queries.logos_of(event), logo_form=form,
                           button=forms.ButtonForm(), image_error=None), status


@organiser_required
def logo_delete(slug: str, logo_id: int):
    event = get_event_or_404(slug)
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    if not commit_or_refuse(lambda: operations.remove_logo(event, logo_id), AttendanceError,
                            show=False):
        abort(404)
    flash(_("Logo removed."), "success")
    return redirect(url_for("attendance.settings", slug=slug))


@organiser_required
def logo_png(slug: str, logo_id: int):
    event = get_event_or_404(slug)
    logo = next((item for item in queries.logos_of(event) if item.id == logo_id), None)
    if logo is None:
        abort(404)
    return _private(Response(logo.image, mimetype="image/png"))


# --- organisers: certificates ---------------------------------------------------------------

@organiser_required
def certificates_pdf(slug: str):
    event = get_event_or_404(slug)
    operations.sync_sheets(event)
    certs = queries.certificates(event)
    db.session.commit()
    if not certs:
        flash(_("Nobody has come yet (no scan, no signature): no certificate to issue."),
              "error")
        return redirect(url_for("attendance.index", slug=slug))
    return _pdf(pdf.render_certificates(cert for _, cert in certs),
                f"attestations-{event.slug}.pdf", attachment=True)


def _zip_stream(files: Iterator[tuple[str, bytes]]) -> Iterator[bytes]:
    """A ZIP written as it goes: each certificate is rendered, compressed and sent before
    the next one, so thousands never sit in memory together."""

    class Sink(io.RawIOBase):
        def __init__(self) -> None:
            self.chunks: list[bytes] = []

        def writable(self) -> bool:
            return True

        def write(self, data) -> int:
            self.chunks.append(bytes(data))
            return len(data)

    sink = Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, body in files:
            archive.writestr(name, body)
            yield b"".join(sink.chunks)
            sink.chunks.clear()
    yield b"".join(sink.chunks)


def _certificate_name(participant: Participant, used: set[str]) -> str:
    base = neutral_line(f"{participant.last_name}-{participant.first_name}") or "participant"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in base)[:80]
    name = f"attestation-{safe}.pdf"
    if name in used:
        name = f"attestation-{safe}-{participant.id}.pdf"
    used.add(name)
    return name


@organiser_required
def certificates_zip(slug: str):
    event = get_event_or_404(slug)
    operations.sync_sheets(event)
    certs = queries.certificates(event)
    # Names and texts are read now: the ZIP is written after the request's session ends.
    used: set[str] = set()
    named = [(_certificate_name(person, used), cert) for person, cert in certs]
    db.session.commit()
    if not named:
        flash(_("Nobody has come yet (no scan, no signature): no certificate to issue."),
              "error")
        return redirect(url_for("attendance.index", slug=slug))
    files = ((name, pdf.render_certificate(cert)) for name, cert in named)
    response = Response(_zip_stream(files), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="attestations-{slug}.zip"'
    return _private(response)


@organiser_required
def participant_certificate(slug: str, participant_id: int):
    event = get_event_or_404(slug)
    person = _participant_or_404(event, participant_id)
    return _one_certificate(event, person, attachment=True)


def _one_certificate(event: Event, person: Participant, attachment: bool) -> ResponseBase:
    certs = queries.certificates(event, [person])
    db.session.commit()
    if not certs:
        abort(409, description=_("%(name)s did not come (no scan, no signature): no "
                                 "certificate of attendance can be issued.",
                                 name=person.full_name))
    return _pdf(pdf.render_certificate(certs[0][1]), f"attestation-{event.slug}.pdf",
                attachment=attachment)


# --- staff phones: signatures after a scan ------------------------------------------------

def _signer(event: Event, body: forms.StaffSignature) -> Participant:
    if body.participant_key is not None:
        person = db.session.scalar(select(Participant).where(
            Participant.event_id == event.id, Participant.key == body.participant_key))
    else:
        person = db.session.scalar(select(Participant).join(
            Badge, Badge.participant_id == Participant.id).where(
            Badge.event_id == event.id, Badge.serial == body.serial))
    if person is None:
        raise BodyError("participant", "Nobody of this event has this id or badge.", 404)
    return person


def _staff_sign(event: Event, data, sheets) -> dict:
    body = forms.parse_staff_signature(data)
    checkpoint = db.session.get(Checkpoint, body.checkpoint_id)
    if checkpoint is None or checkpoint.event_id != event.id:
        raise BodyError("checkpoint", f"No checkpoint {body.checkpoint_id} in this event.")
    person = _signer(event, body)
    outcome = operations.record_signature(event, operations.SignRequest(
        participant=person, image=body.image, nonce=body.nonce, via="staff",
        device=body.device or request.user_agent.string[:100], staff=current_user,
        device_time=body.signed_at, checkpoint=checkpoint), sheets)
    return _answer(event, outcome)


def _answer(event: Event, outcome: operations.SignOutcome) -> dict:
    signature = outcome.signature
    person = signature.participant
    return {"nonce": signature.nonce, "result": "already" if outcome.already else "signed",
            "replayed": outcome.replayed,
            "sheet": {"id": signature.sheet_id, "title": signature.sheet.title},
            "name": person.full_name if person else signature.pseudonym,
            "signed_at": signature.signed_at.isoformat().replace("+00:00", "Z"),
            "message": queries.signed_label(event, signature)}


def _too_big(limit: int) -> bool:
    return request.content_length is not None and request.content_length > limit


@staff_required
def sign_json(slug: str):
    event = get_event_or_404(slug)
    if _too_big(SIGN_BODY_MAX):
        return _json_error(413, _("The signature is too large (at most %(kb)d KB): clear "
                                  "it and sign again.", kb=SIGN_BODY_MAX // 1024), "image")
    sheets = operations.sync_sheets(event)
    try:
        answer = _staff_sign(event, request.get_json(silent=True), sheets)
    except BodyError as error:
        db.session.rollback()
        return _json_error(error.status, error.message, error.field)
    except AttendanceError as error:
        db.session.rollback()
        return _json_error(error.status, error.message, error.field)
    db.session.commit()
    return _private(jsonify(answer))


@staff_required
def upload_json(slug: str):
    """A queued batch from a phone that was offline: each signature gets its answer or
    its refusal; a refused one does not stop the others (each in its own savepoint)."""
    event = get_event_or_404(slug)
    if _too_big(BATCH_BODY_MAX):
        return _json_error(413, _("Too much at once: send at most %(n)d signatures per "
                                  "upload.", n=forms.MAX_BATCH), "signatures")
    try:
        items = forms.parse_batch(request.get_json(silent=True))
    except BodyError as error:
        return _json_error(400, error.message, error.field)
    sheets = operations.sync_sheets(event)
    results = []
    for item in items:
        nonce = item.get("nonce") if isinstance(item, dict) else None
        savepoint = db.session.begin_nested()
        try:
            results.append(_staff_sign(event, item, sheets))
            savepoint.commit()
        except (BodyError, AttendanceError) as error:
            savepoint.rollback()
            results.append({"nonce": nonce, "result": "refused",
                            "error": {"status": error.status, "message": str(error.message),
                                      "field": error.field}})
    db.session.commit()
    return _private(jsonify({"results": results}))


# --- the participant, by their personal link ----------------------------------------------


def _portal_headers(response: ResponseBase) -> ResponseBase:
    response.headers["Referrer-Policy"] = "no-referrer"
    return _private(response)


def portal_sign(token: str):
    participant = portal_participant_or_404(token)
    event = participant.event
    sheet = queries.open_sheet(event)
    mine = None
    if sheet is not None:
        mine = db.session.scalar(select(Signature).where(
            Signature.sheet_id == sheet.id, Signature.participant_id == participant.id))
    error = None
    status = 200
    form = forms.ButtonForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        def sign() -> operations.SignOutcome:
            nonce = forms.form_nonce(request.form.get("nonce"))
            image = signature_from_data_url(request.form.get("image", ""))
            return operations.record_signature(event, operations.SignRequest(
                participant=participant, image=image, nonce=nonce, via="portal",
                device=request.user_agent.string[:100], sheet=sheet), [])

        signed = commit_or_refuse(sign, (ImageProblem, BodyError, AttendanceError), show=False)
        outcome = signed.value
        if outcome is not None:
            flash(_("Thank you: your signature is recorded (%(when)s).",
                    when=queries.signed_label(event, outcome.signature)), "success")
            return _portal_headers(redirect(url_for("attendance.portal_sign", token=token)))
        refusal = signed.refusal
        error = str(refusal.message)
        status = refusal.status if isinstance(refusal, AttendanceError) else 400
    return _portal_headers(Response(render_template(
        "attendance/portal_sign.html", token=token, participant=participant, event=event,
        sheet=sheet, mine=mine, form=form, nonce=uuid.uuid4().hex, error=error,
        signed_label=queries.signed_label), status))


def portal_certificate(token: str):
    participant = portal_participant_or_404(token)
    event = participant.event
    if utcnow().date() < event.date:
        abort(409, description=_("The certificate of attendance is available after the "
                                 "day."))
    return _portal_headers(_one_certificate(event, participant, attachment=False))


def portal_state(participant: Participant) -> dict:
    """What "Mon programme" shows of émargement: a signing link while a window is open,
    the certificate link after the day for someone who came (three statements)."""
    event = participant.event
    if participant.status != "registered":
        return {"signing": False, "certificate": False}
    after = utcnow().date() >= event.date
    came = after and any(p.came for p in queries.presences(event, [participant]).values())
    return {"signing": queries.open_sheet(event) is not None, "certificate": came}
