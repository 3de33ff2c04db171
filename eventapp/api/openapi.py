"""The OpenAPI 3.1 description of /api/v1, written as data and served at
/api/v1/openapi.json. tests/app/test_api_openapi.py checks it against the OpenAPI schema
and against the app's URL map, so it cannot drift from the routes."""

from __future__ import annotations

from typing import Any

from flask import request

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
    "403": _error("The token's role may not use this operation (staff tokens are "
                  "read-only)."),
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
JOB_ID = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "integer"}}
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
        "first_name": STR, "last_name": STR, "email": {"type": "string", "format": "email"},
        "organisation": STR,
        "category": {"enum": ["siae", "service-public", "association", "entreprise",
                              "collectivite", "recherche", "financeur", "demandeur-emploi",
                              "autre"]},
        "role": {"enum": ["participant", "presenter", "speaker", "staff"]},
        "needs_step_free": BOOL, "accessibility_notes": STR, "dietary_notes": STR,
        "consent": {"const": True, "description": "RGPD consent: must be true."},
    }, required=["first_name", "last_name", "email", "category", "consent"],
        additionalProperties=False),
    "Registration": _object({"id": STR, "status": {"enum": ["registered", "waiting"]},
                             "waiting": BOOL, "waiting_position": NINT, "message": STR}),
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
                   "(organisers).",
                   _responses({"200": _json(_ref("Event"), "The replaced event.")},
                              "400", "401", "403", "404", "413", "415"),
                   security=ORGANISER, parameters=[SLUG], body="Instance", tags=["events"]),
    },
    "/events/{slug}/registrations": {"post": _op(
        "createRegistration", "Register a person (public, rate-limited). The personal link "
        "is emailed to the person, never returned.",
        _responses({"201": _json(_ref("Registration"), "Registered or on the waiting "
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
                                   "Staff tokens may only read."},
                "participantToken": {"type": "http", "scheme": "bearer",
                                     "description": "The participant's portal token (the "
                                     "secret part of their personal link /p/<token>/)."},
            },
        },
    }
