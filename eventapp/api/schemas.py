"""The API's requests and answers, each described once as a pydantic model.

A request model validates the body (strict JSON types, unknown fields refused) and an
answer model serialises what the view returns; both write their part of the OpenAPI
document (spec.py). Enumerations come from the models' own lists (ParticipantStatus,
CATEGORIES, JobStatus, the check-in kinds and results), never copied.

Times are ISO 8601 with the event's UTC offset (``LocalDateTime``: give it
``event.to_local(moment)``), next to the event's IANA timezone name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import email_validator
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_serializer,
)
from pydantic.json_schema import SkipJsonSchema

from ..checkin.models import CHECKPOINT_KINDS, RESULTS, TIME_FLAGS
from ..db_types import DATABASE_ID_MAX
from ..forms import problem_message
from ..json_values import json_integer
from ..registration.models import CATEGORIES, PUBLIC_CATEGORIES, ROLES, ParticipantStatus
from ..registration.queries import REGISTRATION_STATE_CODES
from ..scheduling.models import JobStatus
from ..scheduling.operations import DEFAULT_CHANGE_PENALTY
from ..text import block_problem, line_problem, strip_bidi

# --- Scalar types --------------------------------------------------------------------

# Ids are SQL INTEGERs: a larger one matches no route (404).
ID = {"type": "integer", "minimum": 1, "maximum": DATABASE_ID_MAX}
DATETIME = {"type": "string", "format": "date-time",
            "description": "ISO 8601 with the event's UTC offset."}


def _iso(moment: datetime) -> str:
    return moment.isoformat()


# A moment in the event's timezone, written with its offset (``+02:00``, never ``Z``).
LocalDateTime = Annotated[datetime, PlainSerializer(_iso, return_type=str),
                          WithJsonSchema(DATETIME)]
NullableLocalDateTime = Annotated[
    datetime | None, PlainSerializer(lambda m: m.isoformat() if m else None),
    WithJsonSchema({"type": ["string", "null"], "format": "date-time"})]
# Check-in's times are written by checkin.queries.rfc3339 (shared with the staff page).
DateTimeText = Annotated[str, WithJsonSchema(DATETIME)]
NullableDateTimeText = Annotated[
    str | None, WithJsonSchema({"type": ["string", "null"], "format": "date-time"})]


def _json_integer(value: Any) -> Any:
    """699.0 is an integer for JSON Schema (and the document): read it as one; anything
    else is left for the strict check to refuse."""
    number = json_integer(value)
    return value if number is None else number


JsonInt = Annotated[int, BeforeValidator(_json_integer)]
# A number as the code has it (an int stays an int: 5, not 5.0).
NullableNumber = Annotated[int | float | None, WithJsonSchema({"type": ["number", "null"]})]


class AnswerSchema(BaseModel):
    """An answer: every property is present (``required``), null where it has no value;
    a property the schema does not declare is refused (a dictionary built elsewhere with
    an undocumented key fails loudly instead of drifting from the document)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True,
                              extra="forbid")


class BodySchema(BaseModel):
    """A request body: JSON types as the document says them (no "5" for 5), no unknown
    field."""

    model_config = ConfigDict(strict=True, extra="forbid")


# --- Errors --------------------------------------------------------------------------

class ErrorDetail(AnswerSchema):
    field: str | None
    message: str


class ErrorBody(AnswerSchema):
    status: int
    message: str
    field: str | None
    details: list[ErrorDetail]


class Error(AnswerSchema):
    """The one error shape (api/errors.py writes it): ``field`` names the first failing
    field, ``details`` lists every problem."""

    error: ErrorBody


# --- Events --------------------------------------------------------------------------

class EventSummary(AnswerSchema):
    model_config = ConfigDict(from_attributes=True)

    slug: str
    name: str
    date: date
    timezone: str = Field(description="IANA name")
    venue: str


class EventList(AnswerSchema):
    events: list[EventSummary]


