"""Absolute links that leave the app: in emails, calendar feeds, background jobs.

They are built from the configured PUBLIC_BASE_URL, never from the request: a request's
Host header is whatever the client sent, so a link built from it could send a
participant's personal link to someone else's server. Links inside pages stay relative
(``url_for`` without ``_external``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint`` (a full "blueprint.view" name) under
    PUBLIC_BASE_URL; works inside and outside a request."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme)
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)
