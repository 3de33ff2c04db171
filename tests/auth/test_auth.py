"""Accounts: sign-in, sign-out, slowed-down guessing, the create-user command, CSRF."""

from __future__ import annotations

import re

import pytest

from eventapp.auth.models import User, find_user_by_email
from eventapp.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD, make_user


def test_sign_in_and_out(client, organiser):
    response = login(client, "ORGA@example.org ")
    assert response.status_code == 302
    assert client.get("/manage/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/manage/").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part(client, organiser):
    response = login(client, organiser.email, "not the password")
    assert response.status_code == 401
    assert "Wrong email or password" in response.get_data(as_text=True)
    unknown = login(client, "nobody@example.org", "whatever")
    assert unknown.status_code == 401


def test_disabled_account_cannot_sign_in(client):
    user = make_user(email="old@example.org")
    user.is_active_account = False
    db.session.commit()
    assert login(client, "old@example.org").status_code == 401


def test_login_redirects_only_to_local_paths(client, organiser):
    response = client.post("/login?next=https://evil.example/", data={
        "email": organiser.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/manage/")
    client.post("/logout")
    response = client.post("/login?next=/manage/", data={
        "email": organiser.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/manage/")


def test_logout_needs_post(organiser_client):
    assert organiser_client.get("/logout").status_code == 405


def test_password_is_hashed(organiser):
    assert PASSWORD not in organiser.password_hash
    assert organiser.check_password(PASSWORD)


@pytest.fixture
def limited_app(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    app_config["LOGIN_RATE_LIMIT"] = "3 per minute"
    return app_config


def test_login_rate_limit(limited_app, app, client, organiser):
    statuses = [login(client, organiser.email, "bad guess").status_code for _ in range(4)]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3] == 429
    # Even the right password waits until the window passes.
    assert login(client, organiser.email).status_code == 429


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the form"
    return match.group(1)


@pytest.fixture
def csrf_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_forms_need_a_csrf_token(csrf_config, app, client, organiser):
    refused = client.post("/login", data={"email": organiser.email, "password": PASSWORD})
    assert refused.status_code == 400
    assert "security token" in refused.get_data(as_text=True)
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    accepted = client.post("/login", data={"email": organiser.email, "password": PASSWORD,
                                           "csrf_token": token})
    assert accepted.status_code == 302
    # Sign-out is a form too: without the token it is refused.
    assert client.post("/logout").status_code == 400


def test_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


class TestCreateUserCommand:
    def test_creates_an_organiser_reading_the_password_from_stdin(self, app):
        result = app.test_cli_runner().invoke(
            args=["create-user", "New.Orga@Example.org", "--role", "organiser"],
            input="a long enough password\n",
        )
        assert result.exit_code == 0, result.output
        user = find_user_by_email("new.orga@example.org")
        assert user is not None and user.is_organiser
        assert user.check_password("a long enough password")

    def test_refuses_a_short_password(self, app):
        result = app.test_cli_runner().invoke(
            args=["create-user", "x@example.org", "--role", "staff"], input="short\n")
        assert result.exit_code == 1
        assert "at least" in result.output
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0

    def test_refuses_a_duplicate(self, app, organiser):
        result = app.test_cli_runner().invoke(
            args=["create-user", organiser.email, "--role", "staff"],
            input="a long enough password\n")
        assert result.exit_code == 1
        assert "already exists" in result.output

    def test_refuses_an_unknown_role(self, app):
        result = app.test_cli_runner().invoke(
            args=["create-user", "x@example.org", "--role", "admin"], input="x\n")
        assert result.exit_code == 2


def test_form_fields_carry_accessible_attributes_only_when_needed(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<label for="email">' in page
    assert "None" not in page
    invalid = client.post("/login", data={"email": "not-an-email", "password": ""})
    html = invalid.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="email-error"' in html
