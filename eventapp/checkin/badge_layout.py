"""Where everything sits on a badge, in millimetres, independent of PDF or PNG.

The layout is computed once per badge and then drawn by a backend (``badge_render``), so
that the rules that matter (a long name shrinks, then wraps, and never leaves its box; a
stripe always shows its colour *and* its name in a contrasting text colour) are written
once and can be checked without rasterising anything. Text is measured through a
``Measurer`` given by the backend, because the PDF (unhinted advances) and the PNG
(FreeType at a pixel size) measure the same string slightly differently.

Coordinates: millimetres, origin at the badge's top-left corner, y pointing down.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import qrcode
from qrcode.constants import ERROR_CORRECT_Q

from ..colours import HEX_COLOUR, readable_text_colour
from .badge_card import BadgeCard, Stripe

MM_PER_PT = 25.4 / 72
# Printed badges get creased, scratched and half-hidden by a lanyard clip: level Q
# restores up to 25 % of damaged modules for a few more modules than M.
QR_ERROR_CORRECTION = ERROR_CORRECT_Q
QR_QUIET_ZONE_MODULES = 4  # the standard's minimum; scanners need it to find the code
STRIPE_OUTLINE = "#333333"  # makes white or pale stripes visible on white card
TEXT_COLOUR = "#000000"
WIDTH_TOLERANCE_MM = 0.01


class Measurer(Protocol):
    """How the backend measures text; ascent/descent are fractions of the font size."""

    ascent: float
    descent: float

    def width_mm(self, text: str, bold: bool, size_pt: float) -> float: ...


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def contains(self, other: Box, tolerance: float = WIDTH_TOLERANCE_MM) -> bool:
        return (other.x >= self.x - tolerance and other.y >= self.y - tolerance
                and other.right <= self.right + tolerance
                and other.bottom <= self.bottom + tolerance)

    def overlaps(self, other: Box) -> bool:
        return (self.x < other.right and other.x < self.right
                and self.y < other.bottom and other.y < self.bottom)


@dataclass(frozen=True)
class TextStyle:
    """Size range (points) and line count of one text field; bold or regular."""

    max_pt: float
    min_pt: float
    max_lines: int = 1
    bold: bool = False
    align: Literal["left", "center"] = "left"


@dataclass(frozen=True)
class FittedText:
    """A text fitted into its box: the lines, their common size and where each sits."""

    box: Box
    lines: tuple[str, ...]
    size_pt: float
    bold: bool
    colour: str
    line_x: tuple[float, ...]
    baselines: tuple[float, ...]
    widths: tuple[float, ...]
    ascent_mm: float
    descent_mm: float

    def line_boxes(self) -> list[Box]:
        """The ink box of each line (advance width, font ascent to descent)."""
        return [Box(x, base - self.ascent_mm, width, self.ascent_mm + self.descent_mm)
                for x, base, width in zip(self.line_x, self.baselines, self.widths,
                                          strict=True)]


@dataclass(frozen=True)
class StripeLayout:
    box: Box
    fill: str
    text: FittedText


@dataclass(frozen=True)
class QRLayout:
    """The QR square; ``matrix`` rows include the quiet zone (True = dark module)."""

    box: Box
    matrix: tuple[tuple[bool, ...], ...]

    @property
    def modules(self) -> int:
        return len(self.matrix)


@dataclass(frozen=True)
class BadgeGeometry:
    """The fixed boxes of one badge format; texts are fitted into them."""

    name: str
    width: float
    height: float
    event: Box
    full_name: Box
    organisation: Box
    category: Box
    qr: Box
    stripes: Box
    event_style: TextStyle
    name_style: TextStyle
    organisation_style: TextStyle
    category_style: TextStyle
    stripe_style: TextStyle
    stripe_max_height: float
    stripe_gap: float
    stripe_padding: float

    @property
    def outline(self) -> Box:
        return Box(0, 0, self.width, self.height)


@dataclass(frozen=True)
class BadgeLayout:
    geometry: BadgeGeometry
    event: FittedText
    full_name: FittedText
    organisation: FittedText
    category: FittedText
    stripes: tuple[StripeLayout, ...]
    qr: QRLayout

    @property
    def texts(self) -> tuple[FittedText, ...]:
        return (self.event, self.full_name, self.organisation, self.category,
                *(stripe.text for stripe in self.stripes))


# Badge cut from an A4 sheet of 8 (2 x 4): landscape, QR on the right.
CARD_90X65 = BadgeGeometry(
    name="90x65", width=90, height=65,
    event=Box(3, 3, 84, 5),
    full_name=Box(3, 9, 55, 14),
    organisation=Box(3, 23.5, 55, 7.5),
    category=Box(3, 31.5, 55, 4.5),
    qr=Box(60, 8.5, 27, 27),
    stripes=Box(3, 37.5, 84, 24.5),
    event_style=TextStyle(8, 5.5, max_lines=2),
    name_style=TextStyle(20, 11, max_lines=2, bold=True),
    organisation_style=TextStyle(10, 7, max_lines=2),
    category_style=TextStyle(9, 6.5, bold=True),
    stripe_style=TextStyle(9.5, 6, max_lines=2, bold=True),
    stripe_max_height=7, stripe_gap=0.6, stripe_padding=1.5,
)

# A6 card (one per page) and the phone image: portrait, QR large in the middle.
CARD_A6 = BadgeGeometry(
    name="a6", width=105, height=148,
    event=Box(6, 6, 93, 9),
    full_name=Box(6, 16, 93, 22),
    organisation=Box(6, 39, 93, 10),
    category=Box(6, 50, 93, 6),
    qr=Box(27.5, 57, 50, 50),
    stripes=Box(6, 109, 93, 33),
    event_style=TextStyle(11, 7, max_lines=2, align="center"),
    name_style=TextStyle(30, 14, max_lines=2, bold=True, align="center"),
    organisation_style=TextStyle(14, 9, max_lines=2, align="center"),
    category_style=TextStyle(13, 8, bold=True, align="center"),
    stripe_style=TextStyle(13, 7, max_lines=2, bold=True),
    stripe_max_height=9, stripe_gap=0.8, stripe_padding=2.5,
)

_SPACES = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """NFC (a name typed as e + combining accent draws as é) and single spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def _word_splits(text: str) -> Iterable[tuple[str, str]]:
    """Two-line splits at spaces (dropped) and after hyphens (kept on the first line)."""
    for index, char in enumerate(text):
        if char == " ":
            yield text[:index], text[index + 1:]
        elif char in "-\u2010" and 0 < index < len(text) - 1 and text[index + 1] != " ":
            yield text[: index + 1], text[index + 1:]