class Theme(AnswerSchema):
    model_config = ConfigDict(from_attributes=True)

    key: str
    name: str
    colour: str = Field(pattern="^#[0-9a-fA-F]{6}$")
    colour_name: str


class Publication(AnswerSchema):
    """``emailed`` only in publishAssignments' answer (how many were emailed)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=False,
                              extra="forbid")

    version: int
    published_at: LocalDateTime
    emailed: Annotated[int | None, WithJsonSchema({"type": "integer"})] = None

    @model_serializer(mode="wrap")
    def _without_unknown_count(self, handler: Any):  # noqa: ANN202 (the schema is the fields')
        data = handler(self)
        if data.get("emailed") is None:
            data.pop("emailed", None)
        return data


class RegistrationState(AnswerSchema):
    state: Literal[REGISTRATION_STATE_CODES]  # type: ignore[valid-type]
    accepts: bool
    message: str | None


class RoomItem(AnswerSchema):
    model_config = ConfigDict(from_attributes=True)

    key: str
    name: str
    capacity: int
    tables: int
    step_free: bool


class TimedItem(AnswerSchema):
    key: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime


class ProjectItem(AnswerSchema):
    key: str
    name: str
    theme: str | None


class WorkshopItem(AnswerSchema):
    key: str
    name: str
    capacity: int | None
    slot: str | None


class Event(EventSummary):
    address: str
    description: str
    counts: dict[str, int]
    registration: RegistrationState
    themes: list[Theme]
    rooms: list[RoomItem]
    rounds: list[TimedItem]
    projects: list[ProjectItem]
    workshop_slots: list[TimedItem]
    workshops: list[WorkshopItem]
    publication: Publication | None


class ParticipantData(AnswerSchema):
    participants: int
    emails: int
    consents: int
    personal_links: int
    badges: int
    scans: int


class Replacement(AnswerSchema):
    """Kept: the participants the file names (matched by id), with what the file cannot
    carry. Removed: the others, deleted with theirs (their scans stay, no longer naming
    them)."""

    kept: ParticipantData
    removed: ParticipantData


class ReplacedEvent(Event):
    replacement: Replacement


# The exchange format's documents are named in the document, not restated: the format is
# scheduler/schema/'s JSON Schema (docs/scheduling.md).
EXCHANGE_SCHEMAS: dict[str, dict] = {
    "Instance": {"type": "object", "description": "A `speed-dating-instance/1` document "
                 "(the exchange format contract, docs/scheduling.md).",
                 "required": ["format"], "properties": {
                     "format": {"const": "speed-dating-instance/1"}}},
    "Solution": {"type": "object", "description": "A `speed-dating-solution/1` document.",
                 "properties": {"format": {"const": "speed-dating-solution/1"}}},
}
SolutionDocument = Annotated[dict[str, Any] | None, WithJsonSchema(
    {"oneOf": [{"$ref": "#/components/schemas/Solution"}, {"type": "null"}]})]


# --- Registration and the participant --------------------------------------------------

# The registration form's rules (registration/forms.py, eventapp/forms.py), with its
# messages: one-line fields lose bidirectional-formatting characters and refuse control
# characters and line breaks; notes may have line breaks; a name is not blank once
# trimmed. The document's patterns say the same, and also exclude the bidi characters
# the server would strip, so that what the document allows is kept as sent.
_CONTROLS = ("\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\u061c\\u200e\\u200f\\u202a-\\u202e"
             "\\u2066-\\u2069")
_NOTE_CONTROLS = _CONTROLS.replace("\\x00-\\x1f", "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f")


def _one_line(value: str) -> str:
    value = strip_bidi(value)
    problem = line_problem(value)
    if problem is not None:
        raise ValueError(problem_message(problem))
    return value


def _block(value: str) -> str:
    problem = block_problem(value)
    if problem is not None:
        raise ValueError(problem_message(problem))
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("This field is required.")
    return value


Name = Annotated[str, Field(max_length=150, json_schema_extra={
    "minLength": 1, "pattern": f"^[^{_CONTROLS}]*[^\\s{_CONTROLS}][^{_CONTROLS}]*$"}),
    AfterValidator(_one_line), AfterValidator(_not_blank)]
Line = Annotated[str, Field(max_length=300, json_schema_extra={
    "pattern": f"^[^{_CONTROLS}]*$"}), AfterValidator(_one_line)]
Notes = Annotated[str, Field(max_length=2000, json_schema_extra={
    "pattern": f"^[^{_NOTE_CONTROLS}]*$"}), AfterValidator(_block)]


def _email_address(value: str) -> str:
    """The registration form's check (WTForms' Email: email_validator, no DNS), so a bad
    address is listed with the body's other problems."""
    value = _one_line(value)
    try:
        email_validator.validate_email(value.strip(), check_deliverability=False)
    except email_validator.EmailNotValidError:
        raise ValueError("Invalid email address.") from None
    return value


