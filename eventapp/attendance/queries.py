"""Read side of émargement: the sheets' documents, who came and for how long, the
certificates' content. Every function costs a fixed number of SQL statements whatever
the number of people (one for the people, one for the signatures, one for the scans).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from ..checkin.models import Admission, Checkpoint
from ..db_types import utcnow
from ..events.models import Event
from ..extensions import db
from ..i18n import local_time
from ..programme.models import ProgrammeItem, Round, WorkshopSlot
from ..registration.models import Participant, ParticipantStatus
from ..registration.queries import settings_of as registration_settings
from ..scheduling.models import WorkshopAssignment
from . import pdf
from .models import (
    DEFAULT_PROOF_RETENTION_MONTHS,
    AttendanceSettings,
    AttendanceSheet,
    FunderLogo,
    Signature,
)
from .operations import planned_sheets

UNIT_LABELS = {
    "half_day": _l("One sheet per half-day"),
    "session": _l("One sheet per session (each talk, round and workshop)"),
    "workshop": _l("One sheet per half-day, plus one per workshop"),
}


def settings_of(event: Event) -> AttendanceSettings:
    """The event's settings, or unsaved defaults (half-days, 10 years) if none saved."""
    settings = db.session.get(AttendanceSettings, event.id)
    if settings is None:
        settings = AttendanceSettings(event_id=event.id, sheet_unit="half_day",
                                      proof_retention_months=DEFAULT_PROOF_RETENTION_MONTHS,
                                      esf_mention=False, funders_mention="",
                                      signatory_name="")
    return settings


def logos_of(event: Event) -> list[FunderLogo]:
    return list(db.session.scalars(select(FunderLogo).where(FunderLogo.event_id == event.id)
                                   .order_by(FunderLogo.position, FunderLogo.id)))


def funders(event: Event, settings: AttendanceSettings | None = None) -> pdf.Funders:
    settings = settings or settings_of(event)
    return pdf.Funders(
        logos=[pdf.Logo(logo.name, logo.image, logo.width, logo.height)
               for logo in logos_of(event)],
        esf=settings.esf_mention, esf_text=_("Co-funded by the European Union"),
        mention=settings.funders_mention or "")


def get_sheet(event: Event, sheet_id: int) -> AttendanceSheet | None:
    sheet = db.session.get(AttendanceSheet, sheet_id)
    return sheet if sheet is not None and sheet.event_id == event.id else None


def open_sheet(event: Event) -> AttendanceSheet | None:
    """The sheet whose participants' signing window is open now (the latest opened)."""
    return db.session.scalar(
        select(AttendanceSheet).where(
            AttendanceSheet.event_id == event.id, AttendanceSheet.active.is_(True),
            AttendanceSheet.window_opened_at.is_not(None),
            AttendanceSheet.window_closed_at.is_(None),
            AttendanceSheet.countersigned_at.is_(None))
        .order_by(AttendanceSheet.window_opened_at.desc()).limit(1))


# --- sheets ----------------------------------------------------------------------------

def _expected_query(event: Event, sheet: AttendanceSheet):
    """Who is expected to sign: everyone registered (not staff), or for a workshop sheet
    the people placed in that workshop."""
    query = select(Participant).where(Participant.event_id == event.id,
                                      Participant.status == ParticipantStatus.REGISTERED,
                                      Participant.role != "staff")
    if sheet.workshop_id is not None:
        query = query.join(WorkshopAssignment, and_(
            WorkshopAssignment.participant_id == Participant.id,
            WorkshopAssignment.workshop_id == sheet.workshop_id))
    return query


@dataclass
class SheetLine:
    name: str
    organisation: str
    signature: Signature | None = None
    participant_id: int | None = None
    sort_key: tuple = ()


def _line(person: Participant, signature: Signature | None) -> SheetLine:
    return SheetLine(person.full_name, person.organisation, signature, person.id,
                     (person.last_name.casefold(), person.first_name.casefold(), person.id))


def sheet_lines(event: Event, sheet: AttendanceSheet) -> list[SheetLine]:
    """One line per expected person, plus anyone else who signed (a walk-in registered on
    the spot, a pseudonym after erasure), sorted by name: two statements."""
    people = db.session.scalars(_expected_query(event, sheet)).all()
    rows = db.session.execute(
        select(Signature, Participant).outerjoin(
            Participant, Participant.id == Signature.participant_id)
        .where(Signature.sheet_id == sheet.id)).all()
    signed = {sig.participant_id: sig for sig, _ in rows if sig.participant_id}
    lines = [_line(person, signed.get(person.id)) for person in people]
    seen = {person.id for person in people}
    for sig, person in rows:
        if person is None:  # erased: the pseudonym stays, as proof
            lines.append(SheetLine(sig.pseudonym, "", sig, None,
                                   (sig.pseudonym.casefold(), "", 0)))
        elif person.id not in seen:
            lines.append(_line(person, sig))
            seen.add(person.id)
    return sorted(lines, key=lambda line: line.sort_key)


