"""The demo day: the real 7 December 2016 restitution day, loaded on first run."""

from __future__ import annotations

import json
from datetime import date

from eventapp.auth.models import find_user_by_email
from eventapp.demo.loader import DEMO_ACCOUNTS, demo_data, ensure_demo, load_demo
from eventapp.extensions import db
from eventapp.models import (
    Event,
    Participant,
    ProgrammeItem,
    Project,
    Room,
    Round,
    Session,
    Theme,
    User,
    Workshop,
    WorkshopSlot,
)
from eventapp.programme.queries import build_speed_dating_grid
from tests.factories import make_event
from tests.grid_html import page_text, parse_grid

EXPECTED_COUNTS = {
    Theme: 4, Room: 6, Project: 13, Round: 3, Session: 17, WorkshopSlot: 1, Workshop: 4,
    Participant: 17, ProgrammeItem: 8,
}

# The seed's table (000_*.txt, "Tour « AIS » Amphithéâtre ..."), round by round; None is
# the empty table of Salle 1 in round 3 (the seed's "/").
SEED_GRID = [
    ["ais", "premieres-heures", "activ-action", "soleni", "avise", "vita-air"],
    ["ais", "tapaj", "tortue-bleue", "happy-culture", "chantier-ecole", "d2c"],
    ["ais", "lahso", None, "parcours-gardien", "avise", "vita-air"],
]
SEED_PRESENTERS = [
    ["Sylvie Le Bars, Marianne Yvon", "Rémi Tricart", "Pauline Voldoire",
     "Jean-Jérôme Calvier", "Luciana Calvetti", "Rémy Le Stum"],
    ["Sylvie Le Bars, Rianala Rakotobe", "Jean-Hugues Morales", "Bruno Paillet",
     "Arnaud Dalle", "Luis Semedo", "Olivier Foschia"],
    ["Sylvie Le Bars, Laurent Dordain", "Christine Vigne", None, "Stéphane Charles",
     "Luciana Calvetti", "Renaud Chenon"],
]


def _counts() -> dict:
    return {model: db.session.scalar(db.select(db.func.count()).select_from(model))
            for model in (*EXPECTED_COUNTS, Event)}


def test_first_run_loads_the_demo_and_the_accounts(app):
    event = ensure_demo()
    assert event.slug == "restitution-2016"
    assert event.name == ("Accélérateur d'innovation sociale — Journée de restitution et "
                          "d'échanges")
    assert event.date == date(2016, 12, 7) and event.timezone == "Europe/Paris"
    counts = _counts()
    assert counts.pop(Event) == 1
    assert counts == EXPECTED_COUNTS
    for account in DEMO_ACCOUNTS:
        user = find_user_by_email(account.email)
        assert user is not None and user.role == account.role
        assert user.check_password(account.password)
    assert {a.email for a in DEMO_ACCOUNTS} == {"organisateur@demo.example",
                                                "accueil@demo.example"}


def test_loading_twice_is_idempotent(app):
    first = ensure_demo()
    before = _counts()
    again = ensure_demo()
    assert again.id == first.id
    assert load_demo().id == first.id
    db.session.commit()
    assert _counts() == before
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 2


def test_an_existing_database_is_left_alone(app):
    make_event(slug="vraie-journee", name="Vraie journée")
    db.session.commit()
    event = ensure_demo()
    assert event.slug == "vraie-journee"
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 1
    assert find_user_by_email("organisateur@demo.example") is not None


def test_reset_replaces_the_demo(app):
    event = ensure_demo()
    project = db.session.scalar(db.select(Project).where(Project.key == "tapaj"))
    project.name = "Changed by an organiser"
    db.session.commit()
    fresh = load_demo(reset=True)
    db.session.commit()
    assert fresh.slug == event.slug
    names = db.session.scalars(db.select(Project.name).where(Project.key == "tapaj")).all()
    assert names == ["TAPAJ"]
    counts = _counts()
    assert counts.pop(Event) == 1
    assert counts == EXPECTED_COUNTS


def test_demo_grid_is_the_seed_table(app):
    event = ensure_demo()
    grid = build_speed_dating_grid(event)
    assert [(c.room.name, c.label) for c in grid.columns] == [
        ("Amphithéâtre", "AIS"),
        ("Salle attenante", "Remobiliser par le travail"),
        ("Salle 1", "Dynamiser collectivement"),
        ("Salle 1", "Construire des parcours innovants"),
        ("Salle 2", "Transformation des structures"),
        ("Salle 2", "Innover entre SIAE et entreprises"),
    ]
    assert [[c.session.project.key if c.session else None for c in row.cells]
            for row in grid.rows] == SEED_GRID
    assert [[", ".join(p.full_name for p in c.presenters) if c.session else None
             for c in row.cells] for row in grid.rows] == SEED_PRESENTERS
    assert grid.unplaced == []
    assert [c.theme.colour_name for c in grid.columns] == [
        "jaune", "rouge", "vert", "vert", "bleu", "bleu"]