class RegistrationRequest(BodySchema):
    first_name: Name
    last_name: Name
    email: Annotated[str, AfterValidator(_email_address)] = Field(
        max_length=254, json_schema_extra={"format": "email"},
        description="An address that can receive the personal link: "
                                   "special-use domains (.test, .invalid, .localhost...) "
                                   "are refused (400).")
    organisation: Line = ""
    category: Literal[PUBLIC_CATEGORIES]  # type: ignore[valid-type]
    role: Literal[ROLES] = "participant"  # type: ignore[valid-type]
    needs_step_free: bool = False
    accessibility_notes: Notes = ""
    dietary_notes: Notes = ""
    consent: Literal[True] = Field(description="RGPD consent: must be true.")


class RegistrationReceived(AnswerSchema):
    message: str


Keys = list[str]


class Wishes(BodySchema):
    projects: Keys = Field(default_factory=list,
                           description="Project keys, first choice first.")
    workshops: Keys = Field(default_factory=list,
                            description="Workshop keys, first choice first.")
    themes: Keys = Field(default_factory=list, description="Keys of the themes of interest.")


class ParticipantWishes(AnswerSchema):
    projects: Keys
    workshops: Keys
    themes: Keys


class Named(AnswerSchema):
    model_config = ConfigDict(from_attributes=True)

    key: str
    name: str


class Choices(AnswerSchema):
    open: bool
    deadline: NullableLocalDateTime
    minimum_projects: int
    projects: list[Named]
    workshops: list[Named]
    themes: list[Theme]


class Participant(AnswerSchema):
    id: str
    event: EventSummary
    status: ParticipantStatus
    waiting_position: int | None
    first_name: str
    last_name: str
    email: str | None
    organisation: str
    category: Literal[CATEGORIES] | None  # type: ignore[valid-type]
    role: str
    needs_step_free: bool
    accessibility_notes: str
    dietary_notes: str
    wishes: ParticipantWishes
    choices: Choices


class ProgrammeTable(AnswerSchema):
    number: int
    label: str | None


class ProgrammeItem(AnswerSchema):
    kind: Literal["session", "workshop"]
    number: int
    key: str = Field(description="Round or workshop slot key.")
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    timezone: str = Field(description="The event's IANA timezone.")
    title: str
    project: str | None
    session: str | None
    workshop: str | None
    room: Named | None
    table: ProgrammeTable | None
    theme: Theme | None
    presenting: bool = Field(description="The participant presents this session (no seat).")


class ParticipantProgramme(AnswerSchema):
    participant: str
    event: EventSummary
    timezone: str
    published: bool
    publication: Publication | None
    items: list[ProgrammeItem]


# --- Solving and publication -------------------------------------------------------------

class SolveRequest(BodySchema):
    time_limit_s: JsonInt = Field(default=60, ge=5, le=3600)
    change_penalty: JsonInt = Field(default=DEFAULT_CHANGE_PENALTY, ge=0, le=100000)


