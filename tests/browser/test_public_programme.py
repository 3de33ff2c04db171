"""The demo day's public programme in a real browser: phone, desktop and print."""

from __future__ import annotations

import re

import pytest

from eventapp.demo.loader import ensure_demo
from tests.browser.conftest import has_horizontal_overflow

URL = "/e/restitution-2016/"


@pytest.fixture
def demo(app):
    return ensure_demo()


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_phone_reads_the_grid_as_one_card_per_round(live_server, phone_page, demo):
    page = phone_page
    page.goto(live_server + URL)
    assert not has_horizontal_overflow(page)
    grid = page.get_by_role("table", name=re.compile("Speed-dating grid"))
    assert grid.is_visible()
    # The column headers are read by screen readers but not shown; each cell says its track.
    assert page.locator(".sd-grid thead").bounding_box()["width"] <= 1
    first_cell = page.locator(".sd-grid tbody tr").nth(0).locator("td").nth(1)
    assert first_cell.locator(".cell-track").is_visible()
    assert "Remobiliser par le travail" in first_cell.inner_text()
    assert "Premières Heures" in first_cell.inner_text()
    # Cards are stacked: the second cell of a round sits below the first one.
    cells = page.locator(".sd-grid tbody tr").nth(0).locator("td")
    assert cells.nth(1).bounding_box()["y"] > cells.nth(0).bounding_box()["y"]


def test_desktop_shows_the_grid_as_a_table(live_server, desktop_page, demo):
    page = desktop_page
    page.goto(live_server + URL)
    assert not has_horizontal_overflow(page)
    headers = page.locator(".sd-grid thead th")
    assert headers.count() == 7 and headers.nth(1).is_visible()
    row = page.locator(".sd-grid tbody tr").nth(0).locator("td")
    assert abs(row.nth(0).bounding_box()["y"] - row.nth(5).bounding_box()["y"]) < 1
    assert not row.nth(0).locator(".cell-track").is_visible()


def test_programme_prints_on_one_a4_page(live_server, desktop_page, demo):
    page = desktop_page
    page.goto(live_server + URL)
    page.emulate_media(media="print")
    assert not page.locator("#projects").is_visible()
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    assert _pdf_pages(pdf) == 1
