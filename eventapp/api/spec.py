"""Routes described once: each API view is declared with :func:`operation`, which routes it,
parses and validates its JSON body with a pydantic model, serialises its answer with
another, and records what :func:`build_document` writes into the OpenAPI 3.1 document.

Why pydantic and a small generator rather than flask-smorest (docs/api.md): pydantic's
JSON Schema is draft 2020-12, the dialect of OpenAPI 3.1, so the schemas go into the
document as they are; validation and serialisation are the same model; the view keeps the
app's error shape (``eventapp.errors.Refused`` and ``api.errors``), which flask-smorest's
webargs 422 answers and its own error handler would replace.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, wraps
from typing import Any

from flask import Response, jsonify, request
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema
from pydantic_core import ErrorDetails

from .errors import validation_error
from .parsing import json_body
from .schemas import EXCHANGE_SCHEMAS, ID

REF = "#/components/schemas/{model}"


def ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


# The error answers every operation may list, and their meaning.
ERRORS = {
    400: "Validation failed: `error.field` names the first failing field, "
         "`error.details` lists every problem.",
    401: "Missing, unknown or revoked bearer token.",
    403: "The token's role may not use this operation (staff tokens only read and scan).",
    404: "No such event, job or resource.",
    409: "Conflict with the current state (already registered, a solve already running, "
         "nothing to publish...).",
    413: "The body is larger than the server accepts.",
    415: "The body is not application/json.",
    429: "Too many requests from this address.",
    500: "An unexpected failure on the server (logged); nothing was changed.",
    503: "The job queue could not be reached.",
}


@dataclass(frozen=True)
class Answer:
    """One documented success: its status, schema (a model; a component of the document
    by name; an inline schema as a dict; None for no body), description, and the
    ``headers`` it sets."""

    status: int
    model: type[BaseModel] | str | dict | None
    description: str
    headers: tuple[str, ...] = ()


@dataclass
class Operation:
    """What the document says of one route."""

    path: str
    method: str
    operation_id: str
    summary: str
    tags: list[str]
    answers: list[Answer]
    errors: tuple[int, ...]
    security: list[dict] = field(default_factory=list)
    parameters: list[dict] = field(default_factory=list)
    body: type[BaseModel] | str | None = None
    rule: str = ""
    endpoint: str = ""
    view: Callable[..., Response] | None = None


OPERATIONS: list[Operation] = []
BY_ENDPOINT: dict[str, Operation] = {}


def dump(model: BaseModel) -> Any:
    """The model as JSON values, as the document's serialisation schema describes it."""
    return model.model_dump(mode="json")


def _answer(value: Any, status: int, headers: dict[str, str] | None) -> Response:
    response = value if isinstance(value, Response) else jsonify(
        dump(value) if isinstance(value, BaseModel) else value)
    response.status_code = status
    for name, header in (headers or {}).items():
        response.headers[name] = header
    return response


def _location(error: ErrorDetails) -> str:
    """``("scans", 0, "code")`` -> ``scans[0].code``."""
    text = ""
    for part in error["loc"]:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "body"


def _is_structural(error: ErrorDetails) -> bool:
    """A field of the wrong JSON type, or one the body may not have."""
    return error["type"] == "extra_forbidden" or error["type"].endswith("_type")


def _message(error: ErrorDetails) -> str:
    """A validator's own sentence (the forms' messages), else pydantic's."""
    if error["type"] == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])
    return error["msg"]


def parse_body(model: type[BaseModel]) -> Any:
    """The request's JSON object validated by ``model``, or a 400 in the API's error shape
    naming each failing field. Fields of the wrong type or unknown are reported first, on
    their own (the rest of such a body is not read further); then every other problem."""
    try:
        return model.model_validate(json_body())
    except ValidationError as error:
        errors = error.errors(include_url=False)
        structural = [e for e in errors if _is_structural(e)]
        message = ("The body has fields of the wrong type or unknown fields." if structural
                   else "Some fields are not valid.")
        details = [{"field": _location(e), "message": _message(e)}
                   for e in (structural or errors)]
        raise validation_error(message, details) from None


def request_body() -> Any:
    """The current operation's body, validated by the model it declares (read when the
    view asks, so that a missing event is a 404 whatever the body)."""
    endpoint = (request.endpoint or "").rpartition(".")[2]
    model = BY_ENDPOINT[endpoint].body
    assert isinstance(model, type), f"{endpoint} declares no body model"
    return parse_body(model)


