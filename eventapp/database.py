"""Database engine set-up that the extension does not do for us."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask
from sqlalchemy import Table, event, select, text
from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from .extensions import Model


def _enable_sqlite_foreign_keys(dbapi_connection, connection_record) -> None:
    """SQLite ignores foreign keys unless asked, per connection."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _begin_before_first_sqlite_savepoint(connection, name: str) -> None:
    """pysqlite sends BEGIN only before a write: a SAVEPOINT sent first opens a
    transaction of its own, and its RELEASE then commits for real, so a later rollback
    keeps half of the operation. Open the real transaction first (SQLAlchemy's
    ``savepoint`` event comes before the SAVEPOINT is sent)."""
    if connection.dialect.name != "sqlite":
        return
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is not None and not dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")


def init_app(app: Flask) -> None:
    if not event.contains(Engine, "connect", _enable_sqlite_foreign_keys):
        event.listen(Engine, "connect", _enable_sqlite_foreign_keys)
    if not event.contains(Engine, "savepoint", _begin_before_first_sqlite_savepoint):
        event.listen(Engine, "savepoint", _begin_before_first_sqlite_savepoint)


def lock_row(model: type[Model], row_id: int) -> None:
    """Serialise the writers that read-then-write around one row, until the transaction
    ends.

    PostgreSQL: a row lock (SELECT ... FOR UPDATE). SQLite has a single write lock but
    takes it only at the first write, after the reading; a no-op UPDATE of the row takes
    it *before* we read, so two transactions cannot both see the same state (the second
    waits for the first to commit, then reads again).
    """
    from .extensions import db

    table = model.__table__
    assert isinstance(table, Table)  # a model's table, never a join or a subquery
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(table.c.id).where(table.c.id == row_id).with_for_update())
    else:
        db.session.execute(text(f"UPDATE {table.name} SET id = id WHERE id = :id"),
                           {"id": row_id})


def commit_keeping_loaded() -> None:
    """Commit without expiring what the request loaded.

    A page that writes a little while reading (checkpoints synced, badges issued) and
    then renders would otherwise reload every row it shows, one SELECT per row, after
    ``commit()`` expired them: hundreds of statements for a list of people. What the
    session holds is what this transaction read or wrote, so it is current.
    """
    from .extensions import db

    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
