"""Issue 16, as a participant lives it on a 390 x 844 phone: ranking wishes by touch, by
keyboard alone and without JavaScript; "Mon programme" as the whole day; switching where
refused options are disabled before any tap; axe-core on every participant page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from eventapp.demo.loader import ensure_demo
from eventapp.extensions import db
from eventapp.programme.models import ProgrammeItemKind
from eventapp.registration.models import Participant, ProjectWish, WorkshopWish
from eventapp.scheduling import operations
from eventapp.scheduling.models import Assignment, WorkshopAssignment
from tests.browser.conftest import PHONE, assert_accessible, has_horizontal_overflow
from tests.factories import make_participant, make_portal_token, make_programme_item
from tests.scheduling_world import build_world

SCREENSHOTS = "docs/screenshots"


@pytest.fixture
def ranker(app):
    """A registered participant of the demo day (13 projects, workshops), nothing chosen."""
    event = ensure_demo()
    person = make_participant(event, first_name="Anaïs", last_name="Lefèvre-Dubois",
                              email="anais.lefevre-dubois@association-exemple.org",
                              organisation="Association départementale d'insertion",
                              locale="en")
    token = make_portal_token(person)
    db.session.commit()
    return {"event": event, "person_id": person.id, "token": token}


def _saved(person_id: int) -> tuple[list[str], list[str]]:
    db.session.expire_all()
    person = db.session.get(Participant, person_id)
    projects = db.session.scalars(select(ProjectWish).where(
        ProjectWish.participant_id == person.id).order_by(ProjectWish.rank)).all()
    workshops = db.session.scalars(select(WorkshopWish).where(
        WorkshopWish.participant_id == person.id).order_by(WorkshopWish.rank)).all()
    return [w.project.name for w in projects], [w.workshop.name for w in workshops]


def _cards(page, fieldset: str) -> list[str]:
    cards = page.locator(f"#{fieldset} [data-rank-item]")
    return [cards.nth(i).get_attribute("data-name") for i in range(cards.count())]


def _ranked(page, fieldset: str) -> list[str]:
    return page.locator(f"#{fieldset} .ranked-name").all_inner_texts()


def _card(page, fieldset: str, name: str):
    return page.locator(f"#{fieldset} [data-rank-item][data-name=\"{name}\"]")


def _announced(page) -> str:
    page.wait_for_timeout(120)  # the live region is emptied, then filled
    return page.locator("form.ranking-form [role=status]").inner_text()


def test_rank_five_projects_and_two_workshops_by_touch(live_server, phone_page, ranker):
    page = phone_page
    page.goto(f"{live_server}/p/{ranker['token']}/")
    # Nothing chosen yet: the next step comes first, before any calendar or badge.
    first_heading = page.locator("main h2").first.inner_text()
    assert first_heading == "Choose your projects"
    assert page.locator("#my-calendar").count() == 0 and page.locator("#badge-title").count() == 0
    assert_accessible(page)
    page.get_by_role("link", name="Choose my projects and workshops").tap()
    page.wait_for_url(re.compile("/wishes$"))
    assert page.locator("[data-rank-input]:visible").count() == 0  # 13 fields replaced
    projects, workshops = _cards(page, "projects"), _cards(page, "workshops")
    assert len(projects) >= 5 and len(workshops) >= 2
    wanted = projects[:5]
    for name in wanted:
        _card(page, "projects", name).get_by_role(
            "button", name=re.compile("Add to my choices")).tap()
    assert _ranked(page, "projects") == wanted
    assert "choice 5 of 5" in _announced(page)
    # Reorder: the fifth goes up twice, the first goes down once, one is removed and added.
    items = page.locator("#projects .ranked-item")
    items.nth(4).get_by_role("button", name=re.compile("Up")).tap()
    items.nth(3).get_by_role("button", name=re.compile("Up")).tap()
    assert f"{wanted[4]}: now choice 3 of 5" in _announced(page)
    items.nth(0).get_by_role("button", name=re.compile("Down")).tap()
    expected = [wanted[1], wanted[0], wanted[4], wanted[2], wanted[3]]
    assert _ranked(page, "projects") == expected
    items.nth(3).get_by_role("button", name=re.compile("Remove")).tap()
    assert "4 choice(s) left" in _announced(page)
    _card(page, "projects", wanted[2]).get_by_role("button", name=re.compile("Add")).tap()
    expected = [wanted[1], wanted[0], wanted[4], wanted[3], wanted[2]]  # added back last
    assert _ranked(page, "projects") == expected
    # The card says where the project is in the list; its theme's colour has its name.
    card = _card(page, "projects", wanted[1])
    assert "In my choices: number 1" in card.inner_text()
    assert card.locator(".colour-badge").inner_text().strip()
    card.locator("summary").tap()
    assert card.locator("details").get_attribute("open") is not None
    for name in workshops[1::-1]:
        _card(page, "workshops", name).get_by_role("button", name=re.compile("Add")).tap()
    assert not has_horizontal_overflow(page)
    assert_accessible(page)
    page.get_by_role("button", name="Save my choices").tap()
    page.wait_for_url(re.compile(r"/p/[^/]+/$"))
    assert "Your choices are saved." in page.content()
    assert _saved(ranker["person_id"]) == (expected, [workshops[1], workshops[0]])
    # Back on the page, the list is rebuilt from what was saved.
    page.goto(f"{live_server}/p/{ranker['token']}/wishes?lang=fr")
    assert _ranked(page, "projects") == expected
    assert "Mes choix" in page.locator("#projects .ranking-title").inner_text()
    assert_accessible(page)
    page.locator("#projects").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('projects').scrollIntoView()")
    page.screenshot(path=f"{SCREENSHOTS}/wishes-phone.png")


def _tab_to(page, pattern: str, limit: int = 250, backwards: bool = False) -> str:
    """Press Tab (or Shift+Tab) until the focused element's text matches: keyboard only."""
    regex = re.compile(pattern)
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        text = page.evaluate("document.activeElement ? document.activeElement.textContent : ''")
        if regex.search(text or ""):
            return text
    raise AssertionError(f"no focusable element matching {pattern!r}")


