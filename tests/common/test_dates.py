"""Calendar facts shared by every stage."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from assistant.common.dates import MONTH_PATTERN, MONTHS, date_ordinal, iso_day, ordinal


def test_months_and_their_abbreviations() -> None:
    assert MONTHS["march"] == MONTHS["mar"] == 3
    assert MONTHS["sept"] == MONTHS["september"] == 9
    assert len(set(MONTHS.values())) == 12
    assert re.fullmatch(MONTH_PATTERN, "september").group(0) == "september"  # longest first, not "sep"


@pytest.mark.parametrize(
    ("date", "day"),
    [
        ("2022", dt.date(2022, 1, 1)),
        ("2022-03", dt.date(2022, 3, 1)),
        ("2022-03-12", dt.date(2022, 3, 12)),
        (None, None),
    ],
)
def test_iso_dates_of_any_precision(date: str | None, day: dt.date | None) -> None:
    assert iso_day(date) == day


def test_ordinals_sort_like_days() -> None:
    assert ordinal(dt.date(2022, 3, 12)) == 20220312
    assert date_ordinal("2017-12") == 20171201
    assert date_ordinal(None) is None
    assert date_ordinal("2017-12-31") < date_ordinal("2018")  # type: ignore[operator]
