"""The organiser's tools of issue 15 in Chromium at 1366 x 900: a hand move that offers
only what is possible, publishing after a confirmation, filling the grid in place, and
the CSV import's pages; each page checked with axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import re

import pytest

from eventapp.extensions import db
from eventapp.scheduling.models import Assignment, MoveOverride, Publication
from tests.browser.conftest import assert_accessible, has_horizontal_overflow
from tests.factories import (
    PASSWORD,
    make_event,
    make_project,
    make_room,
    make_round,
    make_theme,
)
from tests.scheduling_world import (
    build_world,
    join_solve_threads,  # noqa: F401 (autouse fixture)
    solve_and_accept,
)

LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config["REDIS_URL"] = ""
    app_config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "imports")
    return app_config


@pytest.fixture
def laptop(browser):
    context = browser.new_context(viewport=LAPTOP, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _sign_in(page, live_server, organiser):
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(f"{live_server}/manage/")


def _seat(world):
    p1, p2, p3, p4, p5 = world.people
    r1, r2 = world.rounds
    s = world.sessions
    plan = {r1: [(s["alpha-1"], [p1, p2, p3]), (s["beta-1"], [p4, p5])],
            r2: [(s["gamma-2"], [p1, p2, p3]), (s["alpha-2"], [p4, p5])]}
    for round_, seats in plan.items():
        for session, people in seats:
            db.session.add_all(Assignment(participant_id=p.id, round_id=round_.id,
                                          session_id=session.id) for p in people)


def test_a_hand_move_disables_what_breaks_a_rule_and_moves_anyway(live_server, laptop,
                                                                  organiser):
    from playwright.sync_api import expect

    world = build_world(capacity=6)
    _seat(world)
    world.sessions["alpha-1"].min_audience = 3
    db.session.commit()
    p2 = world.people[1]
    page = laptop
    _sign_in(page, live_server, organiser)
    page.goto(f"{live_server}/manage/events/small/schedule/participants/{p2.id}")
    round_1 = page.locator("form.card").first
    select = round_1.get_by_label("Place", exact=True)
    beta = select.locator(f"option[value='{world.sessions['beta-1'].id}']")
    expect(beta).to_be_disabled()
    expect(beta).to_contain_text("not possible: Minimum audience: “Alpha” would keep only 2")
    current = select.locator(f"option[value='{world.sessions['alpha-1'].id}']")
    expect(current).to_contain_text("free seats (current place)")
    round_2 = page.locator("form.card").nth(1)
    alpha2 = round_2.locator(f"option[value='{world.sessions['alpha-2'].id}']")
    expect(alpha2).to_be_disabled()
    expect(alpha2).to_contain_text("Same project twice")
    assert not has_horizontal_overflow(page)
    assert_accessible(page)
    # a soft rule: the organiser moves anyway, on purpose, and it is recorded
    page.get_by_text("Move anyway (Round 1)").click()
    anyway = page.locator("details.move-anyway form")
    anyway.get_by_label("Place", exact=True).select_option(str(world.sessions["beta-1"].id))
    anyway.get_by_role("button", name="Move anyway").click()
    page.wait_for_load_state()
    expect(page.locator(".flashes")).to_contain_text("place is updated")
    expect(page.get_by_role("heading", name="Moved anyway")).to_be_visible()
    assert_accessible(page)
    db.session.expire_all()
    assert db.session.scalar(db.select(MoveOverride.rule)) == "min_audience"


def test_publishing_asks_first_then_publishes(live_server, laptop, organiser):
    from playwright.sync_api import expect

    world = build_world()
    world.people[1].email = None
    db.session.commit()
    job = solve_and_accept(world.event)
    page = laptop
    _sign_in(page, live_server, organiser)
    # the pages around it: the solve's review and the participants with their places
    page.goto(f"{live_server}/manage/events/small/schedule/jobs/{job.id}")
    assert not has_horizontal_overflow(page)
    assert_accessible(page)
    page.goto(f"{live_server}/manage/events/small/schedule/participants")
    expect(page.locator("tbody")).to_contain_text("Presents: Alpha")
    assert_accessible(page)
    page.goto(f"{live_server}/manage/events/small/schedule/")
    # the review's room grid fits, or scrolls inside its own frame, at 1366 px
    assert not has_horizontal_overflow(page)
    frame = page.locator(".table-scroll").first
    assert frame.evaluate("e => e.scrollWidth <= e.clientWidth + 1 || "
                          "getComputedStyle(e).overflowX !== 'visible'")
    assert_accessible(page)
    page.get_by_role("link", name="Publish to participants…").click()
    expect(page.get_by_role("heading", name="Publish version 1?")).to_be_visible()
    expect(page.locator(".metrics")).to_contain_text("5")
    expect(page.get_by_role("link", name="Bruno Test2")).to_be_visible()
    expect(page.locator(".mail-preview")).to_contain_text("Subject:")
    assert db.session.scalar(db.select(db.func.count()).select_from(Publication)) == 0
    assert_accessible(page)
    page.get_by_role("button", name="Publish and send 5 emails").click()
    page.wait_for_url(f"{live_server}/manage/events/small/schedule/")
    expect(page.locator(".flashes")).to_contain_text("Published (version 1)")
    expect(page.locator(".flashes")).to_contain_text("5 received it by email")


def test_filling_a_grid_cell_in_place(live_server, laptop, organiser):
    from playwright.sync_api import expect

    event = make_event(slug="journee")
    red = make_theme(event, name="Rouge", colour_name="rouge")
    make_room(event, name="Salle 1", capacity=40, tables=2, themes=[red])
    make_round(event, "11:50")
    make_round(event, "12:15")
    make_project(event, red, name="TAPAJ")
    make_project(event, red, name="AVISE")
    db.session.commit()
    page = laptop
    _sign_in(page, live_server, organiser)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.goto(f"{live_server}/manage/events/journee/grid")
    assert_accessible(page)
    page.evaluate("window.stillHere = true")  # gone if the page reloads
    page.get_by_label("Project for Salle 1, table 2, round 1").select_option(label="TAPAJ (rouge)")
    page.get_by_role("button", name="Place here — Project for Salle 1, table 2, round 1").click()
    expect(page.locator(".flashes")).to_contain_text("TAPAJ presents in Salle 1, table 2, "
                                                     "round 1.")
    expect(page.locator("#grid-status")).to_contain_text("TAPAJ presents")
    assert page.evaluate("window.stillHere === true"), "the grid was reloaded"
    assert page.url.endswith("/grid")
    expect(page.locator("table.builder-grid tbody tr").first).to_contain_text("TAPAJ")
    # the rest of the second round in one operation
    page.get_by_role("button", name="Generate the sessions — Round 2").click()
    expect(page.locator(".flashes")).to_contain_text("2 sessions created in round 2.")
    expect(page.locator("table.builder-grid tbody tr").nth(1)).to_contain_text("AVISE")
    assert page.evaluate("window.stillHere === true")
    assert not errors, errors
    assert not has_horizontal_overflow(page)
    assert_accessible(page)


def test_filling_a_grid_cell_works_without_javascript(live_server, browser, organiser):
    from playwright.sync_api import expect

    event = make_event(slug="journee")
    red = make_theme(event, name="Rouge", colour_name="rouge")
    make_room(event, name="Salle 1", capacity=40, tables=2, themes=[red])
    r1 = make_round(event, "11:50")
    make_project(event, red, name="TAPAJ")
    db.session.commit()
    context = browser.new_context(viewport=LAPTOP, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    try:
        _sign_in(page, live_server, organiser)
        page.goto(f"{live_server}/manage/events/journee/grid")
        page.get_by_label("Project for Salle 1, table 1, round 1").select_option(
            label="TAPAJ (rouge)")
        page.get_by_role("button", name="Place here — Project for Salle 1, table 1, "
                         "round 1").click()
        page.wait_for_url(re.compile(rf".*/grid#cell-{r1.id}-\d+-1$"))
        expect(page.locator(".flashes")).to_contain_text("TAPAJ presents in Salle 1")
    finally:
        context.close()


def test_the_import_pages(live_server, laptop, organiser, tmp_path):
    from playwright.sync_api import expect

    event = make_event(slug="journee")
    make_project(event, key="tapaj", name="TAPAJ")
    make_project(event, key="avise", name="AVISE")
    db.session.commit()
    page = laptop
    _sign_in(page, live_server, organiser)
    page.goto(f"{live_server}/manage/events/journee/participants/import")
    expect(page.get_by_role("link", name="Download a template file")).to_be_visible()
    assert_accessible(page)
    upload = tmp_path / "inscrits.csv"
    upload.write_text("Prénom;Nom;Courriel;Vœux\nAda;Lovelace;ada@example.org;TAPAJ, AVISE\n"
                      "Bad;Row;not-an-email;\n", encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("table.import-errors")).to_contain_text("Courriel")
    assert_accessible(page)
    page.get_by_role("button", name="Import these 1 participants").click()
    expect(page.get_by_role("heading", name="Send the personal links")).to_be_visible()
    expect(page.get_by_role("link", name="Download the lines to correct (CSV)")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send the personal links").click()
    expect(page.locator(".flashes")).to_contain_text("Personal link sent to 1 person.")


def test_the_demo_grids_show_every_room_at_1366(app, live_server, laptop):
    """Issue 15: "Salle vidéo 2" was cut off on the review's room grid at 1366 px."""
    from eventapp.demo.loader import DEMO_ACCOUNTS, ensure_demo

    event = ensure_demo()
    solve_and_accept(event, time_limit_s=10)
    organiser = next(a for a in DEMO_ACCOUNTS if a.role == "organiser")
    page = laptop
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(organiser.email)
    page.get_by_label("Password").fill(organiser.password)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(f"{live_server}/manage/")
    for path, header in (("schedule/", "table.fill-grid thead th"),
                         ("grid", "table.builder-grid thead th")):
        page.goto(f"{live_server}/manage/events/{event.slug}/{path}")
        last = page.locator(header).last
        assert "Salle vidéo 2" in last.inner_text()
        box = last.bounding_box()
        assert box["x"] + box["width"] <= LAPTOP["width"], (path, box)
        assert not has_horizontal_overflow(page)


def test_the_publish_confirmation_fits_a_phone(live_server, phone_page, organiser):
    world = build_world(capacity=6)
    _seat(world)
    world.people[0].email = None
    db.session.commit()
    page = phone_page
    _sign_in(page, live_server, organiser)
    page.goto(f"{live_server}/manage/events/small/schedule/publish")
    assert page.get_by_role("heading", name="Publish version 1?").is_visible()
    assert not has_horizontal_overflow(page)
    assert_accessible(page)
    page.goto(f"{live_server}/manage/events/small/schedule/participants/"
              f"{world.people[0].id}")
    assert not has_horizontal_overflow(page)
