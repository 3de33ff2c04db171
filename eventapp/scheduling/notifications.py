"""Telling participants about a publication: each one whose day it changes gets an email.

The emails are queued, then sent by the view after the publication is committed
(:func:`eventapp.mail.commit_and_send`): nobody is told about a programme that was not
saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..calendars import documents as calendar_documents
from ..calendars.operations import ensure_feed, stamp_participant
from ..calendars.queries import feed_links
from ..events.models import Event
from ..mail import OutgoingEmail, queue_email, render_email
from ..registration.models import Participant
from ..registration.queries import settings_of
from ..registration.tokens import PORTAL, issue_token
from ..urls import external_url
from .catalogue import Catalogue
from .models import Publication
from .queries import (
    ParticipantChange,
    changes_if_published,
    draft_day,
    draft_map,
    latest_publication,
    participant_day,
    presenters_without_email,
    publication_changes,
    published_days,
    sessions_under_minimum,
    theme_variety_breaches,
)
from .text import _

SHOWN_WITHOUT_EMAIL = 20


def _told(change: ParticipantChange) -> bool:
    """Whether a publication's change is mailed to its participant (if they have an
    address): registered people still in the schedule."""
    return not change.is_removed and change.participant.status == "registered"


def queue_publication_emails(publication: Publication) -> int:
    """Queue one email per registered participant whose programme this version changed
    (everyone in the first version); returns how many were queued.

    Each email carries a fresh personal link, since only the links' hashes are stored,
    the participant's calendar feed link, and their day as an iCalendar invitation
    (METHOD:REQUEST, same UIDs as before with higher SEQUENCEs where something changed,
    and a METHOD:CANCEL file for what left their day), so a calendar that imported the
    first email is updated without waiting for a subscription to refresh.
    """
    event = publication.event
    changes = [c for c in publication_changes(event, version=publication.version)
               if _told(c) and c.participant.email]
    days = published_days(publication)
    settings = settings_of(event)
    calendars = calendar_documents.publication_email_calendars(
        publication, {c.participant.id for c in changes})
    feeds = calendar_documents.participant_feeds(event, {c.participant.id for c in changes})
    for change in changes:
        person = change.participant
        link = external_url("portal.home", token=issue_token(person, PORTAL))
        feed = feeds.get(person.id) or ensure_feed(event, "participant", participant=person)
        template = "programme_published" if publication.version == 1 or change.is_new \
            else "programme_changed"
        message = render_email(template, person.email, person.locale, participant=person,
                               event=event, settings=settings, link=link,
                               day=days.get(person.id, []), moves=change.moves,
                               calendar_links=feed_links(feed))
        calendar = calendars.get(person.id)
        if calendar is not None:
            message = replace(message, alternatives=calendar.alternatives,
                              attachments=calendar.attachments)
        queue_email(message)
    return len(changes)


def queue_switch_email(participant: Participant) -> bool:
    """Confirm a participant's own switch by email, with their day as it now is (the
    snapshot was updated in the same transaction). False when they have no address."""
    if not participant.email:
        return False
    event = participant.event
    link = external_url("portal.home", token=issue_token(participant, PORTAL))
    feed = ensure_feed(event, "participant", participant=participant)
    message = render_email("programme_switched", participant.email, participant.locale,
                           participant=participant, event=event, link=link,
                           settings=settings_of(event), day=participant_day(participant),
                           calendar_links=feed_links(feed))
    calendar = calendar_documents.email_calendar(participant, event,
                                                 stamp_participant(participant), since=None)
    queue_email(replace(message, alternatives=calendar.alternatives,
                        attachments=calendar.attachments[:1]))
    return True


@dataclass
class PublicationPreview:
    """What the organiser sees before confirming a publication."""

    version: int                     # the version publishing now would create
    emailed: int                     # how many participants receive an email
    without_email: list[Participant] = field(default_factory=list)  # told, no address
    presenters: list[Participant] = field(default_factory=list)  # presenters, no address
    example: OutgoingEmail | None = None  # the first recipient's email, links blanked
    thin: list = field(default_factory=list)  # (session, seated) under their minimum
    narrow: list = field(default_factory=list)  # (participant, got, needed) too few themes

    @property
    def refused(self) -> bool:
        """Publication would refuse the draft (soft rules broken by hand moves)."""
        return bool(self.thin or self.narrow)

    @property
    def silent(self) -> int:
        return len(self.without_email) + len(self.presenters)


def preview_publication(event: Event) -> PublicationPreview:
    """Count and name who publishing now would tell (and who it cannot, for lack of an
    address), and render the first recipient's email. Writes nothing: no personal link
    or calendar feed is issued for the preview, their places say so instead."""
    cat = Catalogue.load(event)
    latest = latest_publication(event)
    version = (latest.version if latest else 0) + 1
    told = [c for c in changes_if_published(event, cat) if _told(c)]
    recipients = [c for c in told if c.participant.email]
    silent = [c.participant for c in told if not c.participant.email]
    seen = {p.id for p in silent}
    presenters = [p for p in presenters_without_email(event) if p.id not in seen]
    preview = PublicationPreview(version, len(recipients), silent, presenters,
                                 thin=sessions_under_minimum(cat),
                                 narrow=theme_variety_breaches(cat, draft_map(event)))
    if recipients:
        change = recipients[0]
        person = change.participant
        template = "programme_published" if version == 1 or change.is_new \
            else "programme_changed"
        blank = _("(their personal link)")
        preview.example = render_email(
            template, person.email, person.locale, participant=person, event=event,
            settings=settings_of(event), link=blank,
            day=draft_day(person, cat), moves=change.moves,
            calendar_links={"webcal": blank, "https": blank})
    return preview