def test_rank_by_keyboard_alone(live_server, phone_page, ranker):
    page = phone_page
    page.goto(f"{live_server}/p/{ranker['token']}/wishes")
    projects, workshops = _cards(page, "projects"), _cards(page, "workshops")
    wanted = projects[2:7]
    for name in wanted:
        _tab_to(page, f"Add to my choices : {re.escape(name)}$")
        page.keyboard.press("Enter")
        # The focus stays on the card's button, which now removes.
        assert page.evaluate("document.activeElement.textContent") == f"Remove : {name}"
    assert _ranked(page, "projects") == wanted
    # Move the last one to the top with Up pressed four times: the focus follows it.
    _tab_to(page, f"Up : {re.escape(wanted[4])}$", backwards=True)
    for _ in range(4):
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.textContent") == f"↑ Up : {wanted[4]}"
    assert f"{wanted[4]}: now choice 1 of 5" in _announced(page)
    page.keyboard.press("Enter")  # already first: said, nothing moves
    assert f"{wanted[4]} is already choice 1." in _announced(page)
    expected = [wanted[4], *wanted[:4]]
    assert _ranked(page, "projects") == expected
    for name in workshops[:2]:
        _tab_to(page, f"Add to my choices : {re.escape(name)}$")
        page.keyboard.press("Space")
    _tab_to(page, "^Save my choices$")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/p/[^/]+/$"))
    assert _saved(ranker["person_id"]) == (expected, workshops[:2])


def test_rank_without_javascript(live_server, browser, ranker):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server}/p/{ranker['token']}/wishes")
        assert page.locator(".my-ranking").count() == 0  # the plain form is the page
        projects, workshops = _cards(page, "projects"), _cards(page, "workshops")
        for rank, name in enumerate(projects[:5], start=1):
            page.get_by_label(f'My choice for "{name}"').fill(str(rank))
        for rank, name in enumerate(workshops[:2], start=1):
            page.get_by_label(f'My choice for "{name}"').fill(str(rank))
        page.get_by_role("button", name="Save my choices").click()
        page.wait_for_url(re.compile(r"/p/[^/]+/$"))
        assert _saved(ranker["person_id"]) == (projects[:5], workshops[:2])
        # A gap is refused with the error summary linking to the projects.
        page.goto(f"{live_server}/p/{ranker['token']}/wishes")
        page.get_by_label(f'My choice for "{projects[1]}"').fill("")
        page.get_by_role("button", name="Save my choices").click()
        summary = page.locator(".error-summary")
        assert summary.get_by_role("link").first.get_attribute("href") == "#projects"
    finally:
        context.close()


def test_the_fallback_form_is_accessible(live_server, phone_page, ranker):
    """The page as it is without the ranking script (axe needs JavaScript to run, so the
    script alone is kept out)."""
    page = phone_page
    page.route("**/ranking.js", lambda route: route.abort())
    page.goto(f"{live_server}/p/{ranker['token']}/wishes")
    assert page.locator(".my-ranking").count() == 0
    assert page.locator("#projects [data-rank-input]:visible").count() >= 5
    assert_accessible(page)


def test_a_refused_form_moves_focus_to_the_error_summary(live_server, phone_page, ranker):
    page = phone_page
    page.goto(f"{live_server}/p/{ranker['token']}/edit")
    page.get_by_label("Email").fill("not an email")
    page.get_by_label("First name").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").tap()
    page.wait_for_selector(".error-summary:focus")
    links = page.locator(".error-summary a")
    assert links.count() == 2
    links.first.tap()
    assert page.evaluate("document.activeElement.id") == "first_name"
    assert_accessible(page)