def _openapi_path(rule: str) -> str:
    """``/events/<slug>/solve-jobs/<int:job_id>`` -> ``/events/{slug}/solve-jobs/{job_id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def operation(rule: str, method: str, operation_id: str, summary: str, *,
              tags: list[str], answers: list[Answer], errors: tuple[int, ...] = (),
              security: list[dict] | None = None, parameters: list[dict] | None = None,
              body: type[BaseModel] | str | None = None, endpoint: str | None = None,
              guards: tuple[Callable[[Callable], Callable], ...] = ()) -> Callable:
    """Route the decorated view at ``rule`` and describe it.

    The view receives the path's arguments and reads its body, when ``body`` is a model,
    with :func:`request_body` (validated by that model). It returns a model (or JSON
    values, or a Response) for the first answer's status, or ``(value, status)`` /
    ``(value, status, headers)``. ``guards`` (authentication; outermost first) run before
    the view, so an unauthenticated caller gets 401 whatever it sent. The blueprint
    routes every operation (:data:`OPERATIONS`, in declaration order)."""
    path = _openapi_path(rule)
    declared = {answer.status: answer.model for answer in answers}

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def handler(*args: Any, **kwargs: Any) -> Response:
            result = view(*args, **kwargs)
            status, headers = answers[0].status, None
            if isinstance(result, tuple):
                result, status, *rest = result
                headers = rest[0] if rest else None
            model = declared.get(status)
            if isinstance(result, BaseModel) and not (
                    isinstance(model, type) and isinstance(result, model)):
                raise TypeError(f"{operation_id} answers {status} with "
                                f"{type(result).__name__}; the document says {model}.")
            return _answer(result, status, headers)

        guarded = handler
        for guard in reversed(guards):
            guarded = guard(guarded)
        described = Operation(
            path=path, method=method.lower(), operation_id=operation_id, summary=summary,
            tags=tags, answers=answers, errors=errors, security=security or [],
            parameters=parameters or [], body=body,
            rule=rule,
            endpoint=endpoint or view.__name__, view=guarded)
        OPERATIONS.append(described)
        BY_ENDPOINT[described.endpoint] = described
        return guarded

    return decorate


class _Generator(GenerateJsonSchema):
    """Pydantic's JSON Schema without the title it gives every field."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _models() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for op in OPERATIONS:
        for candidate in (op.body, *(a.model for a in op.answers)):
            if isinstance(candidate, type):
                found.setdefault(candidate.__name__, candidate)
    from .schemas import DOCUMENTED

    for model in DOCUMENTED:
        found.setdefault(model.__name__, model)
    return list(found.values())


def components() -> dict[str, dict]:
    """The schemas of every model an operation names: bodies in validation mode, answers
    in serialisation mode (what the server sends). Built once per set of operations (the
    models do not change while the app runs; the document is served often): one shared
    dict, which callers must not change."""
    return _components(len(OPERATIONS))


@cache
def _components(operation_count: int) -> dict[str, dict]:
    bodies = {op.body for op in OPERATIONS if isinstance(op.body, type)}
    pairs: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (model, "validation" if model in bodies else "serialization") for model in _models()]
    _, schemas = models_json_schema(pairs, ref_template=REF, schema_generator=_Generator)
    return {**_without_null_defaults(schemas.get("$defs", {})), **EXCHANGE_SCHEMAS}


def _without_null_defaults(schema: Any) -> Any:
    """``"default": null`` on an optional, non-nullable property (left out means none) is
    not a value the property may take: it is not written."""
    if isinstance(schema, dict):
        return {key: _without_null_defaults(value) for key, value in schema.items()
                if not (key == "default" and value is None)}
    if isinstance(schema, list):
        return [_without_null_defaults(value) for value in schema]
    return schema


def _schema_of(model: type[BaseModel] | str | dict) -> dict:
    """A model's or a named schema's reference; a dict is an inline schema."""
    if isinstance(model, dict):
        return model
    return ref(model if isinstance(model, str) else model.__name__)


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": ref("Error")}}}


def _responses(op: Operation) -> dict[str, dict]:
    responses: dict[str, dict] = {}
    for answer in op.answers:
        item: dict[str, Any] = {"description": answer.description}
        if answer.model is not None:
            item["content"] = {"application/json": {"schema": _schema_of(answer.model)}}
        if answer.headers:
            item["headers"] = {name: {"schema": {"type": "string"}}
                               for name in answer.headers}
        responses[str(answer.status)] = item
    for status in (*op.errors, 500):
        item = _error(ERRORS[status])
        if status == 401:
            item["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        responses[str(status)] = item
    return responses


def paths() -> dict[str, dict]:
    document: dict[str, dict] = {}
    for op in OPERATIONS:
        item: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary,
                                "tags": op.tags, "responses": _responses(op),
                                "security": op.security}
        if op.parameters:
            item["parameters"] = op.parameters
        if op.body is not None:
            item["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": _schema_of(op.body)}}}
        document.setdefault(op.path, {})[op.method] = item
    return document

# --- Parameters and security, shared by the operations ---------------------------------

SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"},
        "description": "The event's slug (from listEvents)."}
JOB_ID = {"name": "job_id", "in": "path", "required": True, "schema": ID}
CHECKPOINT_ID = {"name": "checkpoint_id", "in": "path", "required": True,
                 "schema": ID, "description": "From listCheckpoints."}
PARTICIPANT_KEY = {"name": "participant_key", "in": "path", "required": True,
                   "schema": {"type": "string"}, "description": "The participant's id "
                   "(key), from listParticipants."}
CONFIRM_REPLACE = {"name": "confirm_replace", "in": "query", "required": False,
                   "schema": {"type": "string", "enum": ["true", "false"], "default": "false"},
                   "description": "true to replace an event that has registrations or "
                                  "check-in scans."}
# OpenAPI security requirements: a scheme's name -> its scopes (bearer schemes have none).
Security = list[dict[str, list[str]]]
ORGANISER: Security = [{"organiserToken": []}]
STAFF = ORGANISER  # the same bearer scheme; staff tokens may call the read and scan operations
PARTICIPANT: Security = [{"participantToken": []}]
