"""What publishing now would do, shown to the organiser before they confirm: how many
people are emailed, who cannot be (no address: participants and presenters), the email
as the first recipient would get it, and what would make publication refuse the draft.
Writes nothing but its stored comparison (``review_store``: who the draft changes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..events.models import Event
from ..mail import OutgoingEmail, render_email
from ..registration.models import Participant, ParticipantStatus
from ..registration.queries import settings_of
from .catalogue import ScheduleCatalogue
from .queries import (
    ParticipantChange,
    changes_data,
    changes_from_data,
    changes_if_published,
    draft_day,
    draft_map,
    latest_publication,
    presenters_without_email,
    sessions_under_minimum,
    theme_variety_breaches,
)
from .review_store import DRAFT_PREVIEW, stored_review_data
from .text import _

SHOWN_WITHOUT_EMAIL = 20


def told(change: ParticipantChange) -> bool:
    """Whether a publication's change is mailed to its participant (if they have an
    address): registered people still in the schedule."""
    return not change.is_removed and change.participant.status == ParticipantStatus.REGISTERED


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
    cat = ScheduleCatalogue.load(event)
    latest = latest_publication(event)
    version = (latest.version if latest else 0) + 1
    changes = changes_from_data(cat, stored_review_data(
        event.id, DRAFT_PREVIEW, lambda: changes_data(changes_if_published(event, cat))))
    informed = [c for c in changes if told(c)]
    recipients = [c for c in informed if c.participant.email]
    silent = [c.participant for c in informed if not c.participant.email]
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
        assert person.email  # recipients are the people with an address
        preview.example = render_email(
            template, person.email, person.locale, participant=person, event=event,
            settings=settings_of(event), link=blank,
            day=draft_day(person, cat), moves=change.moves,
            calendar_links={"webcal": blank, "https": blank})
    return preview