def times_label(event: Event, start: datetime, end: datetime) -> str:
    return f"{local_time(start, event.timezone)}–{local_time(end, event.timezone)}"


def signed_label(event: Event, signature: Signature) -> str:
    return _("Signed at %(time)s (UTC %(utc)s)",
             time=local_time(signature.signed_at, event.timezone),
             utc=signature.signed_at.strftime("%H:%M"))


def sheet_labels() -> pdf.SheetLabels:
    return pdf.SheetLabels(
        title=_("Attendance sheet"), name=_("Name"), organisation=_("Organisation"),
        signature=_("Signature"), facilitator=_("Facilitator"),
        countersigned=_("Countersignature of the facilitator"),
        page=_("Page {page} of {pages}"), walk_in=_("Walk-in: name, organisation"))


def sheet_document(event: Event, sheet: AttendanceSheet,
                   funders_block: pdf.Funders | None = None) -> pdf.SheetDocument:
    countersigned = ""
    if sheet.countersigned_at is not None:
        countersigned = _("%(name)s, on %(time)s",
                          name=sheet.countersigned_by,
                          time=local_time(sheet.countersigned_at, event.timezone))
    rows = [pdf.SheetRow(line.name, line.organisation,
                         line.signature.image if line.signature else None,
                         signed_label(event, line.signature) if line.signature else "")
            for line in sheet_lines(event, sheet)]
    return pdf.SheetDocument(
        event_name=event.name, date_label=format_date(event.date, "full"),
        times_label=times_label(event, sheet.starts_at, sheet.ends_at),
        unit_title=sheet.title, facilitator=sheet.facilitator or sheet.countersigned_by,
        rows=rows, labels=sheet_labels(),
        funders=funders_block if funders_block is not None else funders(event),
        countersigned_label=countersigned, countersignature=sheet.countersignature)


@dataclass
class SheetSummary:
    sheet: AttendanceSheet
    expected: int
    signed: int


def sheet_summaries(event: Event, sheets: list[AttendanceSheet]) -> list[SheetSummary]:
    """Signature counts per sheet for the organiser's list (three statements)."""
    signed = dict(db.session.execute(
        select(Signature.sheet_id, func.count()).where(Signature.event_id == event.id)
        .group_by(Signature.sheet_id)).all())
    registered = db.session.scalar(select(func.count()).select_from(Participant).where(
        Participant.event_id == event.id, Participant.status == ParticipantStatus.REGISTERED,
        Participant.role != "staff")) or 0
    per_workshop = dict(db.session.execute(
        select(WorkshopAssignment.workshop_id, func.count())
        .join(Participant, Participant.id == WorkshopAssignment.participant_id)
        .where(Participant.event_id == event.id, Participant.status == ParticipantStatus.REGISTERED)
        .group_by(WorkshopAssignment.workshop_id)).all())
    return [SheetSummary(s, per_workshop.get(s.workshop_id, 0) if s.workshop_id
                         else registered, signed.get(s.id, 0)) for s in sheets]


# --- attendance and certificates -------------------------------------------------------

