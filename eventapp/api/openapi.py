"""The OpenAPI 3.1 description of /api/v1, written as data and served at
/api/v1/openapi.json. tests/api/test_api_openapi.py checks it against the OpenAPI schema
and against the app's URL map, so it cannot drift from the routes."""

from __future__ import annotations

from typing import Any

from flask import request

from ..db_types import DATABASE_ID_MAX

API_VERSION = "1.0.0"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json(_ref("Error"), description)


ERRORS = {
    "400": _error("Validation failed: `error.field` names the first failing field, "
                  "`error.details` lists every problem."),
    "401": {**_error("Missing, unknown or revoked bearer token."),
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}},
    "403": _error("The token's role may not use this operation (staff tokens only "
                  "read and scan)."),
    "404": _error("No such event, job or resource."),
    "409": _error("Conflict with the current state (already registered, a solve already "
                  "running, nothing to publish...)."),
    "413": _error("The body is larger than the server accepts."),
    "415": _error("The body is not application/json."),
    "429": _error("Too many requests from this address."),
}


def _responses(ok: dict, *codes: str) -> dict:
    return {**ok, **{code: ERRORS[code] for code in codes}}


SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"},
        "description": "The event's slug (from listEvents)."}
# Ids are SQL INTEGERs: a larger one matches no route (404).
ID = {"type": "integer", "minimum": 1, "maximum": DATABASE_ID_MAX}
JOB_ID = {"name": "job_id", "in": "path", "required": True, "schema": ID}
CONFIRM_REPLACE = {"name": "confirm_replace", "in": "query", "required": False,
                   "schema": {"type": "string", "enum": ["true", "false"], "default": "false"},
                   "description": "true to replace an event that has registrations or "
                                  "check-in scans."}
ORGANISER = [{"organiserToken": []}]
PARTICIPANT = [{"participantToken": []}]
STR, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NSTR = {"type": ["string", "null"]}
NINT = {"type": ["integer", "null"]}
NNUM = {"type": ["number", "null"]}
DATETIME = {"type": "string", "format": "date-time",
            "description": "ISO 8601 with the event's UTC offset."}
NDATETIME = {"type": ["string", "null"], "format": "date-time"}
KEYS = {"type": "array", "items": STR}
# The registration form's rules (registration/forms.py), so that a body the document
# allows is one the form accepts: a name is not blank once trimmed; no control or
# bidirectional-formatting characters (one-line fields), notes may have line breaks.
_CONTROLS = ("\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\u061c\\u200e\\u200f\\u202a-\\u202e"
             "\\u2066-\\u2069")
_NOTE_CONTROLS = _CONTROLS.replace("\\x00-\\x1f", "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f")
NAME = {"type": "string", "minLength": 1, "maxLength": 150,
        "pattern": f"^[^{_CONTROLS}]*[^\\s{_CONTROLS}][^{_CONTROLS}]*$"}
LINE = {"type": "string", "maxLength": 300, "pattern": f"^[^{_CONTROLS}]*$"}
NOTES = {"type": "string", "maxLength": 2000, "pattern": f"^[^{_NOTE_CONTROLS}]*$"}
# Scan fields (checkin/forms.py): no control characters or line breaks (text.line_problem).
_SCAN_TEXT = {"type": "string", "pattern": "^[^\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]*$"}


def _object(properties: dict, required: list[str] | None = None, **extra: Any) -> dict:
    schema = {"type": "object", "properties": properties, **extra}
    schema["required"] = list(properties) if required is None else required
    return schema


