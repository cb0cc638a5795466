"""The three rights (三权分置) and what a grant may give. Pure.

A **holding** is what an organisation holds of one right over one data subject: the right, which
fields (None: all), for which purposes (None: any), for which term (open ends allowed), in which
territory (None: anywhere), whether exclusively, and whether it may grant onward (sub-grant). An
original holder (原始取得: it collected or produced the data) holds everything, exclusively, and may
grant. A **grant** (授权) from a holder to another organisation is a holding of the grantee, and can
never exceed what the grantor holds: :func:`excess` names every way in which it would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dataasset.core.enums import Labelled


class Right(Labelled):
    HOLDING = "holding", "数据资源持有权", "Data resource holding right"
    PROCESSING = "processing", "数据加工使用权", "Data processing and use right"
    OPERATING = "operating", "数据产品经营权", "Data product operating right"


class Acquisition(Labelled):
    ORIGINAL = "original", "原始取得（自行采集、生产）", "Original collection"
    PURCHASE = "purchase", "购买", "Purchase"
    GRANT = "grant", "授权", "Grant"
    TRANSFER = "transfer", "转让、承继", "Transfer"
    DERIVED = "derived", "加工衍生", "Derived"


@dataclass(frozen=True)
class Scope:
    right: Right
    fields: frozenset[str] | None = None  # None: every field
    purposes: frozenset[str] | None = None  # None: any purpose
    start: date | None = None  # None: from the beginning
    end: date | None = None  # None: without end
    territory: frozenset[str] | None = None  # region codes; None: anywhere
    exclusive: bool = False
    may_sublicense: bool = False


def original(right: Right) -> Scope:
    """What an original holder holds: everything, for ever, exclusively, and it may grant."""
    return Scope(right, exclusive=True, may_sublicense=True)


def _within(part: frozenset[str] | None, whole: frozenset[str] | None) -> frozenset[str]:
    """What of ``part`` lies outside ``whole`` (None is everything)."""
    if whole is None:
        return frozenset()
    if part is None:
        return frozenset({"全部"})
    return part - whole


def _names(values: frozenset[str]) -> str:
    return "、".join(sorted(values))


def excess(holding: Scope, grant: Scope, *, others: list[Scope] | None = None) -> list[str]:
    """Every way ``grant`` would exceed ``holding`` (empty: it may be granted), in Chinese. ``others``
    are the grantor's grants of the same right already in force: an exclusive grant cannot coexist
    with them, and nothing can be granted beside an exclusive one."""
    problems: list[str] = []
    if grant.right != holding.right:
        problems.append(
            f"授权的权利（{grant.right.label_zh}）不是授权方所持有的权利（{holding.right.label_zh}）"
        )
        return problems
    if not holding.may_sublicense:
        problems.append(f"授权方对{holding.right.label_zh}无再授权的权利")
    extra = _within(grant.fields, holding.fields)
    if extra:
        problems.append(f"授权的字段超出授权方所持有的范围：{_names(extra)}")
    extra = _within(grant.purposes, holding.purposes)
    if extra:
        problems.append(f"授权的用途超出授权方所持有的范围：{_names(extra)}")
    extra = _within(grant.territory, holding.territory)
    if extra:
        problems.append(f"授权的地域超出授权方所持有的范围：{_names(extra)}")
    if holding.start is not None and (grant.start is None or grant.start < holding.start):
        problems.append(f"授权期限早于授权方权利的起始日 {holding.start.isoformat()}")
    if holding.end is not None and (grant.end is None or grant.end > holding.end):
        problems.append(f"授权期限晚于授权方权利的截止日 {holding.end.isoformat()}")
    if grant.start is not None and grant.end is not None and grant.end < grant.start:
        problems.append("授权的截止日早于起始日")
    if grant.exclusive and not holding.exclusive:
        problems.append("授权方并非独占持有，不能给予独占授权")
    if grant.may_sublicense and not holding.may_sublicense:
        problems.append("授权方无再授权的权利，不能允许被授权方再授权")
    for other in others or []:
        if not _overlap(grant, other):
            continue
        if other.exclusive:
            problems.append("授权方已就重叠的范围和期限给予他人独占授权")
            break
        if grant.exclusive:
            problems.append("授权方已就重叠的范围和期限给予他人授权，不能再给予独占授权")
            break
    return problems


def _overlap(a: Scope, b: Scope) -> bool:
    """Whether two scopes of the same right share some field, purpose, place and day."""
    if a.right != b.right:
        return False
    for x, y in ((a.fields, b.fields), (a.purposes, b.purposes), (a.territory, b.territory)):
        if x is not None and y is not None and not (x & y):
            return False
    starts = [d for d in (a.start, b.start) if d is not None]
    ends = [d for d in (a.end, b.end) if d is not None]
    return not (starts and ends and max(starts) > min(ends))


@dataclass
class Holder:
    """An organisation's rights over one subject, as the transfer of a merger moves them."""

    organisation_id: int
    scopes: list[Scope] = field(default_factory=list)
