"""Telling participants about a publication: each one whose day it changes gets an email.

The emails carry calendar invitations, so they live here, above the scheduling area:
a publication reaches them through the ``schedule_published`` signal (``receivers.py``).

The emails are queued, then sent by the view after the publication is committed
(:func:`eventapp.mail.commit_and_send`): nobody is told about a programme that was not
saved.
"""

from __future__ import annotations

from dataclasses import replace

from ..mail import queue_email, render_email
from ..registration.models import Participant
from ..registration.queries import settings_of
from ..registration.tokens import PORTAL, issue_token
from ..scheduling.models import Publication
from ..scheduling.preview import told
from ..scheduling.queries import participant_day, publication_changes, published_days
from ..urls import external_url
from . import documents as calendar_documents
from .operations import ensure_feed, stamp_participant
from .queries import feed_links


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
               if told(c) and c.participant.email]
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
        assert person.email  # only people with an address are notified
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
