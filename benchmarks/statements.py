"""Count the SQL statements a piece of code sends (an engine event, no monkey-patching).

Used by the pages benchmark (``benchmarks.pages``) and the query-budget tests
(``tests/app/test_query_budget.py``): a count is deterministic, unlike a time, so a test can
require a page to cost the same number of statements whatever the size of the event.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine


class StatementCounter:
    """The statements seen while counting (``count``; ``statements`` keeps their text)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def _seen(self, _conn, _cursor, statement: str, *_args) -> None:
        self.statements.append(statement)


@contextmanager
def counting_statements(engine: Engine) -> Iterator[StatementCounter]:
    """Count every statement ``engine`` executes inside the block (any thread, any
    connection of that engine)."""
    counter = StatementCounter()
    sa_event.listen(engine, "before_cursor_execute", counter._seen)
    try:
        yield counter
    finally:
        sa_event.remove(engine, "before_cursor_execute", counter._seen)
