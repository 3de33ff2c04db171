"""Every organiser page of an event, at 1366 x 900 in Chromium: no serious or critical
WCAG 2.1 AA violation found by axe-core (tests/browser/conftest.assert_accessible)."""

from __future__ import annotations

import pytest

from eventapp.extensions import db
from eventapp.scheduling.models import SolveJob
from tests.browser.conftest import axe_violations, describe_violations
from tests.factories import PASSWORD, make_checkpoints
from tests.scheduling_world import (
    build_world,
    join_solve_threads,  # noqa: F401 (autouse fixture)
    solve_and_accept,
)

ORGANISER_VIEWPORT = {"width": 1366, "height": 900}


@pytest.fixture
def app_config(app_config):
    app_config["REDIS_URL"] = ""
    return app_config


@pytest.fixture
def organiser_page(browser):
    context = browser.new_context(viewport=ORGANISER_VIEWPORT, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Mot de passe").press("Enter")
    page.wait_for_load_state()


def organiser_paths(world) -> list[str]:
    event, slug = world.event, world.event.slug
    base = f"/manage/events/{slug}"
    job = db.session.scalar(db.select(SolveJob).where(SolveJob.event_id == event.id))
    person = world.people[0]
    checkpoint = next(iter(make_checkpoints(event).values()))
    theme = next(iter(world.projects.values())).theme
    paths = ["/manage/", "/manage/events/new", "/manage/import", f"{base}/",
             f"{base}/edit", f"{base}/delete", f"{base}/open", f"{base}/duplicate",
             f"{base}/grid", f"{base}/rounds/generate", f"{base}/quick-start",
             f"{base}/projects/several", f"{base}/workshops/several",
             f"{base}/timeline/several",
             f"{base}/themes/{theme.id}/edit", f"{base}/themes/{theme.id}/delete",
             f"{base}/import",
             f"{base}/participants/", f"{base}/participants/new",
             f"{base}/participants/{person.id}/edit", f"{base}/participants/settings",
             f"{base}/participants/import",
             f"{base}/schedule/", f"{base}/schedule/jobs/{job.id}",
             f"{base}/schedule/participants", f"{base}/schedule/participants/{person.id}",
             f"{base}/calendars/", f"{base}/checkin/", f"{base}/checkin/summary",
             f"{base}/checkin/scan/", f"{base}/checkin/scan/{checkpoint.id}"]
    for section in ("themes", "rooms", "projects", "presenters", "timeline", "rounds",
                    "slots", "workshops", "sessions"):
        paths.append(f"{base}/{section}/")
        paths.append(f"{base}/{section}/new")
    return paths


def test_every_organiser_page_has_no_serious_violation(live_server, organiser_page, organiser):
    from eventapp.scheduling import operations

    world = build_world()
    solve_and_accept(world.event, time_limit_s=5)
    paths = organiser_paths(world)
    # a solve waiting to run: its page shows the live progress panel (a <dl>, where axe
    # found a definition-list violation)
    waiting = operations.start_solve(world.event, None, time_limit_s=5, change_penalty=50)
    db.session.flush()
    paths.append(f"/manage/events/{world.event.slug}/schedule/jobs/{waiting.id}")
    db.session.commit()
    sign_in(organiser_page, live_server, organiser.email)
    found = []
    for path in paths:
        response = organiser_page.goto(f"{live_server}{path}")
        assert response.status < 400, (path, response.status)
        violations = axe_violations(organiser_page)
        if violations:
            found.append(f"{path}\n{describe_violations(violations)}")
    assert not found, "\n".join(found)


def test_the_event_navigation_on_a_phone(live_server, phone_page, organiser):
    """On a phone the sections are one row of tabs that scrolls sideways, not the page."""
    from tests.browser.conftest import assert_accessible, has_horizontal_overflow
    from tests.factories import make_event

    make_event(slug="telephone", name="Journée sur le téléphone")
    db.session.commit()
    page = phone_page
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_label("Password").press("Enter")
    page.goto(f"{live_server}/manage/events/telephone/participants/")
    tabs = page.locator(".event-tabs ul")
    assert tabs.evaluate("list => list.scrollWidth > list.clientWidth")  # scrolls sideways
    assert not has_horizontal_overflow(page)
    current = page.locator(".event-tabs [aria-current=page]")
    assert current.inner_text() == "Participants"
    current.scroll_into_view_if_needed()
    assert current.is_visible()
    assert_accessible(page)


def test_presenter_picker_searches_as_one_types(live_server, organiser_page, organiser):
    """Issue 17: the project form offers a search, not a box per person of the event;
    typing lists a page of matches, "Add" makes a ticked box, Save keeps it."""
    from eventapp.programme.models import Project
    from tests.factories import make_event, make_participant, make_project, make_theme

    event = make_event(slug="picker", name="Journée du sélecteur")
    theme = make_theme(event)
    project = make_project(event, theme, name="TAPAJ")
    for n in range(30):
        make_participant(event, first_name=f"Personne{n:02d}", last_name="Martin")
    wanted = make_participant(event, first_name="Zoé", last_name="Bernard",
                              organisation="Oppelia")
    db.session.commit()
    page = organiser_page
    sign_in(page, live_server, organiser.email)
    page.goto(f"{live_server}/manage/events/picker/projects/{project.id}/edit")
    assert page.locator("#presenters input[type=checkbox]").count() == 0
    page.get_by_label("Trouver une personne à ajouter").fill("martin")
    results = page.locator("#presenters [data-results] li")
    results.first.wait_for()
    assert results.count() == 20
    assert page.get_by_role("button", name="Résultats suivants").is_visible()
    page.get_by_label("Trouver une personne à ajouter").fill("oppel")
    page.get_by_role("button", name="Ajouter : Zoé Bernard (Oppelia)").click()
    assert page.locator("#presenters [data-chosen] input:checked").count() == 1
    assert_accessible_here = axe_violations(page)
    assert not assert_accessible_here, describe_violations(assert_accessible_here)
    page.get_by_role("button", name="Enregistrer", exact=True).last.click()
    page.wait_for_url(f"{live_server}/manage/events/picker/projects/")
    db.session.expire_all()
    saved = db.session.get(Project, project.id)
    assert [p.id for p in saved.presenters] == [wanted.id]
