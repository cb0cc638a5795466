"""Working-day calendar (工作日): China's public holidays and make-up workdays (调休上班).

Deadlines counted in working days (审批时限, 公示期) use this calendar, never weekday arithmetic
scattered around. The calendar is data (``core/rules/calendar/<year>.yaml``, one file per State
Council notice); the arithmetic below is pure: it takes dates and a :class:`WorkingCalendar` and
returns dates. Years without a file fall back to Monday–Friday.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

CALENDAR_DIR = Path(__file__).resolve().parent / "rules" / "calendar"


class CalendarError(ValueError):
    """A calendar file is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class WorkingCalendar:
    """Days off on weekdays (``holidays``) and weekend days that are working days (``workdays``)."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    years: frozenset[int] = field(default_factory=frozenset)
    provisional_years: frozenset[int] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


def add_working_days(start: date, n: int, calendar: WorkingCalendar) -> date:
    """The date ``n`` working days after ``start`` (``start`` itself not counted; ``n = 0`` is ``start``).

    A deadline of 5 working days for a step entered on ``start`` ends on the returned day.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, calendar: WorkingCalendar) -> int:
    """How many working days lie in ``(start, end]`` (0 when ``end <= start``)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return count


# --- the files -------------------------------------------------------------------------------


class _Holiday(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=50)
    start: date
    end: date

    @model_validator(mode="after")
    def _order(self) -> _Holiday:
        if self.end < self.start:
            raise ValueError("end 不能早于 start")
        return self


class _MakeUpDay(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=50)
    date: _dt.date


class CalendarYear(BaseModel):
    """One year's file: the notice it follows, whether it is provisional, the spans and make-up days."""

    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=2000, le=2100)
    provisional: bool
    source: str = Field(min_length=1)
    holidays: list[_Holiday]
    workdays: list[_MakeUpDay] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> CalendarYear:
        off: set[date] = set()
        for span in self.holidays:
            for day in _days(span.start, span.end):
                if day.year != self.year:
                    raise ValueError(f"放假日期 {day} 不在 {self.year} 年内")
                if day in off:
                    raise ValueError(f"放假日期 {day} 重复")
                off.add(day)
        for item in self.workdays:
            if item.date.year != self.year:
                raise ValueError(f"调休上班日期 {item.date} 不在 {self.year} 年内")
            if item.date.weekday() < 5:
                raise ValueError(f"调休上班日期 {item.date} 不是周末")
            if item.date in off:
                raise ValueError(f"调休上班日期 {item.date} 同时是放假日期")
        return self


def _days(start: date, end: date) -> Iterable[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def build_calendar(years: Iterable[CalendarYear]) -> WorkingCalendar:
    holidays: set[date] = set()
    workdays: set[date] = set()
    covered: set[int] = set()
    provisional: set[int] = set()
    for year in years:
        covered.add(year.year)
        if year.provisional:
            provisional.add(year.year)
        for span in year.holidays:
            holidays.update(_days(span.start, span.end))
        workdays.update(item.date for item in year.workdays)
    return WorkingCalendar(
        frozenset(holidays), frozenset(workdays), frozenset(covered), frozenset(provisional)
    )


def parse_year(raw: Any, source: str) -> CalendarYear:
    """Validate one file's content; errors name the file and the field."""
    try:
        return CalendarYear.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(文件)"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise CalendarError(f"工作日历 {source} 字段 {where}：{message}") from exc


@lru_cache
def load_calendar(directory: Path = CALENDAR_DIR) -> WorkingCalendar:
    """Read every ``<year>.yaml`` in ``directory`` (the packaged calendar by default)."""
    years = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise CalendarError(f"工作日历 {path.name} 不是合法的 YAML：{exc}") from exc
        year = parse_year(raw, path.name)
        if path.stem != str(year.year):
            raise CalendarError(f"工作日历 {path.name} 字段 year：应为 {path.stem}")
        years.append(year)
    return build_calendar(years)
