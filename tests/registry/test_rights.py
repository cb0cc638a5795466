"""A grant can never exceed what the grantor holds: every dimension of a scope, exclusivity and
sub-granting, checked by hand and as a property over random scopes."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dataasset.registry.rights import Right, Scope, excess, original

FIELDS = ["姓名", "身份证号", "手机号", "用电量", "地址"]
PURPOSES = ["风险评估", "营销分析", "科研"]
PLACES = ["430000", "440000", "110000"]


def subsets(values: list[str]) -> st.SearchStrategy[frozenset[str] | None]:
    return st.one_of(st.none(), st.frozensets(st.sampled_from(values), min_size=1))


scopes = st.builds(
    Scope,
    right=st.sampled_from(list(Right)),
    fields=subsets(FIELDS),
    purposes=subsets(PURPOSES),
    start=st.one_of(st.none(), st.dates(date(2024, 1, 1), date(2026, 12, 31))),
    end=st.one_of(st.none(), st.dates(date(2027, 1, 1), date(2030, 12, 31))),
    territory=subsets(PLACES),
    exclusive=st.booleans(),
    may_sublicense=st.booleans(),
)


def narrower(holding: Scope, data: st.DataObject) -> Scope:
    """A grant drawn inside ``holding`` on every dimension."""

    def inside(whole: frozenset[str] | None, values: list[str]) -> frozenset[str] | None:
        pool = sorted(whole) if whole is not None else values
        return data.draw(st.frozensets(st.sampled_from(pool), min_size=1))

    start = holding.start or date(2025, 6, 1)
    end = holding.end or date(2031, 1, 1)
    return Scope(
        holding.right,
        fields=inside(holding.fields, FIELDS),
        purposes=inside(holding.purposes, PURPOSES),
        start=start + timedelta(days=data.draw(st.integers(0, 30))),
        end=end - timedelta(days=data.draw(st.integers(0, 30))),
        territory=inside(holding.territory, PLACES),
        exclusive=holding.exclusive and data.draw(st.booleans()),
        may_sublicense=holding.may_sublicense and data.draw(st.booleans()),
    )


@given(holding=scopes.filter(lambda s: s.may_sublicense), data=st.data())
def test_a_grant_inside_the_holding_is_allowed(holding: Scope, data: st.DataObject) -> None:
    assert excess(holding, narrower(holding, data)) == []


@given(holding=scopes.filter(lambda s: s.may_sublicense), data=st.data(), widen=st.sampled_from(
    ["fields", "purposes", "territory", "start", "end", "exclusive", "may_sublicense", "right"]
))  # fmt: skip
def test_widening_any_dimension_is_refused(holding: Scope, data: st.DataObject, widen: str) -> None:
    grant = narrower(holding, data)
    if widen == "fields" and holding.fields is not None:
        grant = Scope(**{**grant.__dict__, "fields": None})
    elif widen == "purposes" and holding.purposes is not None:
        grant = Scope(**{**grant.__dict__, "purposes": frozenset(PURPOSES) - holding.purposes or None})
    elif widen == "territory" and holding.territory is not None:
        grant = Scope(**{**grant.__dict__, "territory": None})
    elif widen == "start" and holding.start is not None:
        grant = Scope(**{**grant.__dict__, "start": holding.start - timedelta(days=1)})
    elif widen == "end" and holding.end is not None:
        grant = Scope(**{**grant.__dict__, "end": None})
    elif widen == "exclusive" and not holding.exclusive:
        grant = Scope(**{**grant.__dict__, "exclusive": True})
    elif widen == "right":
        other = next(r for r in Right if r != holding.right)
        grant = Scope(**{**grant.__dict__, "right": other})
    else:
        return  # that dimension of the holding is already unbounded: nothing to widen
    assert excess(holding, grant), (holding, grant)


def test_the_reasons_are_named() -> None:
    held = Scope(Right.PROCESSING, fields=frozenset({"用电量"}), end=date(2027, 12, 31), may_sublicense=False)
    grant = Scope(
        Right.PROCESSING, fields=frozenset({"用电量", "身份证号"}), end=date(2028, 6, 30), exclusive=True
    )
    reasons = excess(held, grant)
    assert "授权方对数据加工使用权无再授权的权利" in reasons
    assert "授权的字段超出授权方所持有的范围：身份证号" in reasons
    assert "授权期限晚于授权方权利的截止日 2027-12-31" in reasons
    assert "授权方并非独占持有，不能给予独占授权" in reasons
    assert excess(original(Right.OPERATING), Scope(Right.HOLDING)) == [
        "授权的权利（数据资源持有权）不是授权方所持有的权利（数据产品经营权）"
    ]


def test_exclusive_grants_do_not_coexist_with_overlapping_ones() -> None:
    held = original(Right.OPERATING)
    first = Scope(
        Right.OPERATING,
        territory=frozenset({"430000"}),
        start=date(2027, 1, 1),
        end=date(2027, 12, 31),
        exclusive=True,
    )
    assert excess(held, first) == []
    overlapping = Scope(
        Right.OPERATING, territory=frozenset({"430000"}), start=date(2027, 6, 1), end=date(2028, 5, 31)
    )
    assert excess(held, overlapping, others=[first]) == ["授权方已就重叠的范围和期限给予他人独占授权"]
    elsewhere = Scope(
        Right.OPERATING, territory=frozenset({"440000"}), start=date(2027, 6, 1), end=date(2028, 5, 31)
    )
    assert excess(held, elsewhere, others=[first]) == []
    later = Scope(
        Right.OPERATING,
        territory=frozenset({"430000"}),
        start=date(2028, 1, 1),
        end=date(2028, 5, 31),
        exclusive=True,
    )
    assert excess(held, later, others=[first]) == []
