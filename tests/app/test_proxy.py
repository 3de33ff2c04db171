"""Behind TRUSTED_PROXIES reverse proxies the app sees the real client and scheme: rate
limits key on the client, https answers carry HSTS (issue 12, finding 6)."""

from __future__ import annotations

import pytest


@pytest.fixture
def app_config(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    app_config["LOGIN_RATE_LIMIT"] = "2 per minute"
    app_config["TRUSTED_PROXIES"] = 1
    return app_config


def _login_from(client, address: str, proto: str = "http"):
    return client.post("/login", data={"email": "x@example.org", "password": "wrong"},
                       headers={"X-Forwarded-For": address, "X-Forwarded-Proto": proto},
                       environ_base={"REMOTE_ADDR": "10.0.0.1"})  # the proxy


def test_rate_limit_keys_on_the_client_behind_the_proxy(client):
    assert [_login_from(client, "203.0.113.7").status_code for _ in range(3)] == \
        [401, 401, 429]
    # Another client behind the same proxy is not locked out.
    assert _login_from(client, "198.51.100.9").status_code == 401


def test_hsts_only_when_served_over_https(client):
    secure = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_the_request_knows_it_came_over_https(client):
    document = client.get("/api/v1/openapi.json", headers={"X-Forwarded-Proto": "https"})
    assert document.get_json()["servers"][0]["url"].startswith("https://")


def test_without_trusted_proxies_forwarded_headers_are_ignored(app_config):
    from eventapp import create_app

    app_config["TRUSTED_PROXIES"] = 0
    client = create_app(app_config).test_client()
    statuses = [_login_from(client, f"203.0.113.{n}").status_code for n in range(3)]
    assert statuses == [401, 401, 429]  # a forged X-Forwarded-For does not dodge limits
    secure = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in secure.headers
