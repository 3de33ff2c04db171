"""Émargement and certificates (issue 18, sections 1 and 2): sheets from the programme,
signatures from staff phones and participants' phones, windows, countersignature, the
funders' block, RGPD erasure and retention, certificates of attendance.

The PDFs are read back with pypdfium2 (text and image objects)."""

from __future__ import annotations

import base64
import io
import uuid
import zipfile
from datetime import date, timedelta

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image, ImageDraw
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from eventapp.attendance import operations
from eventapp.attendance.images import signature_from_png
from eventapp.attendance.models import AttendanceSettings, AttendanceSheet, FunderLogo, Signature
from eventapp.db_types import utcnow
from eventapp.extensions import db
from eventapp.registration.operations import erase_participant
from tests.checkin.test_checkin import checkin_world, scan
from tests.factories import make_participant, make_portal_token, make_programme_item


def signature_png(width: int = 400, height: int = 150, seed: int = 0) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(20, 100 - seed % 40), (120, 30), (220, 110), (380, 40)], fill="black",
              width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def pdf_pages(body: bytes) -> list[tuple[str, int]]:
    """Each page's text and its number of image objects."""
    assert body.startswith(b"%PDF-")
    document = pdfium.PdfDocument(body)
    pages = []
    for page in document:
        text = page.get_textpage().get_text_range()
        images = len(list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])))
        pages.append((text.replace("\r\n", "\n"), images))
    return pages


def pdf_text(body: bytes) -> str:
    return "\n".join(text for text, _ in pdf_pages(body))


@pytest.fixture
def world(app):
    world = checkin_world(lunch=True, with_codes=False)
    make_programme_item(world.event, "09:30", 60, kind="talk", title="Ouverture",
                        speakers="Claire Martin, directrice, DGEFP")
    db.session.commit()
    return world


def switch(client, user):
    """Sign ``client`` in as ``user`` (one client per test: the test's app context, and
    so Flask-Login's cached user, is shared by every client)."""
    from tests.conftest import login

    login(client, user.email)
    return client


def url(world, tail: str) -> str:
    return f"/manage/events/{world.event.slug}/attendance/{tail}"


def staff_sign(client, world, person, at: str = "10:05", nonce: str | None = None,
               image: str | None = None, checkpoint: str = "door", **extra):
    body = {"checkpoint": world.checkpoints[checkpoint].id, "participant": person.key,
            "nonce": nonce or uuid.uuid4().hex, "signed_at": f"2016-12-07T{at}:00+01:00",
            "image": image or data_url(signature_png(seed=person.id)), **extra}
    return client.post(url(world, "sign"), json=body)


def sheets(world) -> dict[str, AttendanceSheet]:
    rows = operations.sync_sheets(world.event)
    db.session.commit()
    return {row.key: row for row in rows}


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- sheets from the programme ---------------------------------------------------------

def test_half_days_from_the_programme_and_the_other_units(world):
    by_key = sheets(world)
    assert list(by_key) == ["half_day:am", "half_day:pm"]
    am, pm = by_key["half_day:am"], by_key["half_day:pm"]
    tz = world.event.tz
    # Morning: the opening talk (09:30) to the end of round 2 (12:35); lunch is not a
    # session; afternoon: the workshops 14:30-16:00.
    assert am.starts_at.astimezone(tz).strftime("%H:%M") == "09:30"
    assert am.ends_at.astimezone(tz).strftime("%H:%M") == "12:35"
    assert pm.starts_at.astimezone(tz).strftime("%H:%M") == "14:30"

    settings = operations.settings_for_update(world.event)
    settings.sheet_unit = "session"
    by_key = sheets(world)
    assert [s.key for s in by_key.values()][:3] == [
        next(k for k in by_key if k.startswith("item:")), "round:r1", "round:r2"]
    assert {s.title for s in by_key.values()} >= {"Ouverture", "Workshop: Atelier Un"}
    assert by_key[next(k for k in by_key if k.startswith("item:"))].facilitator == "Claire Martin"
    settings.sheet_unit = "workshop"
    by_key = sheets(world)
    assert {"half_day:am", "half_day:pm", "workshop:w1"} <= set(by_key)
    # Sheets the unit no longer has stay (their signatures are proofs), inactive.
    assert count(AttendanceSheet, AttendanceSheet.active.is_(False)) == 3  # talk, 2 rounds


