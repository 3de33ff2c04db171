"""Ranking projects and workshops without JavaScript: one choice-number field per item,
checked on the server (in range, unique, consecutive, at least one per round), before a
deadline."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from eventapp.db_types import utcnow
from eventapp.extensions import db
from eventapp.registration.operations import validate_ranking
from tests.factories import (
    make_event,
    make_participant,
    make_portal_token,
    make_project,
    make_registration_settings,
    make_round,
    make_theme,
    make_workshop,
)


@pytest.fixture
def setup(app):
    event = make_event(slug="journee")
    blue = make_theme(event, name="Remobiliser", colour="#1d4ed8", colour_name="bleu roi")
    green = make_theme(event, name="Accompagner", colour="#1e6b34", colour_name="vert sapin")
    projects = [
        make_project(event, theme=blue, name="TAPAJ", description="Travail alternatif payé "
                     "à la journée", keywords=["jeunes", "errance"], position=1),
        make_project(event, theme=green, name="LAHSO", position=2),
        make_project(event, theme=blue, name="Soleni", position=3),
    ]
    make_round(event, "11:00")
    make_round(event, "11:30")
    workshops = [make_workshop(event, name="Évaluation", description="Mesurer l'impact"),
                 make_workshop(event, name="Travail")]
    person = make_participant(event)
    token = make_portal_token(person)
    db.session.commit()
    return {"event": event, "projects": projects, "workshops": workshops, "person": person,
            "token": token, "themes": [blue, green]}


def _post(client, setup, projects=(), workshops=(), themes=()):
    data = {}
    for project, rank in zip(setup["projects"], projects, strict=False):
        data[f"project_{project.id}"] = rank
    for workshop, rank in zip(setup["workshops"], workshops, strict=False):
        data[f"workshop_{workshop.id}"] = rank
    for theme in themes:
        data[f"theme_{theme.id}"] = "y"
    return client.post(f"/p/{setup['token']}/wishes", data=data)


def _field(page: str, name: str) -> dict[str, str]:
    """The attributes of the input named ``name``."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
    return dict(re.findall(r'([\w-]+)="([^"]*)"', tag))


def test_page_shows_descriptions_keywords_theme_colour_names(client, setup):
    page = client.get(f"/p/{setup['token']}/wishes").get_data(as_text=True)
    assert "Travail alternatif payé à la journée" in page
    assert "errance" in page
    assert "bleu roi" in page and "vert sapin" in page
    assert "Mesurer l&#39;impact" in page
    assert "Choice numbers: from 1 to 3; empty: not interested." in page
    assert page.count("data-rank-input") == 5  # one field per project and workshop
    assert "<script" not in page.split("<main")[1]  # no inline script: works without JS
    assert "/e/journee/colours.css" in page


def test_valid_ranking_is_saved_zero_based(client, setup):
    response = _post(client, setup, projects=["2", "1", ""], workshops=["", "1"],
                     themes=setup["themes"][:1])
    assert response.status_code == 302
    person = setup["person"]
    db.session.refresh(person)
    assert [(w.project.name, w.rank) for w in person.project_wishes] == [
        ("LAHSO", 0), ("TAPAJ", 1)]
    assert [(w.workshop.name, w.rank) for w in person.workshop_wishes] == [("Travail", 0)]
    assert [t.name for t in person.theme_interests] == ["Remobiliser"]
    # The form shows the saved choices back.
    page = client.get(f"/p/{setup['token']}/wishes").get_data(as_text=True)
    tapaj, lahso = setup["projects"][:2]
    assert _field(page, f"project_{tapaj.id}")["value"] == "2"
    assert _field(page, f"project_{lahso.id}")["value"] == "1"
    assert _field(page, f"project_{setup['projects'][2].id}")["value"] == ""


def test_changing_wishes_replaces_them(client, setup):
    _post(client, setup, projects=["1", "2", "3"])
    assert _post(client, setup, projects=["", "2", "1"]).status_code == 302
    person = setup["person"]
    db.session.refresh(person)
    assert [w.project.name for w in person.project_wishes] == ["Soleni", "LAHSO"]


@pytest.mark.parametrize(
    ("projects", "workshops", "message"),
    [
        (["1", "1", ""], [], "Choice 1 is given to several projects: LAHSO, TAPAJ"),
        (["1", "3", ""], [], "choice 2 is missing"),
        (["2", "3", ""], [], "choice 1 is missing"),
        (["1", "", ""], [], "rank at least 2 projects (you ranked 1)"),
        (["1", "2", ""], ["2", "2"], "Choice 2 is given to several workshops"),
    ],
)
def test_invalid_rankings_are_explained_and_nothing_changes(client, setup, projects,
                                                            workshops, message):
    _post(client, setup, projects=["1", "2", ""])
    response = _post(client, setup, projects=projects, workshops=workshops)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#34;", '"')
    person = setup["person"]
    db.session.refresh(person)
    assert [w.project.name for w in person.project_wishes] == ["TAPAJ", "LAHSO"]


def test_a_rank_outside_the_choices_is_refused(client, setup):
    assert _post(client, setup, projects=["1", "2", "9"]).status_code == 400
    db.session.refresh(setup["person"])
    assert setup["person"].project_wishes == []


def test_after_the_deadline_wishes_are_read_only(client, setup):
    make_registration_settings(setup["event"], wishes_deadline=utcnow() - timedelta(hours=1))
    db.session.commit()
    page = client.get(f"/p/{setup['token']}/wishes").get_data(as_text=True)
    assert "can no longer be changed" in page
    assert "Save my choices" not in page
    assert _post(client, setup, projects=["1", "2", ""]).status_code == 403
    db.session.refresh(setup["person"])
    assert setup["person"].project_wishes == []


def test_cancelled_participants_cannot_change_wishes(client, setup):
    setup["person"].status = "cancelled"
    db.session.commit()
    assert _post(client, setup, projects=["1", "2", ""]).status_code == 403


def test_validate_ranking_rules():
    assert validate_ranking({"a": 1, "b": 2, "c": None}, 2, "projects") == []
    assert validate_ranking({}, 0, "workshops") == []
    assert len(validate_ranking({"a": 2, "b": 2}, 0, "x")) == 2  # duplicate and gap
    assert validate_ranking({"a": 1}, 3, "projects")[0].startswith("Please rank at least 3")


def test_a_number_that_is_not_a_choice_is_explained(client, setup):
    response = _post(client, setup, projects=["1", "two", ""])
    assert response.status_code == 400
    page = response.get_data(as_text=True).replace("&#34;", '"')
    assert '"LAHSO": the choice number must be between 1 and 3, or left empty.' in page
    assert 'value="two"' in page  # what was typed is kept, to be corrected
    db.session.refresh(setup["person"])
    assert setup["person"].project_wishes == []


def test_the_page_grows_with_the_programme_not_its_square(app, client):
    """Issue 17: one field per project, not a select offering every rank (7 MB at 400
    projects)."""
    event = make_event(slug="grand")
    theme = make_theme(event, name="Thème")
    for position in range(200):
        make_project(event, theme=theme, name=f"Projet {position}", position=position)
    make_round(event, "11:00")
    token = make_portal_token(make_participant(event))
    db.session.commit()
    page = client.get(f"/p/{token}/wishes").get_data(as_text=True)
    assert page.count("<option") == 0
    assert len(page) < 200 * 1500
