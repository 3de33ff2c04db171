"""Badge rendering: every QR decodes back (OpenCV, independent of the ``qrcode`` writer),
PDF pages rasterised by PDFium (no system tool), text extracted and measured."""

from __future__ import annotations

import io
import unicodedata

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth

from eventapp.checkin.badge_card import Stripe
from eventapp.checkin.badge_fonts import badge_fonts
from eventapp.checkin.badge_layout import (
    CARD_90X65,
    CARD_A6,
    clean_text,
    layout_badge,
    overflows,
)
from eventapp.checkin.badge_render import (
    A4_SHEET,
    BOLD_FONT,
    DEFAULT_PNG_SCALE,
    REGULAR_FONT,
    PdfMeasurer,
    PngMeasurer,
    render_badge_png,
    render_badges_pdf,
)
from eventapp.colours import contrast_ratio, readable_text_colour
from tests.factories import make_badge_card

LONG_NAME = "Marie-Bénédicte de La Rochefoucauld-Doudeauville"
DPI = 200
PX_PER_MM = DPI / 25.4


def decode_qr(image: Image.Image) -> str:
    """OpenCV's ArUco-based QR detector: the classic ``QRCodeDetector`` misses about one
    random badge code in fifteen on a whole clean badge, which made tests flaky."""
    text, _, _ = cv2.QRCodeDetectorAruco().detectAndDecode(np.array(image.convert("L")))
    return text


def pdf_pages(data: bytes, dpi: int = DPI) -> list[Image.Image]:
    document = pdfium.PdfDocument(data)
    return [page.render(scale=dpi / 72).to_pil() for page in document]


def slot_image(page: Image.Image, index: int) -> Image.Image:
    x, y = A4_SHEET.slot(index)
    return page.crop((round(x * PX_PER_MM), round(y * PX_PER_MM),
                      round((x + A4_SHEET.badge_width) * PX_PER_MM),
                      round((y + A4_SHEET.badge_height) * PX_PER_MM)))


def slot_text(page: pdfium.PdfPage, index: int) -> str:
    """The text PDFium extracts inside one badge slot (PDF points, y up)."""
    x, y = A4_SHEET.slot(index)
    height = A4_SHEET.page_height
    return page.get_textpage().get_text_bounded(
        x * mm, (height - y - A4_SHEET.badge_height) * mm,
        (x + A4_SHEET.badge_width) * mm, (height - y) * mm)


def flat(text: str) -> str:
    """Extracted text with line breaks removed (a wrapped name reads as typed); PDFium
    reports a hyphen that ends a line as U+FFFE."""
    text = text.replace("\ufffe", "-")
    return " ".join(text.replace("-\r\n", "-").replace("-\n", "-").split())


def test_font_is_the_packaged_one_and_covers_french_and_latin_names():
    fonts = badge_fonts()
    assert fonts.family == "Fira Sans", fonts.reason
    PdfMeasurer()  # registers the fonts with reportlab
    face = getFont(REGULAR_FONT).face
    needed = "àâäçéèêëîïôöùûüÿœæÀÂÇÉÈÊËÎÏÔÙÛÜŸŒÆ’«»—–…€łșțăčřžšńśżąęőøåßñãễ"
    assert [c for c in needed if ord(c) not in face.charToGlyph] == []


def test_png_is_a_portrait_phone_image_whose_qr_decodes():
    card = make_badge_card(full_name=LONG_NAME)
    image = Image.open(io.BytesIO(render_badge_png(card)))
    assert image.format == "PNG"
    assert image.size == (round(105 * DEFAULT_PNG_SCALE), round(148 * DEFAULT_PNG_SCALE))
    assert decode_qr(image) == card.qr_text
    # the QR is large on a phone: at least 40 % of the width, quiet zone white
    layout = layout_badge(card, CARD_A6, PngMeasurer(DEFAULT_PNG_SCALE))
    assert layout.qr.box.w / CARD_A6.width >= 0.4
    quiet = image.convert("L").crop((round(layout.qr.box.x * DEFAULT_PNG_SCALE),
                                     round(layout.qr.box.y * DEFAULT_PNG_SCALE),
                                     round(layout.qr.box.right * DEFAULT_PNG_SCALE),
                                     round((layout.qr.box.y + 2) * DEFAULT_PNG_SCALE)))
    assert quiet.getextrema()[0] == 255


