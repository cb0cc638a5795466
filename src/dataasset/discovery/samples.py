"""Deterministic fake people and business rows (valid check digits, look-alike traps): the demo's
data files, the tests' and the benchmark's. Every person here is invented."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红梅玉兰海燕晓东文博宇轩子涵浩然欣怡"
PLACES = [
    ("湖南省", "长沙市", "岳麓区"),
    ("湖南省", "株洲市", "天元区"),
    ("湖南省", "湘潭市", "雨湖区"),
    ("广东省", "深圳市", "南山区"),
    ("浙江省", "杭州市", "西湖区"),
    ("北京市", "北京市", "海淀区"),
]
REGIONS = ["430104", "430211", "430302", "440305", "330106", "110108"]
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_check(body17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(body17, _WEIGHTS, strict=True)) % 11]


def resident_id(rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
    body = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + id_check(body)


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def address(rng: random.Random) -> str:
    province, city, district = rng.choice(PLACES)
    road = rng.choice(["人民路", "解放西路", "麓山南路", "科技园路"])
    return f"{province}{city}{district}{road}{rng.randrange(1, 999)}号"


def order_number(rng: random.Random) -> str:
    """18 digits that fail the resident-ID check digit (a trap)."""
    while True:
        value = f"{rng.randrange(10**17, 10**18)}"
        if id_check(value[:17]) != value[17]:
            return value


def customer_rows(n: int, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        rows.append(
            {
                "客户编号": f"C{i + 1:06d}",
                "姓名": name(rng),
                "身份证号": resident_id(rng),
                "手机号": mobile(rng),
                "住址": address(rng),
                "订单号": order_number(rng),
                "用电量": f"{rng.uniform(50, 900):.2f}",
                "手机型号": rng.choice(["iPhone 15", "华为 Mate 60", "小米 14", "OPPO Reno 11"]),
                "备注": "" if rng.random() < 0.7 else rng.choice(["按时缴费", "欠费提醒", "已过户"]),
            }
        )
    return rows


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[dict[str, str]]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    first = True
    for title, rows in sheets.items():
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        ws.title = title
        first = False
        ws.append(list(rows[0]))
        for row in rows:
            ws.append(list(row.values()))
    wb.save(path)
    return path
