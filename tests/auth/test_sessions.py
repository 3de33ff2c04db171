"""Signing out ends every session of the account, copied cookies and remember-me
cookies included; so does a password change (issue 12, finding 5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import g

from eventapp.api.tokens import issue_api_token
from eventapp.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD

# The fixture below adds a before_request hook: the module gets an app of its own.
pytestmark = pytest.mark.fresh_app


@pytest.fixture(autouse=True)
def _user_loaded_per_request(app):
    """Tests share one app context, whose ``g`` would keep the user Flask-Login loaded
    for an earlier request: load it from each request's own cookies, as a server does."""
    @app.before_request
    def _forget_loaded_user() -> None:
        g.pop("_login_user", None)


def _cookie(client, name: str) -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie is not None else None


def _sign_in_remembered(client, email: str):
    return client.post("/login", data={"email": email, "password": PASSWORD, "remember": "y"})


def test_logout_voids_a_copied_session_cookie(app, client, organiser):
    assert login(client, organiser.email).status_code == 302
    stolen = _cookie(client, "session")
    assert client.post("/logout").status_code == 302

    thief = app.test_client()
    thief.set_cookie("session", stolen, domain="localhost")
    assert thief.get("/manage/").status_code == 302  # back to the sign-in page


def test_logout_voids_the_remember_me_cookie(app, client, organiser):
    assert _sign_in_remembered(client, organiser.email).status_code == 302
    remembered = _cookie(client, "remember_token")
    assert remembered
    client.post("/logout")

    thief = app.test_client()
    thief.set_cookie("remember_token", remembered, domain="localhost")
    assert thief.get("/manage/").status_code == 302


def test_logout_on_one_device_ends_the_others(app, client, organiser):
    other = app.test_client()
    assert login(client, organiser.email).status_code == 302
    assert login(other, organiser.email).status_code == 302
    client.post("/logout")
    assert other.get("/manage/").status_code == 302


def test_password_change_ends_existing_sessions(app, client, organiser):
    assert login(client, organiser.email).status_code == 302
    assert client.get("/manage/").status_code == 200
    organiser.set_password("a brand new passphrase")
    db.session.commit()
    assert client.get("/manage/").status_code == 302


def test_signing_in_again_after_logout_works(client, organiser):
    login(client, organiser.email)
    client.post("/logout")
    assert login(client, organiser.email).status_code == 302
    assert client.get("/manage/").status_code == 200


def test_remember_cookie_is_lax_http_only_and_short_lived(app, client, organiser):
    response = _sign_in_remembered(client, organiser.email)
    [header] = [h for h in response.headers.getlist("Set-Cookie")
                if h.startswith("remember_token=")]
    assert "SameSite=Lax" in header and "HttpOnly" in header
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=14)
    assert "Secure" not in header  # PUBLIC_BASE_URL is http in tests


def test_api_tokens_survive_a_logout(app, client, organiser):
    _row, token = issue_api_token(organiser, "script")
    db.session.commit()
    login(client, organiser.email)
    client.post("/logout")
    api = app.test_client()
    response = api.get("/api/v1/events", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
