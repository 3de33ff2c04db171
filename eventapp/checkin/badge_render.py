"""Draw badges: a PNG for a phone screen, PDFs for printing (A4 sheets of 8, or A6).

Pure rendering: no database, no Flask. The caller builds ``BadgeCard`` objects (already
translated and sorted) and gets bytes back. Both backends draw the same
``badge_layout.BadgeLayout``; the QR code is drawn as vector rectangles in the PDF (sharp
at any print size, and far faster than embedding one image per badge) and on whole pixels
in the PNG (sharp edges scan best on a phone screen).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .badge_card import BadgeCard
from .badge_fonts import badge_fonts
from .badge_layout import (
    CARD_90X65,
    CARD_A6,
    MM_PER_PT,
    STRIPE_OUTLINE,
    BadgeLayout,
    FittedText,
    QRLayout,
    layout_badge,
)

REGULAR_FONT = "BadgeSans"
BOLD_FONT = "BadgeSans-Bold"
STRIPE_OUTLINE_MM = 0.25
DEFAULT_PNG_SCALE = 8.0  # pixels per millimetre: an A6 badge of 840 x 1184 px
PNG_SCALE_RANGE = (3.0, 40.0)


@dataclass(frozen=True)
class SheetLayout:
    """Badges per page, their grid and the cut marks, in millimetres (top-left origin)."""

    page_width: float
    page_height: float
    columns: int
    rows: int
    badge_width: float
    badge_height: float
    cut_mark_gap: float = 2.0     # between a badge's edge and its mark
    cut_mark_length: float = 6.0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def margin_x(self) -> float:
        return (self.page_width - self.columns * self.badge_width) / 2

    @property
    def margin_y(self) -> float:
        return (self.page_height - self.rows * self.badge_height) / 2

    def slot(self, index: int) -> tuple[float, float]:
        """Top-left corner of the badge at ``index`` on its page (left to right, then down)."""
        row, column = divmod(index % self.per_page, self.columns)
        return (self.margin_x + column * self.badge_width,
                self.margin_y + row * self.badge_height)

    def cut_lines(self) -> tuple[list[float], list[float]]:
        """The x of every vertical cut and the y of every horizontal cut."""
        xs = [self.margin_x + c * self.badge_width for c in range(self.columns + 1)]
        ys = [self.margin_y + r * self.badge_height for r in range(self.rows + 1)]
        return xs, ys

    def cut_marks(self) -> list[tuple[float, float, float, float]]:
        """Segments (x1, y1, x2, y2) in the margins, extending each cut line outwards."""
        xs, ys = self.cut_lines()
        gap, length = self.cut_mark_gap, self.cut_mark_length
        top, bottom, left, right = ys[0], ys[-1], xs[0], xs[-1]
        marks = []
        for x in xs:
            marks.append((x, top - gap - length, x, top - gap))
            marks.append((x, bottom + gap, x, bottom + gap + length))
        for y in ys:
            marks.append((left - gap - length, y, left - gap, y))
            marks.append((right + gap, y, right + gap + length, y))
        return marks


A4_SHEET = SheetLayout(page_width=A4[0] / mm, page_height=A4[1] / mm, columns=2, rows=4,
                       badge_width=CARD_90X65.width, badge_height=CARD_90X65.height)


# -- fonts and measuring -------------------------------------------------------------------

@lru_cache(maxsize=1)
def _reportlab_fonts() -> tuple[TTFont, TTFont]:
    fonts = badge_fonts()
    regular = TTFont(REGULAR_FONT, str(fonts.regular))
    bold = TTFont(BOLD_FONT, str(fonts.bold))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(bold)
    return regular, bold


class PdfMeasurer:
    """Unhinted advance widths, exactly what reportlab lays out."""

    def __init__(self) -> None:
        regular, _ = _reportlab_fonts()
        self.ascent = regular.face.ascent / 1000
        self.descent = -regular.face.descent / 1000

    def width_mm(self, text: str, bold: bool, size_pt: float) -> float:
        return pdfmetrics.stringWidth(text, BOLD_FONT if bold else REGULAR_FONT,
                                      size_pt) * MM_PER_PT


@lru_cache(maxsize=256)
def _pillow_font(bold: bool, size_px: float) -> ImageFont.FreeTypeFont:
    fonts = badge_fonts()
    return ImageFont.truetype(str(fonts.bold if bold else fonts.regular), size_px)


class PngMeasurer(PdfMeasurer):
    """FreeType widths at the pixel size the PNG is drawn at (hinting included)."""

    def __init__(self, scale: float) -> None:
        super().__init__()
        self.scale = scale

    def font(self, bold: bool, size_pt: float) -> ImageFont.FreeTypeFont:
        return _pillow_font(bold, round(size_pt * MM_PER_PT * self.scale, 2))

    def width_mm(self, text: str, bold: bool, size_pt: float) -> float:
        return self.font(bold, size_pt).getlength(text) / self.scale


def text_width_mm(text: str, bold: bool, size_pt: float) -> float:
    """Width of ``text`` as printed in the PDF, for callers and tests."""
    return PdfMeasurer().width_mm(text, bold, size_pt)


# -- PDF -----------------------------------------------------------------------------------

def _qr_runs(qr: QRLayout) -> Iterable[tuple[int, int, int]]:
    """(row, first column, length) of each horizontal run of dark modules."""
    for row_index, row in enumerate(qr.matrix):
        start = None
        for column, dark in enumerate((*row, False)):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                yield row_index, start, column - start
                start = None


class _PdfBadgePainter:
    """Draws one layout at a badge origin on a reportlab canvas (points, y up)."""

    def __init__(self, canvas: Canvas, page_height_mm: float) -> None:
        self.canvas = canvas
        self.page_height = page_height_mm

    def _point(self, x: float, y: float) -> tuple[float, float]:
        return x * mm, (self.page_height - y) * mm

    def paint(self, layout: BadgeLayout, origin_x: float, origin_y: float) -> None:
        canvas = self.canvas
        canvas.setLineWidth(STRIPE_OUTLINE_MM * mm)
        canvas.setStrokeColor(HexColor(STRIPE_OUTLINE))
        for stripe in layout.stripes:
            box = stripe.box
            x, y = self._point(origin_x + box.x, origin_y + box.bottom)
            canvas.setFillColor(HexColor(stripe.fill))
            canvas.rect(x, y, box.w * mm, box.h * mm, stroke=1, fill=1)
        for text in layout.texts:
            self._text(text, origin_x, origin_y)
        self._qr(layout.qr, origin_x, origin_y)

    def _text(self, text: FittedText, origin_x: float, origin_y: float) -> None:
        if not text.lines:
            return
        canvas = self.canvas
        canvas.setFont(BOLD_FONT if text.bold else REGULAR_FONT, text.size_pt)
        canvas.setFillColor(HexColor(text.colour))
        for line, x, baseline in zip(text.lines, text.line_x, text.baselines, strict=True):
            canvas.drawString(*self._point(origin_x + x, origin_y + baseline), line)

    def _qr(self, qr: QRLayout, origin_x: float, origin_y: float) -> None:
        module = qr.box.w / qr.modules
        path = self.canvas.beginPath()
        for row, column, length in _qr_runs(qr):
            x, y = self._point(origin_x + qr.box.x + column * module,
                               origin_y + qr.box.y + (row + 1) * module)
            path.rect(x, y, length * module * mm, module * mm)
        self.canvas.setFillColor(HexColor("#000000"))
        self.canvas.drawPath(path, stroke=0, fill=1)


def _draw_cut_marks(canvas: Canvas, sheet: SheetLayout) -> None:
    canvas.setLineWidth(0.25 * mm)
    canvas.setStrokeColor(HexColor("#000000"))
    height = sheet.page_height
    for x1, y1, x2, y2 in sheet.cut_marks():
        canvas.line(x1 * mm, (height - y1) * mm, x2 * mm, (height - y2) * mm)


def _new_canvas(buffer: io.BytesIO, pagesize: tuple[float, float],
                cards: Sequence[BadgeCard]) -> Canvas:
    canvas = Canvas(buffer, pagesize=pagesize, invariant=1, pageCompression=1)
    canvas.setTitle(f"Badges — {cards[0].event_name}" if cards[0].event_name else "Badges")
    canvas.setCreator("eventapp")
    return canvas


def render_badges_pdf(cards: Sequence[BadgeCard], layout: Literal["a4", "a6"]) -> bytes:
    """All badges, in the order given: ``"a4"`` sheets of 8 with cut marks (90 x 65 mm
    badges), or ``"a6"``, one badge per A6 page."""
    if layout not in ("a4", "a6"):
        raise ValueError(f"Unknown badge layout {layout!r}: expected 'a4' or 'a6'.")
    if not cards:
        raise ValueError("No badge to print: the list of participants is empty.")
    measure = PdfMeasurer()
    buffer = io.BytesIO()
    if layout == "a4":
        canvas = _new_canvas(buffer, A4, cards)
        painter = _PdfBadgePainter(canvas, A4_SHEET.page_height)
        for index, card in enumerate(cards):
            if index and index % A4_SHEET.per_page == 0:
                canvas.showPage()
            if index % A4_SHEET.per_page == 0:
                _draw_cut_marks(canvas, A4_SHEET)
            painter.paint(layout_badge(card, CARD_90X65, measure), *A4_SHEET.slot(index))
    else:
        canvas = _new_canvas(buffer, A6, cards)
        painter = _PdfBadgePainter(canvas, A6[1] / mm)
        for index, card in enumerate(cards):
            if index:
                canvas.showPage()
            painter.paint(layout_badge(card, CARD_A6, measure), 0, 0)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# -- PNG -----------------------------------------------------------------------------------

def _paint_png(layout: BadgeLayout, measure: PngMeasurer) -> Image.Image:
    scale = measure.scale
    geometry = layout.geometry
    image = Image.new("RGB", (round(geometry.width * scale), round(geometry.height * scale)),
                      "#ffffff")
    draw = ImageDraw.Draw(image)
    outline = max(1, round(STRIPE_OUTLINE_MM * scale))
    for stripe in layout.stripes:
        box = stripe.box
        draw.rectangle((round(box.x * scale), round(box.y * scale),
                        round(box.right * scale) - 1, round(box.bottom * scale) - 1),
                       fill=stripe.fill, outline=STRIPE_OUTLINE, width=outline)
    for text in layout.texts:
        font = measure.font(text.bold, text.size_pt) if text.lines else None
        for line, x, baseline in zip(text.lines, text.line_x, text.baselines, strict=True):
            draw.text((x * scale, baseline * scale), line, font=font, fill=text.colour,
                      anchor="ls")
    _paint_png_qr(draw, layout.qr, scale)
    return image


def _paint_png_qr(draw: ImageDraw.ImageDraw, qr: QRLayout, scale: float) -> None:
    """Whole-pixel modules, centred in the QR box (the quiet zone stays white)."""
    box_px = qr.box.w * scale
    module = max(1, math.floor(box_px / qr.modules))
    left = round(qr.box.x * scale + (box_px - module * qr.modules) / 2)
    top = round(qr.box.y * scale + (box_px - module * qr.modules) / 2)
    for row, column, length in _qr_runs(qr):
        x, y = left + column * module, top + row * module
        draw.rectangle((x, y, x + length * module - 1, y + module - 1), fill="#000000")


def render_badge_png(card: BadgeCard, *, scale: float = DEFAULT_PNG_SCALE) -> bytes:
    """One badge as a portrait PNG (the A6 layout), ``scale`` pixels per millimetre."""
    low, high = PNG_SCALE_RANGE
    if not low <= scale <= high:
        raise ValueError(f"Badge PNG scale {scale} is outside {low}-{high} pixels per mm.")
    measure = PngMeasurer(scale)
    image = _paint_png(layout_badge(card, CARD_A6, measure), measure)
    buffer = io.BytesIO()
    dpi = round(scale * 25.4)
    image.save(buffer, format="PNG", dpi=(dpi, dpi))
    return buffer.getvalue()
