"""Calendars as files: feeds (PUBLISH), update emails' parts (REQUEST and CANCEL), and
the HTTP answer of a feed with its validators (ETag, Last-Modified, 304).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask import Response, current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as ResponseBase

from ..events.models import Event
from ..extensions import db
from ..mail import Attachment
from ..registration.models import Participant
from ..scheduling.models import Publication
from .ics import CANCEL, PUBLISH, REQUEST, CalendarDocument, Invitation, build_calendar
from .models import CalendarFeed
from .operations import Stamped, stamp_items
from .queries import CalendarContext, all_participant_items, entries_of, owner_of

ICS_MIMETYPE = "text/calendar"
# Phones poll; a proxy may keep the answer a few minutes, revalidating with the ETag.
FEED_CACHE_CONTROL = "private, max-age=300, must-revalidate"


def participant_calendar_name(event: Event, participant: Participant) -> str:
    with force_locale(participant.locale or "fr"):
        return _("My day · %(event)s", event=event.name)


def publish_document(name: str, event: Event, stamped: Stamped) -> bytes:
    return build_calendar(CalendarDocument(name, event.timezone, stamped.items), method=PUBLISH)


def feed_response(body: bytes, stamped: Stamped, filename: str, *, download: bool
                  ) -> ResponseBase:
    """The calendar with its validators; 304 when the client already has this version.

    The ETag is the body's hash, so it changes exactly when the calendar does; DTSTAMP
    is the item's LAST-MODIFIED (not "now"), which keeps the body stable between polls.
    """
    etag = hashlib.sha256(body).hexdigest()[:32]
    response = Response(body, content_type=f"{ICS_MIMETYPE}; charset=utf-8")
    response.set_etag(etag)
    if stamped.last_modified is not None:
        response.last_modified = stamped.last_modified
    response.headers["Cache-Control"] = FEED_CACHE_CONTROL
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.vary.add("Accept-Language")
    return response.make_conditional(request)


# --- update emails ----------------------------------------------------------------------

@dataclass(frozen=True)
class EmailCalendar:
    """What a publication email carries: the day as an inline REQUEST (mail clients
    update the imported events) and as a file, plus a CANCEL for items that left it."""

    alternatives: tuple[Attachment, ...]
    attachments: tuple[Attachment, ...]


def _invitation(participant: Participant, event: Event) -> Invitation:
    sender = current_app.config["MAIL_SENDER"]
    return Invitation(organizer_email=sender, organizer_name=event.name,
                      attendee_email=participant.email or "",
                      attendee_name=participant.full_name or participant.email or "")


def email_calendar(participant: Participant, event: Event, stamped: Stamped,
                   since: datetime | None) -> EmailCalendar:
    """REQUEST with every current item (same UIDs, their SEQUENCE) and CANCEL with the
    items removed since ``since`` (the previous publication; all removed when None)."""
    name = participant_calendar_name(event, participant)
    invitation = _invitation(participant, event)
    request_ics = build_calendar(CalendarDocument(name, event.timezone, stamped.items),
                                 method=REQUEST, invitation=invitation)
    inline = Attachment("programme.ics", request_ics, ICS_MIMETYPE, (("method", REQUEST),))
    attachments = [inline]
    removed = [(item, stamp) for item, stamp, when in stamped.removed
               if since is None or when >= since]
    if removed:
        cancel_ics = build_calendar(CalendarDocument(name, event.timezone, removed),
                                    method=CANCEL, invitation=invitation)
        attachments.append(Attachment("cancelled.ics", cancel_ics, ICS_MIMETYPE,
                                      (("method", CANCEL),)))
    return EmailCalendar((inline,), tuple(attachments))


def publication_email_calendars(publication: Publication, participant_ids: set[int]
                                ) -> dict[int, EmailCalendar]:
    """The calendars of the people a publication emails (already stamped at publish)."""
    event = publication.event
    previous = db.session.scalar(select(Publication.published_at).where(
        Publication.event_id == event.id, Publication.version == publication.version - 1))
    ctx = CalendarContext.load(event)
    entries = entries_of(event)
    people = {p.id: p for p in db.session.scalars(
        select(Participant).where(Participant.id.in_(participant_ids)))}
    result = {}
    for pid, items in all_participant_items(ctx, only=set(people)).items():
        owner = owner_of("participant", pid)
        stamped = stamp_items(event, owner, items, entries.get(owner, {}), participant_id=pid,
                              now=publication.published_at)
        result[pid] = email_calendar(people[pid], event, stamped, previous)
    return result


def participant_feeds(event: Event, participant_ids: set[int]) -> dict[int, CalendarFeed]:
    """Existing feeds of these participants, by participant id (one query)."""
    rows = db.session.scalars(select(CalendarFeed).where(
        CalendarFeed.event_id == event.id, CalendarFeed.scope == "participant",
        CalendarFeed.participant_id.in_(participant_ids)))
    return {feed.participant_id: feed for feed in rows if feed.participant_id is not None}
