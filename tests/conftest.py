"""Shared test set-up.

The database is SQLite (a file per test session) unless TEST_DATABASE_URL points at
PostgreSQL; the schema is created once and every table is emptied after each test, so
each test starts from an empty database on both backends. Mail settings are wiped so no
test can reach a real mail server by accident.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("SHARED_DIR", REPO_ROOT.parent / "shared"))

for _name in list(os.environ):
    if _name.startswith(("SMTP_", "MAIL_")) or _name == "DATABASE_URL":
        del os.environ[_name]


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
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict:
    """Per-test configuration; tests may override entries before ``app`` is built."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        # A fixed badge signing seed (32 bytes, base64url): codes are reproducible.
        "BADGE_SIGNING_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_SERVER": "",
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "SERVER_NAME": "localhost",
        "PUBLIC_BASE_URL": "http://localhost",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Assertions read the English source strings; French has tests of its own.
        "BABEL_DEFAULT_LOCALE": "en",
    }


@pytest.fixture
def app(_schema, app_config: dict):
    from eventapp import create_app
    from eventapp.extensions import db

    app = create_app(app_config)
    with app.app_context():
        yield app
        db.session.rollback()
        db.session.remove()
        _empty_all_tables(db)
        db.engine.dispose()


def _empty_all_tables(db) -> None:
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


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
        pytest.skip(f"shared examples not found at {path} (set SHARED_DIR)")
    return path
