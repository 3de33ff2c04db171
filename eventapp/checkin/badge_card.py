"""What a printed or on-screen badge shows, independent of how it is drawn.

The check-in area builds these from the database (``queries``); the renderer
(``badge_render``) draws them as PNG or PDF without touching the database, so that it
can be tested and benchmarked on its own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stripe:
    """One colour stripe of the badge: where the person goes, in time order.

    The colour is never shown alone: ``colour_name`` is printed on the stripe.
    """

    label: str          # "Tour 1", "Tour 2", "Atelier" (already translated)
    room_name: str      # "Salle 2"
    colour: str         # "#RRGGBB" signage colour of the room's theme
    colour_name: str    # "bleu"


@dataclass(frozen=True)
class BadgeCard:
    """Everything one badge shows; ``qr_text`` is the exact text encoded in its QR code."""

    full_name: str
    organisation: str
    category_label: str             # translated category ("Association"), may be ""
    event_name: str
    event_date_label: str           # "Mercredi 7 décembre 2016" (already localised)
    stripes: tuple[Stripe, ...]     # speed-dating rounds in order, then the workshop
    qr_text: str
