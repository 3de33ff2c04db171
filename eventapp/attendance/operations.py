"""Every change of émargement: sheets from the programme, signatures, windows,
countersignatures, the funders' block, and the purge of expired proofs.

Functions change the models in the request's session and raise :class:`AttendanceError`
with a message for the user; the view commits once.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import cast

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..auth.models import User
from ..checkin.models import Checkpoint
from ..db_types import utcnow
from ..errors import Refused
from ..events.models import Event
from ..extensions import db
from ..i18n import local_time
from ..programme.models import ProgrammeItem, ProgrammeItemKind, Round, Workshop, WorkshopSlot
from ..registration.models import Participant
from ..registration.operations import add_months
from .images import CheckedImage
from .models import (
    DEFAULT_PROOF_RETENTION_MONTHS,
    AttendanceSettings,
    AttendanceSheet,
    FunderLogo,
    Signature,
)

# Morning and afternoon are split at 13:00, event time (lunch).
HALF_DAY_SPLIT = time(13, 0)
DEFAULT_HALVES = ((time(9, 0), time(12, 30)), (time(13, 30), time(17, 0)))
# A staff member may have someone sign a little before or after the sheet's times.
STAFF_MARGIN = timedelta(minutes=90)
CLOCK_SKEW = timedelta(minutes=5)
MAX_LOGOS = 8
PLENARY_KINDS = (ProgrammeItemKind.WELCOME, ProgrammeItemKind.TALK, ProgrammeItemKind.OTHER)


class AttendanceError(Refused):
    """A refusal, in words for the user; ``field`` names the input at fault, ``status``
    is the JSON answers' HTTP status (400, or 404 for a row that is gone)."""

    def __init__(self, message: object, field: str | None = None, status: int = 400) -> None:
        super().__init__(str(message), field)
        self.status = status


# --- settings --------------------------------------------------------------------------

def settings_for_update(event: Event) -> AttendanceSettings:
    settings = db.session.get(AttendanceSettings, event.id)
    if settings is None:
        settings = AttendanceSettings(event_id=event.id, sheet_unit="half_day",
                                      proof_retention_months=DEFAULT_PROOF_RETENTION_MONTHS,
                                      esf_mention=False, funders_mention="",
                                      signatory_name="")
        db.session.add(settings)
    return settings


def update_settings(event: Event, *, sheet_unit: str, proof_retention_months: int,
                    esf_mention: bool, funders_mention: str, signatory_name: str,
                    signatory_image: CheckedImage | None, remove_signatory_image: bool
                    ) -> AttendanceSettings:
    settings = settings_for_update(event)
    settings.sheet_unit = sheet_unit
    settings.proof_retention_months = proof_retention_months
    settings.esf_mention = esf_mention
    settings.funders_mention = funders_mention
    settings.signatory_name = signatory_name
    if signatory_image is not None:
        settings.signatory_image = signatory_image.png
    elif remove_signatory_image:
        settings.signatory_image = None
    db.session.flush()
    return settings


def add_logo(event: Event, name: str, image: CheckedImage) -> FunderLogo:
    count = db.session.scalar(select(func.count()).select_from(FunderLogo)
                              .where(FunderLogo.event_id == event.id)) or 0
    if count >= MAX_LOGOS:
        raise AttendanceError(_l("At most %(n)d logos: remove one first.", n=MAX_LOGOS),
                              "logo")
    logo = FunderLogo(event_id=event.id, name=name, image=image.png, width=image.width,
                      height=image.height, position=count)
    db.session.add(logo)
    db.session.flush()
    return logo


def remove_logo(event: Event, logo_id: int) -> None:
    logo = db.session.get(FunderLogo, logo_id)
    if logo is None or logo.event_id != event.id:
        raise AttendanceError(_l("This logo no longer exists."), "logo", 404)
    db.session.delete(logo)
    db.session.flush()


# --- sheets from the programme ---------------------------------------------------------

@dataclass(frozen=True)
class SheetPlan:
    key: str
    kind: str
    title: str
    facilitator: str
    starts_at: datetime
    ends_at: datetime
    workshop_id: int | None = None


