"""Ids in URLs beyond what a row can have answer 404, never 500 (issue 12).

Every primary key is an SQL INTEGER. A larger number in a URL used to reach the database
and fail there (PostgreSQL: "integer out of range" above 2**31-1; SQLite: overflow above
2**63), a server error on every route taking an id. The app-wide ``int`` converter now
matches only 1..2**31-1.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.exceptions import NotFound

from eventapp.db_types import DATABASE_ID_MAX
from tests.factories import make_event

_INT_ARG = re.compile(r"<int:[a-z_]+>")
_OTHER_ARG = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def _id_rules(app) -> list:
    return sorted((rule for rule in app.url_map.iter_rules() if _INT_ARG.search(rule.rule)),
                  key=lambda rule: rule.rule)


def _url(rule, slug: str, number: int) -> str:
    url = _INT_ARG.sub(str(number), rule.rule)
    return _OTHER_ARG.sub(lambda m: slug if m[1] == "slug" else "x", url)


def test_many_routes_take_an_id(app):
    assert len(_id_rules(app)) >= 25


@pytest.mark.parametrize("number", [3_000_000_000, 2**63, 2**64, 0])
def test_an_id_out_of_the_database_range_answers_404(app, organiser_client, number):
    event = make_event()
    failures = []
    for rule in _id_rules(app):
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]
        response = organiser_client.open(_url(rule, event.slug, number), method=method)
        if response.status_code != 404:
            failures.append((method, rule.rule, response.status_code))
    assert failures == []


def test_the_largest_database_id_still_matches(app):
    adapter = app.url_map.bind("localhost")
    endpoint, args = adapter.match(f"/api/v1/events/ev/solve-jobs/{DATABASE_ID_MAX}")
    assert args["job_id"] == DATABASE_ID_MAX
    with pytest.raises(NotFound):
        adapter.match(f"/api/v1/events/ev/solve-jobs/{DATABASE_ID_MAX + 1}")


@pytest.mark.parametrize("number", ["3000000000", str(2**64), "0", "x"])
def test_an_out_of_range_id_in_a_query_string_answers_404(organiser_client, number):
    """The badge reprint reads ``?participant=<id>``: a huge one failed in the database."""
    event = make_event()
    response = organiser_client.get(
        f"/manage/events/{event.slug}/checkin/badges.pdf?participant={number}")
    assert response.status_code == 404


def test_an_out_of_range_id_in_a_form_field_is_a_form_error(organiser_client):
    """Multi-checkbox ids (a room's admitted themes) are coerced as row ids."""
    event = make_event()
    response = organiser_client.post(f"/manage/events/{event.slug}/rooms/new", data={
        "name": "Salle 1", "capacity": "30", "tables": "1", "themes": [str(2**64)]})
    assert response.status_code == 400