SCHEMAS: dict[str, dict] = {
    "Error": _object({"error": _object({
        "status": INT, "message": STR, "field": NSTR,
        "details": {"type": "array", "items": _object({"field": NSTR, "message": STR})},
    })}),
    "EventSummary": _object({"slug": STR, "name": STR, "date": {"type": "string",
                                                                 "format": "date"},
                             "timezone": {"type": "string", "description": "IANA name"},
                             "venue": STR}),
    "EventList": _object({"events": {"type": "array", "items": _ref("EventSummary")}}),
    "Theme": _object({"key": STR, "name": STR,
                      "colour": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
                      "colour_name": STR}),
    "Publication": _object({"version": INT, "published_at": DATETIME, "emailed": INT},
                           required=["version", "published_at"]),
    "Event": {"allOf": [_ref("EventSummary"), _object({
        "address": STR, "description": STR,
        "counts": {"type": "object", "additionalProperties": INT},
        "registration": _object({"state": {"enum": ["open", "waiting_list", "full",
                                                    "not_open", "closed"]},
                                 "accepts": BOOL, "message": NSTR}),
        "themes": {"type": "array", "items": _ref("Theme")},
        "rooms": {"type": "array", "items": _object({
            "key": STR, "name": STR, "capacity": INT, "tables": INT, "step_free": BOOL})},
        "rounds": {"type": "array", "items": _object({"key": STR, "starts_at": DATETIME,
                                                      "ends_at": DATETIME})},
        "projects": {"type": "array", "items": _object({"key": STR, "name": STR,
                                                        "theme": NSTR})},
        "workshop_slots": {"type": "array", "items": _object({
            "key": STR, "starts_at": DATETIME, "ends_at": DATETIME})},
        "workshops": {"type": "array", "items": _object({
            "key": STR, "name": STR, "capacity": NINT, "slot": NSTR})},
        "publication": {"oneOf": [_ref("Publication"), {"type": "null"}]},
    })]},
    "Instance": {"type": "object", "description": "A `speed-dating-instance/1` document "
                 "(the exchange format contract, docs/scheduling.md).",
                 "required": ["format"], "properties": {
                     "format": {"const": "speed-dating-instance/1"}}},
    "Solution": {"type": "object", "description": "A `speed-dating-solution/1` document.",
                 "properties": {"format": {"const": "speed-dating-solution/1"}}},
    "RegistrationRequest": _object({
        "first_name": NAME, "last_name": NAME,
        "email": {"type": "string", "format": "email", "maxLength": 254,
                  "description": "An address that can receive the personal link: "
                                 "special-use domains (.test, .invalid, .localhost...) "
                                 "are refused (400)."},
        "organisation": LINE,
        "category": {"enum": ["siae", "service-public", "association", "entreprise",
                              "collectivite", "recherche", "financeur", "demandeur-emploi",
                              "autre"]},
        "role": {"enum": ["participant", "presenter", "speaker", "staff"]},
        "needs_step_free": BOOL, "accessibility_notes": NOTES, "dietary_notes": NOTES,
        "consent": {"const": True, "description": "RGPD consent: must be true."},
    }, required=["first_name", "last_name", "email", "category", "consent"],
        additionalProperties=False),
    "RegistrationReceived": _object({"message": STR}, required=["message"]),
    "Wishes": _object({
        "projects": {**KEYS, "description": "Project keys, first choice first."},
        "workshops": {**KEYS, "description": "Workshop keys, first choice first."},
        "themes": {**KEYS, "description": "Keys of the themes of interest."},
    }, required=[], additionalProperties=False),
    "Participant": _object({
        "id": STR, "event": _ref("EventSummary"),
        "status": {"enum": ["registered", "waiting", "cancelled"]},
        "waiting_position": NINT, "first_name": STR, "last_name": STR, "email": NSTR,
        "organisation": STR, "category": NSTR, "role": STR, "needs_step_free": BOOL,
        "accessibility_notes": STR, "dietary_notes": STR,
        "wishes": _object({"projects": KEYS, "workshops": KEYS, "themes": KEYS}),
        "choices": _object({
            "open": BOOL, "deadline": NDATETIME, "minimum_projects": INT,
            "projects": {"type": "array", "items": _object({"key": STR, "name": STR})},
            "workshops": {"type": "array", "items": _object({"key": STR, "name": STR})},
            "themes": {"type": "array", "items": _ref("Theme")},
        }),
    }),
    "SolveRequest": _object({
        "time_limit_s": {"type": "integer", "minimum": 5, "maximum": 3600, "default": 60},
        "change_penalty": {"type": "integer", "minimum": 0, "maximum": 100000,
                           "default": 50},
    }, required=[], additionalProperties=False),
    "SolveJob": _object({
        "id": INT, "event": STR,
        "status": {"enum": ["queued", "running", "finished", "cancelled", "failed"]},
        "status_label": STR, "active": BOOL, "solver_status": NSTR,
        "progress": _object({"best": NNUM, "bound": NNUM, "elapsed_s": NNUM,
                             "time_limit_s": INT}),
        "change_penalty": INT, "cancel_requested": BOOL, "error": NSTR,
        "created_at": DATETIME, "started_at": NDATETIME, "finished_at": NDATETIME,
        "accepted_at": NDATETIME, "has_schedule": BOOL,
        "summary": {"oneOf": [_object({
            "status": NSTR, "objective": NNUM, "bound": NNUM, "solve_seconds": NNUM,
            "metrics": {"type": "object"}, "assigned_participants": INT,
            "diagnosis": KEYS}), {"type": "null"}]},
        "solution": {"oneOf": [_ref("Solution"), {"type": "null"}]},
    }),
    "ReplacedEvent": {"allOf": [_ref("Event"), _object({
        "replacement": _object({
            "kept": _ref("ParticipantData"), "removed": _ref("ParticipantData")},
            description="Kept: the participants the file names (matched by id), with what "
                        "the file cannot carry. Removed: the others, deleted with theirs "
                        "(their scans stay, no longer naming them)."),
    })]},
    "ParticipantData": _object({
        "participants": INT, "emails": INT, "consents": INT, "personal_links": INT,
        "badges": INT, "scans": INT}),
    "AcceptResult": _object({"job": _ref("SolveJob"), "seats_written": INT}),
    "ProgrammeItem": _object({
        "kind": {"enum": ["session", "workshop"]}, "number": INT,
        "key": {"type": "string", "description": "Round or workshop slot key."},
        "starts_at": DATETIME, "ends_at": DATETIME,
        "timezone": {"type": "string", "description": "The event's IANA timezone."},
        "title": STR, "project": NSTR, "session": NSTR, "workshop": NSTR,
        "room": {"oneOf": [_object({"key": STR, "name": STR}), {"type": "null"}]},
        "table": {"oneOf": [_object({"number": INT, "label": NSTR}), {"type": "null"}]},
        "theme": {"oneOf": [_ref("Theme"), {"type": "null"}]},
        "presenting": {"type": "boolean",
                       "description": "The participant presents this session (no seat)."},
    }),
    "ParticipantProgramme": _object({
        "participant": STR, "event": _ref("EventSummary"), "timezone": STR,
        "published": BOOL,
        "publication": {"oneOf": [_ref("Publication"), {"type": "null"}]},
        "items": {"type": "array", "items": _ref("ProgrammeItem")},
    }),
}


