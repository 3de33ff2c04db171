"""Calendar views: the feeds (the secret in the URL is the credential, since calendar
apps send no cookies), the participant's new-link button, and the organisers' page.

Reading a feed brings the versions of its items up to date (a programme edit shows at the
next poll with a higher SEQUENCE) and commits only when something changed.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..programme.models import Room
from ..programme.queries import get_event_or_404
from ..registration.forms import ConfirmForm
from ..registration.models import Participant, ParticipantStatus
from ..registration.tokens import portal_participant_or_404
from ..web import commit_or_refuse
from . import operations
from .documents import feed_response, participant_calendar_name, publish_document
from .ics import CalendarItem
from .models import CalendarFeed
from .operations import Stamped, stamp_organiser_calendar, stamp_participant
from .queries import (
    CalendarContext,
    feed_links,
    find_feed,
    organiser_feeds,
    owner_of,
    presenter_items,
    presenters_of,
    programme_items,
    room_items,
)


def _stamp_and_commit(stamp: Callable[[], Stamped]) -> Stamped:
    """Stamp, commit if anything changed; two polls racing on a first stamp: the loser
    reads again what the winner wrote."""
    try:
        stamped = stamp()
        if stamped.changed:
            db.session.commit()
    except IntegrityError:
        db.session.rollback()
        stamped = stamp()
        db.session.commit()
    return stamped


def _wants_download() -> bool:
    return request.args.get("download") == "1"


# --- participants -------------------------------------------------------------------------

def participant_feed(secret: str):
    feed = find_feed(secret)
    if feed is None or feed.scope != "participant":
        abort(404)
    participant = feed.participant
    assert participant is not None  # a participant feed names its participant (constraint)
    event = participant.event
    if participant.status == ParticipantStatus.CANCELLED:
        abort(410)
    ctx = CalendarContext.load(event, participant=participant)
    stamped = _stamp_and_commit(lambda: stamp_participant(participant, ctx))
    body = publish_document(participant_calendar_name(event, participant), event, stamped)
    return feed_response(body, stamped, f"{event.slug}.ics", download=_wants_download())


def new_participant_link(token: str):
    """The participant replaces their calendar link (the old one stops at once)."""
    participant = portal_participant_or_404(token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if commit_or_refuse(lambda: operations.replace_feed_secret(operations.ensure_feed(
            participant.event, "participant", participant=participant))):
        flash(_("Your calendar link is replaced: the old one no longer works. Subscribe "
                "again with the new link below."), "success")
    return redirect(url_for("portal.home", token=token) + "#my-calendar")


# --- organisers' calendars ---------------------------------------------------------------

def _organiser_calendar(ctx: CalendarContext, feed_owner: str) -> tuple[str, list[CalendarItem]]:
    """Name and items of an organiser calendar ("programme", "room:<id>",
    "presenter:<id>"); 404 when the room or presenter is not part of the event."""
    event = ctx.event
    if feed_owner == "programme":
        return _("Programme · %(event)s", event=event.name), programme_items(ctx)
    scope, _sep, raw_id = feed_owner.partition(":")
    if scope == "room":
        room = ctx.cat.rooms.get(int(raw_id))
        if room is None:
            abort(404)
        return _("%(room)s · %(event)s", room=room.name, event=event.name), \
            room_items(ctx, room)
    presenter = db.session.get(Participant, int(raw_id))
    if presenter is None or presenter.event_id != event.id:
        abort(404)
    return (_("Presentations of %(name)s · %(event)s", name=presenter.full_name,
              event=event.name), presenter_items(ctx, presenter))


def _organiser_response(event, feed_owner: str, filename: str, *, download: bool):
    ctx = CalendarContext.load(event, with_audience=True)
    name, items = _organiser_calendar(ctx, feed_owner)
    scope, _sep, raw_id = feed_owner.partition(":")
    keys = {"room_id": int(raw_id)} if scope == "room" else \
        {"participant_id": int(raw_id)} if scope == "presenter" else {}
    stamped = _stamp_and_commit(
        lambda: stamp_organiser_calendar(event, feed_owner, items, **keys))
    return feed_response(publish_document(name, event, stamped), stamped, filename,
                         download=download)


def organiser_feed(secret: str):
    feed = find_feed(secret)
    if feed is None or feed.scope == "participant":
        abort(404)
    return _organiser_response(feed.event, feed.owner, f"{feed.event.slug}-{feed.scope}.ics",
                               download=_wants_download())


def download_programme(slug: str):
    event = get_event_or_404(slug)
    return _organiser_response(event, "programme", f"{slug}-programme.ics", download=True)


def download_room(slug: str, room_id: int):
    event = get_event_or_404(slug)
    room = db.session.get(Room, room_id)
    if room is None or room.event_id != event.id:
        abort(404)
    return _organiser_response(event, owner_of("room", room_id=room.id),
                               f"{slug}-room-{room.key}.ics", download=True)


def download_presenter(slug: str, participant_id: int):
    event = get_event_or_404(slug)
    person = db.session.get(Participant, participant_id)
    if person is None or person.event_id != event.id:
        abort(404)
    return _organiser_response(event, owner_of("presenter", person.id),
                               f"{slug}-presenter-{person.key}.ics", download=True)


def manage(slug: str):
    event = get_event_or_404(slug)
    ctx = CalendarContext.load(event)
    feeds = organiser_feeds(event)
    rows: list[tuple[str, str, str | None, Room | Participant | None]] = [
        ("programme", _("Whole programme"), None, None)]
    rows += [(owner_of("room", room_id=room.id), room.name, "room", room)
             for room in ctx.cat.rooms.values()]
    rows += [(owner_of("presenter", person.id), person.full_name or person.key, "presenter",
              person) for person in presenters_of(ctx)]
    entries = [{"owner": owner, "label": label, "kind": kind, "target": target,
                "feed": feeds.get(owner),
                "links": feed_links(feeds[owner]) if owner in feeds else None}
               for owner, label, kind, target in rows]
    return render_template("calendars/manage.html", event=event, entries=entries,
                           form=ConfirmForm(), missing=sum(1 for e in entries if not e["feed"]))


def create_links(slug: str):
    event = get_event_or_404(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    created = commit_or_refuse(lambda: operations.create_organiser_feeds(event))
    if created:
        flash(_("%(count)d calendar link(s) created.", count=created.value), "success")
    return redirect(url_for("calendars.manage", slug=slug))


def _event_feed_or_404(slug: str, feed_id: int):
    event = get_event_or_404(slug)
    feed = db.session.get(CalendarFeed, feed_id)
    if feed is None or feed.event_id != event.id or feed.scope == "participant":
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return event, feed


def replace_link(slug: str, feed_id: int):
    _event, feed = _event_feed_or_404(slug, feed_id)
    if commit_or_refuse(lambda: operations.replace_feed_secret(feed)):
        flash(_("New link created: the old one no longer works."), "success")
    return redirect(url_for("calendars.manage", slug=slug))


def revoke_link(slug: str, feed_id: int):
    _event, feed = _event_feed_or_404(slug, feed_id)
    if commit_or_refuse(lambda: operations.revoke_feed(feed)):
        flash(_("Link revoked: calendars subscribed to it no longer receive anything."),
              "success")
    return redirect(url_for("calendars.manage", slug=slug))