# --- staff signatures ------------------------------------------------------------------

def test_staff_signature_is_stored_with_time_sheet_device_and_staff(staff_client, world, staff):
    ada = world.people[0]
    response = staff_sign(staff_client, world, ada, at="10:05", device="door-phone")
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["result"] == "signed" and answer["name"] == ada.full_name
    assert answer["sheet"]["title"] == "Morning"
    signature = db.session.scalar(select(Signature))
    assert signature.staff_id == staff.id and signature.device == "door-phone"
    assert signature.via == "staff" and signature.sheet.key == "half_day:am"
    assert signature.signed_at.strftime("%H:%M") == "09:05"  # UTC
    assert Image.open(io.BytesIO(signature.image)).format == "PNG"
    # The same nonce again: the same answer, nothing new; signing again: "already".
    again = staff_sign(staff_client, world, ada, nonce=signature.nonce)
    assert again.get_json()["replayed"] is True
    other = staff_sign(staff_client, world, ada)
    assert other.get_json()["result"] == "already"
    assert count(Signature) == 1


def test_staff_signature_by_badge_serial_as_queued_offline(staff_client, world):
    from tests.factories import make_badge_code

    ada = world.people[0]
    make_badge_code(ada)
    db.session.commit()
    from eventapp.checkin.models import Badge

    serial = db.session.scalar(select(Badge.serial).where(Badge.participant_id == ada.id))
    body = {"checkpoint": world.checkpoints["door"].id, "serial": str(serial),
            "nonce": uuid.uuid4().hex, "signed_at": "2016-12-07T14:40:00+01:00",
            "image": data_url(signature_png())}
    response = staff_client.post(url(world, "signatures"), json={"signatures": [
        body, {**body, "nonce": "x" * 8, "image": "data:image/png;base64,AAAA"}, body]})
    results = response.get_json()["results"]
    assert [r["result"] for r in results] == ["signed", "refused", "signed"]
    assert results[2]["replayed"] is True
    assert results[1]["error"]["field"] == "image"
    assert count(Signature) == 1
    assert db.session.scalar(select(Signature)).sheet.key == "half_day:pm"


@pytest.mark.parametrize("change, field, status", [
    ({"image": "data:image/png;base64," + "A" * 600_000}, "image", 413),
    ({"image": data_url(b"GIF89a" + b"\0" * 100)}, "image", 400),
    ({"image": data_url(signature_png(3000, 200))}, "image", 400),
    ({"image": data_url(signature_png(400, 150)[:200])}, "image", 400),
    ({"participant": "nobody-here"}, "participant", 404),
    ({"checkpoint": 999999}, "checkpoint", 400),
    ({"signed_at": "2016-12-07T20:30:00+01:00"}, "signed_at", 409),
])
def test_staff_signature_refusals_are_clear_and_save_nothing(staff_client, world, change,
                                                             field, status):
    ada = world.people[0]
    assert staff_sign(staff_client, world, ada).status_code == 200
    body = {"checkpoint": world.checkpoints["door"].id, "participant": world.people[1].key,
            "nonce": uuid.uuid4().hex, "signed_at": "2016-12-07T10:00:00+01:00",
            "image": data_url(signature_png()), **change}
    response = staff_client.post(url(world, "sign"), json=body)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["field"] == field and error["message"]
    assert count(Signature) == 1  # the earlier signature is still there, nothing added


