"""Sensitive-data detectors (敏感数据识别): what a column holds, decided from a sample of its values,
helped by its name.

Each detector is a plug-in in :data:`DETECTORS`, keyed by its stable type code, and checks one value
in two steps: a precompiled regular expression for the shape (cheap), then, only for values of the
right shape, the checks (check digit, birth date, number segment, gazetteer, ...).
:func:`detect_column` runs them over a column's distinct non-empty values and decides:

* the **validated share** (values passing the checks ÷ non-empty values) must reach the detector's
  threshold: 60% (姓名 80%, being heuristic), or 30% when the column name hints that type
  (出生日期 is only looked for when the name hints it, and then needs 60%);
* values beat names: a hint lowers the bar and lifts the confidence, it never makes a column
  sensitive on its own, and a hint the values contradict is reported and ignored;
* when several detectors pass, the highest validated share wins; an exact tie goes to the detector
  earlier in :data:`DETECTORS` — checksummed identifiers first (身份证号, 统一社会信用代码, 银行卡号),
  then shapes from the most to the least specific (手机号, 固定电话, 护照号, 车牌号, 电子邮箱, IPv6,
  IPv4, MAC, 经纬度, 出生日期), the heuristic ones last (姓名, 地址);
* confidence is the validated share × the detector's strength (1 for checksums, 0.8–0.95 for shapes
  and heuristics), moved halfway to 1 when the name hints the decided type, × 0.9 when the name hints
  another type. For a column with nothing sensitive the confidence is 1 − the best validated share
  (how sure "nothing" is); for a column without values it is 0.

Speed: a detector whose name is not hinted is first tried on a spread of about 200 distinct values;
if fewer than half its threshold pass there, it stops (it cannot reach the threshold on the rest).

Pure: no I/O but reading the data files shipped beside the code, no database, no clock unless
``today`` is left out (then today's date bounds birth dates).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from dataasset.discovery.types import Detection

from .base import VALID, Checker, CheckFn, Detector, Hint, TypeLabel, normalise
from .contact import Email, Landline, Mobile
from .hints import column_hint, name_hint, tokenise
from .identity import BankCard, Passport, Plate, ResidentId, Uscc
from .location import Address, GeoCoordinate
from .network import IPv4, IPv6, MacAddress
from .person import BirthDate, PersonName

__all__ = [
    "DETECTORS",
    "TYPE_CODES",
    "Detector",
    "Hint",
    "TypeLabel",
    "column_hint",
    "detect_column",
    "detect_value",
    "label",
    "tokenise",
]

# The registry, in tie-break order (see the module docstring).
DETECTORS: dict[str, Detector] = {
    d.code: d
    for d in (
        ResidentId(),
        Uscc(),
        BankCard(),
        Mobile(),
        Landline(),
        Passport(),
        Plate(),
        Email(),
        IPv6(),
        IPv4(),
        MacAddress(),
        GeoCoordinate(),
        BirthDate(),
        PersonName(),
        Address(),
    )
}

# type code → its Chinese and English names, e.g. TYPE_CODES["cn_resident_id"].zh == "身份证号"
TYPE_CODES: dict[str, TypeLabel] = {code: d.label for code, d in DETECTORS.items()}

_ORDER = {code: i for i, code in enumerate(DETECTORS)}


def label(code: str | None) -> str:
    """The Chinese name of a type code ("身份证号"); "" for None, the code itself when unknown."""
    if code is None:
        return ""
    found = TYPE_CODES.get(code)
    return found.zh if found is not None else code


PROBE_SIZE = 200  # distinct values tried before a detector not hinted by the name is given up
HINT_BOOST = 0.5  # a hint that agrees moves the confidence this part of the way to 1
CONTRARY_HINT_FACTOR = 0.9  # a hint of another type lowers the confidence by this factor


@dataclass(frozen=True)
class _Tally:
    detector: Detector
    checker: Checker
    hinted: bool
    threshold: float
    checked: int
    matched: int
    validated: int
    complete: bool  # False: stopped after the probe

    @property
    def share(self) -> float:
        return self.validated / self.checked if self.checked else 0.0

    @property
    def passes(self) -> bool:
        return self.complete and self.checked > 0 and self.share >= self.threshold


def _count(check: CheckFn, items: Sequence[tuple[str, int]]) -> tuple[int, int, int]:
    checked = matched = validated = 0
    for value, n in items:
        checked += n
        result = check(value)
        if result:
            matched += n
            if result == VALID:
                validated += n
    return checked, matched, validated


def _tally(detector: Detector, checker: Checker, items: list[tuple[str, int]], hinted: bool) -> _Tally:
    threshold = detector.hinted_threshold if hinted else detector.threshold
    if not hinted and len(items) > 2 * PROBE_SIZE:
        probe = items[:: len(items) // PROBE_SIZE]  # spread over the sample, whatever its order
        checked, matched, validated = _count(checker.check, probe)
        if validated < checked * threshold / 2:
            return _Tally(detector, checker, hinted, threshold, checked, matched, validated, False)
    checked, matched, validated = _count(checker.check, items)
    return _Tally(detector, checker, hinted, threshold, checked, matched, validated, True)


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "0%"


def _hint_phrase(hint: Hint) -> str:
    where = "列名" if hint.source == "name" else "列注释"
    labels = "或".join(TYPE_CODES[c].zh for c in hint.types if c in TYPE_CODES)
    variant = {"lat": "（纬度）", "lng": "（经度）"}.get(hint.variant or "", "")
    return f"{where}“{hint.text}”提示{labels}{variant}"


def _explain_found(best: _Tally, hint: Hint | None) -> str:
    det = best.detector
    n = best.checked
    if best.matched == best.validated:
        counts = f"{n} 个非空值中 {best.validated} 个（{_percent(best.validated, n)}）格式匹配且校验通过"
    else:
        counts = (
            f"{n} 个非空值中 {best.matched} 个（{_percent(best.matched, n)}）格式匹配，"
            f"其中 {best.validated} 个（{_percent(best.validated, n)}）校验通过"
        )
    text = f"{det.label.zh}检测器（{best.checker.method or det.method}）：{counts}"
    if hint is None:
        return text
    if best.hinted:
        text += f"；{_hint_phrase(hint)}"
        if best.share < det.threshold:
            text += f"，阈值由 {det.threshold:.0%} 降至 {det.hinted_threshold:.0%}"
        return text
    return text + f"；{_hint_phrase(hint)}，但值不符，以值为准"


def _explain_none(n: int, tallies: list[_Tally], hint: Hint | None) -> str:
    text = (
        f"未检出敏感数据：{n} 个非空值中，没有检测器的校验通过率达到阈值"
        "（一般 60%、姓名 80%；列名提示的类型 30%）"
    )
    candidates = [t for t in tallies if t.validated > 0]
    if candidates:
        closest = max(candidates, key=lambda t: (t.share, -_ORDER[t.detector.code]))
        scope = f"{closest.checked} 个值中" if closest.complete else f"抽查的 {closest.checked} 个值中"
        text += (
            f"；最接近的是{closest.detector.label.zh}检测器：{scope}"
            f" {closest.validated} 个（{_percent(closest.validated, closest.checked)}）校验通过"
        )
    if hint is not None:
        hinted = [t for t in tallies if t.hinted]
        if hinted:
            top = max(hinted, key=lambda t: t.share)
            text += (
                f"；{_hint_phrase(hint)}，但仅 {top.validated} 个（{_percent(top.validated, top.checked)}）"
                f"通过{top.detector.label.zh}检测器校验，以值为准"
            )
        else:
            text += f"；{_hint_phrase(hint)}，但值不符，以值为准"
    return text


def _confidence(best: _Tally, hint: Hint | None) -> float:
    base = best.share * best.detector.strength
    if best.hinted:
        base += (1.0 - base) * HINT_BOOST
    elif hint is not None:
        base *= CONTRARY_HINT_FACTOR
    return round(min(1.0, max(0.0, base)), 3)


def detect_column(
    name: str, values: Sequence[str], comment: str = "", *, today: date | None = None
) -> Detection:
    """Decide what one column holds from a sample of its values (empty and blank ones are skipped)
    and its name (and source comment, when the name gives no hint). ``today`` bounds birth dates
    (default: the system date)."""
    day = today or date.today()
    hint = column_hint(name, comment)
    counts = Counter(normalise(v) for v in values if v)
    counts.pop("", None)
    total = sum(counts.values())
    hinted_code = hint.types[0] if hint is not None else None
    if total == 0:
        text = "没有非空值，未作检测" + (f"；{_hint_phrase(hint)}" if hint is not None else "")
        return Detection(None, 0.0, text, name_hint=hinted_code)

    items = list(counts.items())
    tallies: list[_Tally] = []
    for code, detector in DETECTORS.items():
        hinted = hint is not None and hint.suggests(code)
        checker = detector.checker(hint if hinted else None, day)
        if checker is not None:
            tallies.append(_tally(detector, checker, items, hinted))

    passing = [t for t in tallies if t.passes]
    if not passing:
        best_share = max((t.share for t in tallies), default=0.0)
        return Detection(
            None,
            round(1.0 - best_share, 3),
            _explain_none(total, tallies, hint),
            checked=total,
            name_hint=hinted_code,
        )
    best = max(passing, key=lambda t: (t.share, -_ORDER[t.detector.code]))
    code = best.detector.code
    return Detection(
        type_code=code,
        confidence=_confidence(best, hint),
        explanation=_explain_found(best, hint),
        rule=best.checker.rule,
        checked=best.checked,
        matched=best.matched,
        validated=best.validated,
        name_hint=code if best.hinted else hinted_code,
    )


@lru_cache(maxsize=8)
def _plain_checkers(day: date) -> tuple[tuple[str, Checker], ...]:
    found = ((code, d.checker(None, day)) for code, d in DETECTORS.items())
    return tuple((code, c) for code, c in found if c is not None)


def detect_value(value: str, name: str = "", *, today: date | None = None) -> str | None:
    """The type of one cell, or None: the first detector (in tie-break order) whose checks it passes.
    ``name`` (a column name) lets hint-only detectors (出生日期, one-number 经纬度) take part."""
    text = normalise(value) if value else ""
    if not text:
        return None
    day = today or date.today()
    hint = name_hint(name) if name else None
    if hint is None:
        checkers = _plain_checkers(day)
    else:
        built = [(c, d.checker(hint if hint.suggests(c) else None, day)) for c, d in DETECTORS.items()]
        checkers = tuple((c, k) for c, k in built if k is not None)
    for code, checker in checkers:
        if checker.check(text) == VALID:
            return code
    return None
