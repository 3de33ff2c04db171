"""Organiser pages of check-in (dashboard, CSV, funders' summary, reissue), the badge on
"Mon programme", and the badge cards the renderer draws."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from eventapp.checkin import codes
from eventapp.checkin.models import Badge
from eventapp.checkin.operations import ScanRequest, record_batch, record_scan
from eventapp.checkin.queries import badge_cards
from eventapp.extensions import db
from tests.checkin.test_checkin import checkin_world
from tests.factories import local, make_portal_token


@pytest.fixture
def world(app):
    world = checkin_world()
    world.people[0].organisation = "Mission locale de Brest"
    world.people[0].category = "financeur"
    db.session.commit()
    return world


def _scan(world, key, person_key, hhmm, nonce, **extra):
    record_scan(world.event, ScanRequest(world.checkpoints[key], world.codes[person_key],
                                         nonce, **extra), None, now=local(world.event, hhmm))
    db.session.commit()


@pytest.fixture
def scanned(world, staff):
    _scan(world, "door", "p1", "10:30", "d1")
    _scan(world, "door", "p2", "10:50", "d2")
    _scan(world, "session:r1:a", "p1", "11:50", "s1")
    _scan(world, "session:r1:a", "p4", "11:51", "s2")      # wrong room
    _scan(world, "door", "p1", "10:55", "d3")              # already
    for nonce, hhmm in (("x1", "10:40"), ("x2", "10:45")):  # two offline phones
        record_batch(world.event, [ScanRequest(world.checkpoints["door"], world.codes["p3"],
                                               nonce, scanned_at=local(world.event, hhmm),
                                               device=f"phone {nonce}", offline=True)],
                     staff, now=local(world.event, "11:00"))
        db.session.commit()
    return world


def test_the_dashboard_shows_arrivals_grid_conflicts_refusals_and_no_shows(
        scanned, organiser_client):
    html = organiser_client.get(f"/manage/events/{scanned.event.slug}/checkin/").get_data(True)
    assert "Arrivals over time" in html
    assert "<th scope=\"row\">10:30</th>" in html and "<th scope=\"row\">10:45</th>" in html
    assert "rouge" in html and "bleu" in html  # colour names with the grid colours
    assert "1 / 4" in html  # Alpha, round 1, Salle A: p1 admitted of 4 seats
    assert "phone x2" in html  # the later offline admission is the conflict
    assert "Wrong place" in html and "Expected in Salle B — bleu" in html
    assert "Already scanned" in html
    no_shows = html.split('id="noshow-title"')[1]
    assert "David Test4" in no_shows and "Ada Test1" not in no_shows


def test_staff_do_not_see_the_dashboard(world, staff_client):
    slug = world.event.slug
    for url in (f"/manage/events/{slug}/checkin/", f"/manage/events/{slug}/checkin/summary",
                f"/manage/events/{slug}/checkin/attendance.csv"):
        assert staff_client.get(url).status_code == 403


def test_attendance_csv_one_row_per_participant_and_a_column_per_checkpoint(
        scanned, organiser_client):
    response = organiser_client.get(
        f"/manage/events/{scanned.event.slug}/checkin/attendance.csv")
    assert response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[:7] == ["Id", "Last name", "First name", "Organisation", "Category",
                          "Status", "Checkpoints attended"]
    assert "Entrance" in header and "Salle A — round 1" in header
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert len(by_id) == 6
    assert by_id["p1"]["Entrance"] == "10:30" and by_id["p1"]["Salle A — round 1"] == "11:50"
    assert by_id["p1"]["Checkpoints attended"] == "2"
    assert by_id["p1"]["Category"] == "Funder"
    assert by_id["p3"]["Entrance"] == "10:40"  # the earlier of the two offline scans
    assert by_id["p4"]["Salle A — round 1"] == ""


def test_the_funders_summary_counts_who_came_by_category(scanned, organiser_client):
    html = organiser_client.get(
        f"/manage/events/{scanned.event.slug}/checkin/summary").get_data(True)
    assert "3 of 6 registered participants came" in html
    assert "Funder" in html and "Association" in html


def test_reissue_from_the_participant_page(world, organiser_client):
    person = world.people[0]
    page = organiser_client.get(f"/manage/events/{world.event.slug}/participants/"
                                f"{person.id}/edit").get_data(True)
    assert "Issue a new badge" in page
    response = organiser_client.post(f"/manage/events/{world.event.slug}/checkin/"
                                     f"participants/{person.id}/badge/reissue")
    assert response.status_code == 302
    badges = db.session.scalars(select(Badge).where(Badge.participant_id == person.id)
                                .order_by(Badge.id)).all()
    assert [b.revoked_reason for b in badges] == ["reissued", None]


def test_the_portal_shows_the_badge(world, client):
    token = make_portal_token(world.people[0])
    db.session.commit()
    html = client.get(f"/p/{token}/").get_data(True)
    assert f"/p/{token}/badge.png" in html and "My badge" in html


def test_badge_routes_draw_with_the_renderer(world, organiser_client, client):
    slug, person = world.event.slug, world.people[0]
    png = organiser_client.get(f"/manage/events/{slug}/checkin/participants/{person.id}"
                               "/badge.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    # the QR an independent decoder reads is the participant's signed code
    from PIL import Image

    from tests.checkin.test_badge_render import decode_qr

    scanned = decode_qr(Image.open(io.BytesIO(png.data)))
    assert scanned == world.codes["p1"]
    assert codes.decode(world.event.id, scanned) is not None
    for layout in ("a4", "a6"):
        pdf = organiser_client.get(f"/manage/events/{slug}/checkin/badges.pdf"
                                   f"?layout={layout}&sort=room")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert organiser_client.get(f"/manage/events/{slug}/checkin/badges.pdf?layout=a5"
                                ).status_code == 400
    token = make_portal_token(person)
    db.session.commit()
    mine = client.get(f"/p/{token}/badge.png")
    assert mine.status_code == 200 and mine.mimetype == "image/png"
    assert mine.headers["Cache-Control"] == "no-store"


def test_badge_routes_are_in_the_url_map(app):
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert rules["checkin.badge_png"].endswith("/participants/<int:participant_id>/badge.png")
    assert rules["checkin.badges_pdf"].endswith("/checkin/badges.pdf")
    assert rules["checkin.portal_badge_png"] == "/p/<token>/badge.png"


def test_badge_cards_carry_rooms_in_round_order_and_the_code(world):
    cards = {c.full_name: c for c in badge_cards(world.event)}
    ada = cards["Ada Test1"]
    assert ada.qr_text == world.codes["p1"]
    assert ada.category_label == "Funder"
    assert [(s.label, s.room_name, s.colour_name) for s in ada.stripes] == [
        ("Round 1", "Salle A", "rouge"), ("Round 2", "Salle A", "rouge"),
        ("Workshop", "Salle A", "rouge")]
    david = cards["David Test4"]
    assert [s.room_name for s in david.stripes] == ["Salle B", "Salle B", "Salle B"]
    assert [s.colour_name for s in david.stripes][:2] == ["bleu", "rouge"]
    assert ada.event_date_label.startswith("Wednesday")


def test_badge_cards_sorts(world):
    by_org = [c.organisation for c in badge_cards(world.event, sort="organisation")]
    assert by_org[-1] == "Mission locale de Brest"
    by_room = [c.stripes[0].room_name if c.stripes else "" for c in
               badge_cards(world.event, sort="room")]
    assert by_room == sorted(by_room, key=lambda r: (r == "", r))
    with pytest.raises(ValueError):
        badge_cards(world.event, sort="colour")


def test_cancelled_people_get_no_badge_card(world):
    world.people[1].status = "cancelled"
    db.session.commit()
    assert "Bruno Test2" not in {c.full_name for c in badge_cards(world.event)}