def _half_days(event: Event, spans: list[tuple[datetime, datetime]]) -> list[SheetPlan]:
    """Morning and afternoon from the programme's times (split at 13:00 event time);
    default hours for a half without any programme."""
    split = event.local_to_utc(HALF_DAY_SPLIT)
    plans = []
    for index, (key, title) in enumerate((("am", _l("Morning")), ("pm", _l("Afternoon")))):
        mine = [s for s in spans if (s[0] < split) == (index == 0)]
        if mine:
            start, end = min(s[0] for s in mine), max(s[1] for s in mine)
        else:
            start, end = (event.local_to_utc(t) for t in DEFAULT_HALVES[index])
        plans.append(SheetPlan(f"half_day:{key}", "half_day", str(title), "", start, end))
    return plans


def planned_sheets(event: Event, unit: str) -> list[SheetPlan]:
    """What sheets the programme gives for ``unit`` (constant number of queries)."""
    items = db.session.scalars(select(ProgrammeItem).where(ProgrammeItem.event_id == event.id)
                               .order_by(ProgrammeItem.starts_at)).all()
    rounds = db.session.scalars(select(Round).where(Round.event_id == event.id)
                                .order_by(Round.starts_at)).all()
    workshops = db.session.execute(
        select(Workshop, WorkshopSlot).join(WorkshopSlot, Workshop.slot_id == WorkshopSlot.id)
        .where(Workshop.event_id == event.id)
        .order_by(WorkshopSlot.starts_at, Workshop.position, Workshop.id)).all()
    spans = ([(i.starts_at, i.ends_at) for i in items if i.kind in PLENARY_KINDS]
             + [(r.starts_at, r.ends_at) for r in rounds]
             + [(s.starts_at, s.ends_at) for _, s in workshops])
    workshop_plans = [SheetPlan(f"workshop:{w.key}", "workshop",
                                str(_l("Workshop: %(name)s", name=w.name)), w.host,
                                s.starts_at, s.ends_at, w.id) for w, s in workshops]
    if unit == "half_day":
        return _half_days(event, spans)
    if unit == "workshop":
        return _half_days(event, spans) + workshop_plans
    plans = [SheetPlan(f"item:{i.id}", "session", i.title,
                       ", ".join(line.split(",")[0] for line in i.speaker_lines),
                       i.starts_at, i.ends_at) for i in items if i.kind in PLENARY_KINDS]
    plans += [SheetPlan(f"round:{r.key}", "session",
                        str(_l("Speed-dating, round %(n)d", n=n)), "", r.starts_at, r.ends_at)
              for n, r in enumerate(rounds, start=1)]
    return sorted(plans + workshop_plans, key=lambda p: (p.starts_at, p.key))


def sync_sheets(event: Event) -> list[AttendanceSheet]:
    """The event's active sheets, created or updated from the programme under their key
    (signed sheets are never deleted: one the programme lost is made inactive)."""
    settings = db.session.get(AttendanceSettings, event.id)
    unit = settings.sheet_unit if settings else "half_day"
    plans = planned_sheets(event, unit)
    existing = {s.key: s for s in db.session.scalars(
        select(AttendanceSheet).where(AttendanceSheet.event_id == event.id))}
    wanted = set()
    for position, plan in enumerate(plans):
        wanted.add(plan.key)
        sheet = existing.get(plan.key)
        if sheet is None:
            sheet = AttendanceSheet(event_id=event.id, key=plan.key, kind=plan.kind,
                                    countersigned_by="")
            db.session.add(sheet)
            existing[plan.key] = sheet
        changes = {"title": plan.title[:300], "facilitator": (plan.facilitator or "")[:300],
                   "starts_at": plan.starts_at, "ends_at": plan.ends_at,
                   "workshop_id": plan.workshop_id, "active": True, "position": position}
        for name, value in changes.items():
            if getattr(sheet, name) != value:
                setattr(sheet, name, value)
    for key, sheet in existing.items():
        if key not in wanted and sheet.active:
            sheet.active = False
    db.session.flush()
    return sorted((s for s in existing.values() if s.active), key=lambda s: s.position)


