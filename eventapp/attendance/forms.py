"""Émargement forms (organiser pages) and the JSON bodies of the signing routes.

The signing bodies come from the staff scanning page (one signature, or a batch of
queued ones) and from the participant's own phone; :func:`parse_staff_signature` names
the failing field, as the scan bodies do (``checkin.forms``, whose helpers are reused).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..checkin.forms import BodyError, _moment, _text
from ..forms import AppForm
from ..json_values import json_integer
from .images import ImageProblem, signature_from_data_url
from .models import SHEET_UNITS

STRIP = [lambda value: value.strip() if isinstance(value, str) else value]
MAX_BATCH = 20
IMAGE_EXTENSIONS = ["png", "jpg", "jpeg"]
STAFF_FIELDS = {"checkpoint", "participant", "serial", "nonce", "signed_at", "image", "device"}
PORTAL_FIELDS = {"nonce", "image", "device"}


class SettingsForm(AppForm):
    sheet_unit = RadioField(_l("One attendance sheet"), choices=[
        SelectChoice("half_day", _l("per half-day")),
        SelectChoice("session", _l("per session (each talk, speed-dating round and workshop)")),
        SelectChoice("workshop", _l("per half-day, plus one per workshop"))], default="half_day",
        validators=[DataRequired()])
    proof_retention_months = IntegerField(
        _l("Keep signatures as proof for funders (months after the event)"),
        validators=[DataRequired(), NumberRange(min=1, max=240)], default=120)
    esf_mention = BooleanField(_l("Print the EU emblem with “Co-funded by the European "
                                  "Union” (European Social Fund+)"))
    funders_mention = TextAreaField(_l("Other mandatory mention of the funders"),
                                    filters=STRIP, validators=[Optional(), Length(max=500)])
    signatory_name = StringField(_l("Who signs the certificates (name, function)"),
                                 filters=STRIP, validators=[Optional(), Length(max=300)])
    signatory_image = FileField(_l("Their signature (PNG image, optional)"), validators=[
        FileAllowed(["png"], _l("The signature must be a PNG image."))])
    remove_signatory_image = BooleanField(_l("Remove the stored signature image"))


class LogoForm(AppForm):
    name = StringField(_l("Funder's name"), filters=STRIP,
                       validators=[DataRequired(), Length(max=200)])
    file = FileField(_l("Logo (PNG or JPEG, at most 2 MB)"), validators=[
        FileRequired(_l("Choose a logo file.")),
        FileAllowed(IMAGE_EXTENSIONS, _l("The logo must be a PNG or JPEG image."))])


class ButtonForm(AppForm):
    """A button-only form (CSRF): open or close a window, remove a logo."""


class CountersignForm(AppForm):
    name = StringField(_l("Facilitator's name"), filters=STRIP,
                       validators=[DataRequired(), Length(max=300)])


assert {c.value for c in SettingsForm.sheet_unit.kwargs["choices"]} == set(SHEET_UNITS)


@dataclass
class StaffSignature:
    checkpoint_id: int
    participant_key: str | None
    serial: int | None
    nonce: str
    signed_at: datetime | None
    image: Any
    device: str


def parse_image(data: dict) -> Any:
    try:
        return signature_from_data_url(data.get("image"))
    except ImageProblem as problem:
        raise BodyError("image", problem.message) from problem


def _serial(value: Any) -> int | None:
    """A badge serial: an integer, or its decimal string (JavaScript keeps them as text)."""
    if isinstance(value, str):
        return int(value) if value.isdigit() and len(value) <= 18 else None
    return json_integer(value)


def parse_staff_signature(data: Any) -> StaffSignature:
    """One signature taken on a staff phone: who (their participant id or badge serial),
    where (the checkpoint), the nonce, the device's time and the image."""
    if not isinstance(data, dict):
        raise BodyError("body", "Each signature must be a JSON object.")
    unknown = sorted(set(data) - STAFF_FIELDS)
    if unknown:
        raise BodyError(unknown[0], "Unknown field.")
    checkpoint = json_integer(data.get("checkpoint"))
    if checkpoint is None:
        raise BodyError("checkpoint", "Must be a checkpoint id (an integer).")
    key = _text(data, "participant", 100, required=False)
    serial = None
    if key is None:
        serial = _serial(data.get("serial"))
        if serial is None:
            raise BodyError("participant", "Name the signer: their participant id or their "
                                           "badge serial.")
    return StaffSignature(checkpoint, key, serial, _text(data, "nonce", 100),
                          _moment(data, "signed_at"), parse_image(data),
                          _text(data, "device", 100, required=False) or "")


def parse_batch(data: Any) -> list:
    if not isinstance(data, dict) or not isinstance(data.get("signatures"), list):
        raise BodyError("signatures", "Must be a JSON object with a \"signatures\" list.")
    if len(data["signatures"]) > MAX_BATCH:
        raise BodyError("signatures", f"At most {MAX_BATCH} signatures per upload.")
    return data["signatures"]


def parse_portal_signature(data: Any) -> tuple[str, Any, str]:
    if not isinstance(data, dict):
        raise BodyError("body", "Send a JSON object.")
    unknown = sorted(set(data) - PORTAL_FIELDS)
    if unknown:
        raise BodyError(unknown[0], "Unknown field.")
    return (_text(data, "nonce", 100), parse_image(data),
            _text(data, "device", 100, required=False) or "")


def form_nonce(value: Any) -> str:
    """The signing page's nonce (made when the page was shown): a resubmitted form
    finds the signature it already stored."""
    if not isinstance(value, str) or not (8 <= len(value) <= 100) or not value.isalnum():
        raise BodyError("nonce", str(_l("The form is incomplete: reload the page and sign "
                                        "again.")))
    return value
