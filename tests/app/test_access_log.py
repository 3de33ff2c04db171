"""Access logs never hold a personal link's token or a calendar feed's secret (issue 12):
werkzeug's development server (run.py) and gunicorn (gunicorn.conf.py)."""

from __future__ import annotations

import contextlib
import logging
import runpy
import threading
import urllib.request
from datetime import timedelta
from types import SimpleNamespace

from werkzeug.serving import make_server

from eventapp.access_log import MaskedGunicornLogger, MaskedRequestHandler, mask_secrets
from tests.conftest import REPO_ROOT

TOKEN = "Zr4x_secret-TOKEN-123"


def test_mask_secrets_hides_tokens_and_feed_secrets_only():
    assert mask_secrets(f"GET /p/{TOKEN}/badge.png HTTP/1.1") == \
        "GET /p/***/badge.png HTTP/1.1"
    assert mask_secrets(f"GET /calendars/{TOKEN}.ics?download=1") == \
        "GET /calendars/***.ics?download=1"
    assert mask_secrets(f"https://x.org/calendars/o/{TOKEN}.ics") == \
        "https://x.org/calendars/o/***.ics"
    assert mask_secrets("GET /e/journee/register HTTP/1.1") == \
        "GET /e/journee/register HTTP/1.1"


def test_development_server_logs_masked_paths(app, caplog):
    server = make_server("127.0.0.1", 0, app, request_handler=MaskedRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            for path in (f"/p/{TOKEN}/", f"/calendars/{TOKEN}.ics"):
                request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}",
                                                 headers={"Host": "localhost"})
                # 404 (unknown token): the line is logged all the same.
                with contextlib.suppress(urllib.error.HTTPError):
                    urllib.request.urlopen(request, timeout=10).close()
    finally:
        server.shutdown()
        thread.join(10)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/p/***/" in logged and "/calendars/***.ics" in logged
    assert TOKEN not in logged


def _gunicorn_line(logger_class) -> str:
    from gunicorn.config import Config

    config = Config()
    logger = logger_class(config)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/p/{TOKEN}/wishes?x=1",
               "PATH_INFO": f"/p/{TOKEN}/wishes", "QUERY_STRING": "x=1",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.7",
               "HTTP_REFERER": f"https://events.example.org/p/{TOKEN}/"}
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=5))
    return config.access_log_format % atoms + " " + atoms["U"] + " " + atoms["{referer}i"]


def test_gunicorn_access_log_is_masked_through_the_project_config():
    settings = runpy.run_path(str(REPO_ROOT / "gunicorn.conf.py"))
    module, _, name = settings["logger_class"].rpartition(".")
    logger_class = getattr(__import__(module, fromlist=[name]), name)
    assert issubclass(logger_class, MaskedGunicornLogger)
    line = _gunicorn_line(logger_class)
    assert TOKEN not in line
    assert "GET /p/***/wishes?x=1 HTTP/1.1" in line


def test_the_apps_error_log_masks_the_failing_url(app, caplog):
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        app.logger.error(f"Exception on /p/{TOKEN}/wishes [POST]")
        app.logger.error("Exception on %s [%s]", f"/calendars/{TOKEN}.ics", "GET")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert TOKEN not in logged and "/p/***/wishes" in logged
