"""The working-day calendar: the 2026 State Council notice, the provisional 2027 file, and the
properties of working-day arithmetic (pure, with hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataasset.core.calendar import (
    CalendarError,
    WorkingCalendar,
    add_working_days,
    load_calendar,
    parse_year,
    working_days_between,
)

CAL = load_calendar()
DAYS = st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 12, 31))


def test_2026_follows_the_notice_and_2027_is_provisional() -> None:
    assert {2026, 2027} <= CAL.years
    assert 2027 in CAL.provisional_years and 2026 not in CAL.provisional_years
    for off in (
        "2026-01-02",
        "2026-02-16",
        "2026-02-23",
        "2026-04-06",
        "2026-05-05",
        "2026-06-19",
        "2026-09-25",
        "2026-10-01",
        "2026-10-07",
    ):
        assert not CAL.is_working_day(date.fromisoformat(off)), off
    for on in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"):
        assert CAL.is_working_day(date.fromisoformat(on)), on  # 调休上班 on a weekend
    assert CAL.is_working_day(date(2026, 2, 24)) and not CAL.is_working_day(date(2026, 3, 1))


def test_adding_working_days_across_the_spring_festival() -> None:
    # Friday 13 Feb 2026: Saturday 14th is a make-up workday, 15–23 are off
    assert add_working_days(date(2026, 2, 13), 1, CAL) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 13), 2, CAL) == date(2026, 2, 24)
    assert add_working_days(date(2026, 2, 13), 5, CAL) == date(2026, 2, 27)
    assert add_working_days(date(2026, 9, 30), 1, CAL) == date(2026, 10, 8)
    assert add_working_days(date(2026, 3, 2), 0, CAL) == date(2026, 3, 2)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 2), -1, CAL)


def test_years_without_a_file_fall_back_to_weekdays() -> None:
    empty = WorkingCalendar()
    assert add_working_days(date(2030, 1, 4), 1, empty) == date(2030, 1, 7)  # Friday → Monday


@given(start=DAYS, n=st.integers(min_value=1, max_value=60))
def test_the_result_is_the_nth_working_day_after_start(start: date, n: int) -> None:
    end = add_working_days(start, n, CAL)
    assert end > start
    assert CAL.is_working_day(end)
    assert working_days_between(start, end, CAL) == n
    assert working_days_between(start, end - timedelta(days=1), CAL) == n - 1


@given(start=DAYS, a=st.integers(min_value=0, max_value=40), b=st.integers(min_value=0, max_value=40))
def test_adding_is_additive_and_monotonic(start: date, a: int, b: int) -> None:
    assert add_working_days(add_working_days(start, a, CAL), b, CAL) == add_working_days(start, a + b, CAL)
    if a < b:
        assert add_working_days(start, a, CAL) < add_working_days(start, b, CAL)


def test_a_bad_file_names_the_file_and_the_field(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match=r"2026\.yaml 字段 holidays\.0：end 不能早于 start"):
        parse_year(
            {
                "year": 2026,
                "provisional": False,
                "source": "x",
                "holidays": [{"name": "元旦", "start": "2026-01-03", "end": "2026-01-01"}],
            },
            "2026.yaml",
        )
    with pytest.raises(CalendarError, match="不是周末"):
        parse_year(
            {
                "year": 2026,
                "provisional": False,
                "source": "x",
                "holidays": [],
                "workdays": [{"name": "调休", "date": "2026-01-05"}],
            },
            "2026.yaml",
        )
    (tmp_path / "2030.yaml").write_text("year: 2031\nprovisional: true\nsource: x\nholidays: []\n", "utf-8")
    with pytest.raises(CalendarError, match=r"2030\.yaml 字段 year"):
        load_calendar(tmp_path)
