"""SQLite: a transaction's first SAVEPOINT must not commit when it is released."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session


def test_a_first_savepoint_released_on_sqlite_does_not_commit(app, tmp_path):
    """pysqlite opens a transaction only before a write: a SAVEPOINT sent first opened one
    of its own, and its RELEASE committed for real, so a later rollback kept half of an
    operation (found with the quick forms: the good rows of a refused form were saved)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'savepoint.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE item (x INTEGER)")
    with Session(engine) as session:
        with session.begin_nested():
            session.execute(text("INSERT INTO item VALUES (1)"))
        session.execute(text("INSERT INTO item VALUES (2)"))
        session.rollback()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM item").scalar() == 0
    engine.dispose()
