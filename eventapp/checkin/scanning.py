"""The scan and upload requests as the two JSON front-ends run them.

The staff page (cookie session, ``/manage/events/<slug>/checkin/...``) and the API
(bearer token, ``/api/v1/events/<slug>/scans...``) both call these, so a scan means the
same thing, with the same answer, whichever way it arrives. The caller commits once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..auth.models import User
from ..db_types import DATABASE_ID_MAX
from ..events.models import Event
from ..extensions import db
from ..json_values import json_integer
from . import scan_cache
from .forms import BodyError, parse_batch, parse_scan
from .models import Checkpoint
from .operations import CheckinError, NonceReused, record_batch, record_scan
from .queries import CheckpointNames, scan_answer
from .scan_cache import CheckpointRef, ScanEvent


def _checkpoints(event: Event) -> dict[int, Checkpoint]:
    return {cp.id: cp for cp in db.session.scalars(
        select(Checkpoint).where(Checkpoint.event_id == event.id))}


def _named_checkpoint(event: Event | ScanEvent, data: Any) -> dict[int, CheckpointRef]:
    """Only the checkpoint a scan body names, if it is one of the event's (a scan reads
    one row, not the event's list, and usually none: ``scan_cache``;
    :func:`parse_scan` reports a missing or wrong id)."""
    checkpoint_id = json_integer(data.get("checkpoint")) if isinstance(data, dict) else None
    if checkpoint_id is None or not 0 < checkpoint_id <= DATABASE_ID_MAX:
        return {}
    checkpoint = scan_cache.checkpoint_for_scan(event.id, checkpoint_id)
    return {checkpoint_id: checkpoint} if checkpoint is not None else {}


def scan(event: Event | ScanEvent, data: Any, user: User | None) -> dict:
    """One online scan; raises :class:`BodyError` for a malformed body (400) or a nonce
    reused with another code, person or checkpoint (409). ``event`` may be the scan
    routes' cached copy: the answer then uses the rehearsal flag the scan read."""
    request = parse_scan(event, data, _named_checkpoint(event, data))
    try:
        outcome = record_scan(event, request, user)
    except CheckinError as error:
        status = 409 if isinstance(error, NonceReused) else 400
        raise BodyError(error.field or "body", error.message, status) from error
    if isinstance(event, ScanEvent):
        rehearsal = outcome.rehearsal
        if rehearsal is None:  # a replay: the flag as it is now
            rehearsal = bool(db.session.scalar(select(Event.checkin_rehearsal)
                                               .where(Event.id == event.id)))
        event = event.with_rehearsal(rehearsal)
    checkpoint = outcome.state or outcome.scan.checkpoint
    return scan_answer(event, outcome, label=scan_cache.checkpoint_label(event, checkpoint))


def _item_error(index: int, item: Any, field: str, message: str) -> dict:
    """The answer of one batch item that applied nothing (the others still apply)."""
    nonce = item.get("nonce") if isinstance(item, dict) else None
    return {"index": index, "nonce": nonce if isinstance(nonce, str) else None,
            "error": {"field": f"scans[{index}].{field}", "message": message}}


def upload(event: Event, data: Any, user: User | None) -> dict:
    """An offline queue: every valid scan is applied (in device-time order) and
    answered; an invalid one is answered with its error and applies nothing, without
    stopping the others. Re-uploading the same queue adds nothing (nonces)."""
    items, device = parse_batch(data)
    checkpoints = _checkpoints(event)
    requests, answers = [], [None] * len(items)
    positions = []
    for index, item in enumerate(items):
        try:
            requests.append(parse_scan(event, item, checkpoints, offline=True, device=device))
            positions.append(index)
        except BodyError as error:
            answers[index] = _item_error(index, item, error.field, error.message)
    names = CheckpointNames.load(event)
    for index, outcome in zip(positions, record_batch(event, requests, user), strict=True):
        if isinstance(outcome, CheckinError):
            answers[index] = _item_error(index, items[index], outcome.field or "body",
                                         outcome.message)
        else:
            answers[index] = {"index": index, **scan_answer(event, outcome, names)}
    applied = [a for a in answers if "result" in a]
    return {"results": answers,
            "received": len(items),
            "recorded": sum(1 for a in applied if not a["replayed"]),
            "replayed": sum(1 for a in applied if a["replayed"]),
            "invalid": len(items) - len(applied)}
