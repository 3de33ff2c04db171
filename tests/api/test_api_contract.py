"""The contract hook (tests/api_contract.py) refuses what the document does not allow, so a
suite that passes with it says something."""

from __future__ import annotations

import pytest

from tests.api_contract import ContractViolation, check_response

ERROR = {"error": {"status": 404, "message": "Not found.", "field": None, "details": []}}


def test_a_documented_answer_passes(app):
    body = {"events": [{"slug": "a", "name": "A", "date": "2026-05-01",
                        "timezone": "Europe/Paris", "venue": "Lyon"}]}
    assert check_response("GET", "/api/v1/events", 200, "application/json", body) \
        == "GET /events 200"


@pytest.mark.parametrize(("status", "content_type", "body", "problem"), [
    (200, "application/json", {"events": [{"slug": "a"}]}, "does not match"),
    (200, "application/json", {"events": [{"slug": "a", "name": "A", "date": "1 May",
                                           "timezone": "UTC", "venue": ""}]},
     "does not match"),
    (418, "application/json", ERROR, "not documented"),
    (200, "text/html", None, "the document says"),
    (401, "application/json", {"error": "no"}, "does not match"),
])
def test_an_answer_the_document_does_not_allow_fails(app, status, content_type, body,
                                                     problem):
    with pytest.raises(ContractViolation, match=problem):
        check_response("GET", "/api/v1/events", status, content_type, body)


def test_an_unknown_url_answers_the_error_shape(app):
    check_response("GET", "/api/v1/nowhere", 404, "application/json", ERROR)
    with pytest.raises(ContractViolation):
        check_response("GET", "/api/v1/nowhere", 404, "application/json", {"detail": "x"})


def test_the_client_checks_real_answers(client):
    response = client.get("/api/v1/events")
    assert response.status_code == 401  # and the hook found it documented
