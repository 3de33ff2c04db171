"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json: written from the
operations the views declare (spec.operation) and the pydantic models of schemas.py, the
same models that read the requests and write the answers.

tests/api/test_api_openapi.py checks it is valid OpenAPI and matches the URL map; the
suite's client checks every answer against it (tests/api_contract.py)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

# The views declare the operations the document describes.
from . import views, views_checkin  # noqa: F401
from .spec import Answer, components, operation, paths

API_VERSION = "1.0.0"


def build_document() -> dict[str, Any]:
    """The whole document; the server URL is this request's /api/v1."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Event app API", "version": API_VERSION,
                 "description": "Events, registration, wishes, solving and publication. "
                                "Errors are `{\"error\": {status, message, field, "
                                "details}}`. See docs/api.md."},
        "servers": [{"url": request.url_root.rstrip("/") + "/api/v1"}],
        "paths": paths(),
        "components": {
            "schemas": components(),
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


@operation("/openapi.json", "GET", "getOpenApiDocument", "This document.", tags=["meta"],
           answers=[Answer(200, {"type": "object"}, "The OpenAPI document.")])
def openapi() -> Response:
    return jsonify(build_document())
