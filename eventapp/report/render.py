"""Draw the report of the day: an editable DOCX (python-docx) and a PDF (reportlab), from
the same :class:`content.ReportContent`. Pure rendering: no database, no Flask."""

from __future__ import annotations

import io
import math
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from PIL import Image, ImageDraw
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import (
    Image as PdfImage,
)

from ..attendance import pdf as attendance_pdf
from ..colours import readable_text_colour
from .content import ReportContent

# --- the EU emblem as an image (DOCX has no vector drawing API) -------------------------

@lru_cache(maxsize=1)
def eu_emblem_png(height: int = 200) -> bytes:
    """The EU emblem (12 gold stars on blue, 3:2) drawn with Pillow, for the DOCX."""
    width = height * 3 // 2
    image = Image.new("RGB", (width, height), "#003399")
    draw = ImageDraw.Draw(image)
    cx, cy, ring, star = width / 2, height / 2, height / 3, height / 18
    for k in range(12):
        angle = math.pi / 2 - k * math.pi / 6
        sx, sy = cx + ring * math.cos(angle), cy - ring * math.sin(angle)
        points = []
        for point in range(10):
            r = star if point % 2 == 0 else star * 0.382
            a = math.pi / 2 + point * math.pi / 5
            points.append((sx + r * math.cos(a), sy - r * math.sin(a)))
        draw.polygon(points, fill="#FFCC00")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- DOCX ------------------------------------------------------------------------------

def _shade(cell, hex_colour: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), hex_colour.lstrip("#"))
    properties.append(shading)


def _table(document, header: list[str], rows: list[list[str]]):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = str(text)
    return table


def _paragraphs(document, text: str) -> None:
    for block in (text or "").split("\n\n"):
        if block.strip():
            document.add_paragraph(block.strip())


def render_docx(content: ReportContent) -> bytes:
    labels = content.labels
    document = Document()
    document.core_properties.title = f"{labels['report']} · {content.title}"
    document.core_properties.author = content.organiser or content.title
    document.add_heading(content.title, level=0)
    document.add_paragraph(f"{labels['report']} · {content.subtitle}")
    if content.intro:
        document.add_heading(labels["intro"], level=1)
        _paragraphs(document, content.intro)

    document.add_heading(labels["programme"], level=1)
    _table(document, ["", labels["programme"], ""],
           [[times, title, details] for times, title, details in content.timeline])
    if content.grid_rows:
        document.add_heading(labels["grid"], level=2)
        table = document.add_table(rows=1, cols=len(content.grid_header) + 1)
        table.style = "Table Grid"
        table.rows[0].cells[0].text = labels["round"]
        for cell, text in zip(table.rows[0].cells[1:], content.grid_header, strict=True):
            cell.text = text
        for label, cells in content.grid_rows:
            row = table.add_row().cells
            row[0].text = label
            for cell, value in zip(row[1:], cells, strict=True):
                cell.text = value.text + (f" ({value.colour_name})" if value.colour_name else "")
                if value.colour:
                    _shade(cell, value.colour)
                    ink = readable_text_colour(value.colour).lstrip("#")
                    for run in cell.paragraphs[0].runs:
                        run.font.color.rgb = RGBColor.from_string(ink.upper())
    document.add_heading(labels["projects"], level=1)
    _table(document, [labels["projects"], labels["organisation"], labels["theme"]],
           [list(row) for row in content.projects])

    document.add_heading(labels["attendance"], level=1)
    _attendance_docx(document, content)
    document.add_heading(labels["evaluation"], level=1)
    document.add_paragraph(content.response_rate)
    for line in content.evaluation:
        document.add_heading(line.question, level=3)
        if line.summary:
            document.add_paragraph(line.summary)
        if line.by_category:
            _table(document, [labels["category"], ""], [list(row) for row in line.by_category])
        for text in line.texts:
            document.add_paragraph(text, style="List Bullet")

    document.add_heading(labels["workshops"], level=1)
    for workshop in content.workshops:
        document.add_heading(workshop.name, level=2)
        if workshop.host:
            document.add_paragraph(f"{labels['host']} : {workshop.host}")
        document.add_heading(labels["summary"], level=3)
        _paragraphs(document, workshop.summary or labels["no_summary"])
        if workshop.next_steps:
            document.add_heading(labels["next_steps"], level=3)
            _paragraphs(document, workshop.next_steps)
    if content.conclusion:
        document.add_heading(labels["conclusion"], level=1)
        _paragraphs(document, content.conclusion)
    _funders_docx(document, content)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _attendance_rows(content: ReportContent) -> list[list[str | int]]:
    return [[line.label, line.registered, line.came, line.signed_am, line.signed_pm]
            for line in [*content.attendance, content.attendance_total]]


def _attendance_header(content: ReportContent) -> list[str]:
    labels = content.labels
    return [labels["category"], labels["registered"], labels["came"], labels["signed_am"],
            labels["signed_pm"]]


def _attendance_docx(document, content: ReportContent) -> None:
    _table(document, _attendance_header(content),
           [[str(v) for v in row] for row in _attendance_rows(content)])


def _funders_docx(document, content: ReportContent) -> None:
    funders = content.funders
    if funders.empty:
        return
    document.add_heading(content.labels["funders"], level=2)
    paragraph = document.add_paragraph()
    if funders.esf:
        paragraph.add_run().add_picture(io.BytesIO(eu_emblem_png()), height=Cm(1.2))
        run = paragraph.add_run("  " + funders.esf_text + "    ")
        run.bold = True
    for logo in funders.logos:
        paragraph.add_run().add_picture(io.BytesIO(logo.png), height=Cm(1.2))
        paragraph.add_run("   ")
    if funders.mention:
        note = document.add_paragraph(funders.mention)
        note.alignment = WD_ALIGN_PARAGRAPH.LEFT
        for run in note.runs:
            run.font.size = Pt(8)


