"""One way to refuse: every area's domain error is a :class:`Refused`.

An operation that will not make a change raises a subclass of ``Refused`` (the areas keep
their own names: ``ProgrammeError``, ``RegistrationError``, ``SchedulingError``...) with a
message the user can act on. HTML views show it next to ``field`` and keep what the user
typed; the API answers it in its one error shape (``api/errors.py``), with ``status``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import escape


class Refused(Exception):
    """A refused change.

    ``message``: what is wrong, for the user (in their language where the area has one).
    ``field``: the form or request field at fault, if one is. ``code``: a stable reason
    for scripts. ``details``: further messages, each a string or a
    ``{"field": ..., "message": ...}`` dict.
    """

    #: The API's HTTP status: 409, the request was understood but the change is refused;
    #: subclasses about the request's own content use 400.
    status: int = 409

    def __init__(self, message: str, field: str | None = None, code: str | None = None,
                 details: Iterable[Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.details = list(details or [])

    @property
    def api_message(self) -> str:
        """The API's summary (subclasses whose details say it all give a shorter one)."""
        return self.message

    def api_details(self) -> list[dict[str, Any]]:
        """``details`` as the API lists them: ``{"field", "message"}`` dicts. Details worded
        for the pages may link names (``Markup``): the API gives their plain text."""
        return [detail if isinstance(detail, dict)
                else {"field": None, "message": escape(detail).striptags()}
                for detail in self.details]
