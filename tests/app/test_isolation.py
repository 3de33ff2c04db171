"""The test set-up itself (tests/conftest.py): a test's commits never reach the database
unless it is marked ``truncate_db``, and apps are shared per configuration."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import User
from tests.conftest import _get_app, default_config
from tests.factories import make_user


def _users_seen_by_another_connection() -> int:
    with db.engine.connect() as other:
        return other.execute(select(func.count()).select_from(User.__table__)).scalar_one()


def test_a_commit_stays_inside_the_tests_transaction(app, db_session):
    make_user(email="inside@example.org", role="staff")
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(User)) == 1
    assert _users_seen_by_another_connection() == 0


@pytest.mark.truncate_db
def test_a_truncate_db_test_commits_for_real(app, db_session):
    make_user(email="committed@example.org", role="staff")
    db_session.commit()
    assert _users_seen_by_another_connection() == 1


def test_one_app_per_configuration(app, _apps, database_url: str, tmp_path: Path):
    first, kept = _get_app(_apps, default_config(database_url, tmp_path / "a"), tmp_path)
    second, _ = _get_app(_apps, default_config(database_url, tmp_path / "b"), tmp_path)
    assert kept and first is second is app
    other = dict(default_config(database_url, tmp_path / "a"), WTF_CSRF_ENABLED=True)
    assert _get_app(_apps, other, tmp_path)[0] is not app
    own = dict(default_config(database_url, tmp_path / "a"), BABEL_TRANSLATION_DIRECTORIES=str(
        tmp_path / "translations"))
    not_kept, kept = _get_app(_apps, own, tmp_path)
    assert not kept and not_kept not in _apps.values()
    fresh, kept = _get_app(_apps, default_config(database_url, tmp_path / "a"), tmp_path,
                           fresh=True)
    assert not kept and fresh is not app
