"""How check-in reacts to the registration area (signals of :mod:`eventapp.signals`):
cancelling or erasing a participant revokes their badge, wherever it happens (organiser
page, portal, API, retention purge, the builder's presenters), in the same transaction.

Imported with the area's blueprint, so every process that builds the app has them.
"""

from __future__ import annotations

from ..registration.models import Participant
from ..signals import participant_cancelled, participant_erased
from .operations import revoke_badges


@participant_cancelled.connect
def badge_of_cancelled(participant: Participant, **_: object) -> None:
    revoke_badges(participant.id, "cancelled")


@participant_erased.connect
def badge_of_erased(participant: Participant, **_: object) -> None:
    """The badge row stays, revoked and without the person: its serial must stay on the
    revocation list."""
    revoke_badges(participant.id, "erased", detach=True)
