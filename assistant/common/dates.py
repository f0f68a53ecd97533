"""Calendar facts in one place: month names, ISO dates of any precision, and their sortable form."""

from __future__ import annotations

import datetime as dt

MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
"""Month names and their abbreviations, lower-case, to the month's number."""

MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))
"""A regular-expression alternative of every month name, longest first (match case-insensitively)."""


def iso_day(date: str | None) -> dt.date | None:
    """An ISO date of any precision (YYYY, YYYY-MM, YYYY-MM-DD) as a day; a missing month or day is the first."""
    if not date:
        return None
    parts = [int(p) for p in date.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def ordinal(day: dt.date) -> int:
    """A day as the integer YYYYMMDD: sortable, and what range filters compare in the vector store."""
    return day.year * 10000 + day.month * 100 + day.day


def date_ordinal(date: str | None) -> int | None:
    """:func:`ordinal` of an ISO date of any precision, or None without one."""
    day = iso_day(date)
    return None if day is None else ordinal(day)
