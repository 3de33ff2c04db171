"""How check-in reacts to the areas below it. Signals of :mod:`eventapp.signals`:
cancelling or erasing a participant revokes their badge, wherever it happens (organiser
page, portal, API, retention purge, the builder's presenters), in the same transaction.
And the sign-in's landing rule: staff land on the scanner.

Imported with the area's blueprint, so every process that builds the app has them.
"""

from __future__ import annotations

from flask import url_for

from ..auth.views import landing_rule
from ..registration.models import Participant
from ..signals import participant_cancelled, participant_erased
from .operations import revoke_badges
from .queries import staff_event


@participant_cancelled.connect
def badge_of_cancelled(participant: Participant, **_: object) -> None:
    revoke_badges(participant.id, "cancelled")


@participant_erased.connect
def badge_of_erased(participant: Participant, **_: object) -> None:
    """The badge row stays, revoked and without the person: its serial must stay on the
    revocation list."""
    revoke_badges(participant.id, "erased", detach=True)


@landing_rule
def staff_scanner(user: object) -> str | None:
    """Staff, who come to scan, land on the checkpoint menu of today's event (or of the
    one in rehearsal), one tap from scanning; organisers land on their events."""
    if getattr(user, "is_organiser", True):
        return None
    event = staff_event()
    return url_for("checkin.scan_menu", slug=event.slug) if event is not None else None
