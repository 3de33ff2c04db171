"""Presenters see their own presentations: in "Participants and their places", on their
day ("Mon programme" and the publication email), on their badge, in their calendar (once),
and a badge never prints the form's "(set by organisers)"."""

from __future__ import annotations

import pytest

from eventapp.calendars.notifications import queue_publication_emails
from eventapp.checkin.queries import badge_cards
from eventapp.extensions import db
from eventapp.mail import queued_emails
from eventapp.scheduling import operations
from eventapp.scheduling.queries import participant_day
from tests.factories import make_portal_token
from tests.scheduling_world import (
    build_world,
    join_solve_threads,  # noqa: F401 (autouse fixture)
    solve_and_accept,
)

pytestmark = pytest.mark.truncate_db


@pytest.fixture
def app_config(app_config):
    app_config["REDIS_URL"] = ""
    return app_config


@pytest.fixture
def published(app):
    """The small world solved and published; Paula presents Alpha in rounds 1 and 2
    (Salle A, then Salle B) and is a speaker."""
    world = build_world()
    world.presenter.category = "intervenant"
    db.session.commit()
    solve_and_accept(world.event)
    operations.publish(world.event, None)
    db.session.commit()
    return world


def test_participants_list_shows_presenting_rounds(published, organiser_client):
    page = organiser_client.get("/manage/events/small/schedule/participants?q=Paula"
                                ).get_data(True)
    row = page.split("Paula Presenter")[1].split("</tr>")[0]
    assert row.count("Presents: Alpha") == 2 and "—" not in row.split("</td>")[0]


def test_the_day_lists_presentations_and_offers_no_change_for_them(published, app):
    presenter = published.presenter
    day = participant_day(presenter)
    presenting = [item for item in day if item.presenting]
    assert [(i.number, i.room.name) for i in presenting] == [(1, "Salle A"), (2, "Salle B")]
    token = make_portal_token(presenter)
    db.session.commit()
    page = app.test_client().get(f"/p/{token}/?lang=en").get_data(True)
    assert page.count("You present: Alpha") == 2
    assert "/switch/round" not in page and "rounds/" not in page.split("You present")[1]


def test_the_publication_email_tells_presenters_when_they_present(published, app):
    from eventapp.scheduling.queries import latest_publication

    with app.test_request_context():
        queue_publication_emails(latest_publication(published.event))
        mail = next(m for m in queued_emails() if m.to == published.presenter.email)
    assert mail.text.count("Alpha") >= 2
    assert "Vous présentez\u202f: Alpha" in mail.text or "You present: Alpha" in mail.text


def test_the_badge_shows_presenting_rounds_and_no_form_wording(published, app):
    with app.test_request_context("/?lang=fr"):
        card = badge_cards(published.event, participants=[published.presenter])[0]
    labels = [(s.label, s.room_name) for s in card.stripes]
    assert ("Tour 1 · présente", "Salle A") in labels
    assert ("Tour 2 · présente", "Salle B") in labels
    assert card.category_label == "Intervenant(e)"
    assert "défini par" not in card.category_label


def test_the_calendar_has_each_presentation_once(published, app):
    from eventapp.calendars.queries import participant_day_items

    items = participant_day_items(published.presenter)
    alpha = [i for i in items if "Alpha" in i.summary]
    assert len(alpha) == 2, [i.summary for i in items]
