"""Read the speed-dating grid back out of the public page's HTML, the way a reader sees it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class ParsedGrid:
    caption: str = ""
    column_headers: list[str] = field(default_factory=list)
    row_headers: list[str] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)
    col_scopes: int = 0
    row_scopes: int = 0


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _GridParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.grid = ParsedGrid()
        self.in_table = False
        self.section: str | None = None
        self.current: list[str] | None = None
        self.kind: str | None = None
        self.in_caption = False
        self.hidden_depth = 0
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and "sd-grid" in (attributes.get("class") or ""):
            self.in_table = True
            return
        if not self.in_table:
            return
        if tag == "caption":
            self.in_caption = True
        elif tag in ("thead", "tbody"):
            self.section = tag
        elif tag == "tr" and self.section == "tbody":
            self.grid.cells.append([])
        elif tag in ("th", "td"):
            self.current = []
            self.kind = tag
            scope = attributes.get("scope")
            self.grid.col_scopes += scope == "col"
            self.grid.row_scopes += scope == "row"
        elif tag == "p" and "cell-track" in (attributes.get("class") or ""):
            # The phone-only repeat of the column header: not part of the cell's content.
            self.hidden_depth = 1
        elif self.hidden_depth and tag == "p":
            self.hidden_depth += 1

    def handle_endtag(self, tag):
        if not self.in_table:
            return
        if tag == "table":
            self.in_table = False
        elif tag == "caption":
            self.in_caption = False
        elif tag == "p" and self.hidden_depth:
            self.hidden_depth -= 1
        elif tag in ("th", "td") and self.current is not None:
            text = _clean("".join(self.current))
            if self.section == "thead":
                self.grid.column_headers.append(text)
            elif tag == "th":
                self.grid.row_headers.append(text)
            else:
                self.grid.cells[-1].append(text)
            self.current = None

    def handle_data(self, data):
        if not self.in_table:
            return
        if self.in_caption:
            self.grid.caption += data
        elif self.current is not None and not self.hidden_depth:
            self.current.append(data)


def parse_grid(html: str) -> ParsedGrid:
    parser = _GridParser()
    parser.feed(html)
    parser.grid.caption = _clean(parser.grid.caption)
    return parser.grid


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    """The page's visible text (tags dropped, entities decoded, spaces collapsed)."""
    parser = _TextParser()
    parser.feed(html)
    return _clean("".join(parser.parts))
