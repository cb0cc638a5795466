"""The quality report as .xlsx and PDF: content, formula-safe cells, CJK font, missing keys."""

from __future__ import annotations

import copy
import io
import os
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from dataasset.quality import report
from dataasset.quality.report import pdf_bytes, xlsx_bytes


def report_data() -> dict[str, Any]:
    """A realistic report document, as the service builds it."""
    people = [
        {"__row": 17, "年龄": "130", "姓名": "张*", "身份证号": "4****************X"},
        {"__row": 52, "年龄": "-3", "姓名": "=1+1", "身份证号": "4****************1"},
        {"__row": 99, "年龄": "200", "姓名": "@SUM(A1)", "身份证号": "4****************2"},
        {"__row": 120, "年龄": "+7", "姓名": "李*", "身份证号": "4****************3"},
        {"__row": 121, "年龄": "999", "姓名": "王*", "身份证号": "4****************4"},
        {"__row": 122, "年龄": "150", "姓名": "赵*", "身份证号": "4****************5"},
    ]
    wide = [
        {"__row": r, "客户编号": f"C{r:04d}", **{f"字段{i}": f"值{r}-{i}" for i in range(1, 11)}}
        for r in (3, 4)
    ]
    return {
        "generated_at": "2026-11-23T17:20:00+08:00",
        "organisation": {"name": "长沙水务集团有限公司", "uscc": "91430100MA4L0000X1"},
        "card": {
            "id": 12,
            "code": "DA-2026-000012",
            "name": "客户信息表",
            "owning_department": "客户服务部",
            "responsible_person": "张伟",
        },
        "rule_set": {"id": 3, "name": "客户信息表质量规则", "table": "customers", "version": 2},
        "run": {
            "id": 41,
            "finished_at": "2026-11-23T09:19:55+00:00",
            "rows": 1_000_000,
            "overall": 93.2512,
            "dimensions": {
                "accuracy": 88.0,
                "conformity": 91.2,
                "completeness": 99.5,
                "timeliness": 50.0,
            },
            "trigger": "manual",
            "seconds": 3.2,
        },
        "checks": [
            {
                "key": "a1b2c3d4e5f60718",
                "title": "身份证号 不为空",
                "check": "not_null",
                "column": "身份证号",
                "columns": ["身份证号"],
                "dimension": "completeness",
                "checked": 1_000_000,
                "passed": 995_000,
                "failed": 5_000,
                "score": 0.995,
                "weight": 1.0,
                "detail": "",
                "error": None,
                "line": 3,
                "examples": [{"__row": 8, "身份证号": None, "姓名": "钱*"}],
            },
            {
                "key": "b1b2c3d4e5f60718",
                "title": "年龄 在 0 到 120 之间",
                "check": "between",
                "column": "年龄",
                "columns": ["年龄"],
                "dimension": "accuracy",
                "checked": 999_000,
                "passed": 998_100,
                "failed": 900,
                "score": 0.9991,
                "weight": 1.0,
                "detail": "",
                "error": None,
                "line": 5,
                "examples": people,
            },
            {
                "key": "c1b2c3d4e5f60718",
                "title": "客户编号 唯一",
                "check": "unique",
                "column": "客户编号",
                "columns": ["客户编号"],
                "dimension": "accuracy",
                "checked": 1_000_000,
                "passed": 1_000_000,
                "failed": 0,
                "score": 1.0,
                "weight": 1.0,
                "detail": "",
                "error": None,
                "line": 6,
                "examples": [],
            },
            {
                "key": "d1b2c3d4e5f60718",
                "title": "更新时间 在 30 天内",
                "check": "fresh_within",
                "column": "更新时间",
                "columns": ["更新时间"],
                "dimension": "timeliness",
                "checked": 1,
                "passed": 0,
                "failed": 1,
                "score": 0.0,
                "weight": 2.0,
                "detail": "最新值 2026-10-01，早于 30 天前",
                "error": None,
                "line": 7,
                "examples": [],
            },
            {
                "key": "e1b2c3d4e5f60718",
                "title": "客户编号 格式正确",
                "check": "pattern",
                "column": "客户编号",
                "columns": ["客户编号"],
                "dimension": "conformity",
                "checked": 1_000_000,
                "passed": 912_000,
                "failed": 88_000,
                "score": 0.912,
                "weight": 1.0,
                "detail": "",
                "error": None,
                "line": 8,
                "examples": wide,
            },
        ],
        "issues": [
            {
                "id": 5,
                "check_title": "年龄 在 0 到 120 之间",
                "dimension": "accuracy",
                "status": "open",
                "status_label": "待整改",
                "department": "客户服务部",
                "deadline": "2026-12-07",
                "overdue": False,
                "failed": 900,
            },
            {
                "id": 6,
                "check_title": "更新时间 在 30 天内",
                "dimension": "timeliness",
                "status": "open",
                "status_label": "待整改",
                "department": "信息中心",
                "deadline": "2026-11-20",
                "overdue": True,
                "failed": 1,
            },
        ],
        "trend": [
            {"run_id": 30, "finished_at": "2026-11-01T09:00:00+08:00", "overall": 90.1},
            {"run_id": 35, "finished_at": "2026-11-10T09:00:00+08:00", "overall": 91.7},
            {"run_id": 41, "finished_at": "2026-11-23T17:19:55+08:00", "overall": 93.2512},
        ],
    }