def _char_splits(text: str) -> Iterable[tuple[str, str]]:
    """Splits inside a word, for a single word too long for a line: "Wolfeschle-" "gel"."""
    for index in range(1, len(text)):
        head, tail = text[:index].rstrip(), text[index:].lstrip()
        if head and tail:
            joiner = "-" if head[-1].isalpha() and tail[0].isalpha() else ""
            yield head + joiner, tail


def fit_text(text: str, box: Box, style: TextStyle, measure: Measurer,
             colour: str = TEXT_COLOUR) -> FittedText:
    """Fit ``text`` into ``box``: one line as large as possible down to ``min_pt``, then
    (if allowed) two lines, then below ``min_pt`` rather than overflow or cut a letter."""
    text = clean_text(text)
    line_em = (measure.ascent + measure.descent) * MM_PER_PT  # mm per point of size
    reference = style.max_pt

    def size_for(lines: Sequence[str]) -> float:
        widest = max(measure.width_mm(line, style.bold, reference) for line in lines)
        by_width = box.w * reference / widest if widest > 0 else style.max_pt
        by_height = box.h / (len(lines) * line_em)
        return min(style.max_pt, by_width, by_height)

    if not text:
        return _place(box, (), style, measure, colour, style.max_pt)
    candidates: list[tuple[tuple[str, ...], float]] = [((text,), size_for((text,)))]
    if candidates[0][1] < style.min_pt and style.max_lines >= 2:
        for splits in (_word_splits(text), _char_splits(text)):
            # the largest size; among equals (capped by height), the most balanced lines
            best = max(((lines, size_for(lines)) for lines in splits),
                       key=lambda candidate: (round(candidate[1], 2),
                                              -_widest(candidate[0], style.bold, measure)),
                       default=None)
            if best is not None:
                candidates.append(best)
                if best[1] >= style.min_pt:
                    break
        candidates = [next((c for c in candidates if c[1] >= style.min_pt),
                           max(candidates, key=lambda candidate: candidate[1]))]
    lines, size = candidates[0]
    size = _shrink_until_it_fits(lines, size, box, style.bold, measure)
    return _place(box, lines, style, measure, colour, size)


def _widest(lines: Sequence[str], bold: bool, measure: Measurer) -> float:
    return max(measure.width_mm(line, bold, 10) for line in lines)


def _shrink_until_it_fits(lines: Sequence[str], size: float, box: Box, bold: bool,
                          measure: Measurer) -> float:
    """Width is not exactly linear in size when the backend hints glyphs: check for real."""
    size = int(size * 20) / 20  # round down to 0.05 pt
    while size > 0.5 and any(measure.width_mm(line, bold, size) > box.w for line in lines):
        size = int(size * 0.97 * 20) / 20
    return size