def test_demo_times_are_the_seed_times_in_paris(app):
    ensure_demo()
    rounds = db.session.scalars(db.select(Round).order_by(Round.starts_at)).all()
    # 11:50 in Paris in December (UTC+1) is 10:50 UTC.
    assert [(r.starts_at.strftime("%H:%M"), r.ends_at.strftime("%H:%M")) for r in rounds] == [
        ("10:50", "11:10"), ("11:15", "11:35"), ("11:40", "12:00")]


def test_demo_workshops_hosts_and_panels(app):
    ensure_demo()
    workshops = {w.key: w for w in db.session.scalars(db.select(Workshop))}
    assert {key: w.room.name for key, w in workshops.items()} == {
        "atelier-territoires": "Amphithéâtre",
        "atelier-evaluation": "Salle vidéo 1",
        "atelier-travail": "Salle vidéo 2",
        "atelier-gisements": "Salle attenante",
    }
    assert workshops["atelier-evaluation"].host.startswith("Marianne Yvon")
    assert workshops["atelier-gisements"].host.startswith("Michèle Pasteur")
    assert len(workshops["atelier-territoires"].panel_members) == 5
    assert "Karine Salinas, coordinatrice, LAHSO" in workshops["atelier-travail"].panel_members


def test_demo_projects_come_from_the_seeds(app):
    ensure_demo()
    projects = {p.key: p for p in db.session.scalars(db.select(Project))}
    assert projects["activ-action"].keywords == [
        "formation aux compétences de base", "travail temporaire d'insertion",
        "accompagnement collectif"]
    assert projects["premieres-heures"].organisation == "Emmaüs Défi"
    assert projects["vita-air"].presenters == []  # a different presenter each round
    assert all(p.description for p in projects.values())
    assert all(p.keywords for p in projects.values())
    people = db.session.scalars(db.select(Participant)).all()
    assert {p.role for p in people} == {"presenter"}


def test_demo_lines_up_with_the_shared_example(app, shared_examples):
    example = json.loads((shared_examples / "restitution-2016.json").read_text())
    ensure_demo()
    themes = {t.key: t for t in db.session.scalars(db.select(Theme))}
    assert {k: t.colour for k, t in themes.items()} == {
        t["id"]: t["colour"] for t in example["themes"]}
    rooms = {r.key: r for r in db.session.scalars(db.select(Room))}
    assert {k: (r.capacity, r.tables, r.step_free, sorted(t.key for t in r.themes))
            for k, r in rooms.items()} == {
        r["id"]: (r["capacity"], r["tables"], r["accessible"], sorted(r["themes"]))
        for r in example["rooms"]}
    sessions = {s.key: (s.project.key, s.round.key, s.room.key, s.capacity)
                for s in db.session.scalars(db.select(Session))}
    assert sessions == {s["id"]: (s["project"], s["round"], s["room"], s["capacity"])
                        for s in example["sessions"]}
    workshops = {w.key: (w.room.key, w.capacity) for w in db.session.scalars(db.select(Workshop))}
    assert workshops == {w["id"]: (w["room"], w["capacity"]) for w in example["workshops"]}


def test_demo_programme_page_shows_the_seed_grid(client, app):
    ensure_demo()
    response = client.get("/e/restitution-2016/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    grid = parse_grid(html)
    assert grid.column_headers[2].startswith("Remobiliser par le travail Salle attenante rouge")
    round_one_attenante = grid.cells[0][1]
    assert "Premières Heures" in round_one_attenante and "Emmaüs Défi" in round_one_attenante
    assert "Rémi Tricart" in round_one_attenante
    assert grid.cells[2][2] == "—no presentation"  # Salle 1, first table, round 3
    assert grid.row_headers[0] == "Round 1 11:50–12:10"
    text = page_text(html)
    assert "Le temps des échanges durant le déjeuner" in text
    assert "Hosted by Sylvie Le Bars, responsable de projets, Ansa" in text


def test_load_demo_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    assert "Loaded the demo event" in result.output
    assert "organisateur@demo.example (created)" in result.output
    result = runner.invoke(args=["load-demo"])
    assert "already loaded" in result.output
    result = runner.invoke(args=["load-demo", "--reset"])
    assert result.exit_code == 0 and "Reloaded the demo event" in result.output
    counts = _counts()
    assert counts.pop(Event) == 1
    assert counts == EXPECTED_COUNTS


def test_demo_data_module_is_consistent():
    data = demo_data()
    presenters = {p["id"] for p in data["presenters"]}
    projects = {p["id"] for p in data["projects"]}
    for session in data["sessions"]:
        assert session["project"] in projects
        assert set(session.get("extra_presenters", [])) <= presenters
    assert len(data["projects"]) == 13 and len(data["sessions"]) == 17
