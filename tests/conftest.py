"""Shared test set-up.

Layout. Tests live by area, as eventapp does: tests/<area>/test_<area>[_topic].py for
api, attendance, auth, calendars, checkin, demo, evaluation, events, exchange, portal,
programme, registration, report and scheduling; tests/scheduler/ for the solver library;
tests/browser/ for Chromium; tests/app/ for what spans the app (smoke, models, migrations,
the permission matrix, the query budget, translations, the import graph...). Helpers that
several areas use sit beside this file (factories.py, scheduling_world.py, api_helpers.py,
calendar_helpers.py, grid_html.py, concurrency.py).

The database is SQLite (a file per test session) unless TEST_DATABASE_URL points at
PostgreSQL; the schema is created once per session. Mail settings are wiped so no test can
reach a real mail server by accident.

Apps. Building an app costs more than most tests, so ``app`` is built once per distinct
configuration and shared (``_apps``): the default one by most tests, one more per override
set through ``app_config`` (``app_config["X"] = ...`` before ``app`` is requested, as
before). The folders named by :data:`PER_TEST_KEYS` are the test's own, set on the shared
app for each test; a configuration naming the test's folder anywhere else gets an app of its
own, not kept. Whatever a test changes in ``app.config`` is undone after it, and the
rate limiter (one object for every app) is given the app's switch and fresh counters.

A test that changes the app itself (adds routes: tests/browser/test_scanner_js.py) is
marked ``fresh_app`` and gets an app of its own, not kept.

Isolation. By default a test runs inside a transaction rolled back after it: ``db.session``
is bound to one connection whose outer transaction is never committed, and the session's
commits only release savepoints (SQLAlchemy's ``join_transaction_mode="create_savepoint"``),
on SQLite and PostgreSQL alike. That cannot hold when the code under test writes through
other connections, which only see committed data (PostgreSQL) or wait for the write lock
(SQLite). Those tests are marked ``truncate_db``: they commit for real and every table is
emptied after them, as every test used to be. Marked, and why:

- tests/checkin/test_checkin_race.py, tests/registration/test_registration_race.py (also
  ``postgres``), and the concurrency test of tests/portal/test_portal_switch.py: threads
  with sessions and connections of their own, released together (tests/concurrency.py);
- tests/scheduling/ (test_scheduling_jobs.py, _moves, _publish, _review), tests/calendars/,
  tests/api/test_api_flow.py: solve jobs run in a thread (or an RQ worker) and write the
  job's row through ``db.engine``, not the session;
- tests/browser (tests/browser/conftest.py): the live server answers in threads of its own.

Data that a module builds once (tests/app/test_permission_matrix.py) is committed through
``module_app`` and emptied after the module; its tests roll back to it.

Markers: ``postgres`` skips the test unless TEST_DATABASE_URL is PostgreSQL; ``slow``
marks what ``-m "not slow"`` leaves out locally; ``alone`` is run by run_tests.py after the
parallel passes. Tests that need the shared examples (``shared_examples``,
tests/scheduler/helpers.py) skip where the folder is missing, but fail in CI (``CI=true``,
set by .ci/run): a CI run must not pass by skipping them.

Which tests the PostgreSQL pass runs (run_tests.py sets ``EVENTAPP_DATABASE_TESTS_ONLY=1``):
those that reach the test database, i.e. that use the ``database_url`` fixture (every app
fixture depends on it), and those marked ``postgres``. The others (parsers, renderers, the
pure solver, the import graph) would only run a second time on the same code.

Hypothesis runs derandomised (a run is reproducible, and a failure seen in CI is seen again
locally) and writes no example database, with the example counts each test asks for; set
``HYPOTHESIS_PROFILE=explore`` to draw new, random examples locally.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

from tests.api_contract import ContractClient

if TYPE_CHECKING:
    from flask import Flask

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("SHARED_DIR", REPO_ROOT.parent / "shared"))

for _name in list(os.environ):
    if _name.startswith(("SMTP_", "MAIL_")) or _name == "DATABASE_URL":
        del os.environ[_name]


def _hypothesis_profiles() -> None:
    """Derandomised and without an example database by default (see the module's
    docstring); ``explore`` draws new examples at each run."""
    from hypothesis import settings

    settings.register_profile("eventapp", derandomize=True, database=None, deadline=None)
    settings.register_profile("explore", derandomize=False, deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "eventapp"))


_hypothesis_profiles()


def _is_postgresql(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "postgresql+"))


def _reaches_database(item: pytest.Item) -> bool:
    return ("database_url" in getattr(item, "fixturenames", ())
            or item.get_closest_marker("postgres") is not None)


def _under_scheduler(item: pytest.Item) -> bool:
    return Path(str(item.path)).is_relative_to(REPO_ROOT / "tests" / "scheduler")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out what another pass runs: ``EVENTAPP_DEFER_ALONE=1`` (run_tests.py's parallel
    SQLite pass) the tests marked ``alone``, which it runs afterwards with nothing beside
    them; ``EVENTAPP_DATABASE_TESTS_ONLY=1`` (its PostgreSQL pass) the tests that never
    reach the database, which the SQLite pass has run already."""
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    defer_alone = os.environ.get("EVENTAPP_DEFER_ALONE") == "1"
    database_only = os.environ.get("EVENTAPP_DATABASE_TESTS_ONLY") == "1"
    for item in items:
        if item.get_closest_marker("alone") and not _under_scheduler(item):
            raise pytest.UsageError(
                f"{item.nodeid} is marked alone: such tests belong under tests/scheduler/, "
                "the folder run_tests.py's clock-sensitive pass collects")
        if ((defer_alone and item.get_closest_marker("alone"))
                or (database_only and not _reaches_database(item))):
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and not _is_postgresql(
            os.environ.get("TEST_DATABASE_URL", "")):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")