def test_png_small_scale_still_decodes_and_bad_scale_is_refused():
    card = make_badge_card()
    assert decode_qr(Image.open(io.BytesIO(render_badge_png(card, scale=4)))) == card.qr_text
    with pytest.raises(ValueError, match="scale"):
        render_badge_png(card, scale=0.5)


def test_png_stripes_are_filled_with_their_colour_and_text_contrasts():
    card = make_badge_card()
    image = Image.open(io.BytesIO(render_badge_png(card))).convert("RGB")
    layout = layout_badge(card, CARD_A6, PngMeasurer(DEFAULT_PNG_SCALE))
    for stripe, laid in zip(card.stripes, layout.stripes, strict=True):
        # a pixel inside the stripe, right of its text
        x = round((laid.box.right - 1.2) * DEFAULT_PNG_SCALE)
        y = round((laid.box.y + laid.box.h / 2) * DEFAULT_PNG_SCALE)
        assert image.getpixel((x, y)) == tuple(int(stripe.colour[i:i + 2], 16) for i in (1, 3, 5))
        assert laid.text.colour == readable_text_colour(stripe.colour)
        assert contrast_ratio(laid.text.colour, stripe.colour) >= 4.5


def test_a4_sheets_hold_8_badges_in_the_given_order_and_every_qr_decodes():
    cards = [make_badge_card(full_name=f"Participant {i:02d} Écrivain") for i in range(11)]
    data = render_badges_pdf(cards, "a4")
    document = pdfium.PdfDocument(data)
    assert len(document) == 2
    for page in document:
        width, height = page.get_size()
        assert (round(width / mm), round(height / mm)) == (210, 297)
    pages = pdf_pages(data)
    for index, card in enumerate(cards):
        page_number, slot = divmod(index, 8)
        assert decode_qr(slot_image(pages[page_number], slot)) == card.qr_text
        assert card.full_name in flat(slot_text(document[page_number], slot))
    # the last sheet's empty slots stay blank
    for slot in range(3, 8):
        assert slot_image(pages[1], slot).convert("L").getextrema() == (255, 255)


def test_a4_cut_marks_are_drawn_in_the_margins_and_nothing_else_is():
    page = pdf_pages(render_badges_pdf([make_badge_card()], "a4"), dpi=150)[0].convert("L")
    scale = 150 / 25.4

    def darkest_near(x: float, y: float) -> int:
        px, py = round(x * scale), round(y * scale)
        return page.crop((px - 2, py - 2, px + 3, py + 3)).getextrema()[0]

    marks = A4_SHEET.cut_marks()
    assert len(marks) == 2 * (A4_SHEET.columns + 1) + 2 * (A4_SHEET.rows + 1)
    for x1, y1, x2, y2 in marks:
        assert darkest_near((x1 + x2) / 2, (y1 + y2) / 2) < 100, (x1, y1)
    xs, ys = A4_SHEET.cut_lines()
    # midway between two marks in the top margin: white paper
    assert darkest_near((xs[0] + xs[1]) / 2, ys[0] - 5) == 255
    # marks stay off the badges: the gap next to the badge corner is white
    assert darkest_near(xs[0], ys[0] - 0.8) == 255


def test_a6_one_badge_per_page_of_a6_size():
    cards = [make_badge_card(full_name=LONG_NAME), make_badge_card(), make_badge_card()]
    data = render_badges_pdf(cards, "a6")
    document = pdfium.PdfDocument(data)
    assert len(document) == 3
    for page in document:
        width, height = page.get_size()
        assert (round(width / mm, 1), round(height / mm, 1)) == (105.0, 148.0)
    for page, image, card in zip(document, pdf_pages(data), cards, strict=True):
        assert decode_qr(image) == card.qr_text
        assert card.full_name in flat(page.get_textpage().get_text_range())


