"""Helpers of the API tests: tokens and authenticated JSON calls."""

from __future__ import annotations

from eventapp.api.tokens import issue_api_token
from eventapp.extensions import db
from tests.factories import make_user


def api_token(role: str = "organiser", email: str | None = None) -> str:
    user = make_user(email=email, role=role)
    _row, clear = issue_api_token(user, "tests")
    db.session.commit()
    return clear


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_error(response, status: int, field: str | None = None) -> dict:
    """The response is the API's JSON error with this status (and failing field)."""
    assert response.status_code == status, (response.status_code, response.get_data(True))
    assert response.mimetype == "application/json", response.mimetype
    error = response.get_json()["error"]
    assert set(error) == {"status", "message", "field", "details"}
    assert error["status"] == status and error["message"]
    if field is not None:
        assert error["field"] == field, error
    return error