def _test_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _test_database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def _schema(database_url: str) -> Iterator[None]:
    """Create the schema once per session (the migrations have tests of their own)."""
    from eventapp import create_app
    from eventapp.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


# Read from ``app.config`` each time they are used, and usually a folder of the test's own
# (tmp_path): set on the shared app for each test rather than making the app unshareable.
PER_TEST_KEYS = ("MAIL_OUTBOX_DIR", "EXCHANGE_UPLOAD_DIR", "IMPORT_UPLOAD_DIR")


def default_config(database_url: str, folder: Path) -> dict:
    """The configuration every test starts from (``folder``: the test's own tmp_path)."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        # A fixed badge signing seed (32 bytes, base64url): codes are reproducible.
        "BADGE_SIGNING_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_SERVER": "",
        "MAIL_OUTBOX_DIR": str(folder / "outbox"),
        "SERVER_NAME": "localhost",
        "PUBLIC_BASE_URL": "http://localhost",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # The scan routes' short caches (ttl_cache) would outlive a test whose rolled-back
        # rows' ids the next test reuses: off, but in the tests of the caches.
        "SCAN_CACHE_SECONDS": 0,
        # Assertions read the English source strings; French has tests of its own.
        "BABEL_DEFAULT_LOCALE": "en",
    }


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict:
    """Per-test configuration; tests may override entries before ``app`` is built."""
    return default_config(database_url, tmp_path)


@pytest.fixture(scope="session")
def _apps(_schema) -> Iterator[dict[str, Flask]]:
    """The apps built so far, by configuration (see :func:`_config_key`)."""
    from eventapp.extensions import db

    apps: dict[str, Flask] = {}
    yield apps
    for app in apps.values():
        with app.app_context():
            db.engine.dispose()


def _config_key(config: dict, folder: Path) -> str | None:
    """What makes two configurations need two apps; None when the configuration names
    the test's own folder outside :data:`PER_TEST_KEYS` (e.g. a translations folder read
    when the app is built): that app serves one test and is not kept."""
    shared = sorted((k, v) for k, v in config.items() if k not in PER_TEST_KEYS)
    per_test = sorted(k for k in config if k in PER_TEST_KEYS)
    key = repr((shared, per_test))
    return None if str(folder) in key else key


def _get_app(apps: dict[str, Flask], config: dict, folder: Path,
             fresh: bool = False) -> tuple[Flask, bool]:
    """The app for ``config``, built on first use (always when ``fresh``); True when it is
    kept for later tests."""
    from eventapp import create_app

    key = None if fresh else _config_key(config, folder)
    if key is not None and key in apps:
        return apps[key], True
    app = create_app(config)
    # Every /api/v1 answer any test receives is checked against the OpenAPI document.
    app.test_client_class = ContractClient
    if key is not None:
        apps[key] = app
    return app, key is not None


def _activate_limiter(app: Flask) -> None:
    """The limiter is one object for every app and keeps the settings and counters of the
    app built last: give it this app's switch and fresh counters, as a new app would."""
    from eventapp.extensions import limiter

    limiter.enabled = bool(app.config.get("RATELIMIT_ENABLED", True))
    if limiter.enabled:
        limiter.reset()


