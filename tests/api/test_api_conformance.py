"""Answers as the OpenAPI document says (issue 12): what schemathesis found, pinned down
one by one (tests/api/test_api_schemathesis.py runs the whole document)."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from eventapp.json_values import json_integer
from eventapp.scheduling import jobs
from eventapp.scheduling.models import SolveJob
from tests.api_helpers import api_token, assert_error, bearer
from tests.checkin.test_checkin import checkin_world
from tests.factories import local


@pytest.mark.parametrize(("value", "expected"), [
    (699, 699), (699.0, 699), (-3.0, -3), (0, 0), (1e20, 10**20),
    (699.5, None), (True, None), (False, None), ("699", None), (None, None),
    (float("nan"), None), (float("inf"), None), ([699], None),
])
def test_json_integer_reads_numbers_as_json_schema_does(value, expected):
    assert json_integer(value) == expected


@pytest.fixture
def world(app, monkeypatch):
    monkeypatch.setattr(jobs, "_start_thread", lambda app, job_id: None)
    return checkin_world()


def test_start_solve_accepts_an_integer_valued_number(world, client, db_session):
    """The document says ``integer``: 699.0 is one (JSON Schema), the parser agrees."""
    response = client.post(f"/api/v1/events/{world.event.slug}/solve-jobs",
                           json={"time_limit_s": 699.0, "change_penalty": 10.0},
                           headers=bearer(api_token()))
    assert response.status_code == 202, response.get_json()
    job = db_session.get(SolveJob, response.get_json()["id"])
    assert (job.time_limit_s, job.change_penalty) == (699, 10)


def test_start_solve_still_refuses_a_fraction(world, client):
    response = client.post(f"/api/v1/events/{world.event.slug}/solve-jobs",
                           json={"time_limit_s": 699.5}, headers=bearer(api_token()))
    assert_error(response, 400, "time_limit_s")


def test_a_scan_names_its_checkpoint_with_an_integer_valued_number(world, client):
    checkpoint = world.checkpoints["session:r1:a"].id
    body = {"checkpoint": float(checkpoint), "code": world.codes["p1"], "nonce": "n1",
            "scanned_at": local(world.event, "11:52").isoformat()}
    url = f"/api/v1/events/{world.event.slug}/scans"
    answer = client.post(url, json=body, headers=bearer(api_token("staff"))).get_json()
    assert answer["result"] == "ok" and answer["checkpoint"]["id"] == checkpoint
    batch = client.post(f"{url}/batch", json={"scans": [{**body, "nonce": "n2"}]},
                        headers=bearer(api_token("staff", "staff2@example.org"))).get_json()
    assert batch["results"][0]["result"] == "already"


@pytest.mark.parametrize("path", ["participants/export.csv", "checkin/attendance.csv"])
def test_csv_downloads_name_their_charset_once(world, organiser_client, path):
    response = organiser_client.get(f"/manage/events/{world.event.slug}/{path}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")


def _request_schema(client, name: str) -> Draft202012Validator:
    """A validator of one request schema of the served document (refs resolved)."""
    document = client.get("/api/v1/openapi.json").get_json()
    schema = {**document["components"]["schemas"][name],
              "components": document["components"]}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


REGISTRATION = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org",
                "category": "association", "consent": True}


@pytest.mark.parametrize("change", [
    {"first_name": ""}, {"first_name": "   "}, {"last_name": "x" * 151},
    {"organisation": "y" * 301}, {"dietary_notes": "z" * 2001},
    # Refused at input by issue 12's own fix (another branch); the document says so now.
    {"first_name": "Ada\u202eEvil"}, {"organisation": "a\nb"}, {"last_name": "a\x00"},
])
def test_the_document_refuses_what_the_registration_form_refuses(app, client, change):
    """Schema-valid bodies are not refused for their shape: the document carries the
    form's limits (blank or long names; no control or bidi characters on one line)."""
    assert _request_schema(client, "RegistrationRequest").is_valid(REGISTRATION)
    assert not _request_schema(client, "RegistrationRequest").is_valid(
        {**REGISTRATION, **change})


def test_the_document_allows_notes_on_several_lines(app, client):
    assert _request_schema(client, "RegistrationRequest").is_valid(
        {**REGISTRATION, "accessibility_notes": "Fauteuil.\r\nAccompagné\td'un chien."})


def test_the_document_refuses_an_empty_badge_code(app, client):
    scan = {"checkpoint": 1, "code": "A", "nonce": "n"}
    assert _request_schema(client, "ScanRequest").is_valid(scan)
    assert not _request_schema(client, "ScanRequest").is_valid({**scan, "code": ""})