def _place(box: Box, lines: Sequence[str], style: TextStyle, measure: Measurer,
           colour: str, size: float) -> FittedText:
    """Centre the block of lines vertically in the box; align each line."""
    ascent, descent = measure.ascent * size * MM_PER_PT, measure.descent * size * MM_PER_PT
    line_height = ascent + descent
    top = box.y + (box.h - line_height * len(lines)) / 2
    widths = tuple(measure.width_mm(line, style.bold, size) for line in lines)
    if style.align == "center":
        xs = tuple(box.x + (box.w - width) / 2 for width in widths)
    else:
        xs = tuple(box.x for _ in widths)
    baselines = tuple(top + ascent + index * line_height for index in range(len(lines)))
    return FittedText(box, tuple(lines), size, style.bold, colour, xs, baselines, widths,
                      ascent, descent)


def stripe_text(stripe: Stripe) -> str:
    """"Tour 1 · Salle 2 — bleu": when, where, and the colour in words."""
    where = " · ".join(part for part in (clean_text(stripe.label), clean_text(stripe.room_name))
                       if part)
    colour = clean_text(stripe.colour_name)
    return f"{where} — {colour}" if where and colour else where or colour


def stripe_fill(stripe: Stripe) -> str:
    """The stripe's colour; white (with its outline and name) if it is not #rrggbb."""
    return stripe.colour.lower() if HEX_COLOUR.match(stripe.colour or "") else "#ffffff"


def _layout_stripes(stripes: Sequence[Stripe], geometry: BadgeGeometry,
                    measure: Measurer) -> tuple[StripeLayout, ...]:
    if not stripes:
        return ()
    area, gap = geometry.stripes, geometry.stripe_gap
    height = min(geometry.stripe_max_height, (area.h - gap * (len(stripes) - 1)) / len(stripes))
    laid = []
    for index, stripe in enumerate(stripes):
        box = Box(area.x, area.y + index * (height + gap), area.w, height)
        pad = geometry.stripe_padding
        inner = Box(box.x + pad, box.y + 0.3, box.w - 2 * pad, box.h - 0.6)
        fill = stripe_fill(stripe)
        text = fit_text(stripe_text(stripe), inner, geometry.stripe_style, measure,
                        colour=readable_text_colour(fill))
        laid.append(StripeLayout(box, fill, text))
    return tuple(laid)


def qr_matrix(text: str) -> tuple[tuple[bool, ...], ...]:
    """The QR modules of ``text`` at level Q, quiet zone included."""
    code = qrcode.QRCode(error_correction=QR_ERROR_CORRECTION, border=QR_QUIET_ZONE_MODULES,
                         box_size=1)
    code.add_data(text)
    code.make(fit=True)
    return tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())


def layout_badge(card: BadgeCard, geometry: BadgeGeometry, measure: Measurer) -> BadgeLayout:
    """Every box, line and module of one badge."""
    if not card.qr_text:
        raise ValueError(f"The badge of {card.full_name!r} has no QR code text.")
    event_line = " — ".join(part for part in (clean_text(card.event_name),
                                              clean_text(card.event_date_label)) if part)
    return BadgeLayout(
        geometry=geometry,
        event=fit_text(event_line, geometry.event, geometry.event_style, measure),
        full_name=fit_text(card.full_name, geometry.full_name, geometry.name_style, measure),
        organisation=fit_text(card.organisation, geometry.organisation,
                              geometry.organisation_style, measure),
        category=fit_text(card.category_label, geometry.category, geometry.category_style,
                          measure),
        stripes=_layout_stripes(card.stripes, geometry, measure),
        qr=QRLayout(geometry.qr, qr_matrix(card.qr_text)),
    )


def overflows(layout: BadgeLayout) -> list[str]:
    """What leaves its box or the badge (empty when the layout is sound), for tests and logs."""
    problems = []
    outline = layout.geometry.outline
    for text in layout.texts:
        if not outline.contains(text.box):
            problems.append(f"box of {text.lines!r} leaves the badge")
        for line, box in zip(text.lines, text.line_boxes(), strict=True):
            if not text.box.contains(box):
                problems.append(f"{line!r} ({text.size_pt} pt) leaves its box")
    for stripe in layout.stripes:
        if not layout.geometry.stripes.contains(stripe.box):
            problems.append(f"stripe {stripe.text.lines!r} leaves the stripe area")
    if not outline.contains(layout.qr.box):
        problems.append("the QR code leaves the badge")
    geometry = layout.geometry
    fields = {"event": geometry.event, "name": geometry.full_name,
              "organisation": geometry.organisation, "category": geometry.category,
              "QR": geometry.qr, "stripes": geometry.stripes}
    names = list(fields)
    for index, first in enumerate(names):
        for second in names[index + 1:]:
            if fields[first].overlaps(fields[second]):
                problems.append(f"the {first} and {second} boxes overlap")
    return problems
