"""The shape every detector plug-in has, and the small pieces they share.

A detector gives, for one column, a :class:`Checker`: one function that looks at one value and says
whether it has the right shape (a precompiled regular expression, cheap) and, only if so, whether it
also passes the checks (check digit, date, gazetteer). Values are normalised once per column before
any checker sees them (:func:`normalise`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, ClassVar, NamedTuple

import yaml

# what a check function returns for one value
NO = 0  # not the right shape
SHAPE = 1  # the right shape, but fails the checks
VALID = 2  # the right shape and passes the checks

CheckFn = Callable[[str], int]


class TypeLabel(NamedTuple):
    """The names of a sensitive-data type: Chinese (shown to users) and English."""

    zh: str
    en: str


@dataclass(frozen=True)
class Hint:
    """What a column name (or comment) suggests: one or more type codes (``电话`` suggests a mobile or
    a landline number), the keyword that said so, and where it was read."""

    types: tuple[str, ...]
    keyword: str
    text: str  # the column name or comment the keyword was found in
    source: str = "name"  # "name" | "comment"
    variant: str | None = None  # a detector variant, e.g. "lat" / "lng" for one-number coordinate columns

    def suggests(self, code: str) -> bool:
        return code in self.types


@dataclass(frozen=True)
class Checker:
    """How one detector checks the values of one column: ``check(value)`` returns NO, SHAPE or VALID."""

    check: CheckFn
    rule: str  # detector code, with the variant after a colon when there is one
    method: str = ""  # what a variant checks, in Chinese, when it differs from the detector's method


class Detector:
    """A sensitive-data detector plug-in. Subclasses set the class attributes and ``check`` (or
    override :meth:`checker` when the check depends on the column's hint or on today's date)."""

    code: ClassVar[str]
    label: ClassVar[TypeLabel]
    method: ClassVar[str]  # Chinese: what is checked, e.g. "GB 11643 校验码、出生日期"
    # confidence factor for a column decided without a name hint: 1 for checksums, lower for shapes
    strength: ClassVar[float] = 1.0
    threshold: ClassVar[float] = 0.6  # validated share needed when the name does not hint this type
    hinted_threshold: ClassVar[float] = 0.3  # ... and when it does
    hint_only: ClassVar[bool] = False  # decides only when the column name hints this type

    def checker(self, hint: Hint | None, today: date) -> Checker | None:
        """The checker for a column; ``hint`` is given only when it suggests this detector. None:
        this detector does not apply to the column (e.g. a hint-only detector without its hint)."""
        if self.hint_only and hint is None:
            return None
        return Checker(self.check, self.code)

    def check(self, value: str) -> int:  # pragma: no cover - every concrete detector overrides it
        raise NotImplementedError


def normalise(value: str) -> str:
    """Trim, and fold full-width forms (全角 digits, letters, brackets) to ASCII: ``１３８`` → ``138``."""
    value = value.strip()
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value).strip()
    return value


def digits_only(value: str) -> str:
    return _NON_DIGIT.sub("", value)


_NON_DIGIT = re.compile(r"\D")

_DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def day_key(d: date) -> int:
    """A date as the integer YYYYMMDD, for cheap comparisons."""
    return d.year * 10000 + d.month * 100 + d.day


def valid_birth_date(year: int, month: int, day: int, today_key: int) -> bool:
    """A real calendar date, in 1900 or later and not after today (``today_key`` from :func:`day_key`)."""
    if year < 1900 or not 1 <= month <= 12 or day < 1 or day > _DAYS_IN_MONTH[month]:
        return False
    if month == 2 and day == 29 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        return False
    return year * 10000 + month * 100 + day <= today_key


@cache
def load_data(name: str) -> Any:
    """A YAML file of ``data/`` beside this module (shipped as package data), parsed once."""
    text = resources.files("dataasset.discovery.detectors").joinpath("data", name).read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # a safe loader (C or Python)
