"""The solve page in a real browser: live progress by the static script, then the review."""

from __future__ import annotations

import os
import threading

import pytest

from eventapp.extensions import db
from eventapp.scheduling import jobs
from tests.browser.conftest import has_horizontal_overflow
from tests.factories import PASSWORD
from tests.scheduling_world import (
    build_world,
    join_solve_threads,  # noqa: F401 (autouse fixture)
)

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.fixture
def app_config(app_config):
    app_config["REDIS_URL"] = ""
    app_config["SOLVE_PROGRESS_INTERVAL_S"] = 0.1
    return app_config


def _sign_in(page, live_server, organiser):
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(f"{live_server}/manage/")


def test_solve_shows_live_progress_then_the_review(live_server, desktop_page, organiser,
                                                   monkeypatch):
    world = build_world()
    real_solve = jobs.solve
    release = threading.Event()

    def held_solve(instance, **kwargs):
        kwargs["progress"](0.2, 100.0, 400.0)
        release.wait(15)  # keeps the job running while the page polls
        return real_solve(instance, **kwargs)

    monkeypatch.setattr(jobs, "solve", held_solve)
    try:
        _solve_in_the_browser(desktop_page, live_server, organiser, world, release)
    finally:
        release.set()
        for job_id in list(jobs._threads):
            jobs.wait_for_thread(job_id, 30)


def _solve_in_the_browser(page, live_server, organiser, world, release):
    from playwright.sync_api import expect

    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    _sign_in(page, live_server, organiser)
    page.goto(f"{live_server}/manage/events/{world.event.slug}/schedule/")
    page.get_by_label("Time limit (seconds)").fill("20")
    page.get_by_role("button", name="Run the solver").click()
    page.wait_for_url("**/schedule/jobs/*")
    expect(page.locator("[data-field=bound]")).to_contain_text("400")
    expect(page.locator("[data-field=best]")).to_contain_text("100")
    expect(page.locator("[data-field=status_label]")).to_have_text("Running")
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/scheduling-running.png", full_page=True)
    release.set()
    # the script reloads the page when the job ends: the review appears
    page.get_by_role("button", name="Accept this schedule").wait_for(timeout=20_000)
    assert page.get_by_role("heading", name="Room fill per round").is_visible()
    assert page.locator("td.themed .colour-badge").first.inner_text() in ("rouge", "bleu")
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/scheduling-review.png", full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.get_by_role("button", name="Accept this schedule").click()
    page.wait_for_url(f"**/manage/events/{world.event.slug}/schedule/")
    db.session.expire_all()


def test_participant_page_fits_a_phone(live_server, phone_page, organiser):
    world = build_world()
    page = phone_page
    _sign_in(page, live_server, organiser)
    page.goto(f"{live_server}/manage/events/{world.event.slug}/schedule/participants/"
              f"{world.people[0].id}")
    assert page.get_by_role("heading", name="Move or pin").is_visible()
    assert not has_horizontal_overflow(page)