# --- a published day --------------------------------------------------------------------

@pytest.fixture
def published(app):
    """The small world, seated and published, with plenary items and lunch, in the future
    (switching is open); Ada sees Alpha then Gamma, Beta is full."""
    world = build_world()
    event = world.event
    event.venue = "Maison des associations"
    event.address = "6 cours des Alliés\n35000 Rennes"
    make_programme_item(event, "09:30", 30, title="Accueil, café", kind=ProgrammeItemKind.WELCOME)
    make_programme_item(event, "12:40", 60, title="Déjeuner", kind=ProgrammeItemKind.LUNCH)
    # Moved after its items were made (on the old date): only switching's deadline moves.
    event.date = date.today() + timedelta(days=60)
    p1, p2, p3, p4, p5 = world.people
    s = world.sessions
    for session, people in ((s["alpha-1"], [p1, p2, p3]), (s["beta-1"], [p4, p5]),
                            (s["gamma-2"], [p1, p2, p3]), (s["alpha-2"], [p4, p5])):
        db.session.add_all(Assignment(participant_id=p.id, round_id=session.round_id,
                                      session_id=session.id) for p in people)
    w1, w2 = world.workshops["w1"], world.workshops["w2"]
    for workshop, people in ((w1, [p1, p2, p3]), (w2, [p4, p5, world.presenter])):
        db.session.add_all(WorkshopAssignment(participant_id=p.id, slot_id=workshop.slot_id,
                                              workshop_id=workshop.id) for p in people)
    p1.locale = "en"
    db.session.commit()
    operations.publish(event, None)
    db.session.commit()
    token = make_portal_token(p1)
    db.session.commit()
    return {"world": world, "token": token}


def test_mon_programme_is_the_whole_day(live_server, phone_page, published):
    page = phone_page
    page.goto(f"{live_server}/p/{published['token']}/")
    day = page.locator(".my-day")
    text = day.inner_text()
    order = [text.index(word) for word in ("Accueil, café", "Alpha", "Gamma", "Déjeuner",
                                           "Atelier Un")]
    assert order == sorted(order), text
    assert "Round 1" in text and "Salle A" in text
    lunch = day.locator(".agenda-lunch")
    assert "Buffet" in lunch.inner_text() and lunch.locator(".colour-badge").count() == 1
    assert "6 cours des Alliés" in text
    assert "openstreetmap.org/search" in day.get_by_role("link", name=re.compile("map")
                                                        ).get_attribute("href")
    # Now the day holds something: calendar and badge come after it.
    assert page.locator("#my-calendar").count() == 1 and page.locator("#badge-title").count() == 1
    details = page.locator(".my-details")
    dt, dd = details.locator("dt").first.bounding_box(), details.locator("dd").first.bounding_box()
    assert dd["y"] >= dt["y"] + dt["height"] - 1  # label over value on a phone
    assert not has_horizontal_overflow(page)
    assert_accessible(page)
    page.goto(f"{live_server}/p/{published['token']}/?lang=fr")
    assert "Tour 1" in day.inner_text() and "11\u00a0h\u00a050" in day.inner_text()
    assert_accessible(page)
    day.screenshot(path=f"{SCREENSHOTS}/mon-programme-phone.png")


def test_switch_offers_only_what_can_be_taken(live_server, phone_page, published):
    world = published["world"]
    world.sessions["beta-1"].capacity = 2  # full for Ada
    db.session.commit()
    page = phone_page
    page.goto(f"{live_server}/p/{published['token']}/")
    page.locator(".agenda-round").first.get_by_role("link", name=re.compile("Change")).tap()
    page.wait_for_url(re.compile("/change$"))
    refused = page.locator(".switch-option.is-refused")
    assert refused.count() == 1
    assert "This presentation is full" in refused.inner_text()
    assert refused.get_by_role("button").is_disabled()
    assert_accessible(page)
    # Round 2: Alpha is already in Ada's day (round 1); nothing else is refused.
    page.goto(f"{live_server}/p/{published['token']}/rounds/{world.rounds[1].id}/change")
    refused = page.locator(".switch-option.is-refused")
    assert "You already see “Alpha” in round 1." in refused.inner_text()
    assert refused.get_by_role("button").is_disabled()
    offered = page.locator(".switch-option:not(.is-refused):not(.is-current)")
    assert offered.count() == 0
    # Back to round 1 with a seat freed: the offered place is taken on the first try.
    world.sessions["beta-1"].capacity = 4
    db.session.commit()
    page.goto(f"{live_server}/p/{published['token']}/rounds/{world.rounds[0].id}/change")
    page.get_by_role("button", name=re.compile("Take this seat")).tap()
    page.wait_for_url(re.compile(r"/p/[^/]+/$"))
    assert "Done: your programme is changed." in page.content()