def test_accents_apostrophes_and_stripe_names_come_back_from_the_pdf():
    card = make_badge_card(
        full_name="Anne-Laure N’Diaye-Œhlenschläger",
        organisation="Maison de l’Économie sociale — Saint-Étienne",
        category_label="Élu·e",
        stripes=(Stripe("Tour 1", "Salle 2", "#1f6fb2", "bleu"),
                 Stripe("Tour 2", "Salle Jean-Jaurès", "#f2d21b", "jaune"),
                 Stripe("Tour 3", "Salle 1", "#c0392b", "rouge"),
                 Stripe("Atelier", "Amphithéâtre", "#2e8b57", "vert")))
    for layout in ("a4", "a6"):
        page = pdfium.PdfDocument(render_badges_pdf([card], layout))[0]
        text = flat(page.get_textpage().get_text_range())
        for expected in (card.full_name, card.organisation, card.category_label,
                         "Journée de restitution et d’échanges — Mercredi 7 décembre 2016",
                         "Tour 1 · Salle 2 — bleu", "Tour 2 · Salle Jean-Jaurès — jaune",
                         "Tour 3 · Salle 1 — rouge", "Atelier · Amphithéâtre — vert"):
            assert expected in text, (layout, expected, text)
        # stripes in the given order: rounds, then the workshop
        positions = [text.index(name) for name in ("bleu", "jaune", "rouge", "vert")]
        assert positions == sorted(positions)


def test_decomposed_accents_are_composed_before_drawing():
    card = make_badge_card(full_name=unicodedata.normalize("NFD", "Hélène Bénédicte"))
    page = pdfium.PdfDocument(render_badges_pdf([card], "a6"))[0]
    assert "Hélène Bénédicte" in page.get_textpage().get_text_range()


def test_long_name_shrinks_then_wraps_and_stays_inside_the_badge_in_the_pdf():
    card = make_badge_card(full_name=LONG_NAME,
                           organisation="Fédération départementale des Œuvres laïques de "
                                        "la Haute-Saône et du Territoire de Belfort")
    for geometry in (CARD_90X65, CARD_A6):
        layout = layout_badge(card, geometry, PdfMeasurer())
        assert overflows(layout) == []
        name = layout.full_name
        assert len(name.lines) == 2 and name.size_pt >= geometry.name_style.min_pt
        font = BOLD_FONT
        for line in name.lines:  # measured again, independently of the layout's numbers
            assert stringWidth(line, font, name.size_pt) / mm <= geometry.full_name.w + 0.01
        for text in layout.texts:
            font = BOLD_FONT if text.bold else REGULAR_FONT
            for line in text.lines:
                assert stringWidth(line, font, text.size_pt) / mm <= text.box.w + 0.01
    # and every glyph PDFium finds on the sheet lies inside one badge slot
    document = pdfium.PdfDocument(render_badges_pdf([card] * 8, "a4"))
    textpage = document[0].get_textpage()
    slots = [A4_SHEET.slot(i) for i in range(8)]
    height = A4_SHEET.page_height
    for index in range(textpage.count_chars()):
        left, bottom, right, top = textpage.get_charbox(index)
        if right - left <= 0:
            continue
        assert any(x * mm <= left and right <= (x + A4_SHEET.badge_width) * mm
                   and (height - y - A4_SHEET.badge_height) * mm <= bottom
                   and top <= (height - y) * mm for x, y in slots), index


def test_short_name_stays_on_one_line_at_full_size():
    layout = layout_badge(make_badge_card(full_name="Léa Roy"), CARD_90X65, PdfMeasurer())
    assert layout.full_name.lines == ("Léa Roy",)
    assert layout.full_name.size_pt == CARD_90X65.name_style.max_pt