def _op(operation_id: str, summary: str, responses: dict, *, security: list | None = None,
        parameters: list | None = None, body: str | None = None, tags: list[str]) -> dict:
    operation: dict[str, Any] = {"operationId": operation_id, "summary": summary,
                                 "tags": tags, "responses": responses}
    operation["security"] = security if security is not None else []
    if parameters:
        operation["parameters"] = parameters
    if body:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": _ref(body)}}}
    return operation


PATHS: dict[str, dict] = {
    "/openapi.json": {"get": _op(
        "getOpenApiDocument", "This document.",
        {"200": {"description": "The OpenAPI document.",
                 "content": {"application/json": {"schema": {"type": "object"}}}}},
        tags=["meta"])},
    "/events": {
        "get": _op("listEvents", "Every event (organisers and staff).",
                   _responses({"200": _json(_ref("EventList"), "The events.")}, "401"),
                   security=ORGANISER, tags=["events"]),
        "post": _op("importEventInstance",
                    "Create an event from a speed-dating-instance/1 document (organisers).",
                    _responses({"201": {**_json(_ref("Event"), "The new event."),
                                        "headers": {"Location": {"schema": STR}}}},
                               "400", "401", "403", "413", "415"),
                    security=ORGANISER, body="Instance", tags=["events"]),
    },
    "/events/{slug}": {"get": _op(
        "getEvent", "An event with its programme (organisers and staff).",
        _responses({"200": _json(_ref("Event"), "The event.")}, "401", "404"),
        security=ORGANISER, parameters=[SLUG], tags=["events"])},
    "/events/{slug}/instance": {
        "get": _op("exportEventInstance", "The event as a speed-dating-instance/1 document "
                   "(organisers).",
                   _responses({"200": _json(_ref("Instance"), "The instance.")},
                              "401", "403", "404"),
                   security=ORGANISER, parameters=[SLUG], tags=["events"]),
        "put": _op("replaceEventInstance", "Replace the event's programme and participants "
                   "by a document's; the event keeps its slug, name, date and timezone "
                   "(organisers). Participants are matched by id: those the file names keep "
                   "their email, consent, personal links, badges and check-in history; the "
                   "others are deleted. An event with registrations or scans is replaced "
                   "only with confirm_replace=true (409 otherwise).",
                   _responses({"200": _json(_ref("ReplacedEvent"), "The replaced event and "
                                            "what the replace kept and removed.")},
                              "400", "401", "403", "404", "409", "413", "415"),
                   security=ORGANISER, parameters=[SLUG, CONFIRM_REPLACE], body="Instance",
                   tags=["events"]),
    },
    "/events/{slug}/registrations": {"post": _op(
        "createRegistration", "Register a person (public, rate-limited). The personal link "
        "is emailed to the person, never returned. An address already registered gets the "
        "same answer (and an email reminding them of their link), so the answer does not "
        "tell who is registered.",
        _responses({"202": _json(_ref("RegistrationReceived"), "Accepted: the email says "
                                 "whether the person is registered or on the waiting "
                                 "list.")}, "400", "404", "409", "415", "429"),
        parameters=[SLUG], body="RegistrationRequest", tags=["registration"])},
    "/events/{slug}/solve-jobs": {"post": _op(
        "startSolve", "Start a solve in the background (organisers).",
        _responses({"202": {**_json(_ref("SolveJob"), "The queued job."),
                            "headers": {"Location": {"schema": STR}}},
                    "503": _error("The job queue could not be reached.")},
                   "400", "401", "403", "404", "409", "415"),
        security=ORGANISER, parameters=[SLUG], body="SolveRequest", tags=["scheduling"])},
    "/events/{slug}/solve-jobs/{job_id}": {"get": _op(
        "getSolveJob", "A solve job's progress; once ended, its summary and solution "
        "(organisers).",
        _responses({"200": _json(_ref("SolveJob"), "The job.")}, "401", "403", "404"),
        security=ORGANISER, parameters=[SLUG, JOB_ID], tags=["scheduling"])},
    "/events/{slug}/solve-jobs/{job_id}/cancel": {"post": _op(
        "cancelSolveJob", "Stop a job; a running one keeps its best schedule so far "
        "(organisers).",
        _responses({"200": _json(_ref("SolveJob"), "The job.")}, "401", "403", "404", "409"),
        security=ORGANISER, parameters=[SLUG, JOB_ID], tags=["scheduling"])},
    "/events/{slug}/solve-jobs/{job_id}/accept": {"post": _op(
        "acceptSolveJob", "Make the job's schedule the event's draft (organisers).",
        _responses({"200": _json(_ref("AcceptResult"), "Accepted.")},
                   "401", "403", "404", "409"),
        security=ORGANISER, parameters=[SLUG, JOB_ID], tags=["scheduling"])},
    "/events/{slug}/registration/open": {"post": _op(
        "openRegistration", "Open registration once nothing is missing (organisers); a "
        "refusal lists what is missing in its details.",
        _responses({"200": _json(_ref("Event"), "The event, registration open.")},
                   "401", "403", "404", "409"),
        security=ORGANISER, parameters=[SLUG], tags=["events"])},
    "/events/{slug}/registration/close": {"post": _op(
        "closeRegistration", "Close registration; the event stays public (organisers).",
        _responses({"200": _json(_ref("Event"), "The event, registration closed.")},
                   "401", "403", "404", "409"),
        security=ORGANISER, parameters=[SLUG], tags=["events"])},
    "/events/{slug}/publications": {"post": _op(
        "publishAssignments", "Publish the draft to participants and email them "
        "(organisers).",
        _responses({"201": _json(_ref("Publication"), "The new publication.")},
                   "401", "403", "404", "409"),
        security=ORGANISER, parameters=[SLUG], tags=["scheduling"])},
    "/participant": {"get": _op(
        "getParticipant", "The calling participant's registration, wishes and choices.",
        _responses({"200": _json(_ref("Participant"), "The participant.")}, "401"),
        security=PARTICIPANT, tags=["participant"])},
    "/participant/wishes": {"put": _op(
        "updateWishes", "Replace the calling participant's wishes.",
        _responses({"200": _json(_ref("Participant"), "Saved.")},
                   "400", "401", "409", "415", "429"),
        security=PARTICIPANT, body="Wishes", tags=["participant"])},
    "/participant/programme": {"get": _op(
        "getParticipantProgramme", "The calling participant's published day (empty "
        "before publication).",
        _responses({"200": _json(_ref("ParticipantProgramme"), "The day.")}, "401"),
        security=PARTICIPANT, tags=["participant"])},
}


