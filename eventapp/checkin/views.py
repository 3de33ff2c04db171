"""Check-in pages and the staff page's JSON routes (cookie session).

Staff (and organisers) read checkpoints and bundles and post scans; only organisers see
the dashboard, exports, badges and reissue. The badge PNG/PDF are drawn by
``badge_render`` (imported inside the views: the renderer is its own module).
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..auth.access import organiser_required, staff_required
from ..database import commit_keeping_loaded
from ..db_types import database_id
from ..events.models import Event
from ..extensions import db
from ..programme.queries import get_event_or_404
from ..registration.models import Participant, ParticipantStatus
from ..registration.tokens import PORTAL, find_by_token
from ..web import commit_or_refuse, csv_stream
from . import operations, queries, scan_cache, scanning
from . import scan_page as staff_page
from .forms import BodyError, EndRehearsalForm, ReissueForm, StartRehearsalForm

LAYOUTS = ("a4", "a6")


def _participant_or_404(event: Event, participant_id: int) -> Participant:
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.event_id != event.id:
        abort(404)
    return participant


def _id_or_404(value: str) -> int:
    """A row id from a query string; anything else names no row: 404."""
    try:
        return database_id(value)
    except ValueError:
        abort(404)


def _json_error(status: int, message: str, field: str | None = None) -> tuple[Response, int]:
    return jsonify({"error": {"status": status, "message": message, "field": field,
                              "details": [{"field": field, "message": message}]}}), status


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the staff scanning page -----------------------------------------------------------

@staff_required
def scan_menu(slug: str):
    event = get_event_or_404(slug)
    groups = staff_page.checkpoint_menu(event)
    commit_keeping_loaded()  # checkpoints synced
    open_now = [entry for group in groups for entry in group.entries if entry.open_now]
    return render_template("checkin/scan_menu.html", event=event, groups=groups,
                           open_now=open_now)


@staff_required
def scan_page(slug: str, checkpoint_id: int):
    event = get_event_or_404(slug)
    checkpoint = queries.get_checkpoint(event, checkpoint_id)
    if checkpoint is None or not checkpoint.active:
        abort(404)
    label = staff_page.checkpoint_label(event, checkpoint)
    urls = {
        "bundle": url_for("checkin.bundle_json", slug=slug, checkpoint_id=checkpoint.id),
        "search": url_for("checkin.search_json", slug=slug, checkpoint_id=checkpoint.id),
        "scan": url_for("checkin.scan_json", slug=slug),
        "upload": url_for("checkin.upload_json", slug=slug),
        "sw": url_for("checkin.scan_service_worker", slug=slug),
        "menu": url_for("checkin.scan_menu", slug=slug),
    }
    # The service worker keeps the page for offline reloads: it must not be stored by
    # anything else, and its CSRF token is refreshed by the page when it goes stale.
    return _private(Response(render_template(
        "checkin/scan.html", event=event, checkpoint=checkpoint, label=label, urls=urls,
        labels=staff_page.page_labels())))


def scan_service_worker(slug: str):
    """The service worker from inside the staff pages' path, so that its scope covers
    them (a worker's scope cannot be above its URL); no-cache so updates are seen."""
    get_event_or_404(slug)
    static = current_app.static_folder
    assert static is not None  # the app serves its static folder
    response = send_from_directory(Path(static) / "checkin", "sw.js",
                                   mimetype="text/javascript", max_age=0)
    response.headers["Service-Worker-Allowed"] = url_for("checkin.scan_menu", slug=slug)
    response.headers["Cache-Control"] = "no-cache"
    return response


@staff_required
def search_json(slug: str, checkpoint_id: int):
    event = get_event_or_404(slug)
    checkpoint = queries.get_checkpoint(event, checkpoint_id)
    if checkpoint is None:
        return _json_error(404, f"No checkpoint {checkpoint_id} in this event.", "checkpoint")
    try:
        results = staff_page.search(event, checkpoint, request.args.get("q", ""))
    except staff_page.SearchError as error:
        return _json_error(400, str(error), "q")
    return _private(jsonify({"query": request.args.get("q", ""), "results": results}))


# --- the staff page's JSON -------------------------------------------------------------

@staff_required
def checkpoints_json(slug: str):
    event = get_event_or_404(slug)
    data = {"event": event.slug, "checkpoints": queries.checkpoint_list(event)}
    db.session.commit()
    return _private(jsonify(data))


@staff_required
def bundle_json(slug: str, checkpoint_id: int):
    event = get_event_or_404(slug)
    checkpoint = queries.get_checkpoint(event, checkpoint_id)
    if checkpoint is None:
        return _json_error(404, f"No checkpoint {checkpoint_id} in this event.", "checkpoint")
    data = queries.checkpoint_bundle(event, checkpoint)
    db.session.commit()
    return _private(jsonify(data))


def _json_body():
    data = request.get_json(silent=True)
    if data is None:
        raise BodyError("body", "Send a JSON body with Content-Type: application/json.")
    return data


@staff_required
def scan_json(slug: str):
    # The event (and the staff member, the checkpoint) from the scan routes' cache:
    # a scan costs its own statements only (scan_cache, scan_sql).
    event = scan_cache.scan_event_or_404(slug)
    try:
        answer = scanning.scan(event, _json_body(), current_user)
    except BodyError as error:
        db.session.rollback()
        return _json_error(error.status, error.message, error.field)
    db.session.commit()
    return _private(jsonify(answer))


@staff_required
def upload_json(slug: str):
    event = get_event_or_404(slug)
    try:
        answer = scanning.upload(event, _json_body(), current_user)
    except BodyError as error:
        db.session.rollback()
        return _json_error(400, error.message, error.field)
    db.session.commit()
    return _private(jsonify(answer))


# --- organisers ------------------------------------------------------------------------

@organiser_required
def dashboard(slug: str):
    event = get_event_or_404(slug)
    data = queries.dashboard(event)
    commit_keeping_loaded()  # checkpoints synced, badges issued
    return render_template("checkin/dashboard.html", event=event, board=data,
                           labels=queries.RESULT_LABELS,
                           time_flag_labels=queries.TIME_FLAG_LABELS,
                           start_form=StartRehearsalForm(),
                           end_form=EndRehearsalForm(),
                           category_label=queries.category_label)


@organiser_required
def rehearsal_start(slug: str):
    event = get_event_or_404(slug)
    if not StartRehearsalForm().validate_on_submit():
        abort(400)
    operations.start_rehearsal(event)
    db.session.commit()
    flash(_("Rehearsal started: every checkpoint answers as if it were open. End it before "
            "the day, deleting the practice's scans."), "success")
    return redirect(url_for("checkin.dashboard", slug=slug))


@organiser_required
def rehearsal_end(slug: str):
    event = get_event_or_404(slug)
    form = EndRehearsalForm()
    if not form.validate_on_submit():
        abort(400)
    ended = operations.end_rehearsal(event, discard_scans=form.discard_scans.data)
    db.session.commit()
    flash(ngettext("Rehearsal ended: time windows are checked again. %(num)d scan deleted.",
                   "Rehearsal ended: time windows are checked again. %(num)d scans deleted.",
                   ended.scans_deleted), "success")
    return redirect(url_for("checkin.dashboard", slug=slug))


@organiser_required
def attendance_csv(slug: str):
    event = get_event_or_404(slug)
    return csv_stream(queries.attendance_rows(event), f"presences-{event.slug}.csv")


@organiser_required
def summary(slug: str):
    event = get_event_or_404(slug)
    lines = queries.category_summary(event)
    counts = queries.attendance(event)
    commit_keeping_loaded()
    return render_template("checkin/summary.html", event=event, lines=lines, counts=counts,
                           registered=sum(line.registered for line in lines),
                           came=sum(line.came for line in lines))


@organiser_required
def badge_png(slug: str, participant_id: int):
    from .badge_render import render_badge_png

    event = get_event_or_404(slug)
    participant = _participant_or_404(event, participant_id)
    if participant.status == "cancelled":
        abort(404)
    card = queries.badge_cards(event, participants=[participant])[0]
    db.session.commit()
    return _private(Response(render_badge_png(card), mimetype="image/png"))


@organiser_required
def badges_pdf(slug: str):
    from .badge_render import render_badges_pdf

    event = get_event_or_404(slug)
    layout = request.args.get("layout", "a4")
    sort = request.args.get("sort", "name")
    if layout not in LAYOUTS or sort not in queries.SORTS:
        abort(400, description=_("Choose a layout (a4 or a6) and a sort (name, organisation "
                                 "or room)."))
    only = request.args.get("participant")
    people = None
    if only is not None:  # one person's badge (a reprint)
        person = _participant_or_404(event, _id_or_404(only))
        if person.status == "cancelled":
            abort(404)
        people = [person]
    cards = queries.badge_cards(event, sort=sort, participants=people)
    commit_keeping_loaded()
    pdf = render_badges_pdf(cards, "a6" if layout == "a6" else "a4")
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="badges-{event.slug}-{layout}.pdf"')
    return _private(response)


@organiser_required
def badge_reissue(slug: str, participant_id: int):
    event = get_event_or_404(slug)
    participant = _participant_or_404(event, participant_id)
    form = ReissueForm()
    if not form.validate_on_submit():
        abort(400)
    if not commit_or_refuse(lambda: operations.reissue_badge(participant),
                            operations.CheckinError):
        return redirect(url_for("registration.participant_edit", slug=slug,
                                participant_id=participant.id))
    flash(_("A new badge was issued for %(name)s: the old one no longer opens any door. "
            "Print the new one.", name=participant.full_name), "success")
    return redirect(url_for("registration.participant_edit", slug=slug,
                            participant_id=participant.id))


# --- the participant ("Mon programme") -------------------------------------------------

def portal_badge_png(token: str):
    """The participant's own badge, shown on their portal page (the link is the key)."""
    from .badge_render import render_badge_png

    participant = find_by_token(token, PORTAL)
    if participant is None or participant.status != ParticipantStatus.REGISTERED:
        abort(404)
    card = queries.badge_cards(participant.event, participants=[participant])[0]
    db.session.commit()
    response = Response(render_badge_png(card), mimetype="image/png")
    response.headers["Referrer-Policy"] = "no-referrer"
    return _private(response)
