"""The evaluation's and the report's pages in Chromium: a participant answers on a phone
(labels, radios, checkboxes, no horizontal scroll), the organiser reads the results, a
rapporteur writes a summary; axe finds no serious WCAG 2.1 AA violation on any."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from eventapp.db_types import utcnow
from eventapp.evaluation import operations
from eventapp.evaluation.models import Answer
from eventapp.extensions import db
from eventapp.programme.models import Workshop
from tests.browser.conftest import assert_accessible, has_horizontal_overflow
from tests.browser.test_checkin_staff_page import _sign_in
from tests.checkin.test_checkin import checkin_world
from tests.factories import make_portal_token


def test_answer_on_a_phone_then_results(live_server, phone_page, desktop_page, app,
                                        organiser):
    world = checkin_world(with_codes=False)
    for block in ("day", "sessions", "next_steps"):
        operations.add_block(world.event, block)
    operations.add_free_question(world.event, "multiple", "Ce qui vous a servi",
                                 "What helped you", "Les rencontres | Meeting people\n"
                                 "Les ateliers | The workshops")
    operations.update_settings(world.event, "", utcnow() + timedelta(days=3), utcnow())
    ada = world.people[0]
    ada.email = "ada@example.org"
    token = make_portal_token(ada)
    operations.send(world.event)
    db.session.commit()

    page = phone_page
    page.goto(f"{live_server}/p/{token}/")
    page.get_by_role("link", name="Give my opinion of the day").click()
    assert_accessible(page)
    assert not has_horizontal_overflow(page)
    page.get_by_role("group", name="Your opinion of the day overall (1 to 5)") \
        .get_by_label("4").check()
    page.get_by_label("Your comments on the day").fill("Des rencontres utiles")
    page.get_by_label("Meeting people").check()
    page.get_by_role("button", name="Save my answers").click()
    page.get_by_text("Thank you: your answers are saved").wait_for()
    assert_accessible(page)
    db.session.expire_all()
    assert sorted(a.number for a in db.session.scalars(select(Answer))
                  if a.number is not None) == [4]

    _sign_in(desktop_page, live_server, organiser.email)
    desktop_page.goto(f"{live_server}/manage/events/{world.event.slug}/evaluation/results")
    asked = len(operations.recipients(world.event))
    assert f"Response rate: 1 answers from {asked} people asked" in desktop_page.content()
    assert_accessible(desktop_page)
    desktop_page.goto(f"{live_server}/manage/events/{world.event.slug}/evaluation/")
    assert_accessible(desktop_page)


def test_report_pages_pass_axe(live_server, desktop_page, phone_page, app, organiser):
    from eventapp.demo.loader import load_demo
    from eventapp.report import operations as report

    event = load_demo()
    workshop = db.session.scalars(select(Workshop).where(Workshop.event_id == event.id)).first()
    token = report.new_rapporteur_link(workshop)
    db.session.commit()
    page = desktop_page
    _sign_in(page, live_server, organiser.email)
    page.goto(f"{live_server}/manage/events/{event.slug}/attendance/")
    page.get_by_role("link", name="Report of the day").click()
    page.wait_for_url(f"{live_server}/manage/events/{event.slug}/report/")
    assert_accessible(page)
    page.get_by_role("link", name=f"Write the summary — {workshop.name}").click()
    page.wait_for_url(f"**/report/workshops/{workshop.id}")
    assert_accessible(page)
    phone_page.goto(f"{live_server}/rapporteur/{token}")
    phone_page.get_by_label("Summary of the workshop").fill("Une synthèse.")
    phone_page.get_by_role("button", name="Save").click()
    phone_page.get_by_text("Thank you: the summary is saved").wait_for()
    assert_accessible(phone_page)
    assert not has_horizontal_overflow(phone_page)
