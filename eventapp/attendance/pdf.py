"""Draw attendance sheets and certificates of attendance as A4 PDFs (reportlab).

Pure rendering: no database, no Flask. The caller builds the documents below (already
translated, sorted, times formatted) and gets bytes back. The funders' block (logos, the
EU emblem drawn as vector, the mandatory mention) is shared by both documents.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from reportlab.lib.colors import HexColor, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ..checkin.badge_fonts import badge_fonts

REGULAR = "SheetSans"
BOLD = "SheetSans-Bold"
EU_BLUE = HexColor("#003399")
EU_GOLD = HexColor("#FFCC00")
GREY = HexColor("#555555")
PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
ROW_H = 15 * mm
FUNDERS_H = 20 * mm


@lru_cache(maxsize=1)
def register_fonts() -> None:
    fonts = badge_fonts()
    pdfmetrics.registerFont(TTFont(REGULAR, str(fonts.regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(fonts.bold)))


@dataclass(frozen=True)
class Logo:
    name: str
    png: bytes
    width: int
    height: int


@dataclass(frozen=True)
class Funders:
    """What the funders require printed: logos, the ESF+ emblem, a mention."""

    logos: Sequence[Logo] = ()
    esf: bool = False
    esf_text: str = "Cofinancé par l'Union européenne"
    mention: str = ""

    @property
    def empty(self) -> bool:
        return not (self.logos or self.esf or self.mention)


@dataclass(frozen=True)
class SheetRow:
    name: str
    organisation: str = ""
    signature: bytes | None = None
    signed_label: str = ""  # "Signé à 09:42 (UTC 08:42)"


@dataclass(frozen=True)
class SheetLabels:
    title: str
    name: str
    organisation: str
    signature: str
    facilitator: str
    countersigned: str
    page: str  # "Page %(page)d / %(pages)d" already formatted with {page} and {pages}
    walk_in: str


@dataclass(frozen=True)
class SheetDocument:
    event_name: str
    date_label: str
    times_label: str
    unit_title: str
    facilitator: str
    rows: Sequence[SheetRow]
    labels: SheetLabels
    funders: Funders = field(default_factory=Funders)
    countersigned_label: str = ""
    countersignature: bytes | None = None
    blank_lines: int = 5


@dataclass(frozen=True)
class Certificate:
    title: str
    body: Sequence[str]           # paragraphs, already filled in
    place_date: str               # "Fait à Paris, le 7 décembre 2016"
    signatory: str                # "Pour Le Comptoir : Marie Dupont"
    signature: bytes | None = None
    funders: Funders = field(default_factory=Funders)


# --- shared pieces ---------------------------------------------------------------------

def _nbsp(text: str) -> str:
    """Keep French guillemets and high punctuation with their word across line breaks."""
    for plain, tied in (("« ", "«\u00a0"), (" »", "\u00a0»"), (" :", "\u00a0:"),
                        (" ;", "\u00a0;"), (" ?", "\u00a0?"), (" !", "\u00a0!")):
        text = text.replace(plain, tied)
    return text


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap at ``width`` points (long words are cut; no break at a
    non-breaking space)."""
    lines: list[str] = []
    for paragraph in _nbsp(text).splitlines() or [""]:
        current = ""
        for word in (w for w in paragraph.split(" ") if w):
            candidate = f"{current} {word}".strip()
            if pdfmetrics.stringWidth(candidate, font, size) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            while pdfmetrics.stringWidth(word, font, size) > width and len(word) > 1:
                cut = len(word)
                while cut > 1 and pdfmetrics.stringWidth(word[:cut], font, size) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        lines.append(current)
    return lines


