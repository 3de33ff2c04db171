#!/usr/bin/env python3
"""Run the app for development: ``python3 run.py``.

Creates the virtualenv and installs the requirements on first use, brings the database
schema up to date, loads the demo day (7 December 2016) if the database has no event, and
serves on HOST:PORT (default 127.0.0.1:5000). Production uses gunicorn instead (README).
"""

from __future__ import annotations

import os

from bootstrap import ensure_venv


def main() -> None:
    ensure_venv("requirements.txt")
    # Local defaults (PUBLIC_BASE_URL = where it serves, local host names trusted);
    # gunicorn and the flask commands run in production mode unless told otherwise.
    os.environ.setdefault("EVENTAPP_ENV", "development")

    from flask_migrate import upgrade
    from werkzeug.serving import run_simple

    from eventapp import create_app
    from eventapp.access_log import MaskedRequestHandler
    from eventapp.demo.loader import DEMO_ACCOUNTS, ensure_demo

    app = create_app()
    with app.app_context():
        upgrade()
        event_name = ensure_demo().name
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    shown_host = "localhost" if host in {"0.0.0.0", "::"} else host
    print("")
    print(f"Demo event: {event_name}")
    for account in DEMO_ACCOUNTS:
        print(f"Demo {account.role} account: {account.email} / password: {account.password}")
    print(f"Serving on http://{shown_host}:{port}/  (Ctrl+C to stop)", flush=True)
    run_simple(host, port, app, threaded=True, use_reloader=False,
               use_debugger=os.environ.get("FLASK_DEBUG") == "1",
               request_handler=MaskedRequestHandler)


if __name__ == "__main__":
    main()
