"""Realistic Chinese asset cards for the catalog benchmark, and their bulk load.

Cards are spread over the demo's SOEs and public institution; names are 对象 × 主题 × 数据类型
("输变电设备维修信息", "高速公路通行流量统计", "居民用水量月度数据"). ``search_text`` is computed by
``dataasset.catalog.search.index_text`` over the same fields as ``service._apply``. Rows go in with
SQLAlchemy Core executemany; per-card versions and evidence entries are not written.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dataasset.catalog.models import AssetCard, CodeSequence
from dataasset.catalog.search import index_text
from dataasset.core.db import SHANGHAI
from dataasset.core.models import Organisation

RARE_TERM = "氢能"  # in about 1 card of 2,000
NO_HIT_TERM = "量子通信"  # never generated
PROBE_NAME = "配网抢修作业过程数据"  # says 维修工单与相关信息, never 维修信息
PROBE_GRADE = "core"  # only the probe cards carry it, so a filter isolates them


def _w(words: str) -> tuple[str, ...]:
    return tuple(words.split("、"))


@dataclass(frozen=True)
class OrgVocab:
    """What one organisation's cards talk about (objects × topics, the systems and scenarios)."""

    industries: tuple[str, ...]
    weight: float
    objects: tuple[str, ...]
    topics: tuple[str, ...]
    systems: tuple[str, ...]
    scenarios: tuple[str, ...]


VOCAB: dict[str, OrgVocab] = {
    "湖南湘能电力集团有限公司": OrgVocab(
        ("D",),
        0.30,
        _w(
            "输变电设备、变电站、输电线路、配电网、主网、居民客户、工商业客户、大用户、光伏电站、"
            "风电场、充电桩、储能电站、电能表、计量装置、营业厅、重点用能单位、抽水蓄能电站"
        ),
        _w(
            "维修信息、维修记录、检修计划、运行监测、负荷曲线、用电量、电费缴纳、故障、巡检记录、"
            "资产台账、能耗、发电量、电能质量、停电事件、缺陷、投资计划"
        ),
        _w(
            "生产管理系统、设备运维平台、营销系统、用电信息采集系统、调度自动化系统、"
            "新能源管理平台、充电运营平台、能耗监测平台、财务管控系统"
        ),
        _w("设备状态检修、故障预测、电力看经济、负荷预测、电力信用贷、碳排放核算、绿电交易、能效诊断"),
    ),
    "湘能供电服务有限公司": OrgVocab(
        ("D",),
        0.15,
        _w("供电所、低压客户、台区、配电变压器、抢修队伍、营销网格、智能电表、分布式电源"),
        _w("报修工单、维修信息、用电量、客户投诉、停电通知、线损、抄表、服务满意度、欠费"),
        _w("供电服务指挥系统、营销系统、巡检APP、用电信息采集系统"),
        _w("服务质量提升、停电分析、客户服务、线损治理、设备维修计划"),
    ),
    "湖南湘运交通投资集团有限公司": OrgVocab(
        ("G",),
        0.25,
        _w(
            "高速公路、收费站、服务区、公交线路、地铁站、客运站、城际班线、物流园区、桥梁、隧道、"
            "营运车辆、ETC 车道、港口码头、冷链仓库、公交站点"
        ),
        _w(
            "通行流量、客流、客流量、路况事件、养护维修记录、车辆轨迹、通行费收入、货运量、"
            "拥堵指数、班次、维修信息、能耗"
        ),
        _w(
            "联网收费系统、路网监测平台、公交智能调度系统、园区管理平台、养护管理系统、"
            "ETC 清分结算系统、车辆监控平台"
        ),
        _w("交通规划、物流指数、出行服务、应急处置、线网优化、商圈分析、供应链金融、安全监管"),
    ),
    "株洲水务投资集团有限公司": OrgVocab(
        ("D", "N"),
        0.15,
        _w("居民、供水管网、水厂、二次供水泵房、污水处理厂、水表、排水管网、取水口、水源地、非居民用户"),
        _w("用水量、水质检测、压力监测、漏损、维修工单、维修信息、水费、运行、巡检"),
        _w("营业收费系统、管网 SCADA 系统、水质在线监测系统、工单系统、泵房智慧运维平台"),
        _w("水资源规划、节水评估、漏损控制、管网维修、水质公示、环境监测、供水安全"),
    ),
    "长沙市不动产登记中心": OrgVocab(
        ("S", "K"),
        0.15,
        _w("不动产、房屋、土地、抵押权、预告登记、商品房、二手房、宗地、林权"),
        _w("登记簿、交易价格、查封登记、抵押登记、权属、档案、办件、证照"),
        _w("不动产登记系统、登记统计平台、档案管理系统、网上办事大厅"),
        _w("政务服务、金融抵押、房地产监测、评估参考、金融风控、信用服务"),
    ),
}

