"""How the calendars react to the scheduling area (signals of :mod:`eventapp.signals`).

Imported with the area's blueprint, so the receivers are connected in every process that
builds the app (web, CLI, RQ worker).
"""

from __future__ import annotations

from ..registration.models import Participant
from ..scheduling.models import Publication
from ..signals import assignment_changed, schedule_published
from .notifications import queue_publication_emails
from .operations import record_publication, stamp_participant


@schedule_published.connect
def publication_recorded(publication: Publication, *, notify: bool = False, **_: object
                         ) -> None:
    """Changed items get a higher SEQUENCE, items no longer in a day go; then, when the
    participants are to be told, one email each whose day changed (sent after commit)."""
    record_publication(publication)
    if notify:
        queue_publication_emails(publication)


@assignment_changed.connect
def day_changed(participant: Participant, **_: object) -> None:
    """Their calendar says the new session or workshop at once."""
    stamp_participant(participant)
