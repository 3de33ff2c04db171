"""What a printed or on-screen badge shows, independent of how it is drawn.

The check-in area builds these from the database (``queries``); the renderer
(``badge_render``) draws them as PNG or PDF without touching the database, so that it
can be tested and benchmarked on its own.

Every text is neutralised when a card is made (:func:`eventapp.text.neutral_line`): rows
stored before input was checked may hold a right-to-left override, which would print a
name reversed, or control characters a font cannot draw.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from ..text import neutral_line


def _neutralise_text(card: object) -> None:
    """Replace every ``str`` field of a frozen dataclass by its neutral form."""
    for spec in fields(card):  # type: ignore[arg-type]
        value = getattr(card, spec.name)
        if isinstance(value, str):
            object.__setattr__(card, spec.name, neutral_line(value))


@dataclass(frozen=True)
class Stripe:
    """One colour stripe of the badge: where the person goes, in time order.

    The colour is never shown alone: ``colour_name`` is printed on the stripe.
    """

    label: str          # "Tour 1", "Tour 2", "Atelier" (already translated)
    room_name: str      # "Salle 2"
    colour: str         # "#RRGGBB" signage colour of the room's theme
    colour_name: str    # "bleu"

    def __post_init__(self) -> None:
        _neutralise_text(self)


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

    def __post_init__(self) -> None:
        _neutralise_text(self)