QUALIFIERS = ("", "", "", *_w("全省、长沙市、株洲市、湘潭市、衡阳市、岳阳市、常德市、郴州市"))
SUFFIXES = (
    "",
    "数据",
    "数据",
    *_w("数据、统计、统计数据、月度数据、日报、明细、台账、汇总表、清单、指标、年报"),
)
DIMENSIONS = _w("区县、月份、行业、时段、站点、用户类型、线路、街道、季度、设备类型")
EXTRAS = (
    "",
    "",
    "",
    "数据经脱敏处理后共享。",
    "字段包括编号、名称、时间、地点等。",
    "按日增量更新，保留近五年历史。",
    "含维修工单与相关信息。",
    "已完成数据质量评估。",
    "可通过接口按需调用。",
)
DEPARTMENTS = _w("数字化部、营销服务中心、运营管理部、信息中心、业务发展部、安全监察部、财务部")
PEOPLE = _w("张敏、李强、王芳、刘洋、陈静、杨磊、赵丽、黄勇、周婷、吴斌")
SERVICES = _w("数据接口服务、统计报表、数据集文件、隐私计算沙箱、可视化看板")
STAGES = ("resource", "resource", "asset", "asset", "product")
FREQUENCIES = ("realtime", "daily", "daily", "weekly", "monthly", "quarterly", "yearly", "irregular")


@dataclass(frozen=True)
class OrgRow:
    id: int
    name: str
    region: str


