"""The API's schemas (eventapp/api/schemas.py, spec.py): one model reads a body, one writes
an answer, and neither lets a shape drift silently."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from eventapp.api import schemas
from eventapp.api.errors import ApiError
from eventapp.api.spec import parse_body


def _refusal(app, model, body) -> ApiError:
    with app.test_request_context("/", method="POST", json=body), \
            pytest.raises(ApiError) as caught:
        parse_body(model)
    return caught.value


def test_wrong_types_and_unknown_fields_come_first_then_every_other_problem(app):
    error = _refusal(app, schemas.RegistrationRequest, {"first_name": 3, "bogus": "x"})
    assert {d["field"] for d in error.details} == {"first_name", "bogus"}
    error = _refusal(app, schemas.RegistrationRequest,
                     {"first_name": "A", "last_name": " ", "email": "nope",
                      "category": "association"})
    assert {d["field"] for d in error.details} == {"last_name", "email", "consent"}
    assert error.status == 400 and error.field == "last_name"


def test_text_rules_answer_with_the_forms_sentences(app):
    error = _refusal(app, schemas.RegistrationRequest,
                     {"first_name": "A\nB", "last_name": "B", "email": "a@example.org",
                      "category": "association", "consent": True})
    assert error.details == [{"field": "first_name",
                              "message": "Must be on one line (no line breaks)."}]


def test_nested_fields_are_named_like_the_scan_batch_answers(app):
    error = _refusal(app, schemas.Wishes, {"projects": ["p1", 2]})
    assert [d["field"] for d in error.details] == ["projects[1]"]


def test_integer_valued_numbers_are_integers_but_strings_are_not(app):
    with app.test_request_context("/", method="POST", json={"time_limit_s": 600.0}):
        assert parse_body(schemas.SolveRequest).time_limit_s == 600
    error = _refusal(app, schemas.SolveRequest, {"time_limit_s": "600"})
    assert error.field == "time_limit_s"


def test_an_answer_with_an_undeclared_key_is_refused():
    with pytest.raises(ValidationError, match="extra"):
        schemas.Attendance.model_validate({"event": "e", "registered": 0,
                                           "checkpoints": [], "secret": 1})


def test_local_times_keep_their_offset():
    moment = datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    answer = schemas.TimedItem(key="r1", starts_at=moment, ends_at=moment)
    assert answer.model_dump(mode="json")["starts_at"] == "2026-12-07T09:30:00+01:00"
    utc = datetime(2026, 12, 7, 8, 30, tzinfo=ZoneInfo("UTC"))
    assert schemas.TimedItem(key="r1", starts_at=utc, ends_at=utc).model_dump(
        mode="json")["starts_at"] == utc.isoformat()


def test_a_publication_names_its_emails_only_when_counted():
    moment = datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert set(schemas.Publication(version=1, published_at=moment).model_dump(
        mode="json")) == {"version", "published_at"}
    assert schemas.Publication(version=1, published_at=moment, emailed=3).model_dump(
        mode="json")["emailed"] == 3
