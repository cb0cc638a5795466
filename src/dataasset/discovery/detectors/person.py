"""Detectors of a person: 姓名 (against the surnames in ``data/surnames.yaml``) and 出生日期."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from .base import NO, SHAPE, VALID, Checker, Detector, Hint, TypeLabel, day_key, load_data, valid_birth_date

# ---------------------------------------------------------------- 姓名


@dataclass(frozen=True)
class Surnames:
    single: frozenset[str]
    compound: frozenset[str]
    not_last: frozenset[str]  # characters that end place, organisation and thing names, rarely given names


@cache
def surnames() -> Surnames:
    data = load_data("surnames.yaml")
    return Surnames(
        single=frozenset(str(data["single"]).replace(" ", "")),
        compound=frozenset(str(s) for s in data["compound"]),
        not_last=frozenset(str(data["not_last"]).replace(" ", "")),
    )


_CJK_NAME_RE = re.compile(r"[\u4e00-\u9fff]{2,4}")
# names of 少数民族 written with a middle dot: 阿依古丽·买买提
_DOTTED_NAME_RE = re.compile(r"[\u4e00-\u9fff]{1,10}(?:[·•][\u4e00-\u9fff]{1,10}){1,2}")


class PersonName(Detector):
    """2–4 汉字 starting with a common surname (a compound one such as 欧阳 first), or a dotted name.
    Weak on its own — many words start with a surname character — so it needs a larger share of the
    column without a name hint than the checksum detectors do."""

    code = "cn_person_name"
    label = TypeLabel("姓名", "person name")
    method = "2–4 个汉字、常见姓氏开头"
    strength = 0.8
    threshold = 0.8

    def check(self, value: str) -> int:
        n = len(value)
        if n <= 4:
            if n < 2 or not _CJK_NAME_RE.fullmatch(value):
                return NO
            names = surnames()
            ok = (n >= 3 and value[:2] in names.compound) or value[0] in names.single
            return VALID if ok and value[-1] not in names.not_last else SHAPE
        if n <= 32 and ("·" in value or "•" in value) and _DOTTED_NAME_RE.fullmatch(value):
            return VALID
        return NO


# ---------------------------------------------------------------- 出生日期

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_RES = (
    re.compile(rf"(\d{{4}})[-/.年](\d{{1,2}})[-/.月](\d{{1,2}})日?{_TIME}"),  # 1990-01-02, 1990年1月2日
    re.compile(rf"(\d{{4}})(\d{{2}})(\d{{2}}){_TIME}"),  # 19900102
    re.compile(r"(\d{4})[-/.年](\d{1,2})月?()"),  # 出生年月: 1990-01, 1990年1月
    re.compile(r"(\d{4})(\d{2})()"),  # 199001
)


class BirthDate(Detector):
    """A date from 1900 to today, in a column whose name says 出生 / birth / csrq. Only with that
    hint: a generic date column (下单日期, created_at) is not a birth date."""

    code = "birth_date"
    label = TypeLabel("出生日期", "date of birth")
    method = "日期格式、1900 年至今"
    strength = 0.9
    hint_only = True
    hinted_threshold = 0.6  # the hint is required anyway, so it does not lower the bar

    def checker(self, hint: Hint | None, today: date) -> Checker | None:
        if self.hint_only and hint is None:
            return None
        today_key = day_key(today)

        def check(value: str) -> int:
            if not 6 <= len(value) <= 30:
                return NO
            for pattern in _DATE_RES:
                m = pattern.fullmatch(value)
                if m is not None:
                    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
                    return VALID if valid_birth_date(year, month, day, today_key) else SHAPE
            return NO

        return Checker(check, self.code)