# --- check-in (badges, checkpoints, scans; docs/checkin.md) ---------------------------

STAFF = ORGANISER  # the same bearer scheme; staff tokens may call the scan operations
CHECKPOINT_ID = {"name": "checkpoint_id", "in": "path", "required": True,
                 "schema": ID, "description": "From listCheckpoints."}
PARTICIPANT_KEY = {"name": "participant_key", "in": "path", "required": True,
                   "schema": {"type": "string"}, "description": "The participant's id "
                   "(key), from listParticipants."}
RESULT = {"enum": ["ok", "already", "wrong_place", "unknown", "revoked", "cancelled",
                   "outside_window"]}
WINDOW = _object({"opens_at": DATETIME, "closes_at": DATETIME, "timezone": STR,
                  "label": {"type": "string", "description": "\"10:20–13:40\" in the "
                            "event's timezone."}})
PLACE = _object({"kind": {"enum": ["session", "workshop"]}, "room": STR, "colour": NSTR,
                 "colour_name": NSTR, "title": STR,
                 "label": {"type": "string", "description": "\"Salle 2 — bleu\": the "
                           "room and its colour name."}})
NPLACE = {"oneOf": [PLACE, {"type": "null"}]}
NAMED = {"oneOf": [_object({"key": STR, "name": STR}), {"type": "null"}]}
SCAN_FIELDS = {
    "checkpoint": {"type": "integer", "description": "A checkpoint id (listCheckpoints)."},
    "code": {**_SCAN_TEXT, "minLength": 1, "maxLength": 500,
             "description": "The QR code's text (only its canonical base32 spelling is a "
                            "badge)."},
    "participant": {**_SCAN_TEXT, "minLength": 1, "maxLength": 100,
                    "description": "Instead of code, for an entry recorded by name (a "
                                   "forgotten badge): the participant's id (listParticipants, "
                                   "the staff page's search). Audited as manual."},
    "nonce": {**_SCAN_TEXT, "minLength": 1, "maxLength": 100,
              "description": "Unique per scan (a UUID): a retry with the same nonce, code "
                             "(or participant) and checkpoint gets the same answer and is "
                             "never counted twice; the same nonce with another code, "
                             "participant or checkpoint is refused (400, field nonce)."},
    "scanned_at": {"type": "string", "format": "date-time",
                   "description": "The device's clock when scanned (with its offset); "
                                  "default: when received. A time ahead of the server's, "
                                  "or before the day preceding the checkpoint's day, is "
                                  "not trusted: the server's time is used and the scan "
                                  "flagged (time_flag)."},
    "device": {**_SCAN_TEXT, "maxLength": 100},
    "device_result": {**RESULT, "description": "Offline uploads: what the device showed "
                                              "(default ok)."},
}