def _fit(text: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _image(canvas: Canvas, png: bytes, x: float, y: float, box_w: float, box_h: float
           ) -> None:
    """Draw ``png`` inside the box (bottom-left x, y), keeping its proportions."""
    reader = ImageReader(io.BytesIO(png))
    width, height = reader.getSize()
    scale = min(box_w / width, box_h / height)
    w, h = width * scale, height * scale
    canvas.drawImage(reader, x + (box_w - w) / 2, y + (box_h - h) / 2, w, h, mask="auto")


def draw_eu_emblem(canvas: Canvas, x: float, y: float, height: float) -> float:
    """The EU emblem (a circle of 12 gold five-pointed stars on blue, ratio 3:2) with its
    bottom-left corner at (x, y); returns its width. Drawn as vector so it prints sharp."""
    width = height * 1.5
    canvas.saveState()
    canvas.setFillColor(EU_BLUE)
    canvas.rect(x, y, width, height, stroke=0, fill=1)
    canvas.setFillColor(EU_GOLD)
    cx, cy = x + width / 2, y + height / 2
    ring, star = height / 3, height / 18  # circle radius 1/3, star radius 1/18 of height
    for k in range(12):
        angle = math.pi / 2 - k * math.pi / 6
        sx, sy = cx + ring * math.cos(angle), cy + ring * math.sin(angle)
        path = canvas.beginPath()
        for point in range(10):  # one point upright, as on the flag
            r = star if point % 2 == 0 else star * 0.382
            a = math.pi / 2 + point * math.pi / 5
            px, py = sx + r * math.cos(a), sy + r * math.sin(a)
            if point == 0:
                path.moveTo(px, py)
            else:
                path.lineTo(px, py)
        path.close()
        canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
    return width


def _draw_funders(canvas: Canvas, funders: Funders, y: float) -> None:
    """The funders' block along the bottom of the page, from ``y`` up."""
    if funders.empty:
        return
    x = MARGIN
    height = 11 * mm
    top = y + 5 * mm
    if funders.esf:
        x += draw_eu_emblem(canvas, x, top, height) + 2 * mm
        canvas.setFont(BOLD, 9)
        canvas.setFillColor(black)
        canvas.drawString(x, top + height / 2 - 3, funders.esf_text)
        x += pdfmetrics.stringWidth(funders.esf_text, BOLD, 9) + 6 * mm
    for logo in funders.logos:
        if x > PAGE_W - MARGIN - 10 * mm:
            break
        w = min(height * logo.width / logo.height, 40 * mm, PAGE_W - MARGIN - x)
        _image(canvas, logo.png, x, top, w, height)
        x += w + 4 * mm
    if funders.mention:
        canvas.setFont(REGULAR, 7)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, y + 1 * mm,
                          _fit(funders.mention.replace("\n", " "), REGULAR, 7,
                               PAGE_W - 2 * MARGIN))
        canvas.setFillColor(black)


# --- attendance sheets -----------------------------------------------------------------

def _sheet_header(canvas: Canvas, doc: SheetDocument) -> float:
    """Title, event, date, times, unit and facilitator; returns the y below them."""
    y = PAGE_H - MARGIN
    canvas.setFillColor(black)
    canvas.setFont(BOLD, 15)
    canvas.drawString(MARGIN, y - 12, doc.labels.title)
    y -= 20
    canvas.setFont(BOLD, 11)
    for line in _wrap(doc.event_name, BOLD, 11, PAGE_W - 2 * MARGIN)[:2]:
        y -= 13
        canvas.drawString(MARGIN, y, line)
    canvas.setFont(REGULAR, 10)
    y -= 14
    canvas.drawString(MARGIN, y, f"{doc.date_label} · {doc.times_label}")
    y -= 13
    canvas.drawString(MARGIN, y, _fit(doc.unit_title, REGULAR, 10, PAGE_W - 2 * MARGIN))
    if doc.facilitator:
        y -= 13
        canvas.drawString(MARGIN, y, _fit(f"{doc.labels.facilitator} : {doc.facilitator}",
                                          REGULAR, 10, PAGE_W - 2 * MARGIN))
    return y - 8


COLUMNS = (0.34, 0.28, 0.38)  # name, organisation, signature (share of the width)


def _column_x() -> list[float]:
    width = PAGE_W - 2 * MARGIN
    xs = [MARGIN]
    for share in COLUMNS:
        xs.append(xs[-1] + share * width)
    return xs


def _table_head(canvas: Canvas, doc: SheetDocument, y: float) -> float:
    xs = _column_x()
    canvas.setFillColor(HexColor("#e8e8e8"))
    canvas.rect(MARGIN, y - 7 * mm, xs[-1] - MARGIN, 7 * mm, stroke=1, fill=1)
    canvas.setFillColor(black)
    canvas.setFont(BOLD, 9)
    for x, label in zip(xs, (doc.labels.name, doc.labels.organisation, doc.labels.signature),
                        strict=False):
        canvas.drawString(x + 2 * mm, y - 5 * mm, label)
    return y - 7 * mm


def _table_row(canvas: Canvas, row: SheetRow | None, y: float, walk_in: str) -> None:
    xs = _column_x()
    canvas.setStrokeColor(black)
    for left, right in zip(xs, xs[1:], strict=False):
        canvas.rect(left, y - ROW_H, right - left, ROW_H, stroke=1, fill=0)
    if row is None:
        canvas.setFont(REGULAR, 7)
        canvas.setFillColor(GREY)
        canvas.drawString(xs[0] + 2 * mm, y - ROW_H + 2 * mm, walk_in)
        canvas.setFillColor(black)
        return
    canvas.setFont(REGULAR, 10)
    canvas.drawString(xs[0] + 2 * mm, y - 8.5 * mm,
                      _fit(row.name, REGULAR, 10, xs[1] - xs[0] - 4 * mm))
    canvas.setFont(REGULAR, 9)
    canvas.drawString(xs[1] + 2 * mm, y - 8.5 * mm,
                      _fit(row.organisation, REGULAR, 9, xs[2] - xs[1] - 4 * mm))
    if row.signature:
        _image(canvas, row.signature, xs[2] + 1 * mm, y - ROW_H + 4 * mm,
               xs[3] - xs[2] - 2 * mm, ROW_H - 5 * mm)
    if row.signed_label:
        canvas.setFont(REGULAR, 6.5)
        canvas.setFillColor(GREY)
        canvas.drawString(xs[2] + 1.5 * mm, y - ROW_H + 1.3 * mm, row.signed_label)
        canvas.setFillColor(black)