# --- windows and countersignature ------------------------------------------------------

def _not_countersigned(sheet: AttendanceSheet) -> None:
    if sheet.countersigned_at is not None:
        raise AttendanceError(_l("This sheet was countersigned on %(time)s: it is closed.",
                                 time=local_time(sheet.countersigned_at,
                                                 sheet.event.timezone)), "sheet", 409)


def open_window(sheet: AttendanceSheet, now: datetime) -> None:
    _not_countersigned(sheet)
    sheet.window_opened_at = now
    sheet.window_closed_at = None
    db.session.flush()


def close_window(sheet: AttendanceSheet, now: datetime) -> None:
    if sheet.window_open:
        sheet.window_closed_at = now
        db.session.flush()


def countersign(sheet: AttendanceSheet, name: str, image: CheckedImage, now: datetime
                ) -> None:
    """The facilitator's countersignature: it closes the sheet for good."""
    _not_countersigned(sheet)
    if not name.strip():
        raise AttendanceError(_l("Give the facilitator's name."), "name")
    if sheet.window_open:
        sheet.window_closed_at = now
    sheet.countersigned_by = name.strip()[:300]
    sheet.countersignature = image.png
    sheet.countersigned_at = now
    db.session.flush()


# --- signatures ------------------------------------------------------------------------

def pseudonym(event_id: int, participant_id: int) -> str:
    """A stable pseudonym of a person within an event ("Participant·e 3F9A2C1D"): the
    same on all their signatures, meaningless without the server's secret, so that it
    stays on the sheet when their name is erased."""
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    digest = hmac.new(secret, f"attendance:{event_id}:{participant_id}".encode(),
                      hashlib.sha256).hexdigest()
    return f"P-{digest[:10].upper()}"


@dataclass
class SignRequest:
    participant: Participant
    image: CheckedImage
    nonce: str
    via: str
    device: str = ""
    staff: User | None = None
    device_time: datetime | None = None
    sheet: AttendanceSheet | None = None       # portal: the sheet whose window is open
    checkpoint: Checkpoint | None = None       # staff: where the scan happened


@dataclass
class SignOutcome:
    signature: Signature
    replayed: bool = False     # the same nonce again: the stored answer
    already: bool = False      # this person had already signed this sheet


def find_signature(event: Event, nonce: str) -> Signature | None:
    return db.session.scalar(select(Signature).where(Signature.event_id == event.id,
                                                     Signature.nonce == nonce))


def signing_time(device_time: datetime | None, now: datetime, sheet_day: date
                 ) -> datetime:
    """The device's time for a queued signature if plausible (not ahead of the server,
    not before the day before), else the server's."""
    if device_time is None or device_time > now + CLOCK_SKEW:
        return now
    earliest = datetime.combine(sheet_day - timedelta(days=1), time(0), UTC)
    return device_time if device_time >= min(earliest, now - timedelta(days=1)) else now


def sheet_for_staff(event: Event, sheets: list[AttendanceSheet], when: datetime,
                    checkpoint: Checkpoint | None) -> AttendanceSheet:
    """The sheet a signature taken by staff goes on: the checkpoint's workshop sheet if
    the event signs per workshop, else the sheet whose times (with a margin) cover the
    moment, the nearest start first. Outside every sheet (evening, another day): refused.
    A rehearsal signs on the sheet nearest to the same time of day on the event's day."""
    if checkpoint is not None and checkpoint.workshop_id is not None:
        for sheet in sheets:
            if sheet.workshop_id == checkpoint.workshop_id:
                return sheet
    general = [s for s in sheets if s.workshop_id is None] or sheets
    if not general:
        raise AttendanceError(_l("This event has no attendance sheet yet."), "sheet", 409)
    covering = [s for s in general
                if s.starts_at - STAFF_MARGIN <= when <= s.ends_at + STAFF_MARGIN]
    if not covering and event.checkin_rehearsal:
        # Practising before the day: the same time of day on the event's day.
        when = event.local_to_utc(event.to_local(when).time().replace(tzinfo=None))
        covering = general
    if not covering:
        raise AttendanceError(
            _l("No attendance sheet is open at %(time)s: signatures are taken during the "
               "sheets' times (an hour and a half either side).",
               time=local_time(when, event.timezone)), "signed_at", 409)
    return min(covering, key=lambda s: abs((s.starts_at - when).total_seconds()))


