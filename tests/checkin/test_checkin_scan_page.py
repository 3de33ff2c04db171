"""The staff scanning page on the server side: the checkpoint menu, the page and its
hooks, the service worker's scope, the labels in French, and the search by name."""

from __future__ import annotations

import json
import re

import pytest

from eventapp.checkin import codes
from eventapp.checkin.scan_page import fold
from eventapp.extensions import db
from tests.checkin.test_checkin import checkin_world
from tests.factories import (
    local,
    make_participant,
)

HOOKS = ("result", "result-title", "result-name", "result-info", "result-colour",
         "result-detail", "result-source", "wedge-form", "wedge-input", "camera-toggle",
         "torch", "camera-message", "video", "network", "pending", "bundle", "offline",
         "feedback", "search-form", "search-input", "search-results", "search-message",
         "notices", "notice-list")


@pytest.fixture
def world(app):
    world = checkin_world(lunch=True, with_codes=False)
    world.people[0].first_name, world.people[0].last_name = "Élodie", "Le Goff"
    world.people[0].organisation = "Mission locale de Brest"
    db.session.commit()
    return world


def _base(world) -> str:
    return f"/manage/events/{world.event.slug}/checkin/scan"


def test_the_menu_lists_every_checkpoint_by_kind_with_its_hours(world, staff_client):
    html = staff_client.get(f"{_base(world)}/").get_data(as_text=True)
    for heading in ("Entrance", "Speed-dating", "Workshop", "Lunch"):
        assert f">{heading}</h2>" in html
    for checkpoint in world.checkpoints.values():
        assert f'{_base(world)}/{checkpoint.id}"' in html
    assert "Salle A — round 1" in html
    assert "11:40–12:15" in html  # round 1 (11:50–12:10), 10 min before to 5 after


def test_the_page_has_every_hook_the_script_reads(world, staff_client):
    door = world.checkpoints["door"]
    response = staff_client.get(f"{_base(world)}/{door.id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    for hook in HOOKS:
        assert f'data-checkin="{hook}"' in html, hook
    slug = world.event.slug
    assert f'data-checkpoint="{door.id}"' in html
    bundle = f"/manage/events/{slug}/checkin/checkpoints/{door.id}/bundle.json"
    assert f'data-bundle-url="{bundle}"' in html
    assert f'data-scan-url="/manage/events/{slug}/checkin/scan"' in html
    assert f'data-upload-url="/manage/events/{slug}/checkin/scans"' in html
    assert f'data-sw-url="{_base(world)}/sw.js"' in html
    assert f'data-sw-scope="{_base(world)}/"' in html
    assert 'data-timezone="Europe/Paris"' in html
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', html)
    assert "<script>" not in html  # the CSP allows no inline script
    for field in ('for="badge-code"', 'for="checkin-search-input"', 'for="checkin-feedback"'):
        assert field in html  # every field has its label


def test_the_page_speaks_french_with_the_labels_the_script_shows(world, staff_client):
    door = world.checkpoints["door"]
    html = staff_client.get(f"{_base(world)}/{door.id}?lang=fr").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="checkin-labels">(.*?)</script>',
                      html, re.S).group(1)
    labels = json.loads(block)
    assert labels["result_already"] == "DÉJÀ"
    assert labels["result_wrong_place"] == "MAUVAIS ENDROIT"
    assert labels["detail_wrong_place"] == "Attendu en {place}"
    assert labels["pending_many"] == "{count} scans en attente d'envoi"
    assert labels["search_admit"].endswith("{name}")
    assert "Entrée" in html or "Accueil" in html


def test_an_unknown_checkpoint_is_404(world, staff_client):
    assert staff_client.get(f"{_base(world)}/999999").status_code == 404
    assert staff_client.get(f"{_base(world)}/999999/search.json?q=ada").status_code == 404


def test_the_service_worker_covers_the_staff_pages_and_is_never_cached(world, client):
    response = client.get(f"{_base(world)}/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == f"{_base(world)}/"
    assert response.headers["Cache-Control"] == "no-cache"
    assert b"eventapp-checkin-" in response.data
    assert client.get("/manage/events/no-such-event/checkin/scan/sw.js").status_code == 404


def test_fold_ignores_case_accents_and_spaces():
    assert fold("  Élodie   LE GOFF ") == "elodie le goff"
    assert fold("Ñúñez-Çelik") == "nunez-celik"


def test_search_finds_names_without_accents_and_gives_their_id_not_a_code(world, staff_client):
    door = world.checkpoints["door"]
    response = staff_client.get(f"{_base(world)}/{door.id}/search.json?q=elodie")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    [found] = response.get_json()["results"]
    assert found["name"] == "Élodie Le Goff"
    assert found["organisation"] == "Mission locale de Brest"
    assert found["expected"] is True and found["admitted_at"] is None
    assert found["id"] == world.people[0].key
    # No badge code: two letters per query would otherwise hand out every badge.
    assert "code" not in found
    code_like = re.compile(rf"[A-Z2-7]{{{codes.CODE_LENGTH}}}")
    assert not code_like.search(response.get_data(as_text=True))
    # Last name first, organisation, and several words all match.
    for query in ("le goff", "goff elo", "brest"):
        results = staff_client.get(f"{_base(world)}/{door.id}/search.json",
                                   query_string={"q": query}).get_json()["results"]
        assert [r["name"] for r in results] == ["Élodie Le Goff"], query


def test_search_tells_where_someone_else_is_expected_and_who_came(world, staff_client):
    room_b_round_1 = world.checkpoints["session:r1:b"]
    body = staff_client.get(f"{_base(world)}/{room_b_round_1.id}/search.json?q=goff").get_json()
    [found] = body["results"]
    assert found["expected"] is False
    assert found["expected_place"]["label"] == "Salle A — rouge"
    scan = staff_client.post(f"/manage/events/{world.event.slug}/checkin/scan",
                             json={"checkpoint": world.checkpoints["door"].id,
                                   "participant": found["id"], "nonce": "by-name-1",
                                   "scanned_at": local(world.event, "10:30").isoformat()},
                             headers={"X-CSRFToken": _csrf(staff_client, world)})
    assert scan.get_json()["result"] == "ok" and scan.get_json()["manual"] is True
    door = world.checkpoints["door"]
    [found] = staff_client.get(f"{_base(world)}/{door.id}/search.json?q=goff").get_json()["results"]
    assert found["admitted_at"] is not None


def test_search_leaves_out_cancelled_and_waiting_people(world, staff_client):
    make_participant(world.event, key="gone", first_name="Élodie", last_name="Annulée",
                     status="cancelled")
    make_participant(world.event, key="wait", first_name="Élodie", last_name="Attente",
                     status="waiting")
    db.session.commit()
    door = world.checkpoints["door"]
    results = staff_client.get(f"{_base(world)}/{door.id}/search.json?q=elodie").get_json()
    assert [r["name"] for r in results["results"]] == ["Élodie Le Goff"]


@pytest.mark.parametrize("query", ["", "e", " é "])
def test_a_too_short_search_is_refused_with_a_reason(world, staff_client, query):
    door = world.checkpoints["door"]
    response = staff_client.get(f"{_base(world)}/{door.id}/search.json",
                                query_string={"q": query})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == "q" and "two letters" in error["message"]


def _csrf(client, world) -> str:
    html = client.get(f"{_base(world)}/{world.checkpoints['door'].id}").get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)">', html).group(1)