def sparse_data() -> dict[str, Any]:
    """An old run: no trend, no issues, no overall, a check that errored without examples."""
    data = report_data()
    del data["trend"]
    data["issues"] = None
    del data["organisation"]["uscc"]
    data["card"] = {"name": "旧资产"}
    data["rule_set"] = None
    data["run"] = {"id": 2, "overall": None, "dimensions": None, "finished_at": None}
    data["checks"] = [
        {
            "title": "检查无法执行",
            "check": "expression",
            "dimension": "consistency",
            "checked": 0,
            "passed": 0,
            "failed": None,
            "score": 0.0,
            "error": "表 orders 不存在",
        },
        {"title": "无结果的检查"},
    ]
    return data


def rows_of(ws: Any) -> list[tuple[Any, ...]]:
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def test_xlsx_has_the_sheets_scores_checks_and_trend_chart() -> None:
    wb = load_workbook(io.BytesIO(xlsx_bytes(report_data())))
    assert wb.sheetnames == ["概览", "检查项", "不合格示例", "整改事项", "得分趋势"]

    overview = {row[0]: row[1] for row in rows_of(wb["概览"]) if row[0]}
    assert overview["数据质量评价报告"] is None
    assert "GB/T 36344-2018" in next(k for k in overview if k.startswith("依据"))
    assert overview["综合得分"] == pytest.approx(93.2512)
    assert overview["数据资产"] == "客户信息表"
    assert overview["统一社会信用代码"] == "91430100MA4L0000X1"
    assert overview["质量规则"] == "客户信息表质量规则（第 2 版）"
    assert overview["评价行数"] == 1_000_000
    assert overview["评价时间"] == "2026-11-23 17:19"  # UTC shown in Asia/Shanghai
    assert overview["准确性"] == 88.0
    labels = [r[0] for r in rows_of(wb["概览"])]
    dims = labels[labels.index("维度") + 1 :]
    assert dims == ["规范性", "完整性", "准确性", "时效性"]  # standard order, only those present

    checks = wb["检查项"]
    assert [c.value for c in checks[1]][:8] == [
        "序号",
        "检查",
        "维度",
        "检查数",
        "通过数",
        "不合格数",
        "得分",
        "说明",
    ]
    assert checks.freeze_panes == "C2"
    row = [c.value for c in checks[3]]
    assert row[:7] == [2, "年龄 在 0 到 120 之间", "准确性", 999_000, 998_100, 900, 0.9991]
    assert checks["G3"].number_format == "0.00%"
    assert checks["D3"].number_format == "#,##0"
    assert checks["A1"].font.bold
    assert [c.value for c in checks[5]][7] == "最新值 2026-10-01，早于 30 天前"

    issues = rows_of(wb["整改事项"])
    assert issues[0] == ("编号", "检查", "维度", "状态", "责任部门", "整改期限", "是否逾期", "不合格数")
    assert issues[2] == (6, "更新时间 在 30 天内", "时效性", "待整改", "信息中心", "2026-11-20", "是", 1)

    trend = wb["得分趋势"]
    assert rows_of(trend)[1] == ("2026-11-01 09:00", 90.1, 30)
    assert len(trend._charts) == 1
    assert trend._charts[0].tagname == "lineChart"


def test_xlsx_examples_are_blocks_and_formula_like_values_stay_text() -> None:
    ws = load_workbook(io.BytesIO(xlsx_bytes(report_data())))["不合格示例"]
    rows = rows_of(ws)
    headings = [r[0] for r in rows if isinstance(r[0], str) and r[0][:1].isdigit()]
    assert len(headings) == 4  # the four failing checks, numbered as in 检查项
    assert headings[1].startswith("2. 年龄 在 0 到 120 之间（准确性，不合格 900 行")
    start = rows.index(next(r for r in rows if r[0] == headings[1]))
    assert rows[start + 1][:4] == ("行号", "年龄", "姓名", "身份证号")  # the check's column first
    assert rows[start + 2][:2] == (17, "130")
    formula = ws.cell(row=start + 4, column=3)
    assert formula.value == "=1+1"
    assert formula.data_type == "s"
    assert formula.quotePrefix
    at = ws.cell(row=start + 5, column=3)
    assert (at.value, at.data_type) == ("@SUM(A1)", "s")
    minus = ws.cell(row=start + 4, column=2)
    assert (minus.value, minus.data_type) == ("-3", "s")

    # nothing in the file is a formula
    raw = xlsx_bytes(report_data())
    import zipfile

    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name)


