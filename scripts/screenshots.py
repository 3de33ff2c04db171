#!/usr/bin/env python3
"""Refresh the README screenshots from the demo day, in French.

    .venv/bin/python scripts/screenshots.py

Serves the app on a scratch SQLite database with the demo loaded and captures pages with
Debian's Chromium through Playwright (see tests/browser/conftest.py for the flags).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from eventapp import create_app  # noqa: E402
from eventapp.demo.loader import DEMO_ACCOUNTS, ensure_demo  # noqa: E402
from tests.browser.conftest import CHROMIUM_FLAGS  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    scratch = Path(tempfile.mkdtemp())
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch / 'demo.sqlite3'}",
                      "EVENTAPP_ENV": "development"})  # local defaults, like run.py
    with app.app_context():
        upgrade()
        slug = ensure_demo().slug
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    organiser = next(a for a in DEMO_ACCOUNTS if a.role == "organiser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            args=CHROMIUM_FLAGS)
        desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        page = desktop.new_page()
        page.goto(f"{base}/e/{slug}/")
        page.screenshot(path=OUT / "programme-desktop.png", full_page=True,
                        clip={"x": 0, "y": 0, "width": 1280, "height": 3200})
        page.goto(f"{base}/login")
        page.get_by_label("Adresse e-mail").fill(organiser.email)
        page.get_by_label("Mot de passe").fill(organiser.password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(f"{base}/manage/")
        page.goto(f"{base}/manage/events/{slug}/grid")
        page.screenshot(path=OUT / "builder-grid.png", full_page=True)
        phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR",
                                    device_scale_factor=2, is_mobile=True)
        page = phone.new_page()
        page.goto(f"{base}/e/{slug}/")
        box = page.locator("#speed-dating").bounding_box()
        page.screenshot(path=OUT / "programme-phone.png", full_page=True,
                        clip={"x": 0, "y": box["y"], "width": 390, "height": 1500})
        browser.close()
    server.shutdown()
    print(f"Screenshots written to {OUT}")


if __name__ == "__main__":
    main()