SCHEMAS.update({
    "ParticipantList": _object({"event": STR, "participants": {"type": "array", "items": _object({
        "id": STR, "first_name": STR, "last_name": STR, "organisation": STR, "category": NSTR,
        "role": STR, "status": {"enum": ["registered", "waiting", "cancelled"]}})}}),
    "ParticipantBadge": _object({
        "participant": STR, "serial": INT, "issued_at": DATETIME,
        "code": {"type": "string", "description": "The QR code's text (114 characters "
                 "of base32)."},
        "png": {"type": "string", "format": "uri"}, "pdf": {"type": "string", "format": "uri"},
    }),
    "Checkpoint": _object({
        "id": INT, "key": STR, "kind": {"enum": ["door", "session", "workshop", "lunch"]},
        "label": STR, "room": NAMED, "round": NINT, "round_key": NSTR, "workshop": NAMED,
        "window": WINDOW, "active": BOOL}),
    "CheckpointList": _object({"event": STR, "checkpoints": {"type": "array",
                                                             "items": _ref("Checkpoint")}}),
    "ScanRequest": _object(SCAN_FIELDS, required=["checkpoint", "nonce"],
                           additionalProperties=False,
                           oneOf=[{"required": ["code"]}, {"required": ["participant"]}]),
    "ScanParticipant": {"oneOf": [_object({
        "id": STR, "serial": NINT, "name": STR, "first_name": STR, "last_name": STR,
        "organisation": STR, "category": NSTR, "category_label": STR,
        "status": STR}), {"type": "null"}]},
    "ScanAnswer": _object({
        "nonce": STR, "result": RESULT,
        "message": {"type": "string", "description": "The result in words, in the "
                    "request's language."},
        "participant": _ref("ScanParticipant"),
        "first_scan_at": {**NDATETIME, "description": "For already: the first admission."},
        "expected": {**NPLACE, "description": "For wrong_place: where they are expected."},
        "checkpoint": _object({"id": INT, "kind": STR, "label": STR}),
        "window": WINDOW, "scanned_at": NDATETIME, "received_at": DATETIME,
        "conflict": BOOL,
        "time_flag": {"enum": ["device_time_early", "device_time_ahead", None],
                      "description": "Why the device's time was not trusted (the server's "
                                     "time was used), or null."},
        "manual": {"type": "boolean", "description": "Recorded by participant id (an "
                                                      "entry by name), not from a badge."},
        "replayed": BOOL}),
    "ScanBatch": _object({"device": {**_SCAN_TEXT, "maxLength": 100},
                          "scans": {"type": "array", "maxItems": 500,
                                    "items": _ref("ScanRequest")}},
                         required=["scans"], additionalProperties=False),
    "ScanBatchAnswer": _object({
        "results": {"type": "array", "items": {"oneOf": [
            {"allOf": [_object({"index": INT}), _ref("ScanAnswer")]},
            _object({"index": INT, "nonce": NSTR,
                     "error": _object({"field": STR, "message": STR})})]}},
        "received": INT, "recorded": INT, "replayed": INT, "invalid": INT}),
    "CheckpointBundle": _object({
        "event": _object({"slug": STR, "name": STR, "timezone": STR}),
        "checkpoint": _ref("Checkpoint"), "everyone_expected": BOOL,
        "signing": _object({"algorithm": {"const": "Ed25519"},
                            "public_key": {"type": "string", "description": "32 raw bytes, "
                                           "base64url."},
                            "message_prefix": {"type": "string", "description": "base64url"},
                            "encoding": STR, "length": INT, "version": INT, "layout": STR}),
        "revoked": {"type": "array", "items": INT, "description": "Revoked serials."},
        "participants": {"type": "array", "items": _object({
            "serial": INT, "id": STR, "name": STR, "organisation": STR, "category": NSTR,
            "category_label": STR, "expected": BOOL, "expected_place": NPLACE,
            "admitted_at": NDATETIME})},
        "generated_at": DATETIME}),
    "Attendance": _object({"event": STR, "registered": INT, "checkpoints": {
        "type": "array", "items": _object({
            "id": INT, "kind": STR, "label": STR, "admitted": INT, "expected": NINT,
            "refused": INT, "conflicts": INT})}}),
})

