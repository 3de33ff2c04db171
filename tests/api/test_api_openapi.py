"""The OpenAPI document is valid and matches the app's URL map, both ways."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

REQUIRED_OPERATIONS = {
    "listEvents", "getEvent", "importEventInstance", "exportEventInstance",
    "createRegistration", "getParticipant", "updateWishes", "startSolve", "getSolveJob",
    "publishAssignments", "getParticipantProgramme",
}
METHODS = {"get", "post", "put", "patch", "delete"}


def _document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def _app_operations(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            found.add((path, method.lower()))
    return found


def test_document_is_valid_openapi(client):
    validate(_document(client))


def test_every_route_is_described_and_every_description_routed(app, client):
    document = _document(client)
    described = {(path, method) for path, item in document["paths"].items()
                 for method in item if method in METHODS}
    routed = _app_operations(app)
    assert routed - described == set(), "routes not declared with spec.operation"
    assert described - routed == set(), "the document describes routes that do not exist"


def test_required_operation_ids_and_error_responses(client):
    document = _document(client)
    operations = [op for item in document["paths"].values()
                  for method, op in item.items() if method in METHODS]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    assert set(ids) >= REQUIRED_OPERATIONS
    schemes = document["components"]["securitySchemes"]
    assert set(schemes) == {"organiserToken", "participantToken"}
    for op in operations:
        if op["security"]:
            assert "401" in op["responses"], op["operationId"]
        for code, response in op["responses"].items():
            if code >= "400":
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}


def _property(document: dict, schema: str, name: str) -> dict:
    """A property's schema, following one ``$ref`` (enums are components of their own)."""
    value = document["components"]["schemas"][schema]["properties"][name]
    ref = value.get("$ref")
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else value


def test_enumerations_are_the_apps_own_lists(client):
    """The document's enums are written from the models' lists (issue 14), so a new status,
    category or scan result reaches the document without anyone copying it."""
    from eventapp.checkin.models import CHECKPOINT_KINDS, RESULTS
    from eventapp.registration.models import PUBLIC_CATEGORIES, ROLES, ParticipantStatus
    from eventapp.registration.queries import REGISTRATION_STATE_CODES
    from eventapp.scheduling.models import JobStatus

    document = _document(client)
    assert _property(document, "Participant", "status")["enum"] \
        == [status.value for status in ParticipantStatus]
    assert _property(document, "ParticipantListItem", "status")["enum"] \
        == [status.value for status in ParticipantStatus]
    assert _property(document, "RegistrationRequest", "category")["enum"] \
        == list(PUBLIC_CATEGORIES)
    assert _property(document, "RegistrationRequest", "role")["enum"] == list(ROLES)
    assert _property(document, "SolveJob", "status")["enum"] == list(JobStatus.ALL)
    assert _property(document, "RegistrationState", "state")["enum"] \
        == list(REGISTRATION_STATE_CODES)
    assert _property(document, "Checkpoint", "kind")["enum"] == list(CHECKPOINT_KINDS)
    assert _property(document, "ScanAnswer", "result")["enum"] == list(RESULTS)
