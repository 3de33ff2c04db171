"""Issue 16: what "Mon programme" and its pages say, and in which order (words, French
typography, the next step first, the whole day from the calendar's items)."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask_babel import refresh
from markupsafe import escape

from eventapp.calendars.queries import CalendarContext, participant_day_items
from eventapp.extensions import db
from eventapp.i18n import clock, elides, gettext_for_name
from eventapp.programme.models import ProgrammeItemKind
from eventapp.registration.models import ProjectWish
from eventapp.scheduling.models import Assignment
from tests.factories import (
    make_event,
    make_participant,
    make_portal_token,
    make_programme_item,
    make_project,
    make_registration_settings,
    make_room,
    make_round,
    make_session,
    make_theme,
)

PO = Path(__file__).parents[2] / "eventapp" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


@pytest.fixture
def event(app):
    event = make_event(slug="journee", name="Journée de restitution",
                       venue="Maison des associations", address="6 cours des Alliés\n35000 Rennes")
    db.session.commit()
    return event


def _person(event, **fields):
    person = make_participant(event, first_name="Anaïs", last_name="Durand", **fields)
    token = make_portal_token(person)
    db.session.commit()
    return person, token


@contextmanager
def _language(app, lang: str):
    """A request in ``lang`` (Flask-Babel keeps the locale on the app context: refresh)."""
    with app.test_request_context(f"/?lang={lang}"):
        refresh()
        yield
    refresh()


def _page(client, url: str, lang: str = "en") -> str:
    return client.get(f"{url}?lang={lang}").get_data(as_text=True)


# --- words ------------------------------------------------------------------------------

def test_the_data_download_is_named_in_the_page_language(client, event):
    _person_, token = _person(event)
    french = client.get(f"/p/{token}/data.json?lang=fr")
    assert 'filename="mes-donnees-journee.json"' in french.headers["Content-Disposition"]
    english = client.get(f"/p/{token}/data.json?lang=en")
    assert 'filename="my-data-journee.json"' in english.headers["Content-Disposition"]


def test_the_cancel_page_mentions_a_waiting_list_only_when_someone_waits(client, event):
    _person_, token = _person(event)
    page = _page(client, f"/p/{token}/cancel")
    assert "waiting list" not in page and "Your seat is freed for someone else." in page
    make_participant(event, status="waiting", waiting_since=datetime.now(UTC))
    db.session.commit()
    page = _page(client, f"/p/{token}/cancel")
    assert "Your seat will go to the next person on the waiting list." in page


def test_someone_waiting_cancels_their_place_in_line(client, event):
    _person_, token = _person(event, status="waiting", waiting_since=datetime.now(UTC))
    page = _page(client, f"/p/{token}/cancel")
    assert "You leave the waiting list." in page and "Your seat" not in page


def test_a_cancelled_person_is_not_promised_a_programme(client, event):
    make_programme_item(event, "09:30", title="Accueil")
    _person_, token = _person(event, status="cancelled")
    page = _page(client, f"/p/{token}/")
    assert "will appear here" not in page
    assert "Your registration is cancelled: you have no programme for this event." in page
    assert "Accueil" not in page and "My badge" not in page and "my-calendar" not in page


def test_french_strings_have_a_narrow_no_break_space_before_double_punctuation():
    """Every French translation: "Statut\u202f:", never "Statut :" nor "Statut:"."""
    wrong = []
    text = PO.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        match = re.search(r'^msgstr (".*?)(?=^\S|\Z)', block, re.M | re.S)
        if not match:
            continue
        msgstr = "".join(re.findall(r'"(.*)"', match.group(1)))
        if re.search(r"[ \u00a0][:;!?]|[\w»)][;!?](?!\w)", msgstr):
            wrong.append(msgstr)
    assert not wrong, "\n".join(wrong[:20])


def test_the_french_page_uses_french_typography_and_times(client, event):
    make_registration_settings(event, wishes_deadline=datetime(2030, 3, 1, 9, 30, tzinfo=UTC))
    make_project(event, name="TAPAJ")
    _person_, token = _person(event)
    page = _page(client, f"/p/{token}/", "fr")
    assert "Statut\u202f:" in page and "Statut :" not in page
    assert "10\u00a0h\u00a030" in page  # 9:30 UTC in Paris in March, written the French way


def test_clock_writes_hours_in_the_page_language(app):
    moment = datetime(2026, 12, 7, 9, 5, tzinfo=UTC)
    with _language(app, "fr"):
        assert clock(moment, "Europe/Paris") == "10\u00a0h\u00a005"
    with _language(app, "en"):
        assert clock(moment, "Europe/Paris") == "10:05"


def test_french_elides_de_before_a_vowel(app, client, event):
    assert elides("Anaïs") and elides("Élodie") and not elides("Bruno")
    with _language(app, "fr"):
        assert gettext_for_name("Badge of %(name)s with its QR code", "Anaïs Durand") \
            == "Badge d’Anaïs Durand avec son QR code"
        assert gettext_for_name("Badge of %(name)s with its QR code", "Bruno Leclerc") \
            == "Badge de Bruno Leclerc avec son QR code"
    with _language(app, "en"):
        assert gettext_for_name("Badge of %(name)s with its QR code", "Anaïs Durand") \
            == "Badge of Anaïs Durand with its QR code"


def test_the_scanning_page_has_the_elided_label(app):
    from eventapp.checkin.scan_page import page_labels

    with _language(app, "fr"):
        labels = page_labels()
    assert labels["search_admit"] == "Enregistrer le passage de {name}"
    assert labels["search_admit_elided"] == "Enregistrer le passage d’{name}"


# --- the next step first, the whole day --------------------------------------------------

def test_before_any_choice_the_next_step_comes_first(client, event):
    make_registration_settings(event, wishes_deadline=datetime.now(UTC) + timedelta(days=30))
    project = make_project(event, name="TAPAJ")
    person, token = _person(event)
    page = _page(client, f"/p/{token}/")
    assert page.index("Choose your projects") < page.index("My day")
    assert "Until " in page[page.index("Choose your projects"):page.index("My day")]
    assert "My badge" not in page and "my-calendar" not in page  # nothing in them yet
    person.project_wishes.append(ProjectWish(project=project, rank=0))
    db.session.commit()
    page = _page(client, f"/p/{token}/")
    assert "Choose your projects" not in page and "TAPAJ" in page
    # Until the day is published, the choices come before it.
    assert page.index("<h2>My choices</h2>") < page.index('id="my-day-title"')


def _published_day(event):
    """One round in a room of two tables, lunch after it; the person seated at table 2."""
    theme = make_theme(event, name="Remobiliser", colour="#1f5fa8", colour_name="bleu roi")
    room = make_room(event, name="Salle Jaurès", tables=2, table_labels=["Table A", "Table B"])
    project = make_project(event, theme=theme, name="TAPAJ")
    round_ = make_round(event, "11:00", key="r1")
    session = make_session(event, project=project, round=round_, room=room, table_number=2)
    make_programme_item(event, "09:30", title="Accueil, café", kind=ProgrammeItemKind.WELCOME)
    make_programme_item(event, "12:30", 60, title="Déjeuner", kind=ProgrammeItemKind.LUNCH)
    person, token = _person(event, locale="en")
    db.session.add(Assignment(participant_id=person.id, round_id=round_.id,
                              session_id=session.id))
    db.session.commit()
    from eventapp.scheduling import operations

    operations.publish(event, None)
    db.session.commit()
    return person, token


def test_mon_programme_is_the_whole_day_as_the_calendar_has_it(client, event):
    person, token = _published_day(event)
    page = _page(client, f"/p/{token}/")
    day = page[page.index('id="my-day-title"'):page.index("</section>", page.index("my-day"))]
    for words in ("Accueil, café", "TAPAJ", "Salle Jaurès", "Table B", "bleu roi",
                  "Remobiliser", "Déjeuner", "Buffet — bleu roi area", "Round 1"):
        assert str(escape(words)) in day, words
    assert day.index("Accueil") < day.index("TAPAJ") < day.index("Déjeuner")
    assert "6 cours des Alliés" in day
    assert "https://www.openstreetmap.org/search?query=Maison+des+associations%2C+6+cours" \
        in day
    # The same items as the calendar, in the same order.
    items = participant_day_items(person, CalendarContext.load(event, participant=person))
    summaries = [str(escape(item.summary)) for item in items]
    assert [s for s in summaries if s in day] == summaries
    assert sorted(summaries, key=day.index) == summaries
    assert "my-calendar" in page and "My badge" in page
    assert page.index('id="my-day-title"') < page.index("<h2>My choices</h2>")


def test_the_calendar_location_names_the_table(client, event):
    person, _token = _published_day(event)
    items = participant_day_items(person, CalendarContext.load(event, participant=person))
    [round_item] = [item for item in items if item.identity.startswith("round:")]
    assert round_item.location == "Salle Jaurès, Table B — bleu roi"


def test_mon_programme_costs_the_same_queries_for_a_bigger_event(client, event, app):
    from sqlalchemy import event as sa_event

    _person_, token = _published_day(event)

    def count() -> list[str]:
        db.session.expire_all()  # each visit reads from the database, not from this session
        statements = []
        engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa_event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/p/{token}/").status_code == 200
        finally:
            sa_event.remove(engine, "before_cursor_execute", listener)
        return [s for s in statements if "SAVEPOINT" not in s]  # the test's own

    count()  # the first visit creates the calendar feed
    before = count()
    for _ in range(30):
        make_participant(event)
    db.session.commit()
    after = count()
    assert len(after) == len(before), "\n".join(after)
