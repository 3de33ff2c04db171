"""Telling participants about a publication: each one whose day it changes gets an email.

The emails are queued, then sent by the view after the publication is committed
(:func:`eventapp.mail.commit_and_send`): nobody is told about a programme that was not
saved.
"""

from __future__ import annotations

from flask import url_for

from ..mail import queue_email, render_email
from ..registration.models import Participant
from ..registration.queries import settings_of
from ..registration.tokens import PORTAL, issue_token
from .models import Publication
from .queries import participant_day, publication_changes, published_days


def queue_publication_emails(publication: Publication) -> int:
    """Queue one email per registered participant whose programme this version changed
    (everyone in the first version); returns how many were queued.

    Each email carries a fresh personal link, since only the links' hashes are stored.
    """
    event = publication.event
    changes = publication_changes(event, version=publication.version)
    days = published_days(publication)
    settings = settings_of(event)
    queued = 0
    for change in changes:
        person = change.participant
        if change.is_removed or not person.email or person.status != "registered":
            continue
        link = url_for("portal.home", token=issue_token(person, PORTAL), _external=True)
        template = "programme_published" if publication.version == 1 or change.is_new \
            else "programme_changed"
        queue_email(render_email(template, person.email, person.locale, participant=person,
                                 event=event, settings=settings, link=link,
                                 day=days.get(person.id, []), moves=change.moves))
        queued += 1
    return queued


def queue_switch_email(participant: Participant) -> bool:
    """Confirm a participant's own switch by email, with their day as it now is (the
    snapshot was updated in the same transaction). False when they have no address."""
    if not participant.email:
        return False
    event = participant.event
    link = url_for("portal.home", token=issue_token(participant, PORTAL), _external=True)
    queue_email(render_email("programme_switched", participant.email, participant.locale,
                             participant=participant, event=event, link=link,
                             settings=settings_of(event), day=participant_day(participant)))
    return True
