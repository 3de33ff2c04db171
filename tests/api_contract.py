"""Every /api/v1 answer the suite receives is checked against the OpenAPI document.

The app's test client is :class:`ContractClient` (set by the ``app`` fixtures of
tests/conftest.py), so any test that calls the API through ``client`` also checks that the
answer is one the document promises: the operation exists (else the answer is the Error
shape: unknown URL, wrong method), its status is documented, a JSON answer is declared as
JSON and its body validates against the status's schema (formats included). A mismatch
fails the test at the call, naming the operation and the first problem.

This is the contract check of issue 14: the document is written from the schemas the
views use, and this hook proves, over everything the suite does, that the answers follow.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

API_PREFIX = "/api/v1"
DOCUMENT_URI = "urn:eventapp:openapi"
# Answers with no body the document describes: redirects from the routing layer.
UNCHECKED_STATUSES = {301, 302, 303, 304, 307, 308}


class ContractViolation(AssertionError):
    """An API answer the OpenAPI document does not allow."""


@cache
def _document() -> dict[str, Any]:
    from eventapp.api.openapi import build_document

    with Flask(__name__).test_request_context("/", base_url="http://localhost"):
        return build_document()


@cache
def _registry() -> Registry:
    resource = Resource(contents=_document(), specification=DRAFT202012)
    return Registry().with_resource(DOCUMENT_URI, resource)


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    """(regex, path template) for each documented path, literal paths first so that
    /events/{slug} never shadows a longer literal."""
    found = []
    for template in _document()["paths"]:
        pattern = re.sub(r"\\\{[^{}]+\\\}", "[^/]+", re.escape(template))
        found.append((re.compile(f"^{pattern}$"), template))
    return sorted(found, key=lambda item: item[1].count("{"))


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


@cache
def _validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"{DOCUMENT_URI}#/{pointer}"},
                                registry=_registry(),
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def operation_for(path: str, method: str) -> tuple[str | None, dict | None]:
    """The path template and operation the document has for this request, if any."""
    local = path[len(API_PREFIX):]
    for pattern, template in _templates():
        if pattern.match(local):
            return template, _document()["paths"][template].get(method.lower())
    return None, None


def check_response(method: str, path: str, status: int, content_type: str | None,
                   body: Any) -> str:
    """The name of the checked combination (``METHOD /template status``); raises
    :class:`ContractViolation` when the answer is not one the document allows."""
    template, operation = operation_for(path, method)
    where = f"{method} {template or path} {status}"
    if status in UNCHECKED_STATUSES:
        return where
    if operation is None:
        # Not an operation (unknown URL, method not allowed): the one error shape.
        pointer = _pointer("components", "schemas", "Error")
    else:
        responses = operation["responses"]
        code = str(status) if str(status) in responses else (
            f"{str(status)[0]}XX" if f"{str(status)[0]}XX" in responses else "default")
        if code not in responses:
            raise ContractViolation(f"{where}: status {status} is not documented for "
                                    f"{operation['operationId']} "
                                    f"(documented: {sorted(responses)}).")
        content = responses[code].get("content")
        if not content:
            return where
        media = (content_type or "").split(";")[0].strip()
        if media not in content:
            raise ContractViolation(f"{where}: answered {content_type!r}, the document "
                                    f"says {sorted(content)}.")
        if "schema" not in content[media]:
            return where
        pointer = _pointer("paths", template, method.lower(), "responses", code,
                           "content", media, "schema")
    error = next(iter(sorted(_validator(pointer).iter_errors(body),
                             key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        location = "/".join(str(p) for p in error.absolute_path) or "(body)"
        raise ContractViolation(f"{where}: the body does not match the document at "
                                f"{location}: {error.message}")
    return where


# Every combination checked in this process, with how many answers (for the report).
CHECKED: dict[str, int] = {}


class ContractClient(FlaskClient):
    """A test client that checks every /api/v1 answer against the OpenAPI document."""

    def open(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        response = super().open(*args, **kwargs)
        request = getattr(response, "request", None)
        if request is None or not (request.path == API_PREFIX
                                   or request.path.startswith(API_PREFIX + "/")):
            return response
        if request.method in ("HEAD", "OPTIONS"):
            return response
        body = response.get_json(silent=True) if response.is_json else None
        if response.is_json and body is None and response.get_data():
            raise ContractViolation(f"{request.method} {request.path}: declared JSON, "
                                    f"the body is not JSON.")
        where = check_response(request.method, request.path, response.status_code,
                               response.content_type, body)
        CHECKED[where] = CHECKED.get(where, 0) + 1
        return response