def test_xlsx_and_pdf_render_with_keys_missing() -> None:
    data = sparse_data()
    wb = load_workbook(io.BytesIO(xlsx_bytes(data)))
    assert wb.sheetnames == ["概览", "检查项", "不合格示例", "整改事项", "得分趋势"]
    overview = {row[0]: row[1] for row in rows_of(wb["概览"]) if row[0]}
    assert overview["综合得分"] == "—"
    assert overview["统一社会信用代码"] == "—"
    assert rows_of(wb["检查项"])[1][7] == "执行出错：表 orders 不存在"
    assert wb["得分趋势"]._charts == []
    assert rows_of(wb["整改事项"])[1][0] == "无整改事项"
    assert rows_of(wb["不合格示例"])[0][0] == "本次评价没有不合格的检查项"

    pdf = pdf_bytes(data)
    assert pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "旧资产" in text
    assert "表 orders 不存在" in text

    for empty in ({}, {"checks": [None, 3, {}], "run": "x", "trend": [{}], "issues": [{}]}):
        assert load_workbook(io.BytesIO(xlsx_bytes(empty))).sheetnames[0] == "概览"
        assert pdf_bytes(empty).startswith(b"%PDF")


def test_hostile_text_does_not_break_either_format() -> None:
    data = report_data()
    data["card"]["name"] = "<b>客户&信息</b>\x00\x07表"
    data["checks"][1]["examples"][0]["姓名"] = "a\x01b <script> & 😀 𠀀"
    wb = load_workbook(io.BytesIO(xlsx_bytes(data)))
    assert {r[0]: r[1] for r in rows_of(wb["概览"]) if r[0]}["数据资产"] == "<b>客户&信息</b>表"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes(data))).pages)
    assert "<b>客户&信息</b>表" in text


def pdf_fonts(reader: PdfReader) -> dict[str, Any]:
    fonts: dict[str, Any] = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


def test_pdf_is_chinese_and_uses_a_cjk_font() -> None:
    pdf = pdf_bytes(report_data())
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    assert reader.metadata is not None and reader.metadata.title == "数据质量评价报告 客户信息表"

    fonts = pdf_fonts(reader)
    if report.pdf_font() == report.CID_FALLBACK:
        assert "/STSong-Light" in fonts
        assert str(fonts["/STSong-Light"]["/Encoding"]) == "/UniGB-UCS2-H"
    else:  # embedded TrueType subsets
        descriptors = [f["/FontDescriptor"].get_object() for f in fonts.values() if "/FontDescriptor" in f]
        embedded = [d for d in descriptors if "/FontFile2" in d]
        assert embedded and "/STSong-Light" not in fonts

    text = "".join(page.extract_text() for page in reader.pages)
    for expected in (
        "数据质量评价报告",
        "GB/T 36344-2018",
        "客户信息表",
        "DA-2026-000012",
        "91430100MA4L0000X1",
        "准确性",
        "93.3",
        "1,000,000",
        "99.91%",
        "2026-11-23 17:19",
        "年龄 在 0 到 120 之间",
        "=1+1",
        "整改事项",
        "得分趋势",
    ):
        assert expected in text, expected
    # at most 5 examples and 7 example columns a check
    assert "4****************4" in text and "4****************5" not in text
    assert "另有 1 行示例未列出" in text
    assert "另有 4 列未列出" in text
    assert "值3-6" in text and "值3-7" not in text


def test_font_env_falls_back_when_the_font_cannot_be_embedded(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    cff = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"  # CFF outlines: refused
    configured = cff if os.path.isfile(cff) else "/nonexistent/font.ttf"
    monkeypatch.setattr(report, "FONT_CANDIDATES", ())
    report._register_font.cache_clear()
    monkeypatch.setenv(report.FONT_ENV, configured)
    try:
        assert report.pdf_font() == "STSong-Light"
        assert configured in caplog.text
        assert pdf_bytes(copy.deepcopy(report_data())).startswith(b"%PDF")
    finally:
        report._register_font.cache_clear()


def test_a_truetype_cjk_font_is_embedded_when_there_is_one(monkeypatch: pytest.MonkeyPatch) -> None:
    found = [p for p in (os.environ.get(report.FONT_ENV, ""), *report.FONT_CANDIDATES) if os.path.isfile(p)]
    if not found:
        pytest.skip("no TrueType CJK font on this machine (e.g. fonts-wqy-zenhei); STSong-Light is used")
    report._register_font.cache_clear()
    monkeypatch.setenv(report.FONT_ENV, found[0])
    try:
        assert report.pdf_font().startswith("DataAssetCJK-")
        reader = PdfReader(io.BytesIO(pdf_bytes(report_data())))
        assert "/STSong-Light" not in pdf_fonts(reader)
        assert "客户信息表" in "".join(p.extract_text() for p in reader.pages)
    finally:
        report._register_font.cache_clear()
