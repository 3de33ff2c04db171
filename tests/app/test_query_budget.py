"""Query budget: every page and export costs as many SQL statements on a small published
day as on one twice its size (issue 17).

The routes come from the URL map (``benchmarks.pages.page_calls``): a new GET page is
measured without being listed here, and one whose URL cannot be built fails until
``benchmarks.pages.build_world`` provides its argument. The routes left out are in
``benchmarks.pages.SKIPPED``, each with its reason. Both days are published generated
days (``benchmarks/published_day.py``) with a draft, a finished solve, checkpoints,
calendar feeds and a participants upload; the larger one has twice the people and
twice the projects and sessions, so a statement per person or per session shows.

Each page is asked once (caches warm, badges issued) and then counted; counts are
deterministic (times are the benchmark's business: ``python -m benchmarks.pages``).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from benchmarks.pages import SKIPPED, Call, build_world, page_calls, request, signed_in_client
from eventapp import create_app
from eventapp.extensions import db

SMALL, LARGE = 130, 260  # people: 5 and 10 projects, 6 and 12 sessions

CALLS = page_calls(create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True}))


@pytest.fixture(scope="module")
def days(module_app, tmp_path_factory) -> dict:
    """The two published days, committed once for the module (its tests roll back)."""
    uploads = tmp_path_factory.mktemp("imports")
    module_app.config["IMPORT_UPLOAD_DIR"] = str(uploads)
    with module_app.app_context():
        worlds = {size: build_world(size, seed=size) for size in (SMALL, LARGE)}
        db.session.remove()
    return {"worlds": worlds, "uploads": str(uploads)}


# Pages a participant sees only once the day is over.
AFTER_THE_DAY = {"attendance.portal_certificate"}


def _counted(app, world, call: Call) -> tuple[int, list[str]]:
    """Status and statements of the second request (the first warms caches)."""
    clients = {"organiser": signed_in_client(app), "anonymous": app.test_client()}
    request(clients, world, call)
    status, statements, _body, _ms, _first = request(clients, world, call)
    return status, statements


def test_skipped_routes_exist():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(SKIPPED) <= endpoints, sorted(set(SKIPPED) - endpoints)
    assert len(CALLS) > 60  # every page of every area, not an empty list


@pytest.mark.parametrize("call", CALLS, ids=lambda call: call.endpoint)
def test_statements_do_not_grow_with_the_event(call: Call, days, app, monkeypatch):
    app.config["IMPORT_UPLOAD_DIR"] = days["uploads"]
    # Drawing the badges sends no SQL and takes seconds: the badge data is still read.
    monkeypatch.setattr("eventapp.checkin.badge_render.render_badges_pdf",
                        lambda cards, layout: b"%PDF-1.4 " + str(len(cards)).encode())
    if call.endpoint in AFTER_THE_DAY:  # the generated day is ahead: read it after it
        monkeypatch.setattr("eventapp.attendance.views.utcnow",
                            lambda: datetime(2100, 1, 1, tzinfo=UTC))
    small = _counted(app, days["worlds"][SMALL], call)
    large = _counted(app, days["worlds"][LARGE], call)
    assert small[0] < 400 and large[0] < 400, (small[0], large[0])
    assert small[0] == large[0]
    assert len(small[1]) == len(large[1]), (
        f"{call.endpoint}: {len(small[1])} statements at {SMALL} people, {len(large[1])} "
        f"at {LARGE}; the larger day's:\n" + "\n".join(large[1]))


@pytest.mark.parametrize("endpoint", ["registration.export_csv", "checkin.attendance_csv"])
def test_csv_exports_stream(endpoint: str, days, app):
    """The CSV exports leave as a stream (first bytes at once, flat memory), whole."""
    world = days["worlds"][LARGE]
    call = next(call for call in CALLS if call.endpoint == endpoint)
    client = signed_in_client(app)
    answer = client.get(world.url(call), buffered=False)
    assert answer.is_streamed
    chunks = list(answer.response)
    answer.close()
    body = b"".join(chunks).decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body.strip("\r\n").split("\r\n")
    assert len(lines) > LARGE * 0.9  # a header and (nearly) everyone: nobody left out


def test_expected_counts_match_each_checkpoint(days, app):
    """The dashboard's one-pass counts are what each checkpoint's own expectations say."""
    from eventapp.checkin.checkpoints import sync_checkpoints
    from eventapp.checkin.expected import (
        checkpoint_expectations,
        expected_counts,
        latest_published_map,
    )
    from eventapp.checkin.queries import registered_people
    from eventapp.events.models import Event
    from eventapp.scheduling.catalogue import ScheduleCatalogue as Catalogue

    event = db.session.scalar(db.select(Event).where(
        Event.slug == days["worlds"][SMALL].slug))
    cat = Catalogue.load(event, with_participants=False)
    checkpoints = sync_checkpoints(event, cat)
    people = registered_people(event)
    schedule = latest_published_map(event)
    counts = expected_counts(checkpoints, people, cat, schedule)
    assert any(count for count in counts.values())
    for checkpoint in checkpoints:
        one = checkpoint_expectations(checkpoint, people, cat)
        assert counts[checkpoint.id] == (None if one.everyone else len(one.expected_ids)), \
            checkpoint.key


def test_schedule_participants_paginate(days, app):
    """The schedule's people come 50 to a page, searchable, whatever the event's size."""
    import re

    world = days["worlds"][LARGE]
    client = signed_in_client(app)
    url = f"/manage/events/{world.slug}/schedule/participants"
    first = client.get(url).get_data(as_text=True)
    second = client.get(url + "?page=2").get_data(as_text=True)
    rows = re.findall(r'/schedule/participants/(\d+)"', first)
    assert len(rows) == 50 and "Next page" in first and "Page 1 of" in first
    later = re.findall(r'/schedule/participants/(\d+)"', second)
    assert later and not set(later) & set(rows)
    found = client.get(url + "?q=zzz-nobody").get_data(as_text=True)
    assert "0 participants" in found and not re.findall(r'/schedule/participants/\d+"', found)
