"""Chinese segmentation (pure) and full-text search through the service on both backends."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from dataasset.catalog import queries, search, service
from dataasset.catalog.schemas import AssetCardCreate


def test_compound_words_are_indexed_with_their_parts() -> None:
    tokens = search.index_text("输变电设备维修信息").split()
    assert {"维修", "信息", "维修信息"} <= set(tokens)


def test_query_terms_expand_only_when_parts_cover_the_word() -> None:
    assert search.query_terms("维修信息") == [["维修信息", "维修", "信息"]]
    assert search.query_terms("手机号") == [["手机号"]]  # 手机 alone would match 手机型号
    assert search.fts5_match("维修信息") == '("维修信息" OR ("维修" AND "信息"))'
    assert search.tsquery("维修信息") == "('维修信息' | ('维修' & '信息'))"
    assert search.fts5_match("电 GPS") == '"电"* AND "gps"*'  # single characters and Latin: prefixes
    assert search.fts5_match("，。！") is None


def test_query_syntax_characters_cannot_escape_the_expression() -> None:
    for hostile in ['" OR 1', "a'b", "x) | (y", "NEAR(", "*", "电\\'"]:
        for term in search.query_terms(hostile):
            assert all(re.fullmatch(r"\w+", t) for t in term)


def _card(db: Session, actor: Any, name: str, description: str = "") -> int:
    data = AssetCardCreate.model_validate(
        {"basic": {"name": name, "description": description, "industry": "D"}}
    )
    return service.create_card(db, actor, data).id


def _names(db: Session, actor: Any, q: str) -> set[str]:
    return {i.name for i in queries.list_cards(db, actor, q=q, page_size=200).items}


def test_two_character_words_find_compounds_and_back(db: Session, actor: Any) -> None:
    me = actor("xn_admin")
    _card(db, me, "变压器维修信息台账")
    _card(db, me, "车辆维修的工单与相关信息")
    _card(db, me, "手机型号目录")
    assert {"变压器维修信息台账", "车辆维修的工单与相关信息"} <= _names(db, me, "维修")
    assert {"变压器维修信息台账", "车辆维修的工单与相关信息"} <= _names(db, me, "维修信息")
    assert "手机型号目录" not in _names(db, me, "维修信息")
    assert "手机型号目录" not in _names(db, me, "手机号")
    assert "变压器维修信息台账" in _names(db, me, "变")  # a single character is a prefix


def test_search_respects_tenancy_and_filters(db: Session, actor: Any) -> None:
    mine = actor("xn_admin")
    theirs = actor("zzsw_admin")
    _card(db, theirs, "株洲泵站检修记录数据")
    assert "株洲泵站检修记录数据" not in _names(db, mine, "泵站检修")
    assert "株洲泵站检修记录数据" in _names(db, theirs, "泵站检修")
    assert "株洲泵站检修记录数据" in _names(db, actor("sjj"), "泵站检修")  # province regulator
    assert "株洲泵站检修记录数据" not in _names(db, actor("cssjj"), "泵站检修")  # city of Changsha only
    page = queries.list_cards(db, theirs, q="泵站检修", industry="G")
    assert page.total == 0


def test_search_by_code_prefix(db: Session, actor: Any) -> None:
    me = actor("xn_admin")
    card_id = _card(db, me, "编码检索测试数据")
    code = queries.get_card(db, me, card_id).code
    page = queries.list_cards(db, me, q=code)
    assert [i.code for i in page.items] == [code]


def test_hostile_queries_do_not_error(db: Session, actor: Any) -> None:
    me = actor("xn_admin")
    for q in ['" OR 1=1 --', "'; DROP TABLE x; --", "NEAR(a b)", "*", "(((", "电 & | ! :*"]:
        queries.list_cards(db, me, q=q)


def test_broad_queries_cap_the_count_and_answer_newest_first(
    db: Session, actor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = actor("xn_admin")
    ids = [_card(db, me, f"氢能储运监测数据{i}") for i in range(5)]
    exact = queries.list_cards(db, me, q="氢能储运")
    assert exact.total == 5 and not exact.total_capped
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    broad = queries.list_cards(db, me, q="氢能储运", page_size=2)
    assert broad.total == 3 and broad.total_capped
    assert [i.id for i in broad.items] == sorted(ids, reverse=True)[:2]
    second = queries.list_cards(db, me, q="氢能储运", page=2, page_size=2)
    assert [i.id for i in second.items] == sorted(ids, reverse=True)[2:4]
    listed = queries.list_cards(db, me, page_size=2)
    assert listed.total_capped and listed.total == 3