def record_signature(event: Event, request: SignRequest, sheets: list[AttendanceSheet],
                     now: datetime | None = None) -> SignOutcome:
    """Store one signature, or find the one stored under its nonce (idempotent)."""
    now = now or utcnow()
    existing = find_signature(event, request.nonce)
    if existing is not None:
        if existing.participant_id != request.participant.id:
            raise AttendanceError(_l("This nonce was already used for another signature."),
                                  "nonce", 409)
        return SignOutcome(existing, replayed=True)
    person = request.participant
    if person.event_id != event.id:
        raise AttendanceError(_l("This person is not registered for this event."),
                              "participant", 404)
    if person.status == "cancelled":
        raise AttendanceError(_l("%(name)s cancelled their registration: they cannot sign.",
                                 name=person.full_name), "participant", 409)
    when = signing_time(request.device_time, now, event.date)
    if request.via == "portal":
        sheet = request.sheet
        if sheet is None or not sheet.window_open:
            raise AttendanceError(_l("Signing is not open now: sign when the organisers "
                                     "open the sheet, on the day."), "sheet", 409)
        when = now
    else:
        sheet = sheet_for_staff(event, sheets, when, request.checkpoint)
    _not_countersigned(sheet)
    already = db.session.scalar(select(Signature).where(
        Signature.sheet_id == sheet.id, Signature.participant_id == person.id))
    if already is not None:
        return SignOutcome(already, already=True)
    signature = Signature(
        event_id=event.id, sheet_id=sheet.id, participant_id=person.id,
        pseudonym=pseudonym(event.id, person.id), nonce=request.nonce, via=request.via,
        device=request.device[:100], staff_id=request.staff.id if request.staff else None,
        signed_at=when, received_at=now, image=request.image.png,
        width=request.image.width, height=request.image.height)
    savepoint = db.session.begin_nested()
    try:
        db.session.add(signature)
        db.session.flush()
    except IntegrityError:
        # Two uploads of the same queue at once (two tabs, a retry while the first is
        # still running), or the person signing on two phones: the other one won.
        savepoint.rollback()
        return _stored_meanwhile(event, request, sheet)
    savepoint.commit()
    return SignOutcome(signature)


def _stored_meanwhile(event: Event, request: SignRequest, sheet: AttendanceSheet
                      ) -> SignOutcome:
    existing = find_signature(event, request.nonce)
    if existing is not None:
        if existing.participant_id != request.participant.id:
            raise AttendanceError(_l("This nonce was already used for another signature."),
                                  "nonce", 409)
        return SignOutcome(existing, replayed=True)
    already = db.session.scalar(select(Signature).where(
        Signature.sheet_id == sheet.id, Signature.participant_id == request.participant.id))
    if already is None:
        raise AttendanceError(_l("The signature could not be saved: try again."), None, 409)
    return SignOutcome(already, already=True)


# --- retention -------------------------------------------------------------------------

def purge_expired_proofs(today: date) -> dict[str, int]:
    """Delete the signatures and countersignatures of events whose proof retention period
    is over (``flask attendance purge-expired``, run daily). Returns the number of
    signatures deleted per event slug."""
    purged: dict[str, int] = {}
    rows = db.session.execute(
        select(Event, AttendanceSettings.proof_retention_months)
        .outerjoin(AttendanceSettings, AttendanceSettings.event_id == Event.id)).all()
    for event, months in rows:
        if today < add_months(event.date, months or DEFAULT_PROOF_RETENTION_MONTHS):
            continue
        deleted = cast(CursorResult, db.session.execute(
            delete(Signature).where(Signature.event_id == event.id)))
        db.session.execute(update(AttendanceSheet).where(AttendanceSheet.event_id == event.id)
                           .values(countersignature=None, countersigned_at=None))
        if deleted.rowcount:
            purged[event.slug] = deleted.rowcount
    db.session.flush()
    return purged
