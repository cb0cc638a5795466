"""Excel import (all or nothing, row-level Chinese errors) and the register export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataasset.catalog import excel
from dataasset.catalog.models import AssetCard
from dataasset.core.errors import Forbidden, Invalid
from dataasset.core.models import Organisation


def workbook(rows: list[dict[str, Any]], headers: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = excel.SHEET
    headers = headers or [c.header for c in excel.COLUMNS]
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD = {
    "数据资产名称": "导入测试数据",
    "行业分类": "电力、热力、燃气及水生产和供应业",
    "更新频率": "每月",
    "来源系统": "营销系统；采集系统",
    "数据量（条）": 1000,
    "时间范围起": "2020-01-01",
    "是否公开": "否",
}


def _cards(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(AssetCard)) or 0


def test_the_template_imports_as_it_is(db: Session, actor: Any) -> None:
    cards = excel.import_cards(db, actor("xn_admin"), excel.template())
    assert len(cards) == 1 and cards[0].name == "客户用电量月度统计数据"
    assert cards[0].source_systems == ["营销系统", "用电信息采集系统"]


def test_good_rows_import_with_codes(db: Session, actor: Any) -> None:
    before = _cards(db)
    cards = excel.import_cards(
        db, actor("xn_admin"), workbook([GOOD, {**GOOD, "数据资产名称": "第二条数据", "行业分类": "D"}])
    )
    assert [c.industry for c in cards] == ["D", "D"]
    assert _cards(db) == before + 2


def test_every_bad_cell_is_reported_and_nothing_is_written(db: Session, actor: Any) -> None:
    before = _cards(db)
    rows = [
        GOOD,
        {**GOOD, "数据资产名称": ""},
        {**GOOD, "行业分类": "航天业", "数据量（条）": "很多"},
        {**GOOD, "时间范围起": "2024-13-01", "联系电话": "12345"},
        {**GOOD, "时间范围起": "2024-01-01", "时间范围止": "2023-01-01"},
    ]
    with pytest.raises(Invalid) as err:
        excel.import_cards(db, actor("xn_admin"), workbook(rows))
    found = {(e["row"], e["column"]) for e in err.value.errors}
    assert found == {
        (3, "数据资产名称"),
        (4, "行业分类"),
        (4, "数据量（条）"),
        (5, "时间范围起"),
        (5, "联系电话"),
        (6, "时间范围止"),
    }
    assert "未写入任何数据" in err.value.message
    assert all(isinstance(e["reason"], str) and e["reason"] for e in err.value.errors)
    assert _cards(db) == before


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"not an excel file", "file_invalid"), ("名称,行业\n数据,D\n".encode("gbk"), "file_invalid")],
)
def test_files_that_are_not_xlsx_are_refused(db: Session, actor: Any, content: bytes, code: str) -> None:
    with pytest.raises(Invalid) as err:
        excel.import_cards(db, actor("xn_admin"), content)
    assert err.value.code == code and "xlsx" in err.value.message


def test_missing_required_columns_are_named(db: Session, actor: Any) -> None:
    with pytest.raises(Invalid) as err:
        excel.import_cards(db, actor("xn_admin"), workbook([{"描述": "x"}], headers=["描述"]))
    assert "数据资产名称" in err.value.message and "行业分类" in err.value.message


def test_roles_without_import_and_foreign_organisations_are_refused(db: Session, actor: Any) -> None:
    with pytest.raises(Forbidden):
        excel.import_cards(db, actor("xn_finance"), workbook([GOOD]))
    uscc = db.scalar(select(Organisation.uscc).where(Organisation.name == "株洲水务投资集团有限公司"))
    before = _cards(db)
    with pytest.raises(Forbidden):
        excel.import_cards(
            db, actor("xn_admin"), workbook([GOOD, {**GOOD, "持有单位统一社会信用代码": uscc}])
        )
    db.rollback()
    assert _cards(db) == before


def test_the_register_lists_only_what_the_actor_sees(db: Session, actor: Any) -> None:
    content = excel.export_register(db, actor("zzsw_admin"))
    ws = load_workbook(io.BytesIO(content)).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("资产编码", "持有单位", "数据资产名称")
    holders = {r[1] for r in rows[1:]}
    assert "株洲水务投资集团有限公司" in holders
    private_other = db.scalar(
        select(AssetCard.code).where(
            AssetCard.is_public.is_(False), AssetCard.organisation_id != actor("zzsw_admin").organisation_id
        )
    )
    assert private_other not in {r[0] for r in rows[1:]}
