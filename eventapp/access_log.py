"""Access logs without participants' secrets.

A personal link (``/p/<token>/...``) or a calendar feed (``/calendars/<secret>.ics``)
is the whole credential: an access log that keeps them hands every participant's page to
whoever reads the logs. Both servers we document log through here: werkzeug's
development server (run.py) and gunicorn (``gunicorn.conf.py`` at the repository root).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger
from werkzeug.serving import WSGIRequestHandler

MASK = "***"
# The secret path segment of each secret-bearing route, wherever it appears in a line
# (request line, path, referrer); the route's shape stays readable.
_SECRET_PATHS = (
    re.compile(r"(/p/)[^/?#\s\"]+"),
    re.compile(r"(/calendars/(?:o/)?)[^/?#\s\"]+?(\.ics)"),
)


def mask_secrets(text: str) -> str:
    """``text`` with the secret segment of every personal or feed link replaced."""
    for pattern in _SECRET_PATHS:
        text = pattern.sub(lambda m: m.group(1) + MASK + (m.group(2) if m.lastindex == 2
                                                          else ""), text)
    return text


class MaskSecretsFilter(logging.Filter):
    """Masks link secrets in the app's own log records ("Exception on /p/<token>/ [GET]"
    is how Flask reports an error)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_secrets(arg) if isinstance(arg, str) else arg
                                for arg in record.args)
        return True


class MaskedRequestHandler(WSGIRequestHandler):
    """werkzeug's development request handler, logging masked paths."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = getattr(self, "path", None)
        line = self.requestline
        if path is not None:
            self.path = mask_secrets(path)
        self.requestline = mask_secrets(line)
        try:
            super().log_request(code, size)
        finally:
            if path is not None:
                self.path = path
            self.requestline = line


class MaskedGunicornLogger(Logger):
    """gunicorn's logger, with every access-log field masked (request line, path,
    referrer, headers), whatever ``access_log_format`` picks."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        values = super().atoms(resp, req, environ, request_time)
        return {key: mask_secrets(value) if isinstance(value, str) else value
                for key, value in values.items()}
