"""The public programme page of an event (/e/<slug>/) and the grid it is built from."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventapp.extensions import db
from eventapp.models import Theme
from eventapp.programme.queries import build_speed_dating_grid, build_timeline
from tests.factories import (
    make_event,
    make_participant,
    make_programme_item,
    make_project,
    make_room,
    make_round,
    make_session,
    make_theme,
    make_workshop,
    make_workshop_slot,
)
from tests.grid_html import page_text, parse_grid

# The tests' default language is English; French is asked for explicitly. (Flask-Babel
# caches the locale per test, so one test sticks to one language.)
ENGLISH = {"Accept-Language": "en"}
FRENCH = {"Accept-Language": "fr"}
STATIC = Path(__file__).resolve().parents[2] / "eventapp" / "static"


@pytest.fixture
def day(app):
    """A small day: two themed rooms (one with two labelled tables), two rounds."""
    event = make_event(slug="journee", name="Journée d'échanges", venue="Halle aux grains",
                       address="1 place de la Halle, Toulouse")
    red = make_theme(event, name="Remobiliser par le travail", colour="#d0312d",
                     colour_name="rouge", position=0)
    green = make_theme(event, name="Dynamiser collectivement", colour="#2e8b57",
                       colour_name="vert", position=1)
    attenante = make_room(event, name="Salle attenante", themes=[red], position=0)
    salle1 = make_room(event, name="Salle 1", tables=2, position=1, themes=[green],
                       table_labels=["Dynamiser collectivement",
                                     "Construire des parcours innovants"])
    make_room(event, name="Salle vidéo 1", position=2)  # hosts no session: no column
    r1 = make_round(event, "11:50", key="r1")
    r2 = make_round(event, "12:15", key="r2")
    tricart = make_participant(event, first_name="Rémi", last_name="Tricart", role="presenter")
    extra = make_participant(event, first_name="Marianne", last_name="Yvon", role="presenter")
    premieres = make_project(event, red, name="Premières Heures", organisation="Emmaüs Défi",
                             keywords=["grande exclusion"], presenters=[tricart],
                             description="Reprendre une activité à l'heure.")
    tapaj = make_project(event, red, name="TAPAJ", organisation="CEID")
    activ = make_project(event, green, name="Activ'Action", organisation="Activ'Action")
    soleni = make_project(event, green, name="SOLENI", organisation="Ulisse")
    lahso = make_project(event, red, name="LAHSO", organisation="LAHSO")
    make_session(event, premieres, round=r1, room=attenante, table_number=1,
                 extra_presenters=[extra])
    make_session(event, tapaj, round=r2, room=attenante, table_number=1)
    make_session(event, activ, round=r1, room=salle1, table_number=1)
    make_session(event, soleni, round=r1, room=salle1, table_number=2)
    make_session(event, soleni, key="soleni-2", round=r2, room=salle1, table_number=2)
    make_session(event, lahso, key="lahso-unplaced")  # programme mode: not placed yet
    make_programme_item(event, "09:30", 30, kind="welcome", title="Accueil")
    make_programme_item(event, "13:00", 75, kind="lunch", title="Déjeuner")
    slot = make_workshop_slot(event, "14:15", 90)
    make_workshop(event, slot, attenante, name="Le travail, premier levier ?", capacity=45,
                  host="Laurent Dordain, responsable de projets, Ansa",
                  panel="Karine Salinas, coordinatrice, LAHSO\nSonia Abelanski, Working first 13")
    db.session.commit()
    return event


def test_grid_is_rounds_by_tracks_with_empty_cells(day):
    grid = build_speed_dating_grid(day)
    assert [(c.room.name, c.table, c.label) for c in grid.columns] == [
        ("Salle attenante", 1, "Remobiliser par le travail"),
        ("Salle 1", 1, "Dynamiser collectivement"),
        ("Salle 1", 2, "Construire des parcours innovants"),
    ]
    names = [[cell.session.project.name if cell.session else None for cell in row.cells]
             for row in grid.rows]
    assert names == [["Premières Heures", "Activ'Action", "SOLENI"], ["TAPAJ", None, "SOLENI"]]
    assert [s.key for s in grid.unplaced] == ["lahso-unplaced"]
    first = grid.rows[0].cells[0]
    assert [p.full_name for p in first.presenters] == ["Rémi Tricart", "Marianne Yvon"]


def test_sessions_without_table_number_take_the_first_free_table(app):
    event = make_event()
    room = make_room(event, name="Salle 2", tables=2)
    round_ = make_round(event, "11:50")
    make_session(event, make_project(event, name="AVISE"), round=round_, room=room,
                 table_number=1)
    make_session(event, make_project(event, name="VITA-AIR"), round=round_, room=room)
    grid = build_speed_dating_grid(event)
    assert [c.session.project.name for c in grid.rows[0].cells] == ["AVISE", "VITA-AIR"]


def test_timeline_is_in_time_order_with_speed_dating_and_workshops(day):
    kinds = [(entry.kind, entry.item.title if entry.item else None)
             for entry in build_timeline(day)]
    assert kinds == [("item", "Accueil"), ("speed_dating", None), ("item", "Déjeuner"),
                     ("workshops", None)]


def test_page_is_public_and_lays_out_the_grid(client, day):
    response = client.get("/e/journee/", headers=ENGLISH)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    grid = parse_grid(html)
    assert grid.caption.startswith("Speed-dating grid")
    assert grid.col_scopes == 4 and grid.row_scopes == 2
    assert grid.column_headers[1] == "Remobiliser par le travail Salle attenante rouge"
    assert grid.column_headers[3] == "Construire des parcours innovants Salle 1 vert"
    assert grid.row_headers == ["Round 1 11:50–12:10", "Round 2 12:15–12:35"]
    assert grid.cells[0][0] == ("Premières Heures Emmaüs Défi Presented by Rémi Tricart, "
                                "Marianne Yvon Keywords: grande exclusion")
    assert grid.cells[1][1] == "—no presentation"
    assert "Salle vidéo 1" not in " ".join(grid.column_headers)


def test_page_header_timeline_and_times_in_event_timezone(client, day):
    html = client.get("/e/journee/", headers=FRENCH).get_data(as_text=True)
    assert "<h1>Journée d&#39;échanges</h1>" in html
    text = page_text(html)
    assert "mercredi 7 décembre 2016 · Halle aux grains · 1 place de la Halle, Toulouse" in text
    # 11:50 in Paris is 10:50 UTC: the page shows the wall-clock time of the event.
    assert "11:50–12:10" in text and "10:50" not in text
    assert "09:30–10:00 Accueil" in text and "13:00–14:15 Déjeuner" in text


def test_times_follow_the_events_own_timezone(client, app):
    event = make_event(slug="montreal", timezone="America/Montreal")
    make_round(event, "11:50")
    db.session.commit()
    text = page_text(client.get("/e/montreal/", headers=ENGLISH).get_data(as_text=True))
    assert "Round 1: 11:50–12:10" in text


def test_colours_are_always_named(client, day):
    html = client.get("/e/journee/", headers=ENGLISH).get_data(as_text=True)
    for theme in db.session.scalars(db.select(Theme).where(Theme.event_id == day.id)):
        badge = (f'<span class="colour-badge theme-{theme.id}"><span class="swatch" '
                 f'aria-hidden="true"></span>{theme.colour_name}</span>')
        assert badge in html
    assert "Colour code of the rooms and buffet areas" in html
    text = page_text(html)
    assert "The buffet areas follow the themes' colour code: rouge Remobiliser par le travail" \
        " vert Dynamiser collectivement" in text
    assert 'style="' not in html  # the CSP forbids inline styles


def test_workshops_projects_and_unplaced_sessions(client, day):
    html = client.get("/e/journee/", headers=ENGLISH).get_data(as_text=True)
    assert "Le travail, premier levier ?" in html
    assert "45 seats" in html
    assert "Hosted by <strong class=\"person-name\">Laurent Dordain</strong>" in html
    assert "Karine Salinas" in html and "Sonia Abelanski" in html
    assert "To be scheduled" in html and "LAHSO" in html
    # The projects are a page of their own, which the grid's cells link to (at 10,000
    # people they were 200 KB of the programme, before any description).
    assert 'id="project-' not in html and "Keywords:</strong>" not in html
    assert 'href="/e/journee/projects#project-' in html
    assert 'href="/e/journee/projects"' in html
    assert "Premières Heures Emmaüs Défi" in page_text(html)
    html = client.get("/e/journee/projects", headers=ENGLISH).get_data(as_text=True)
    assert 'id="project-' in html and "Reprendre une activité à l&#39;heure." in html
    assert "Keywords:</strong>" in html
    assert '<details class="project-about"><summary>About the project' in html
    text = page_text(html)
    # SOLENI presents twice, at the second table of Salle 1: both presentations listed.
    assert ("When and where: Round 1, 11:50–12:10, Salle 1 — Construire des parcours innovants "
            "Round 2, 12:15–12:35, Salle 1 — Construire des parcours innovants") in text


def test_unknown_event_gets_a_friendly_404(client, app):
    response = client.get("/e/no-such-day/", headers=ENGLISH)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "No event has the address “no-such-day”" in html
    assert 'href="/"' in html


def test_home_page_links_to_the_programme(client, day):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/e/journee/"' in html


def test_event_stylesheet_and_print_styles(client, day):
    html = client.get("/e/journee/").get_data(as_text=True)
    assert 'href="/e/journee/colours.css"' in html
    assert 'href="/static/programme-public.css"' in html
    css = client.get("/e/journee/colours.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    text = css.get_data(as_text=True)
    assert "--swatch: #d0312d;" in text and "--swatch: #2e8b57;" in text
    print_css = (STATIC / "programme-public.css").read_text()
    assert "@media print" in print_css and "size: A4" in print_css
    assert 'class="projects-section no-print"' in html


def test_event_without_speed_dating_or_workshops(client, app):
    make_event(slug="vide", name="Journée vide")
    db.session.commit()
    response = client.get("/e/vide/", headers=ENGLISH)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "The programme of the day has not been published yet." in html
    assert "sd-grid" not in html


def test_programme_mode_lists_every_session_as_to_be_scheduled(client, app):
    event = make_event(slug="a-construire")
    theme = make_theme(event, colour_name="bleu", name="Transformer et innover")
    make_round(event, "11:50")
    room = make_room(event, name="Salle 2", themes=[theme])
    make_session(event, make_project(event, theme, name="AVISE"))
    make_session(event, make_project(event, theme, name="D2C"), room=room)  # room, no round
    db.session.commit()
    text = page_text(client.get("/e/a-construire/", headers=ENGLISH).get_data(as_text=True))
    assert "No presentation has been given a round and a room yet." in text
    assert "To be scheduled" in text
    assert "AVISE" in text and "D2C" in text and "(Salle 2)" in text
    text = page_text(client.get("/e/a-construire/projects", headers=ENGLISH).get_data(
        as_text=True))
    assert "When and where: to be scheduled" in text


def test_programme_page_invites_to_register_while_registration_is_open(client, app):
    from datetime import timedelta

    from eventapp.db_types import utcnow
    from eventapp.extensions import db
    from eventapp.registration.operations import update_settings
    from tests.factories import make_event

    event = make_event(slug="open-day")
    db.session.commit()
    page = client.get("/e/open-day/").get_data(as_text=True)
    assert "/e/open-day/register" in page
    update_settings(event, closes_at=utcnow() - timedelta(hours=1))
    db.session.commit()
    page = client.get("/e/open-day/").get_data(as_text=True)
    assert "/e/open-day/register" not in page
    assert "Registration is closed." in page