@dataclass
class Presence:
    """What a person attended: the periods (UTC) from their signatures and scans."""

    participant: Participant
    periods: list[tuple[datetime, datetime]] = field(default_factory=list)
    came: bool = False

    @property
    def minutes(self) -> int:
        total = timedelta()
        end_so_far: datetime | None = None
        for start, end in sorted(self.periods):
            if end_so_far is not None and start < end_so_far:
                start = end_so_far
            if end > start:
                total += end - start
                end_so_far = end if end_so_far is None else max(end, end_so_far)
        return int(total.total_seconds() // 60)


def presences(event: Event, participants: Iterable[Participant] | None = None
              ) -> dict[int, Presence]:
    """Per participant, the periods attended: each signed sheet's times; each admission
    at a round or workshop, that period; a door scan, from the arrival to the end of that
    half-day. Three statements (people, signatures, admissions) plus the programme's."""
    if participants is None:
        people = db.session.scalars(
            select(Participant).where(Participant.event_id == event.id,
                                      Participant.status != "cancelled")
            .order_by(Participant.last_name, Participant.first_name, Participant.id)).all()
    else:
        people = list(participants)
    result = {p.id: Presence(p) for p in people}
    ids = list(result)
    if not ids:
        return result
    for sig_pid, start, end in db.session.execute(
            select(Signature.participant_id, AttendanceSheet.starts_at, AttendanceSheet.ends_at)
            .join(AttendanceSheet, AttendanceSheet.id == Signature.sheet_id)
            .where(Signature.event_id == event.id, Signature.participant_id.in_(ids))):
        if sig_pid is None:  # never: the query asks for these people's signatures
            continue
        result[sig_pid].periods.append((start, end))
        result[sig_pid].came = True
    halves = [(p.starts_at, p.ends_at) for p in planned_sheets(event, "half_day")]
    rows = db.session.execute(
        select(Admission.participant_id, Admission.admitted_at, Checkpoint.kind,
               Round.starts_at, Round.ends_at, WorkshopSlot.starts_at, WorkshopSlot.ends_at,
               ProgrammeItem.starts_at, ProgrammeItem.ends_at)
        .join(Checkpoint, Checkpoint.id == Admission.checkpoint_id)
        .outerjoin(Round, Round.id == Checkpoint.round_id)
        .outerjoin(WorkshopSlot, WorkshopSlot.id == _workshop_slot_id())
        .outerjoin(ProgrammeItem, ProgrammeItem.id == Checkpoint.programme_item_id)
        .where(Admission.event_id == event.id, Admission.participant_id.in_(ids))).all()
    for pid, admitted, kind, r_start, r_end, w_start, w_end, _i_start, _i_end in rows:
        presence = result[pid]
        presence.came = True
        if kind == "session" and r_start is not None:
            presence.periods.append((r_start, r_end))
        elif kind == "workshop" and w_start is not None:
            presence.periods.append((w_start, w_end))
        elif kind == "door":
            for start, end in halves:
                if start - timedelta(hours=2) <= admitted <= end:
                    presence.periods.append((max(start, admitted), end))
                    break
    return result


def _workshop_slot_id():
    from ..programme.models import Workshop

    return (select(Workshop.slot_id).where(Workshop.id == Checkpoint.workshop_id)
            .scalar_subquery())


def hours_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}"


def certificate(event: Event, presence: Presence, settings: AttendanceSettings,
                organiser: str, funders_block: pdf.Funders) -> pdf.Certificate:
    person = presence.participant
    who = person.full_name + (f" ({person.organisation})" if person.organisation else "")
    body = [
        _("I, the undersigned, on behalf of %(organiser)s, certify that %(who)s attended "
          "“%(event)s” on %(date)s%(venue)s.",
          organiser=organiser or _("the organiser"), who=who, event=event.name,
          date=format_date(event.date, "full"),
          venue=(", " + event.venue) if event.venue else ""),
        _("Time attended, from the signed attendance sheets and the check-in scans: "
          "%(hours)s.", hours=hours_label(presence.minutes)),
        _("This certificate is issued to serve as proof where required."),
    ]
    signatory = settings.signatory_name or organiser
    return pdf.Certificate(
        title=_("Certificate of attendance"), body=body,
        place_date=_("Issued on %(date)s", date=format_date(utcnow().date(), "long")),
        signatory=_("For %(organiser)s: %(name)s", organiser=organiser or event.name,
                    name=signatory) if signatory else "",
        signature=settings.signatory_image, funders=funders_block)


def certificates(event: Event, participants: Iterable[Participant] | None = None
                 ) -> list[tuple[Participant, pdf.Certificate]]:
    """The certificates of everyone who came (or of ``participants`` who came)."""
    settings = settings_of(event)
    organiser = registration_settings(event).organiser_name
    block = funders(event, settings)
    return [(p.participant, certificate(event, p, settings, organiser, block))
            for p in presences(event, participants).values() if p.came]


def signatures_export(participant: Participant) -> list[dict]:
    """The person's signatures for their data export (RGPD right of access); the image
    as a data URL, as it is stored."""
    import base64

    rows = db.session.execute(
        select(Signature, AttendanceSheet.title).join(
            AttendanceSheet, AttendanceSheet.id == Signature.sheet_id)
        .where(Signature.participant_id == participant.id).order_by(Signature.signed_at))
    return [{"sheet": title, "signed_at": sig.signed_at.isoformat(), "via": sig.via,
             "device": sig.device, "pseudonym": sig.pseudonym,
             "image": "data:image/png;base64," + base64.b64encode(sig.image).decode("ascii")}
            for sig, title in rows]
