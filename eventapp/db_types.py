"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored as naive UTC.

    SQLite has no timezone-aware type, and PostgreSQL's ``timestamptz`` converts to the
    session's zone: storing naive UTC everywhere gives the same values on both, and the
    event's IANA timezone is applied only for display.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime (naive values are ambiguous)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# Every primary key is an SQL INTEGER: PostgreSQL's is 32-bit signed, and ids start at 1.
DATABASE_ID_MAX = 2**31 - 1


def database_id(value: object) -> int:
    """``value`` as a row id (1..2**31-1); ValueError otherwise.

    For ids read from query strings and form fields: a larger number would reach the
    database and fail there ("integer out of range" on PostgreSQL), a 500.
    """
    number = int(value)  # type: ignore[call-overload]
    if not 1 <= number <= DATABASE_ID_MAX:
        raise ValueError(f"{number} is not a valid id")
    return number
