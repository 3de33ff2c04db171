"""Translated messages that also work outside a request (CLI, background jobs, tests).

The app's locale selector reads the request; with no request, messages are formatted in
the source language (English) instead of failing.
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext


def _(message: str, **variables) -> str:
    if has_request_context():
        return gettext(message, **variables)
    return message % variables if variables else message
