"""Check-in forms and the JSON bodies of the scan routes.

The scan bodies come from the staff page (cookie session, CSRF header) and from the API
(bearer token) in the same shape; :func:`parse_scan` and :func:`parse_batch` read both
and name the failing field, so the two front-ends answer the same errors.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal, overload

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from ..errors import Refused
from ..events.models import Event
from ..forms import AppForm, problem_message
from ..json_values import json_integer
from ..text import line_problem
from .models import RESULTS, Checkpoint
from .operations import ScanRequest

MAX_BATCH = 500
NONCE_MAX = 100
CODE_MAX = 500
PARTICIPANT_MAX = 100
FIELDS = {"checkpoint", "code", "participant", "nonce", "scanned_at", "device",
          "device_result"}


class ReissueForm(AppForm):
    """A button-only form (CSRF) to revoke a participant's badge and issue a new one."""


class StartRehearsalForm(AppForm):
    """A button-only form (CSRF): staff practise, time windows not checked."""


class EndRehearsalForm(AppForm):
    """Back to the real day; by default the practice's scans are discarded."""

    discard_scans = BooleanField(_l("Delete every scan recorded so far (the practice's)"),
                                 default=True)


class BodyError(Refused):
    """A field of a scan body is missing or wrong: ``field`` says which. ``status`` is
    400, or 409 when the body is well formed but conflicts with a recorded scan (a nonce
    already used for another code, person or checkpoint)."""

    field: str

    def __init__(self, field: str, message: str, status: int = 400) -> None:
        super().__init__(message, field, details=[{"field": field, "message": message}])
        self.status = status

    @property
    def api_message(self) -> str:
        if self.status == 409:
            return "The scan conflicts with a recorded one."
        return "The scan is not valid."


@overload
def _text(data: dict, name: str, limit: int, required: Literal[True] = True) -> str: ...
@overload
def _text(data: dict, name: str, limit: int, required: bool) -> str | None: ...
def _text(data: dict, name: str, limit: int, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise BodyError(name, "Required.")
        return None
    if not isinstance(value, str):
        raise BodyError(name, "Must be a string.")
    if len(value) > limit:
        raise BodyError(name, f"At most {limit} characters.")
    problem = line_problem(value)  # NUL cannot even be stored on PostgreSQL
    if problem is not None:
        raise BodyError(name, problem_message(problem))
    return value


def _moment(data: dict, name: str) -> datetime | None:
    value = _text(data, name, 64, required=False)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise BodyError(name, "Must be an ISO 8601 date-time with its UTC offset.") from error
    if moment.tzinfo is None:
        raise BodyError(name, "Must include its UTC offset (e.g. 2016-12-07T09:12:00+01:00).")
    try:
        return moment.astimezone(UTC)
    except OverflowError as error:  # e.g. 9999-12-31T23:59:59-05:00 is past year 9999 in UTC
        raise BodyError(name, "Out of range: a date-time between years 1 and 9999 "
                              "in UTC.") from error


def parse_scan(event: Event, data: Any, checkpoints: dict[int, Checkpoint],
               offline: bool = False, device: str = "") -> ScanRequest:
    """One scan body as a :class:`ScanRequest`, or a :class:`BodyError`."""
    if not isinstance(data, dict):
        raise BodyError("body", "Each scan must be a JSON object.")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise BodyError(unknown[0], "Unknown field.")
    checkpoint_id = json_integer(data.get("checkpoint"))
    if checkpoint_id is None:
        raise BodyError("checkpoint", "Must be a checkpoint id (an integer, from "
                                      "listCheckpoints).")
    checkpoint = checkpoints.get(checkpoint_id)
    if checkpoint is None or checkpoint.event_id != event.id:
        raise BodyError("checkpoint", f"No checkpoint {checkpoint_id} in this event.")
    code, participant = _subject(data)
    nonce = _text(data, "nonce", NONCE_MAX)
    device_result = _text(data, "device_result", 20, required=False)
    if device_result is not None and device_result not in RESULTS:
        raise BodyError("device_result", f"One of {', '.join(RESULTS)}.")
    return ScanRequest(checkpoint, code, nonce, _moment(data, "scanned_at"),
                       _text(data, "device", 100, required=False) or device,
                       offline, device_result, participant_key=participant)


def _subject(data: dict) -> tuple[str, str | None]:
    """The badge code, or the participant's id of an entry recorded by name: one of the
    two, never both."""
    participant = _text(data, "participant", PARTICIPANT_MAX, required=False)
    if participant is None:
        return _text(data, "code", CODE_MAX), None
    if data.get("code") not in (None, ""):
        raise BodyError("participant", "Send either a code or a participant, not both.")
    return "", participant


def parse_batch(data: Any) -> tuple[list, str]:
    """The ``scans`` list and the ``device`` name of an offline upload."""
    if not isinstance(data, dict):
        raise BodyError("body", "Must be a JSON object with a \"scans\" list.")
    unknown = sorted(set(data) - {"scans", "device"})
    if unknown:
        raise BodyError(unknown[0], "Unknown field.")
    scans = data.get("scans")
    if not isinstance(scans, list):
        raise BodyError("scans", "Must be a list of scans.")
    if len(scans) > MAX_BATCH:
        raise BodyError("scans", f"At most {MAX_BATCH} scans per upload: send the rest in "
                                 "another one.")
    return scans, _text(data, "device", 100, required=False) or ""