def test_a_blank_signature_is_refused(staff_client, world):
    blank = io.BytesIO()
    Image.new("RGBA", (300, 100), (0, 0, 0, 0)).save(blank, format="PNG")
    response = staff_sign(staff_client, world, world.people[0], image=data_url(blank.getvalue()))
    assert response.status_code == 400
    assert "empty" in response.get_json()["error"]["message"]


def test_signing_needs_staff(client, world):
    assert staff_sign(client, world, world.people[0]).status_code in (302, 401)


# --- the sheet's PDF -------------------------------------------------------------------

def test_sheet_pdf_lists_expected_people_by_name_with_signatures_and_times(
        staff_client, world):
    people = sorted(world.people, key=lambda p: (p.last_name, p.first_name))
    signers = people[1:3]
    for person, at in zip(signers, ("10:05", "10:17"), strict=True):
        assert staff_sign(staff_client, world, person, at=at).status_code == 200
    walk_in = make_participant(world.event, key="walk-in", first_name="Zoé",
                               last_name="Arrivée-Tardive", organisation="Ville de Paris")
    db.session.commit()
    am = sheets(world)["half_day:am"]
    response = staff_client.get(url(world, f"sheets/{am.id}.pdf"))
    assert response.status_code == 403  # organisers only
    from tests.factories import make_user

    switch(staff_client, make_user(email="boss@example.org"))
    body = staff_client.get(url(world, f"sheets/{am.id}.pdf")).data
    pages = pdf_pages(body)
    text = "\n".join(t for t, _ in pages)
    assert world.event.name in text and "Morning" in text and "09:30–12:35" in text
    names = [p.full_name for p in [*people, walk_in]
             if p.role != "staff" and p.status == "registered"]
    names = sorted(names, key=lambda n: n.split()[-1].casefold())
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions), "one line per person, sorted by name"
    assert "Signed at 10:05 (UTC 09:05)" in text and "Signed at 10:17 (UTC 09:17)" in text
    assert text.count("Signed at") == 2
    assert sum(images for _, images in pages) == 2  # the two signatures
    assert "Walk-in: name, organisation" in text
    assert "Countersignature of the facilitator" in text


def _statements(app, call) -> list[str]:
    statements = []

    def count_statement(*args, **kwargs):
        if "SAVEPOINT" not in args[2]:  # the tests' own transaction handling
            statements.append(args[2])

    sa_event.listen(db.engine, "before_cursor_execute", count_statement)
    try:
        call()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count_statement)
    return statements


def test_sheet_pdf_statements_do_not_grow_with_people(app, organiser_client, world):
    am = sheets(world)["half_day:am"]
    path = url(world, f"sheets/{am.id}.pdf")
    organiser_client.get(path)
    few = _statements(app, lambda: organiser_client.get(path))
    for n in range(30):
        person = make_participant(world.event, key=f"extra-{n}", last_name=f"Extra {n:02d}")
        db.session.flush()
        db.session.add(Signature(event_id=world.event.id, sheet_id=am.id,
                                 participant_id=person.id, pseudonym=f"P-{n}",
                                 nonce=f"n-{n}", via="staff", signed_at=am.starts_at,
                                 image=signature_png(), width=400, height=150))
    db.session.commit()
    many = _statements(app, lambda: organiser_client.get(path))
    assert len(many) == len(few), "\n".join(many)
    assert len(pdf_pages(organiser_client.get(path).data)) >= 2  # paginated


# --- windows, participants' phones, countersignature ----------------------------------

def _portal_sign(client, token, nonce=None, image=None):
    page = client.get(f"/p/{token}/sign")
    csrf = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1] \
        .split('"')[0] if 'name="csrf_token"' in page.get_data(as_text=True) else ""
    return client.post(f"/p/{token}/sign", data={
        "csrf_token": csrf, "nonce": nonce or uuid.uuid4().hex,
        "image": image or data_url(signature_png())})


