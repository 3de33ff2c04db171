"""Links that leave the app come from PUBLIC_BASE_URL, never from the request's Host
header, and the app refuses hosts it does not serve (issue 12, finding 2)."""

from __future__ import annotations

import pytest

from eventapp import create_app
from eventapp.config import ConfigError
from eventapp.extensions import db
from eventapp.urls import external_url
from tests.factories import email_text, make_event, make_participant, read_outbox

BASE = "https://events.example.org"


@pytest.fixture
def app_config(app_config):
    app_config["PUBLIC_BASE_URL"] = BASE + "/"
    # Requests of the test client arrive as "localhost": keep serving that name.
    app_config["TRUSTED_HOSTS"] = ["events.example.org", "localhost"]
    return app_config


@pytest.fixture
def event(app):
    event = make_event(slug="journee")
    make_participant(event, email="victim@example.org")
    db.session.commit()
    return event


def test_lost_link_email_points_at_the_public_base_url_whatever_the_host(client, app, event):
    response = client.post("/e/journee/link", data={"email": "victim@example.org"},
                           headers={"Host": "localhost", "X-Forwarded-Host": "evil.example"})
    assert response.status_code == 302
    [message] = read_outbox(app)
    text = email_text(message)
    assert f"{BASE}/p/" in text
    assert "evil.example" not in text and "http://localhost" not in text


def test_a_host_the_app_does_not_serve_is_refused(client, app, event):
    response = client.post("/e/journee/link", data={"email": "victim@example.org"},
                           headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert read_outbox(app) == []
    assert client.get("/", headers={"Host": "events.example.org"}).status_code == 200


def test_external_url_works_outside_a_request(app):
    assert external_url("portal.home", token="abc") == f"{BASE}/p/abc/"


def test_external_url_keeps_a_path_prefix(app):
    app.config["PUBLIC_BASE_URL"] = "https://example.org/events"
    assert external_url("portal.home", token="abc") == "https://example.org/events/p/abc/"


def test_https_base_url_makes_cookies_secure(app):
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_production_refuses_to_start_without_public_base_url(monkeypatch, database_url):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.delenv("EVENTAPP_ENV", raising=False)
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    monkeypatch.setenv("PUBLIC_BASE_URL", "ftp://nope")
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url})


def test_production_trusts_only_the_public_host(monkeypatch, database_url):
    monkeypatch.delenv("EVENTAPP_ENV", raising=False)
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://events.example.org/")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    assert app.config["PUBLIC_BASE_URL"] == "https://events.example.org"
    assert app.config["TRUSTED_HOSTS"] == ["events.example.org"]
    assert app.test_client().get("/", headers={"Host": "evil.example"}).status_code == 400


def test_development_defaults_to_the_local_address(monkeypatch, database_url):
    for name in ("PUBLIC_BASE_URL", "TRUSTED_HOSTS", "HOST", "PORT", "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EVENTAPP_ENV", "development")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    assert app.config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"
    assert set(app.config["TRUSTED_HOSTS"]) == {"127.0.0.1", "localhost"}
    assert app.config["SESSION_COOKIE_SECURE"] is False