def _countersign_block(canvas: Canvas, doc: SheetDocument, y: float) -> None:
    canvas.setFont(BOLD, 9)
    canvas.drawString(MARGIN, y - 5 * mm, doc.labels.countersigned)
    canvas.setFont(REGULAR, 9)
    if doc.countersigned_label:
        canvas.drawString(MARGIN, y - 10 * mm, doc.countersigned_label)
    box_x = PAGE_W - MARGIN - 70 * mm
    canvas.rect(box_x, y - 22 * mm, 70 * mm, 20 * mm, stroke=1, fill=0)
    if doc.countersignature:
        _image(canvas, doc.countersignature, box_x + 1 * mm, y - 21 * mm, 68 * mm, 18 * mm)


def render_sheet(doc: SheetDocument) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{doc.labels.title} · {doc.unit_title}")
    draw_sheet(canvas, doc)
    canvas.save()
    return out.getvalue()


def draw_sheet(canvas: Canvas, doc: SheetDocument) -> None:
    """Draw one sheet's pages on ``canvas`` (the header repeated on every page, then the
    rows, blank lines for walk-ins filling at least ``blank_lines``, the countersignature
    on the last page)."""
    register_fonts()
    bottom = MARGIN + (0 if doc.funders.empty else FUNDERS_H)
    lines: list[SheetRow | None] = [*doc.rows, *([None] * doc.blank_lines)]
    pages: list[list[SheetRow | None]] = []
    index = 0
    while index < len(lines) or not pages:
        top = _sheet_header_height(doc)
        capacity = max(1, int((top - 7 * mm - bottom) // ROW_H))
        pages.append(lines[index:index + capacity])
        index += capacity
    # Room for the countersignature on the last page, or one more page for it.
    last_room = _sheet_header_height(doc) - 7 * mm - bottom - len(pages[-1]) * ROW_H
    if last_room < 25 * mm:
        pages.append([])
    for number, page_lines in enumerate(pages, start=1):
        y = _sheet_header(canvas, doc)
        if page_lines or number < len(pages):
            y = _table_head(canvas, doc, y)
        for line in page_lines:
            _table_row(canvas, line, y, doc.labels.walk_in)
            y -= ROW_H
        if number == len(pages):
            _countersign_block(canvas, doc, y - 3 * mm)
        _draw_funders(canvas, doc.funders, MARGIN)
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(GREY)
        canvas.drawRightString(PAGE_W - MARGIN, PAGE_H - MARGIN - 10,
                               doc.labels.page.format(page=number, pages=len(pages)))
        canvas.setFillColor(black)
        canvas.showPage()


def _sheet_header_height(doc: SheetDocument) -> float:
    """The y under the header, without drawing (same steps as ``_sheet_header``)."""
    lines = len(_wrap(doc.event_name, BOLD, 11, PAGE_W - 2 * MARGIN)[:2])
    return PAGE_H - MARGIN - 20 - 13 * lines - 14 - 13 - (13 if doc.facilitator else 0) - 8


def render_sheets(docs: Iterable[SheetDocument]) -> bytes:
    """Several sheets in one PDF (a whole day to print)."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    for doc in docs:
        draw_sheet(canvas, doc)
    canvas.save()
    return out.getvalue()


# --- certificates ----------------------------------------------------------------------

def draw_certificate(canvas: Canvas, cert: Certificate) -> None:
    register_fonts()
    width = PAGE_W - 2 * MARGIN
    y = PAGE_H - 40 * mm
    canvas.setFont(BOLD, 20)
    canvas.drawCentredString(PAGE_W / 2, y, cert.title)
    y -= 18 * mm
    canvas.setFont(REGULAR, 11.5)
    for paragraph in cert.body:
        for line in _wrap(paragraph, REGULAR, 11.5, width):
            canvas.drawString(MARGIN, y, line)
            y -= 16
        y -= 8
    y -= 10 * mm
    canvas.drawString(MARGIN, y, cert.place_date)
    y -= 16
    canvas.drawString(MARGIN, y, cert.signatory)
    if cert.signature:
        _image(canvas, cert.signature, MARGIN, y - 32 * mm, 70 * mm, 28 * mm)
    _draw_funders(canvas, cert.funders, MARGIN)
    canvas.showPage()


def render_certificates(certs: Iterable[Certificate]) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle("Attestations de présence")
    count = 0
    for cert in certs:
        draw_certificate(canvas, cert)
        count += 1
    if count == 0:
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def render_certificate(cert: Certificate) -> bytes:
    return render_certificates([cert])