class Progress(AnswerSchema):
    best: NullableNumber
    bound: NullableNumber
    elapsed_s: NullableNumber
    time_limit_s: int


class SolveSummary(AnswerSchema):
    status: str | None
    objective: NullableNumber
    bound: NullableNumber
    solve_seconds: NullableNumber
    metrics: dict[str, Any]
    assigned_participants: int
    diagnosis: Keys


class SolveJob(AnswerSchema):
    id: int
    event: str
    status: Literal[JobStatus.ALL]  # type: ignore[valid-type]
    status_label: str
    active: bool
    solver_status: str | None
    progress: Progress
    change_penalty: int
    cancel_requested: bool
    error: str | None
    created_at: LocalDateTime
    started_at: NullableLocalDateTime
    finished_at: NullableLocalDateTime
    accepted_at: NullableLocalDateTime
    has_schedule: bool
    summary: SolveSummary | None
    solution: SolutionDocument


class AcceptResult(AnswerSchema):
    job: SolveJob
    seats_written: int


# --- Check-in (the dictionaries of checkin.queries, shared with the staff page) ----------

Result = Literal[RESULTS]  # type: ignore[valid-type]
# Scan fields (checkin/forms.py): no control characters or line breaks (text.line_problem).
# An optional property that may be left out but is never null: None when left out, and
# no "null" in its schema.
Omitted = SkipJsonSchema[None]
ScanText = Annotated[str, Field(pattern="^[^\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]*$")]