@pytest.fixture
def app(request: pytest.FixtureRequest, _apps: dict[str, Flask], app_config: dict,
        tmp_path: Path) -> Iterator[Flask]:
    """The app for this test's configuration, shared with every test of the same
    configuration; the test's changes to ``app.config`` are undone after it."""
    from eventapp.extensions import db

    fresh = request.node.get_closest_marker("fresh_app") is not None
    app, kept = _get_app(_apps, app_config, tmp_path, fresh)
    saved = dict(app.config)
    app.config.update({k: app_config[k] for k in PER_TEST_KEYS if k in app_config})
    _activate_limiter(app)
    isolation = _emptied if request.node.get_closest_marker("truncate_db") else _rolled_back
    try:
        with app.app_context(), isolation():
            yield app
    finally:
        app.config.clear()
        app.config.update(saved)
        if not kept:
            with app.app_context():
                db.engine.dispose()


def _connection_session_class() -> type:
    from flask_sqlalchemy.session import Session

    class ConnectionSession(Session):
        """Flask-SQLAlchemy's session picks the app's engine even when given a connection
        (``bind``): use the connection, so every statement joins the test's transaction."""

        def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
            return bind if bind is not None else self.bind

    return ConnectionSession


@contextmanager
def _rolled_back() -> Iterator[None]:
    """Run the test inside a transaction that is rolled back after it.

    ``db.session`` is bound to one connection with an outer transaction; the session's
    commits only release savepoints (``join_transaction_mode="create_savepoint"``), so the
    code under test commits and rolls back as usual and nothing reaches the database.
    """
    from eventapp.extensions import db

    connection = db.engine.connect()
    # On SQLite the real BEGIN comes before the session's first SAVEPOINT (the app's
    # engine event, eventapp.database), so no RELEASE ever commits for real.
    outer = connection.begin()
    original = db.session
    db.session = db._make_scoped_session({
        "class_": _connection_session_class(), "bind": connection,
        "join_transaction_mode": "create_savepoint"})
    try:
        yield
    finally:
        db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()


@contextmanager
def _emptied() -> Iterator[None]:
    """Let the test commit for real (threads, several connections), then empty every table."""
    from eventapp.extensions import db

    try:
        yield
    finally:
        db.session.rollback()
        db.session.remove()
        empty_all_tables()
        db.engine.dispose()


def empty_all_tables() -> None:
    from eventapp.extensions import db

    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(scope="module")
def module_app(_apps: dict[str, Flask], database_url: str,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The default app, for data that a module builds once and commits (its tests then
    roll back to it); every table is emptied after the module."""
    folder = tmp_path_factory.mktemp("module")
    app, _ = _get_app(_apps, default_config(database_url, folder), folder)
    yield app
    with app.app_context():
        empty_all_tables()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db_session(app):
    from eventapp.extensions import db

    return db.session


@pytest.fixture
def organiser(app):
    from tests.factories import make_user

    return make_user(email="orga@example.org", role="organiser")


@pytest.fixture
def staff(app):
    from tests.factories import make_user

    return make_user(email="staff@example.org", role="staff")


def login(client, email: str, password: str = "correct horse battery"):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def organiser_client(client, organiser):
    response = login(client, organiser.email)
    assert response.status_code == 302, response.data
    return client


@pytest.fixture
def staff_client(client, staff):
    response = login(client, staff.email)
    assert response.status_code == 302, response.data
    return client


@pytest.fixture
def shared_examples() -> Path:
    path = SHARED_DIR / "examples"
    if not path.is_dir():
        missing_shared_example(f"shared examples not found at {path} (set SHARED_DIR)")
    return path


def missing_shared_example(message: str) -> NoReturn:
    """Skip locally, but fail in CI (CI=true): a CI run must not pass by skipping tests."""
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def pytest_terminal_summary(terminalreporter) -> None:
    """How many API answers were checked against the OpenAPI document, over how many
    operation/status combinations (tests/api_contract.py)."""
    from tests.api_contract import CHECKED

    if CHECKED:
        terminalreporter.write_line(
            f"OpenAPI contract: {sum(CHECKED.values())} API answers checked over "
            f"{len(CHECKED)} method/path/status combinations.")