def test_participant_signs_on_their_phone_only_while_the_window_is_open(app, client, world):
    app.config["WTF_CSRF_ENABLED"] = False
    ada = world.people[0]
    token = make_portal_token(ada)
    db.session.commit()
    refused = _portal_sign(client, token)
    assert refused.status_code == 409
    assert "Signing is not open now" in refused.get_data(as_text=True)
    assert count(Signature) == 0
    assert client.get(f"/p/{token}/").get_data(as_text=True).count("/sign") == 0

    am = sheets(world)["half_day:am"]
    operations.open_window(am, utcnow())
    db.session.commit()
    assert f"/p/{token}/sign" in client.get(f"/p/{token}/").get_data(as_text=True)
    too_big = _portal_sign(client, token, image="data:image/png;base64," + "A" * 500_000)
    assert too_big.status_code == 400 and "too large" in too_big.get_data(as_text=True)
    nonce = uuid.uuid4().hex
    done = _portal_sign(client, token, nonce=nonce)
    assert done.status_code == 302
    assert _portal_sign(client, token, nonce=nonce).status_code == 302  # resubmitted: once
    signature = db.session.scalar(select(Signature))
    assert (signature.via, signature.staff_id, signature.sheet_id) == ("portal", None, am.id)
    assert count(Signature) == 1
    assert "You signed" in client.get(f"/p/{token}/sign").get_data(as_text=True)
    assert client.get("/p/forged-token-123/sign").status_code == 404

    operations.close_window(am, utcnow())
    db.session.commit()
    paula = world.presenter
    other = make_portal_token(paula)
    db.session.commit()
    assert _portal_sign(client, other).status_code == 409
    assert count(Signature) == 1


def test_countersigned_sheet_is_closed_and_shows_the_facilitator(app, organiser_client, world,
                                                                staff):
    app.config["WTF_CSRF_ENABLED"] = False
    am = sheets(world)["half_day:am"]
    operations.open_window(am, utcnow())
    db.session.commit()
    page = organiser_client.get(url(world, f"sheets/{am.id}/countersign"))
    assert page.status_code == 200 and b"data-signpad-form" in page.data
    missing = organiser_client.post(url(world, f"sheets/{am.id}/countersign"),
                                    data={"name": "Claire Martin", "image": ""})
    assert missing.status_code == 400
    assert count(AttendanceSheet, AttendanceSheet.countersigned_at.is_not(None)) == 0
    done = organiser_client.post(url(world, f"sheets/{am.id}/countersign"),
                                 data={"name": "Claire Martin",
                                       "image": data_url(signature_png())})
    assert done.status_code == 302
    db.session.expire_all()
    assert am.countersigned_by == "Claire Martin" and am.window_closed_at is not None
    assert not am.window_open
    response = organiser_client.get(url(world, f"sheets/{am.id}.pdf"))
    assert response.status_code == 200, response.get_data(as_text=True)[-3000:]
    assert "Claire Martin, on" in pdf_text(response.data)
    refused = staff_sign(switch(organiser_client, staff), world, world.people[0])
    assert refused.status_code == 409 and "countersigned" in refused.get_json()["error"]["message"]


# --- funders' block --------------------------------------------------------------------

