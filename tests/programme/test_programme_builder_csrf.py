"""The builder's forms work with CSRF protection on (other tests turn it off).

A module of its own: the protection must be on before the app is built, which the
other module's autouse fixture (it needs the client) would prevent.
"""

from __future__ import annotations

import re

import pytest

from eventapp.extensions import db
from eventapp.models import Theme
from tests.factories import make_event

BASE = "/manage/events"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_builder_forms_carry_csrf_tokens(csrf_on, client, organiser):
    make_event(slug="journee")
    db.session.commit()
    login_page = text(client.get("/login"))
    assert client.post("/login", data={"email": organiser.email,
                                       "password": "correct horse battery",
                                       "csrf_token": _token(login_page)}).status_code == 302
    url = f"{BASE}/journee/themes/new"
    data = {"name": "Rouge", "colour": "#d0312d", "colour_name": "rouge"}
    assert client.post(url, data=data).status_code == 400  # no token: refused
    assert db.session.scalars(db.select(Theme)).all() == []
    data["csrf_token"] = _token(text(client.get(url)))
    assert client.post(url, data=data).status_code == 302
    theme = db.session.scalar(db.select(Theme))
    delete_url = f"{BASE}/journee/themes/{theme.id}/delete"
    assert client.post(delete_url).status_code == 400
    token = _token(text(client.get(delete_url)))
    assert client.post(delete_url, data={"csrf_token": token}).status_code == 302
    assert db.session.scalars(db.select(Theme)).all() == []