def demo_orgs(engine: Engine) -> list[OrgRow]:
    """The demo organisations that receive benchmark cards (SOEs and the public institution)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Organisation.id, Organisation.name, Organisation.region_code).where(
                Organisation.name.in_(list(VOCAB))
            )
        ).all()
    orgs = [OrgRow(r.id, r.name, r.region_code) for r in rows]
    if len(orgs) != len(VOCAB):
        raise RuntimeError("the demo organisations are missing: run `dataasset demo` first")
    return sorted(orgs, key=lambda o: o.id)


def _description(rng: random.Random, obj: str, topic: str, vocab: OrgVocab) -> str:
    dims = "、".join(rng.sample(DIMENSIONS, 2))
    text_ = (
        f"{obj}{topic}相关数据，按{dims}统计，来源于{rng.choice(vocab.systems)}，"
        f"用于{rng.choice(vocab.scenarios)}。{rng.choice(EXTRAS)}"
    )
    if rng.random() < 0.0005:
        text_ += f"涉及{RARE_TERM}综合利用试点。"
    return text_


def generate(n: int, orgs: Sequence[OrgRow], *, seed: int = 2026) -> list[dict[str, Any]]:
    """``n`` cards (code and search_text filled later); the first three are the 维修信息 probes."""
    rng = random.Random(seed)
    by_name = {o.name: o for o in orgs}
    names = list(VOCAB)
    weights = [VOCAB[k].weight for k in names]
    now = datetime.now(UTC)
    cards: list[dict[str, Any]] = []
    for i in range(n):
        org = by_name[rng.choices(names, weights)[0]]
        vocab = VOCAB[org.name]
        obj, topic = rng.choice(vocab.objects), rng.choice(vocab.topics)
        name = f"{rng.choice(QUALIFIERS)}{obj}{topic}{rng.choice(SUFFIXES)}"
        description = _description(rng, obj, topic, vocab)
        grade = rng.choice(("general", "general", "general", "important", "unrated"))
        if i < 3:  # probes for the anchor's blind spot
            org = by_name["湘能供电服务有限公司"]
            vocab = VOCAB[org.name]
            name, grade = PROBE_NAME, PROBE_GRADE
            description = "记录配网设备抢修过程中的维修工单与相关信息，按台区统计。"
        sharing = rng.choice(("unconditional", "conditional", "conditional", "none", "none"))
        person = rng.choice(PEOPLE)
        rows = rng.randint(1_000, 500_000_000)
        updated = now - timedelta(seconds=rng.randint(0, 730 * 86_400))
        start_year = rng.choice((2015, 2018, 2019, 2020, 2021, 2022))
        cards.append(
            {
                "organisation_id": org.id,
                "version": 1,
                "stage": rng.choice(STAGES),
                "is_public": sharing == "unconditional",
                "name": name[:200],
                "description": description,
                "industry": rng.choice(vocab.industries),
                "source_systems": rng.sample(vocab.systems, rng.randint(1, 2)),
                "data_format": rng.choice(("structured", "structured", "semi_structured", "unstructured")),
                "volume_rows": rows,
                "volume_bytes": rows * rng.randint(120, 900),
                "update_frequency": rng.choice(FREQUENCIES),
                "time_span_start": date(start_year, 1, 1),
                "time_span_end": date(2026, 10, 31),
                "owning_department": rng.choice(DEPARTMENTS),
                "contact_name": person,
                "contact_phone": f"0731-8{rng.randint(1_000_000, 9_999_999)}",
                "holding_right_holder": org.name,
                "use_right_holder": org.name,
                "operation_right_holder": org.name if i % 3 == 0 else "",
                "acquisition_method": "self_collected" if i % 5 else "authorised",
                "legal_basis": "业务经营中依法采集，符合《数据安全法》《个人信息保护法》要求",
                "scenarios": rng.sample(vocab.scenarios, rng.randint(1, 2)),
                "sharing_type": sharing,
                "services_provided": rng.choice(SERVICES),
                "security_grade": grade,
                "security_level": 2 if grade == "general" else None,
                "quality_score": Decimal(rng.randint(6000, 9900)) / 100 if rng.random() < 0.6 else None,
                "value_amount": Decimal(rng.randint(50, 5000)) * 10_000 if rng.random() < 0.3 else None,
                "accounting_status": "not_recognised",
                "registration_status": "registered" if rng.random() < 0.2 else "unregistered",
                "responsible_person": person,
                "disposed_at": None,
                "created_at": updated - timedelta(days=rng.randint(0, 365)),
                "updated_at": updated,
            }
        )
    return cards


def assign_codes(engine: Engine, cards: list[dict[str, Any]], orgs: Sequence[OrgRow]) -> dict[str, int]:
    """``DA-<region>-<year>-<seq>`` continuing after the demo; returns the new sequence ends."""
    region = {o.id: o.region for o in orgs}
    year = datetime.now(UTC).astimezone(SHANGHAI).year
    with engine.connect() as conn:
        last = {r.prefix: r.last for r in conn.execute(select(CodeSequence.prefix, CodeSequence.last))}
    for card in cards:
        code_region = region[card["organisation_id"]]
        prefix = f"{code_region}{year}"
        last[prefix] = last.get(prefix, 0) + 1
        card["code"] = f"DA-{code_region}-{year}-{last[prefix]:06d}"
    return last


def _parts(card: dict[str, Any], org_name: str) -> tuple[str, ...]:
    """The texts ``service._apply`` indexes, in the same order."""
    return (
        card["code"],
        card["name"],
        card["description"],
        " ".join(card["source_systems"] or []),
        " ".join(card["scenarios"] or []),
        card["owning_department"],
        card["services_provided"],
        org_name,
    )


def _index_many(batch: list[tuple[str, ...]]) -> list[str]:
    return [index_text(*parts) for parts in batch]


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SearchTextCache:
    """jieba over 100k cards takes about a minute; both backends get the same cards, so keep it."""

    def __init__(self) -> None:
        self._done: dict[tuple[str, ...], str] = {}

    def fill(self, cards: list[dict[str, Any]], orgs: Sequence[OrgRow], workers: int) -> float:
        names = {o.id: o.name for o in orgs}
        parts = [_parts(c, names[c["organisation_id"]]) for c in cards]
        todo = [p for p in dict.fromkeys(parts) if p not in self._done]
        started = time.perf_counter()
        if todo:
            batches = [list(b) for b in _chunks(todo, 2_000)]
            if workers > 1 and len(todo) > 10_000:
                with ProcessPoolExecutor(workers) as pool:
                    results = list(pool.map(_index_many, batches))
            else:
                results = [_index_many(b) for b in batches]
            for batch, texts in zip(batches, results, strict=True):
                self._done.update(zip(batch, texts, strict=True))
        for card, p in zip(cards, parts, strict=True):
            card["search_text"] = self._done[p]
        return time.perf_counter() - started


def insert(
    engine: Engine, cards: list[dict[str, Any]], sequences: dict[str, int], batch: int = 2_000
) -> float:
    """Bulk insert (executemany in batches) and bring ``catalog_code_sequence`` up to date."""
    started = time.perf_counter()
    with engine.begin() as conn:
        for chunk in _chunks(cards, batch):
            conn.execute(sa_insert(AssetCard), list(chunk))
        ins = (pg_insert if engine.dialect.name == "postgresql" else sqlite_insert)(CodeSequence)
        for prefix, last in sequences.items():
            conn.execute(
                ins.values(prefix=prefix, last=last).on_conflict_do_update(
                    index_elements=[CodeSequence.prefix], set_={"last": last}
                )
            )
    return time.perf_counter() - started


def analyze(engine: Engine) -> float:
    """PostgreSQL: VACUUM ANALYZE (what autovacuum does soon after a bulk load). SQLite: nothing —
    the application never runs ANALYZE, so the planner sees what it sees in production."""
    started = time.perf_counter()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started
