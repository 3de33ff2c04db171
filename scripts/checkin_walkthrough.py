"""Issue #7's "done when", tried in a browser as a new user would on the demo day.

Against a running app (``python3 run.py``, the demo day loaded; default
http://127.0.0.1:5000), in Debian's Chromium:

1. the organiser replaces the demo's participants with the 2016 example's
   (``--instance``, the exchange format), runs the solver, accepts and publishes;
2. prints the badges (the A4 PDF) and reads the QR codes back from the first sheet as a
   scanner would (pypdfium2 + OpenCV);
3. a staff member signs in on a phone-sized page, scans one badge at the door (OK), the
   same person at a room where they are not expected (WRONG PLACE, where they are
   expected), cuts the network, scans three more, restores it;
4. the organiser's dashboard shows each scan once.

Screenshots go to ``--out`` (default ``instance/walkthrough``). Prints what it saw and
exits non-zero at the first thing that is not as expected::

    .venv/bin/python scripts/checkin_walkthrough.py --base-url http://127.0.0.1:5000 \\
        --instance ../shared/examples/restitution-2016.json
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
from pathlib import Path

ORGANISER = ("organisateur@demo.example", "restitution2016")
STAFF = ("accueil@demo.example", "restitution2016")
PHONE = {"width": 390, "height": 844}


def say(message: str) -> None:
    print(f"- {message}", flush=True)


def sign_in(page, base: str, account: tuple[str, str]) -> None:
    page.goto(f"{base}/login?lang=fr")
    page.get_by_label("Adresse e-mail").fill(account[0])
    page.get_by_label("Mot de passe").fill(account[1])
    page.get_by_label("Mot de passe").press("Enter")
    # organisers land on their events, staff on the scanning menu of the day's event
    page.wait_for_url(f"{base}/manage/" if account == ORGANISER
                      else f"{base}/manage/events/*/checkin/scan/")


def publish_the_day(page, base: str, slug: str, instance: Path) -> None:
    page.goto(f"{base}/manage/events/{slug}/import?lang=en")
    page.get_by_label("Instance file (JSON)").set_input_files(str(instance))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Replace the programme and participants").click()
    say(f"imported {instance.name}")
    page.goto(f"{base}/manage/events/{slug}/schedule/?lang=en")
    page.get_by_role("button", name="Run the solver").click()
    page.get_by_role("button", name="Accept this schedule").click(timeout=180_000)
    page.get_by_role("button", name="Publish to participants").click()
    page.wait_for_load_state()
    say("solved, accepted and published")


def read_badges(context, base: str, slug: str) -> list[str]:
    """The QR codes of the first A4 sheet, decoded from the PDF the organiser prints."""
    import cv2
    import numpy as np
    import pypdfium2

    response = context.request.get(f"{base}/manage/events/{slug}/checkin/badges.pdf"
                                   "?layout=a4&sort=name")
    assert response.ok, response.status
    pdf = pypdfium2.PdfDocument(io.BytesIO(response.body()))
    image = np.asarray(pdf[0].render(scale=300 / 72).to_pil().convert("L"))
    found, texts, _, _ = cv2.QRCodeDetectorAruco().detectAndDecodeMulti(image)
    codes = [text for text in texts if text] if found else []
    say(f"badges PDF: {len(pdf)} page(s); {len(codes)} QR codes read on the first sheet")
    assert len(codes) >= 4, "at least four badges on the first sheet"
    return codes


def scan(page, code: str) -> dict:
    root = page.locator("[data-checkin-page]")
    before = int(root.get_attribute("data-scans") or 0)
    field = page.locator("#badge-code")
    field.fill(code)
    field.press("Enter")
    page.wait_for_selector(f"[data-checkin-page][data-scans='{before + 1}']")

    def text(hook):
        return page.locator(f"[data-checkin={hook}]").inner_text().strip()

    return {"result": page.locator("[data-checkin=result]").get_attribute("data-result"),
            "title": text("result-title"), "name": text("result-name"),
            "detail": text("result-detail"), "source": text("result-source")}


def staff_on_the_phone(browser, base: str, slug: str, codes: list[str], out: Path) -> str:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, base, STAFF)
    page.goto(f"{base}/manage/events/{slug}/checkin/scan/?lang=fr")
    page.screenshot(path=out / "1-menu.png", full_page=True)
    page.get_by_role("link", name="Entrée").first.click()
    page.wait_for_selector("[data-checkin-page][data-ready='true']")
    page.wait_for_selector("[data-checkin-page][data-offline-ready='true']")
    first = scan(page, codes[0])
    say(f"door: {first['title']} {first['name']} {first['detail']}")
    assert first["result"] == "ok", first
    page.screenshot(path=out / "2-door-ok.png", full_page=True)
    person = first["name"]

    # A room of round 1 where this person is not expected.
    page.get_by_role("link", name="Autres points de contrôle").click()
    rooms = page.locator("a.button", has_text="rotation 1")
    for index in range(rooms.count()):
        page.locator("a.button", has_text="rotation 1").nth(index).click()
        page.wait_for_selector("[data-checkin-page][data-ready='true']")
        answer = scan(page, codes[0])
        if answer["result"] == "wrong_place":
            say(f"{page.locator('h1').inner_text()}: {answer['title']} — {answer['detail']}")
            page.screenshot(path=out / "3-wrong-room.png", full_page=True)
            break
        page.get_by_role("link", name="Autres points de contrôle").click()
    else:
        raise AssertionError(f"no room of round 1 refused {person}")

    page.get_by_role("link", name="Autres points de contrôle").click()
    page.get_by_role("link", name="Entrée").first.click()
    page.wait_for_selector("[data-checkin-page][data-offline-ready='true']")
    context.set_offline(True)
    for code in codes[1:4]:
        answer = scan(page, code)
        say(f"offline: {answer['title']} {answer['name']} ({answer['source']})")
        assert answer["result"] == "ok", answer
    say(page.locator("[data-checkin=pending]").inner_text())
    page.screenshot(path=out / "4-offline.png", full_page=True)
    context.set_offline(False)
    page.wait_for_selector("[data-checkin-page][data-pending='0']", timeout=60_000)
    say(f"network back: {page.locator('[data-checkin=pending]').inner_text()}")
    context.close()
    return person


def dashboard(page, base: str, slug: str, out: Path) -> None:
    page.goto(f"{base}/manage/events/{slug}/checkin/?lang=fr")
    arrived = page.locator(".metrics div", has=page.get_by_text("Arrivés (entrée)", exact=True)
                           ).locator("dd").inner_text()
    refused = page.locator("#refused-title + div table tbody tr").count()
    say(f"dashboard: arrived at the door {arrived}; refused scans listed {refused}")
    page.screenshot(path=out / "5-dashboard.png", full_page=True)
    assert arrived == "4", arrived
    assert refused >= 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:5000")
    parser.add_argument("--slug", default="restitution-2016")
    parser.add_argument("--instance", type=Path,
                        default=Path("../shared/examples/restitution-2016.json"))
    parser.add_argument("--out", type=Path, default=Path("instance/walkthrough"))
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    base = args.base_url.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=["--no-sandbox", "--disable-gpu"])
        desktop = browser.new_context(viewport={"width": 1280, "height": 900})
        page = desktop.new_page()
        page.set_default_timeout(30_000)
        sign_in(page, base, ORGANISER)
        publish_the_day(page, base, args.slug, args.instance)
        codes = read_badges(desktop, base, args.slug)
        staff_on_the_phone(browser, base, args.slug, codes, args.out)
        dashboard(page, base, args.slug, args.out)
        browser.close()
    say(f"done; screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