class ScanRequest(BodySchema):
    """One scan. Documented here; checkin.scanning reads it (shared with the staff page,
    whose offline batches answer a bad item in its place instead of refusing the batch)."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={
        "oneOf": [{"required": ["code"]}, {"required": ["participant"]}]})

    checkpoint: JsonInt = Field(description="A checkpoint id (listCheckpoints).")
    code: Annotated[ScanText, Field(min_length=1, max_length=500)] | Omitted = Field(
        default=None, description="The QR code's text (only its canonical base32 spelling "
                                  "is a badge).")
    participant: Annotated[ScanText, Field(min_length=1, max_length=100)] | Omitted = Field(
        default=None, description="Instead of code, for an entry recorded by name (a "
                                  "forgotten badge): the participant's id "
                                  "(listParticipants, the staff page's search). Audited as "
                                  "manual.")
    nonce: Annotated[ScanText, Field(min_length=1, max_length=100)] = Field(
        description="Unique per scan (a UUID): a retry with the same nonce, code (or "
                    "participant) and checkpoint gets the same answer and is never counted "
                    "twice; the same nonce with another code, participant or checkpoint is "
                    "refused (400, field nonce).")
    scanned_at: datetime | Omitted = Field(
        default=None, description="The device's clock when scanned (with its offset); "
                                  "default: when received. A time ahead of the server's, "
                                  "or before the day preceding the checkpoint's day, is "
                                  "not trusted: the server's time is used and the scan "
                                  "flagged (time_flag).")
    device: Annotated[ScanText, Field(max_length=100)] | Omitted = None
    device_result: Result = Field(default="ok", description="Offline uploads: what the "
                                                            "device showed (default ok).")


class ScanBatch(BodySchema):
    device: Annotated[ScanText, Field(max_length=100)] | Omitted = None
    scans: list[ScanRequest] = Field(max_length=500)


class ParticipantListItem(AnswerSchema):
    id: str
    first_name: str
    last_name: str
    organisation: str
    category: str | None
    role: str
    status: ParticipantStatus


class ParticipantList(AnswerSchema):
    event: str
    participants: list[ParticipantListItem]


class ParticipantBadge(AnswerSchema):
    participant: str
    serial: int
    issued_at: DateTimeText
    code: str = Field(description="The QR code's text (114 characters of base32).")
    png: str = Field(json_schema_extra={"format": "uri"})
    pdf: str = Field(json_schema_extra={"format": "uri"})


class Window(AnswerSchema):
    opens_at: DateTimeText
    closes_at: DateTimeText
    timezone: str
    enforced: bool = Field(description="False during a check-in rehearsal: scans outside "
                                       "the window are still admitted.")
    label: str = Field(description="\"10:20–13:40\" in the event's timezone.")


class Checkpoint(AnswerSchema):
    id: int
    key: str
    kind: Literal[CHECKPOINT_KINDS]  # type: ignore[valid-type]
    label: str
    room: Named | None
    round: int | None
    round_key: str | None
    workshop: Named | None
    window: Window
    active: bool


class CheckpointList(AnswerSchema):
    event: str
    checkpoints: list[Checkpoint]


class Place(AnswerSchema):
    kind: Literal["session", "workshop"]
    room: str
    colour: str | None
    colour_name: str | None
    title: str
    label: str = Field(description="\"Salle 2 — bleu\": the room and its colour name.")


class ScanParticipant(AnswerSchema):
    id: str
    serial: int | None
    name: str
    first_name: str
    last_name: str
    organisation: str
    category: str | None
    category_label: str
    status: str


class ScannedCheckpoint(AnswerSchema):
    id: int
    kind: str
    label: str


class ScanAnswer(AnswerSchema):
    nonce: str
    result: Result
    message: str = Field(description="The result in words, in the request's language.")
    participant: ScanParticipant | None
    first_scan_at: NullableDateTimeText = Field(
        description="For already: the first admission.")
    expected: Place | None = Field(description="For wrong_place: where they are expected.")
    checkpoint: ScannedCheckpoint
    window: Window
    scanned_at: NullableDateTimeText
    received_at: DateTimeText
    conflict: bool
    time_flag: Literal[TIME_FLAGS] | None = Field(  # type: ignore[valid-type]
        description="Why the device's time was not trusted (the server's time was used), "
                    "or null.")
    manual: bool = Field(description="Recorded by participant id (an entry by name), not "
                                     "from a badge.")
    replayed: bool


class IndexedScanAnswer(ScanAnswer):
    index: int


class ScanItemError(AnswerSchema):
    field: str
    message: str


class RefusedScan(AnswerSchema):
    index: int
    nonce: str | None
    error: ScanItemError


class ScanBatchAnswer(AnswerSchema):
    results: list[IndexedScanAnswer | RefusedScan]
    received: int
    recorded: int
    replayed: int
    invalid: int


class BundleEvent(AnswerSchema):
    slug: str
    name: str
    timezone: str
    rehearsal: bool = Field(description="A check-in rehearsal: the windows are not "
                                        "enforced (docs/checkin.md).")


class Signing(AnswerSchema):
    algorithm: Literal["Ed25519"]
    public_key: str = Field(description="32 raw bytes, base64url.")
    message_prefix: str = Field(description="base64url")
    encoding: str
    length: int
    version: int
    layout: str


class BundleParticipant(AnswerSchema):
    serial: int
    id: str
    name: str
    organisation: str
    category: str | None
    category_label: str
    expected: bool
    expected_place: Place | None
    admitted_at: NullableDateTimeText


class CheckpointBundle(AnswerSchema):
    event: BundleEvent
    checkpoint: Checkpoint
    everyone_expected: bool
    signing: Signing
    revoked: list[int] = Field(description="Revoked serials.")
    participants: list[BundleParticipant]
    generated_at: DateTimeText


class CheckpointCounts(AnswerSchema):
    id: int
    kind: str
    label: str
    admitted: int
    expected: int | None
    refused: int
    conflicts: int


class Attendance(AnswerSchema):
    event: str
    registered: int
    checkpoints: list[CheckpointCounts]


# Schemas the document carries though no operation names them directly.
DOCUMENTED: list[type[BaseModel]] = [Error, ScanRequest]