PORTAL_PAGES = ["", "wishes", "edit", "cancel", "delete"]


@pytest.mark.parametrize("path", PORTAL_PAGES)
def test_portal_pages_have_no_serious_violation(live_server, phone_page, published, path):
    phone_page.goto(f"{live_server}/p/{published['token']}/{path}")
    assert_accessible(phone_page)


def test_public_participant_pages_have_no_serious_violation(live_server, phone_page, ranker):
    slug = ranker["event"].slug
    for path in (f"/e/{slug}/register", f"/e/{slug}/link", f"/e/{slug}/privacy"):
        response = phone_page.goto(live_server + path)
        assert response.status == 200, path
        assert_accessible(phone_page)
    # A refused registration: the error summary is checked too.
    phone_page.goto(f"{live_server}/e/{slug}/register")
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="Register").tap()
    assert phone_page.locator(".error-summary").count() == 1
    assert_accessible(phone_page)


def test_no_page_asks_for_a_missing_favicon(live_server, phone_page, ranker):
    missing = []
    phone_page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    phone_page.goto(f"{live_server}/p/{ranker['token']}/")
    icon = phone_page.locator("link[rel=icon]").get_attribute("href")
    assert phone_page.request.get(live_server + icon).status == 200
    answer = phone_page.goto(f"{live_server}/favicon.ico")  # asked for by browsers alone
    assert answer.status == 200 and "svg" in answer.headers["content-type"]
    assert not missing, missing


# --- the staff scanning page -------------------------------------------------------------

def test_the_scanning_page_is_accessible_and_elides_before_a_vowel(live_server, phone_page,
                                                                  app):
    from tests.checkin.test_checkin import checkin_world
    from tests.factories import PASSWORD, make_user

    world = checkin_world()
    world.event.checkin_rehearsal = True
    make_user(email="accueil@example.org", role="staff")
    db.session.commit()
    page = phone_page
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("accueil@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    # staff land on the checkpoint menu of the event in rehearsal (issue 15, item 12)
    page.wait_for_url(f"{live_server}/manage/events/{world.event.slug}/checkin/scan/")
    assert_accessible(page)  # the list of checkpoints
    page.get_by_role("link", name="Entrance").click()
    page.wait_for_selector("[data-checkin-page][data-ready='true']")
    assert_accessible(page)  # the status line is no longer a list of live regions
    page.goto(page.url.split("?")[0] + "?lang=fr")
    page.wait_for_selector("[data-checkin-page][data-ready='true']")
    page.get_by_label("Nom ou structure").fill("ada")
    page.get_by_role("button", name="Rechercher").click()
    ada = world.people[0]
    assert ada.first_name == "Ada"
    page.get_by_role("button", name=f"Enregistrer le passage d’{ada.full_name}").wait_for()
    page.get_by_label("Nom ou structure").fill("bruno")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("button", name=f"Enregistrer le passage de {world.people[1].full_name}"
                     ).wait_for()
    assert_accessible(page)


def test_a_refused_ranking_keeps_the_list_and_leads_to_it(live_server, phone_page, ranker):
    """Too few projects: the server refuses, the summary takes the focus, its link leads
    to a control of the ranked list, which still holds what was chosen."""
    page = phone_page
    page.goto(f"{live_server}/p/{ranker['token']}/wishes")
    name = _cards(page, "projects")[0]
    _card(page, "projects", name).get_by_role("button", name=re.compile("Add")).tap()
    with page.expect_navigation():
        page.get_by_role("button", name="Save my choices").tap()
    page.wait_for_selector(".error-summary:focus")
    assert _ranked(page, "projects") == [name]
    page.locator(".error-summary a[href='#projects']").tap()
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == f"↑ Up : {name}", focused


def test_drag_where_a_pointer_allows(live_server, desktop_page, ranker):
    """Dragging the handle does what the buttons do (an extra: the buttons stay)."""
    page = desktop_page
    page.goto(f"{live_server}/p/{ranker['token']}/wishes")
    wanted = _cards(page, "projects")[:4]
    for name in wanted:
        _card(page, "projects", name).get_by_role("button", name=re.compile("Add")).click()
    items = page.locator("#projects .ranked-item")
    page.locator("#projects .my-ranking").scroll_into_view_if_needed()
    handle = items.nth(3).locator(".ranked-handle").bounding_box()
    first = items.nth(0).bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(first["x"] + 20, first["y"] + 5, steps=8)
    page.mouse.up()
    assert _ranked(page, "projects") == [wanted[3], *wanted[:3]]
    assert f"{wanted[3]}: now choice 1 of 4" in _announced(page)
    card = _card(page, "projects", wanted[3])
    assert card.locator("[data-rank-input]").input_value() == "1"  # written back into the form