def test_logos_and_esf_mention_print_on_sheets(app, organiser_client, world):
    app.config["WTF_CSRF_ENABLED"] = False
    jpeg = io.BytesIO()
    Image.new("RGB", (1600, 400), "navy").save(jpeg, format="JPEG")
    added = organiser_client.post(url(world, "logos"), data={
        "name": "Région", "file": (io.BytesIO(jpeg.getvalue()), "region.jpg")},
        content_type="multipart/form-data")
    assert added.status_code == 302
    logo = db.session.scalar(select(FunderLogo))
    assert logo.image.startswith(b"\x89PNG") and (logo.width, logo.height) == (800, 200)
    bad = organiser_client.post(url(world, "logos"), data={
        "name": "Faux", "file": (io.BytesIO(b"<svg></svg>" * 10), "faux.png")},
        content_type="multipart/form-data")
    assert bad.status_code == 400 and "PNG or JPEG" in bad.get_data(as_text=True)
    assert count(FunderLogo) == 1
    saved = organiser_client.post(url(world, "settings"), data={
        "sheet_unit": "half_day", "proof_retention_months": "60", "esf_mention": "y",
        "funders_mention": "Avec le soutien de la DGEFP", "signatory_name": "Marie Dupont"})
    assert saved.status_code == 302
    am = sheets(world)["half_day:am"]
    pages = pdf_pages(organiser_client.get(url(world, f"sheets/{am.id}.pdf?lang=fr")).data)
    text = "\n".join(t for t, _ in pages)
    assert "Cofinancé par l’Union européenne" in text or "Cofinancé par l'Union européenne" in text
    assert "Avec le soutien de la DGEFP" in text
    assert pages[0][1] >= 1  # the logo


# --- RGPD: erasure and retention ---------------------------------------------------------

def test_erasure_keeps_the_signature_pseudonymised_and_purge_deletes_it(
        app, staff_client, world, organiser):
    ada = world.people[0]
    assert staff_sign(staff_client, world, ada).status_code == 200
    signature = db.session.scalar(select(Signature))
    alias, image, signed_at = signature.pseudonym, signature.image, signature.signed_at
    assert alias.startswith("P-") and ada.last_name not in alias
    pm = sheets(world)["half_day:pm"]
    operations.open_window(pm, utcnow())
    own = operations.record_signature(world.event, operations.SignRequest(
        participant=ada, image=signature_from_png(signature_png()), nonce="own-phone-1",
        via="portal", device="Mozilla/5.0 (Ada's phone)", sheet=pm), [])
    assert own.signature.pseudonym == alias  # the same person, the same pseudonym
    db.session.commit()
    token = make_portal_token(ada)
    db.session.commit()
    delete_page = staff_client.get(f"/p/{token}/delete").get_data(as_text=True)
    assert "your signatures and their times are kept" in delete_page
    exported = staff_client.get(f"/p/{token}/data.json").get_json()
    assert [s["via"] for s in exported["signatures"]] == ["staff", "portal"]
    assert exported["signatures"][0]["image"].startswith("data:image/png;base64,")
    assert exported["evaluation_answers"] == []
    erase_participant(ada)
    db.session.commit()
    db.session.expire_all()
    kept = db.session.scalar(select(Signature).where(Signature.via == "staff"))
    assert (kept.participant_id, kept.pseudonym, kept.image, kept.signed_at) == (
        None, alias, image, signed_at)
    mine = db.session.scalar(select(Signature).where(Signature.via == "portal"))
    assert (mine.participant_id, mine.pseudonym, mine.device) == (None, alias, "")
    am = sheets(world)["half_day:am"]
    from eventapp.attendance.queries import sheet_document

    doc = sheet_document(world.event, am)
    assert alias in [row.name for row in doc.rows]
    assert ada.full_name not in [row.name for row in doc.rows]

    privacy = staff_client.get(f"/e/{world.event.slug}/privacy")
    assert "replaced by a pseudonym" in privacy.get_data(as_text=True)
    assert operations.purge_expired_proofs(date(2026, 12, 6)) == {}  # 120 months: kept
    db.session.get(AttendanceSettings, world.event.id) or operations.settings_for_update(
        world.event)
    operations.settings_for_update(world.event).proof_retention_months = 12
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["attendance", "purge-expired"])
    assert "small: 2 signatures deleted" in result.output
    assert count(Signature) == 0


# --- certificates ------------------------------------------------------------------------