PATHS.update({
    "/events/{slug}/participants": {"get": _op(
        "listParticipants", "Every participant with their id and status (organisers).",
        _responses({"200": _json(_ref("ParticipantList"), "The participants.")},
                   "401", "403", "404"),
        security=ORGANISER, parameters=[SLUG], tags=["check-in"])},
    "/events/{slug}/participants/{participant_key}/badge": {"get": _op(
        "getParticipantBadge", "The participant's badge: the QR code's text and links to "
        "its PNG and PDF (organisers; issues the badge on first use).",
        _responses({"200": _json(_ref("ParticipantBadge"), "The badge.")},
                   "401", "403", "404", "409"),
        security=ORGANISER, parameters=[SLUG, PARTICIPANT_KEY], tags=["check-in"])},
    "/events/{slug}/checkpoints": {"get": _op(
        "listCheckpoints", "The door, each (room, round), each workshop and lunch, with "
        "their time windows (organisers and staff).",
        _responses({"200": _json(_ref("CheckpointList"), "The checkpoints.")}, "401", "404"),
        security=STAFF, parameters=[SLUG], tags=["check-in"])},
    "/events/{slug}/checkpoints/{checkpoint_id}/bundle": {"get": _op(
        "getCheckpointBundle", "What a scanner needs offline at one checkpoint: expected "
        "list, public key, revocation list, window (organisers and staff).",
        _responses({"200": _json(_ref("CheckpointBundle"), "The bundle.")}, "401", "404"),
        security=STAFF, parameters=[SLUG, CHECKPOINT_ID], tags=["check-in"])},
    "/events/{slug}/scans": {"post": _op(
        "scanBadge", "Record one scan and answer its result (organisers and staff). "
        "Refusals are answered 200 with their result; 400 only for a malformed body; 409 "
        "for a nonce already used with another code, person or checkpoint.",
        _responses({"200": _json(_ref("ScanAnswer"), "The result.")},
                   "400", "401", "404", "409", "415"),
        security=STAFF, parameters=[SLUG], body="ScanRequest", tags=["check-in"])},
    "/events/{slug}/scans/batch": {"post": _op(
        "uploadScans", "An offline queue: applied in device-time order, each answered; "
        "uploading it again adds nothing (organisers and staff).",
        _responses({"200": _json(_ref("ScanBatchAnswer"), "One answer per scan, in the "
                                 "order sent.")}, "400", "401", "404", "415"),
        security=STAFF, parameters=[SLUG], body="ScanBatch", tags=["check-in"])},
    "/events/{slug}/attendance": {"get": _op(
        "getAttendance", "Admissions, expected people, refusals and conflicts per "
        "checkpoint (organisers).",
        _responses({"200": _json(_ref("Attendance"), "The counts.")}, "401", "403", "404"),
        security=ORGANISER, parameters=[SLUG], tags=["check-in"])},
})


def build_document() -> dict[str, Any]:
    """The whole document; the server URL is this request's /api/v1."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Event app API", "version": API_VERSION,
                 "description": "Events, registration, wishes, solving and publication. "
                                "Errors are `{\"error\": {status, message, field, "
                                "details}}`. See docs/api.md."},
        "servers": [{"url": request.url_root.rstrip("/") + "/api/v1"}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "organiserToken": {"type": "http", "scheme": "bearer",
                                   "description": "An organiser's or staff member's token "
                                   "(eva_...), from `flask --app eventapp api-token EMAIL`. "
                                   "Staff tokens may only read, and scan (check-in)."},
                "participantToken": {"type": "http", "scheme": "bearer",
                                     "description": "The participant's portal token (the "
                                     "secret part of their personal link /p/<token>/)."},
            },
        },
    }