# --- PDF -------------------------------------------------------------------------------

class _Emblem(Flowable):
    """The EU emblem drawn as vector, as on the sheets and certificates."""

    def __init__(self, height: float) -> None:
        super().__init__()
        self.height, self.width = height, height * 1.5

    def draw(self) -> None:
        attendance_pdf.draw_eu_emblem(self.canv, 0, 0, self.height)


def _styles():
    attendance_pdf.register_fonts()
    sheet = getSampleStyleSheet()
    base = ParagraphStyle("ReportBody", parent=sheet["BodyText"],
                          fontName=attendance_pdf.REGULAR, fontSize=10, leading=13)
    styles = {"body": base,
              "small": ParagraphStyle("ReportSmall", parent=base, fontSize=8, leading=10)}
    for level, size in ((0, 20), (1, 15), (2, 12.5), (3, 11)):
        styles[f"h{level}"] = ParagraphStyle(f"ReportH{level}", parent=base,
                                             fontName=attendance_pdf.BOLD, fontSize=size,
                                             leading=size * 1.25, spaceBefore=8, spaceAfter=4)
    return styles


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _pdf_table(rows: list[list], styles, widths=None, header: bool = True) -> Table:
    data = [[_p(value, styles["small"]) for value in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    commands: list[Any] = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")))
    table.setStyle(TableStyle(commands))
    return table


def render_pdf(content: ReportContent) -> bytes:
    styles = _styles()
    labels = content.labels
    story: list = [_p(content.title, styles["h0"]),
                   _p(f"{labels['report']} · {content.subtitle}", styles["body"])]

    def texts(text: str) -> None:
        for block in (text or "").split("\n\n"):
            if block.strip():
                story.append(_p(block.strip(), styles["body"]))

    if content.intro:
        story.append(_p(labels["intro"], styles["h1"]))
        texts(content.intro)
    story.append(_p(labels["programme"], styles["h1"]))
    story.append(_pdf_table([list(row) for row in content.timeline], styles,
                            [30 * mm, 60 * mm, 90 * mm], header=False))
    if content.grid_rows:
        story.append(_p(labels["grid"], styles["h2"]))
        small = styles["small"]
        data = [[_p(labels["round"], small), *[_p(h, small) for h in content.grid_header]]]
        commands = []
        for r, (label, cells) in enumerate(content.grid_rows, start=1):
            row = [_p(label, small)]
            for col, cell in enumerate(cells, start=1):
                text = cell.text + (f" ({cell.colour_name})" if cell.colour_name else "")
                style = small
                if cell.colour:
                    commands.append(("BACKGROUND", (col, r), (col, r),
                                     colors.HexColor(cell.colour)))
                    # The text over each colour is drawn in a readable ink (contrast).
                    style = ParagraphStyle(f"ink{r}-{col}", parent=small,
                                           textColor=colors.HexColor(
                                               readable_text_colour(cell.colour)))
                row.append(_p(text, style))
            data.append(row)
        table = Table(data, repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                   *commands]))
        story.append(table)
    story.append(_p(labels["projects"], styles["h1"]))
    story.append(_pdf_table([[labels["projects"], labels["organisation"], labels["theme"]],
                             *[list(row) for row in content.projects]], styles))
    story.append(_p(labels["attendance"], styles["h1"]))
    story.append(_pdf_table([_attendance_header(content), *_attendance_rows(content)], styles))
    story.append(_p(labels["evaluation"], styles["h1"]))
    story.append(_p(content.response_rate, styles["body"]))
    for line in content.evaluation:
        story.append(_p(line.question, styles["h3"]))
        if line.summary:
            story.append(_p(line.summary, styles["body"]))
        if line.by_category:
            story.append(_pdf_table([[labels["category"], ""], *map(list, line.by_category)],
                                    styles))
        for text in line.texts:
            story.append(_p(f"• {text}", styles["body"]))
    story.append(_p(labels["workshops"], styles["h1"]))
    for workshop in content.workshops:
        story.append(_p(workshop.name, styles["h2"]))
        if workshop.host:
            story.append(_p(f"{labels['host']} : {workshop.host}", styles["body"]))
        story.append(_p(labels["summary"], styles["h3"]))
        texts(workshop.summary or labels["no_summary"])
        if workshop.next_steps:
            story.append(_p(labels["next_steps"], styles["h3"]))
            texts(workshop.next_steps)
    if content.conclusion:
        story.append(_p(labels["conclusion"], styles["h1"]))
        texts(content.conclusion)
    _funders_pdf(story, content, styles)
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                                 topMargin=18 * mm, bottomMargin=18 * mm,
                                 title=f"{labels['report']} · {content.title}")
    document.build(story)
    return out.getvalue()


def _funders_pdf(story: list, content: ReportContent, styles) -> None:
    funders = content.funders
    if funders.empty:
        return
    story.append(Spacer(1, 6 * mm))
    story.append(_p(content.labels["funders"], styles["h2"]))
    row = []
    if funders.esf:
        row += [_Emblem(11 * mm), _p(funders.esf_text, styles["body"])]
    for logo in funders.logos:
        height = 11 * mm
        width = min(height * logo.width / logo.height, 40 * mm)
        row.append(PdfImage(io.BytesIO(logo.png), width=width, height=height))
    if row:
        story.append(Table([row], hAlign="LEFT"))
    if funders.mention:
        story.append(_p(funders.mention, styles["small"]))