def test_certificates_only_for_people_who_came_with_hours(app, staff_client, organiser,
                                                          world):
    from tests.factories import make_badge_code

    ada, bob = world.people[0], world.people[1]
    assert staff_sign(staff_client, world, ada, at="10:05").status_code == 200  # morning
    organiser_client = switch(staff_client, organiser)
    code = make_badge_code(bob)
    db.session.commit()
    scan(world, "door", code, at="14:00")  # arrives for the afternoon
    ada_page = organiser_client.get(url(world, f"participants/{ada.id}/certificate.pdf"))
    text = pdf_text(ada_page.data)
    assert ada.full_name in text and world.event.name in text
    assert "3 h 05" in text  # 09:30-12:35, from the signed morning sheet
    nobody = world.people[2]
    refused = organiser_client.get(url(world, f"participants/{nobody.id}/certificate.pdf"))
    assert refused.status_code == 409 and "did not come" in refused.get_data(as_text=True)

    archive = zipfile.ZipFile(io.BytesIO(organiser_client.get(url(world, "certificates.zip"))
                                         .data))
    assert len(archive.namelist()) == 2
    texts = [pdf_text(archive.read(name)) for name in archive.namelist()]
    assert any(bob.full_name in t and "1 h 30" in t for t in texts)  # 14:30-16:00
    whole = pdf_pages(organiser_client.get(url(world, "certificates.pdf")).data)
    assert len(whole) == 2

    token = make_portal_token(ada)
    nobody_token = make_portal_token(nobody)
    db.session.commit()
    assert "certificate.pdf" in organiser_client.get(f"/p/{token}/").get_data(as_text=True)
    assert organiser_client.get(f"/p/{token}/certificate.pdf").status_code == 200
    assert organiser_client.get(f"/p/{nobody_token}/certificate.pdf").status_code == 409
    world.event.date = utcnow().date() + timedelta(days=3)
    db.session.commit()
    early = organiser_client.get(f"/p/{token}/certificate.pdf")
    assert early.status_code == 409 and "after the day" in early.get_data(as_text=True)


def test_certificates_statements_do_not_grow_with_people(app, organiser_client, world):
    am = sheets(world)["half_day:am"]

    def came(n: int) -> None:
        person = make_participant(world.event, key=f"came-{n}", last_name=f"Venu {n:02d}")
        db.session.flush()
        db.session.add(Signature(event_id=world.event.id, sheet_id=am.id,
                                 participant_id=person.id, pseudonym=f"P-{n}",
                                 nonce=f"c-{n}", via="staff", signed_at=am.starts_at,
                                 image=signature_png(), width=400, height=150))
        db.session.commit()

    came(0)
    paths = [url(world, "certificates.pdf"), url(world, "certificates.zip")]
    few = [_statements(app, lambda p=p: organiser_client.get(p).data) for p in paths]
    for n in range(1, 21):
        came(n)
    many = [_statements(app, lambda p=p: organiser_client.get(p).data) for p in paths]
    assert [len(m) for m in many] == [len(f) for f in few]
    archive = zipfile.ZipFile(io.BytesIO(organiser_client.get(paths[1]).data))
    assert len(archive.namelist()) == 21


def test_a_concurrent_upload_of_the_same_signature_answers_the_stored_one(
        staff_client, world, monkeypatch):
    """Two uploads of one queued signature at once: the second finds nothing by its nonce
    (the first has not committed yet), then hits the unique nonce on insert; it answers
    with the stored signature instead of failing with a server error."""
    ada = world.people[0]
    nonce = uuid.uuid4().hex
    # The first upload (stored in the afternoon's sheet, as seen by the other request).
    assert staff_sign(staff_client, world, ada, at="14:40", nonce=nonce).status_code == 200
    original = operations.find_signature
    calls = []

    def not_yet_visible(event, wanted):
        calls.append(wanted)
        return None if len(calls) == 1 else original(event, wanted)

    monkeypatch.setattr(operations, "find_signature", not_yet_visible)
    again = staff_sign(staff_client, world, ada, nonce=nonce)
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["replayed"] is True
    assert count(Signature) == 1