def test_a_single_enormous_word_breaks_inside_rather_than_overflow():
    word = "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaft"
    layout = layout_badge(make_badge_card(full_name=word), CARD_90X65, PdfMeasurer())
    assert overflows(layout) == []
    assert layout.full_name.lines[0].endswith("-")
    assert layout.full_name.lines[0][:-1] + layout.full_name.lines[1] == word


def test_invalid_colour_still_prints_the_colour_name_on_a_white_stripe():
    card = make_badge_card(stripes=(Stripe("Tour 1", "Salle 9", "bleu?", "bleu"),))
    layout = layout_badge(card, CARD_90X65, PdfMeasurer())
    assert layout.stripes[0].fill == "#ffffff"
    assert layout.stripes[0].text.lines == ("Tour 1 · Salle 9 — bleu",)
    assert layout.stripes[0].text.colour == "#000000"


def test_bad_requests_are_refused_with_a_clear_error():
    with pytest.raises(ValueError, match="empty"):
        render_badges_pdf([], "a4")
    with pytest.raises(ValueError, match="layout"):
        render_badges_pdf([make_badge_card()], "letter")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="QR"):
        render_badges_pdf([make_badge_card(qr_text="")], "a6")


# Names and organisations as people type them: accents, apostrophes, hyphens, spaces.
_LETTERS = "abcdefghijklmnopqrstuvwxyzéèêëàâäîïôöùûüçœæÿÉÈÀÇŒÆłșřWMQ"
_words = st.text(alphabet=_LETTERS + "’'-", min_size=1, max_size=30)
_texts = st.lists(_words, min_size=1, max_size=8).map(" ".join)


def _reads_as_typed(lines: tuple[str, ...], typed: str) -> bool:
    """Wrapping drops one space, keeps a hyphen, or adds one inside a word: no letter lost."""
    typed = clean_text(typed)
    if len(lines) == 1:
        return lines[0] == typed
    first, second = lines
    return typed in (f"{first} {second}", first + second, first[:-1] + second)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=_texts, organisation=_texts, category=_words)
def test_layout_never_overflows_and_never_loses_a_letter(name, organisation, category):
    card = make_badge_card(full_name=name, organisation=organisation, category_label=category)
    for geometry in (CARD_90X65, CARD_A6):
        layout = layout_badge(card, geometry, PdfMeasurer())
        assert overflows(layout) == []
        assert _reads_as_typed(layout.full_name.lines, name)
        assert _reads_as_typed(layout.organisation.lines, organisation)


@settings(max_examples=20, deadline=None)
@given(name=_texts)
def test_png_layout_never_overflows_with_hinted_widths(name):
    layout = layout_badge(make_badge_card(full_name=name), CARD_A6, PngMeasurer(4))
    assert overflows(layout) == []


def test_overflow_check_catches_a_line_wider_than_its_box():
    """The property tests above rely on ``overflows``: it must see a real overflow."""
    from dataclasses import replace

    layout = layout_badge(make_badge_card(full_name=LONG_NAME), CARD_90X65, PdfMeasurer())
    name = layout.full_name
    too_wide = replace(name, widths=(name.box.w + 1, *name.widths[1:]))
    assert overflows(replace(layout, full_name=too_wide)) != []


def test_stored_bidi_and_control_characters_are_neutralised_on_the_badge():
    """Issue 12: a right-to-left override stored in a name printed it reversed."""
    card = make_badge_card(full_name="\u202eAnne\u202c Dupont\x00",
                           organisation="Régie\r\nde quartier",
                           stripes=(Stripe("Tour 1", "Salle\u2067 2\u2069", "#1f6fb2", "bleu"),))
    assert card.full_name == "Anne Dupont "
    assert card.organisation == "Régie  de quartier"
    assert card.stripes[0].room_name == "Salle 2"
    page = pdfium.PdfDocument(render_badges_pdf([card], "a6"))[0]
    text = page.get_textpage().get_text_range()
    assert "\u202e" not in text and "Anne Dupont" in flat(text)
