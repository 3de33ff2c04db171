"""Text hygiene shared by every input and by writers of stored text.

Single-line text (names, titles, room and event names...) is printed on badges, in lists,
in calendar lines and email subjects: a control character or line break there breaks a
calendar feed (a line break in an event name made every feed of the event fail) and a NUL
cannot even be stored by PostgreSQL. Such input is *refused*, with a message naming the
field: the person typed something we cannot keep, and silently dropping it could change
meaning (``"A\\nB"``).

Bidirectional formatting characters (right-to-left override, isolates, LRM/RLM...) are
*stripped* instead: they are invisible, so a person could neither see nor remove them to
satisfy a refusal (they ride along with text pasted from web pages), and right-to-left
names (Arabic, Hebrew) display correctly without them, through the Unicode bidirectional
algorithm; yet an override reverses the text around it on a badge or in a list.

Multi-line text (descriptions, directions) keeps tabs and line breaks but refuses other
control characters, NUL first.
"""

from __future__ import annotations

import re

# Embeddings, overrides, isolates, marks (LRM, RLM, ALM).
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# The same, minus tab, line feed and carriage return.
BLOCK_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_bidi(value: str) -> str:
    """``value`` without bidirectional formatting characters."""
    return BIDI_CONTROLS.sub("", value)


def line_problem(value: str) -> str | None:
    """Why ``value`` cannot be single-line text, in English (None: it can)."""
    match = LINE_CONTROLS.search(value)
    if match is None:
        return None
    if match[0] == "\x00":
        return "must not contain NUL characters"
    if match[0] in "\r\n\u2028\u2029":
        return "must be on one line (no line breaks)"
    return f"must not contain control characters (U+{ord(match[0]):04X})"


def block_problem(value: str) -> str | None:
    """Why ``value`` cannot be multi-line text (None: it can)."""
    match = BLOCK_CONTROLS.search(value)
    if match is None:
        return None
    if match[0] == "\x00":
        return "must not contain NUL characters"
    return f"must not contain control characters (U+{ord(match[0]):04X})"


def neutral_line(value: str) -> str:
    """Stored text made safe to print on one line: bidi controls dropped, every control
    character or line break turned into a space. For writers of text stored before input
    was checked (badges, calendar feeds): they must never fail on it nor be reversed by it.
    """
    return LINE_CONTROLS.sub(" ", strip_bidi(value))


def neutral_block(value: str) -> str:
    """Stored multi-line text made safe to write: control characters other than tabs and
    line breaks turned into spaces (the writer escapes the line breaks)."""
    return BLOCK_CONTROLS.sub(" ", value)
