"""A realistic demo: Hunan regulators, three SOEs (one with a subsidiary), a public institution,
an appraisal firm, an exchange, a data merchant and an operator, users for every role, and a few
dozen asset cards in Chinese. Loaded through the services, so every record has its evidence."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dataasset.catalog import service as catalog
from dataasset.catalog import sharing as catalog_sharing
from dataasset.catalog.enums import AccountingStatus, RegistrationStatus, SharingType, Stage, UpdateFrequency
from dataasset.catalog.models import AssetCard
from dataasset.catalog.schemas import (
    AssetCardCreate,
    AssetCardUpdate,
    BasicInfo,
    ManagementIn,
    RightsInfo,
    SharingRequestCreate,
    UsageInfo,
)
from dataasset.core import identity
from dataasset.core.codes import uscc_check_char
from dataasset.core.db import transaction
from dataasset.core.enums import OrganisationKind, Role
from dataasset.core.identity import load_actor
from dataasset.core.models import Organisation, User
from dataasset.core.permissions import Actor
from dataasset.core.schemas import OrganisationCreate, UserCreate
from dataasset.core.workflow import engine as workflow
from dataasset.core.workflow.models import ActionKind
from dataasset.core.workflow.schemas import WorkflowActionCreate
from dataasset.settings import Settings

DEMO_PASSWORD = "Demo@2026"


def _uscc(prefix2: str, region: str, body: str) -> str:
    first17 = f"{prefix2}{region}{body}"
    return first17 + uscc_check_char(first17)


@dataclass(frozen=True)
class DemoOrg:
    key: str
    name: str
    kind: OrganisationKind
    region: str
    body: str
    parent: str | None = None
    share: bool = False
    regulator_type: str | None = None
    prefix2: str = "91"


ORGS = [
    DemoOrg(
        "sjj",
        "湖南省数据局",
        OrganisationKind.REGULATOR,
        "430000",
        "MB1A00010",
        regulator_type="数据局",
        prefix2="11",
    ),
    DemoOrg(
        "czt",
        "湖南省财政厅",
        OrganisationKind.REGULATOR,
        "430000",
        "006138870",
        regulator_type="财政",
        prefix2="11",
    ),
    DemoOrg(
        "gzw",
        "湖南省人民政府国有资产监督管理委员会",
        OrganisationKind.REGULATOR,
        "430000",
        "MB1B00020",
        regulator_type="国资委",
        prefix2="11",
    ),
    DemoOrg(
        "cssjj",
        "长沙市数据资源管理局",
        OrganisationKind.REGULATOR,
        "430100",
        "MB1C00031",
        regulator_type="数据局",
        prefix2="11",
    ),
    DemoOrg("xn", "湖南湘能电力集团有限公司", OrganisationKind.SOE, "430100", "MA4L0D1E2"),
    DemoOrg(
        "xnps", "湘能供电服务有限公司", OrganisationKind.SOE, "430100", "MA4L0F3G4", parent="xn", share=True
    ),
    DemoOrg("xy", "湖南湘运交通投资集团有限公司", OrganisationKind.SOE, "430100", "MA4P2H5J6"),
    DemoOrg("zzsw", "株洲水务投资集团有限公司", OrganisationKind.SOE, "430200", "MA4Q3K7L8"),
    DemoOrg(
        "bdc",
        "长沙市不动产登记中心",
        OrganisationKind.PUBLIC_INSTITUTION,
        "430100",
        "MB1D00042",
        prefix2="12",
    ),
    DemoOrg("pg", "湖南中衡资产评估有限公司", OrganisationKind.APPRAISAL_FIRM, "430100", "MA4R4M9N0"),
    DemoOrg("jys", "湖南大数据交易所有限公司", OrganisationKind.EXCHANGE, "430100", "MA4T5P1Q2"),
    DemoOrg("ss", "衢州数智科技有限公司", OrganisationKind.DATA_MERCHANT, "330800", "MA2U6R3T4"),
    DemoOrg("yy", "长沙数据运营有限公司", OrganisationKind.OPERATOR, "430100", "MA4W7U5W6"),
]

USERS: list[tuple[str, str, str, list[Role]]] = [
    ("admin", "平台管理员", "yy", [Role.PLATFORM_ADMIN]),
    ("sjj", "省数据局 王处长", "sjj", [Role.REGULATOR]),
    ("czt", "省财政厅 刘科长", "czt", [Role.REGULATOR]),
    ("gzw", "省国资委 陈处长", "gzw", [Role.REGULATOR]),
    ("cssjj", "长沙市数据局 赵科长", "cssjj", [Role.REGULATOR]),
    ("xn_cdo", "湘能 周首席数据官", "xn", [Role.CHIEF_DATA_OFFICER]),
    ("xn_admin", "湘能 吴数据管理员", "xn", [Role.DATA_ADMIN]),
    ("xn_finance", "湘能 郑会计", "xn", [Role.FINANCE]),
    ("xnps_admin", "湘能供电 孙数据管理员", "xnps", [Role.DATA_ADMIN]),
    ("xy_admin", "湘运 钱数据管理员", "xy", [Role.DATA_ADMIN, Role.CHIEF_DATA_OFFICER]),
    ("zzsw_admin", "株洲水务 冯数据管理员", "zzsw", [Role.DATA_ADMIN]),
    ("bdc_admin", "不动产登记中心 褚管理员", "bdc", [Role.DATA_ADMIN]),
    ("pg_appraiser", "中衡评估 卫评估师", "pg", [Role.APPRAISER]),
    ("jys_reviewer", "交易所 蒋审核员", "jys", [Role.EXCHANGE_REVIEWER]),
    ("ss_merchant", "数智科技 沈经理", "ss", [Role.DATA_MERCHANT]),
    ("yy_operator", "数据运营 韩经理", "yy", [Role.OPERATOR]),
]

# (org, name, industry, description, systems, scenarios, rows, frequency, grade, sharing)
CARDS: list[tuple[str, str, str, str, str, str, int, UpdateFrequency, str, SharingType]] = [
    (
        "xn",
        "客户用电量月度统计数据",
        "D",
        "全省居民及工商业客户按月汇总的用电量，含行业、区县维度",
        "营销系统；用电信息采集系统",
        "电力看经济；负荷预测",
        38_000_000,
        UpdateFrequency.MONTHLY,
        "general",
        SharingType.CONDITIONAL,
    ),
    (
        "xn",
        "输变电设备维修信息",
        "D",
        "变电站及输电线路设备的维修工单、故障类型、处理时长",
        "生产管理系统；设备运维平台",
        "设备状态检修；故障预测",
        2_400_000,
        UpdateFrequency.DAILY,
        "important",
        SharingType.NONE,
    ),
    (
        "xn",
        "电网负荷实时监测数据",
        "D",
        "主网及配网关键节点 15 分钟负荷曲线",
        "调度自动化系统",
        "电网调度；新能源消纳",
        520_000_000,
        UpdateFrequency.REALTIME,
        "important",
        SharingType.NONE,
    ),
    (
        "xn",
        "企业电力信用评价数据",
        "D",
        "基于缴费行为形成的企业用电信用评价",
        "营销系统",
        "电力信用贷；供应链金融",
        1_200_000,
        UpdateFrequency.MONTHLY,
        "general",
        SharingType.CONDITIONAL,
    ),
    (
        "xn",
        "光伏发电站运行数据",
        "D",
        "分布式光伏电站的发电量、并网状态",
        "新能源管理平台",
        "碳排放核算；绿电交易",
        15_000_000,
        UpdateFrequency.DAILY,
        "general",
        SharingType.UNCONDITIONAL,
    ),
    (
        "xn",
        "充电桩运营数据",
        "D",
        "公共充电桩的充电次数、电量和时段分布",
        "充电运营平台",
        "新能源汽车出行分析",
        8_600_000,
        UpdateFrequency.DAILY,
        "general",
        SharingType.CONDITIONAL,
    ),
    (
        "xnps",
        "供电服务工单数据",
        "D",
        "95598 供电服务的报修、咨询、投诉工单",
        "供电服务指挥系统",
        "服务质量提升；停电分析",
        4_100_000,
        UpdateFrequency.DAILY,
        "general",
        SharingType.CONDITIONAL,
    ),
    (
        "xnps",
        "低压客户档案数据",
        "D",
        "低压用电客户的户号、地址、联系电话等档案",
        "营销系统",
        "客户服务",
        9_800_000,
        UpdateFrequency.DAILY,
        "important",
        SharingType.NONE,
    ),
    (
        "xnps",
        "配电线路巡检记录",
        "D",
        "配电线路无人机及人工巡检记录与缺陷照片索引",
        "巡检APP",
        "设备维修计划",
        650_000,
        UpdateFrequency.WEEKLY,
        "general",
        SharingType.NONE,
    ),
    (
        "xy",
        "高速公路通行流量数据",
        "G",
        "全省高速收费站的出入口车流量，按车型、时段统计",
        "联网收费系统",
        "交通规划；物流指数",
        880_000_000,
        UpdateFrequency.DAILY,
        "important",
        SharingType.CONDITIONAL,
    ),
    (
        "xy",
        "高速公路路况事件数据",
        "G",
        "交通事故、施工、拥堵等路况事件及处置记录",
        "路网监测平台",
        "出行服务；应急处置",
        1_300_000,
        UpdateFrequency.REALTIME,
        "general",
        SharingType.UNCONDITIONAL,
    ),
    (
        "xy",
        "公交客流量统计数据",
        "G",
        "城市公交线路刷卡客流量与站点 OD 统计",
        "公交智能调度系统",
        "线网优化；商圈分析",
        260_000_000,
        UpdateFrequency.DAILY,
        "general",
        SharingType.CONDITIONAL,
    ),
    (
        "xy",
        "物流园区货运数据",
        "G",
        "物流园区车辆进出、货物吞吐与仓储周转",
        "园区管理平台",
        "供应链金融；物流指数",
        7_200_000,
        UpdateFrequency.DAILY,
        "general",
        SharingType.CONDITIONAL,
    ),
    (
        "xy",
        "桥梁隧道养护维修记录",
        "G",
        "桥隧结构检测、养护维修工单与费用",
        "养护管理系统",
        "养护决策；资产管理",
        420_000,
        UpdateFrequency.MONTHLY,
        "general",
        SharingType.NONE,
    ),
    (
        "xy",
        "ETC 通行交易数据",
        "G",
        "ETC 车辆通行扣费交易流水",
        "ETC 清分结算系统",
        "通行费结算；信用服务",
        1_900_000_000,
        UpdateFrequency.REALTIME,
        "important",
        SharingType.NONE,
    ),
    (
        "zzsw",
        "供水管网压力监测数据",
        "D",
        "供水管网关键节点压力与流量",
        "管网 SCADA 系统",
        "漏损控制；管网维修",
        95_000_000,
        UpdateFrequency.REALTIME,
        "important",
        SharingType.NONE,
    ),
    (
        "zzsw",
        "居民用水量统计数据",
        "D",
        "居民及非居民用户月度用水量",
        "营业收费系统",
        "水资源规划；节水评估",
        6_300_000,
        UpdateFrequency.MONTHLY,
        "general",
        SharingType.CONDITIONAL,
    ),
    (
        "zzsw",
        "水质检测数据",
        "N",
        "出厂水、管网水常规及非常规指标检测结果",
        "水质在线监测系统",
        "水质公示；环境监测",
        3_400_000,
        UpdateFrequency.DAILY,
        "general",
        SharingType.UNCONDITIONAL,
    ),
    (
        "zzsw",
        "管网维修工单数据",
        "D",
        "爆管、漏水等管网维修工单与处理结果",
        "工单系统",
        "维修调度；漏损分析",
        380_000,
        UpdateFrequency.DAILY,
        "general",
        SharingType.NONE,
    ),
    (
        "bdc",
        "不动产登记簿数据",
        "S",
        "不动产权利人、坐落、面积、权利类型等登记簿信息",
        "不动产登记系统",
        "政务服务；金融抵押",
        21_000_000,
        UpdateFrequency.DAILY,
        "important",
        SharingType.CONDITIONAL,
    ),
    (
        "bdc",
        "不动产抵押登记数据",
        "S",
        "抵押权设立、变更、注销登记信息",
        "不动产登记系统",
        "金融风控；信用服务",
        5_600_000,
        UpdateFrequency.DAILY,
        "important",
        SharingType.CONDITIONAL,
    ),
    (
        "bdc",
        "不动产交易价格统计",
        "K",
        "按区县、月份汇总的二手房及新房交易价格",
        "登记统计平台",
        "房地产监测；评估参考",
        120_000,
        UpdateFrequency.MONTHLY,
        "general",
        SharingType.UNCONDITIONAL,
    ),
    (
        "jys",
        "数据交易挂牌产品目录",
        "L",
        "交易所挂牌数据产品的名称、类型、价格与供方",
        "交易系统",
        "交易撮合",
        18_000,
        UpdateFrequency.DAILY,
        "general",
        SharingType.UNCONDITIONAL,
    ),
    (
        "jys",
        "数据交易合同与结算数据",
        "L",
        "场内交易合同、交付与结算记录",
        "交易系统；结算系统",
        "交易监管；统计分析",
        96_000,
        UpdateFrequency.DAILY,
        "important",
        SharingType.NONE,
    ),
    (
        "yy",
        "公共数据授权运营产品清单",
        "I",
        "授权运营形成的数据产品与服务清单",
        "授权运营平台",
        "公共数据开发利用",
        2_300,
        UpdateFrequency.WEEKLY,
        "general",
        SharingType.UNCONDITIONAL,
    ),
    (
        "yy",
        "城市气象服务数据",
        "M",
        "城市网格化气象观测与短临预报",
        "气象数据服务平台",
        "出行服务；农业保险",
        48_000_000,
        UpdateFrequency.REALTIME,
        "general",
        SharingType.CONDITIONAL,
    ),
    (
        "ss",
        "企业经营画像数据",
        "L",
        "基于公开信息汇总的企业经营画像标签",
        "数据加工平台",
        "供应链金融；招商引资",
        3_100_000,
        UpdateFrequency.MONTHLY,
        "general",
        SharingType.CONDITIONAL,
    ),
    (
        "ss",
        "景区客流热力数据",
        "R",
        "重点景区手机信令聚合客流热力",
        "文旅大数据平台",
        "文旅监测；安全预警",
        12_000_000,
        UpdateFrequency.DAILY,
        "general",
        SharingType.CONDITIONAL,
    ),
    (
        "pg",
        "数据资产评估案例库",
        "M",
        "已完成数据资产评估项目的方法、参数与结论（脱敏）",
        "评估作业系统",
        "市场法可比案例",
        860,
        UpdateFrequency.IRREGULAR,
        "general",
        SharingType.CONDITIONAL,
    ),
    (
        "xn",
        "用户侧能耗监测数据",
        "D",
        "重点用能单位分项能耗在线监测",
        "能耗监测平台",
        "能效诊断；双碳管理",
        72_000_000,
        UpdateFrequency.REALTIME,
        "general",
        SharingType.CONDITIONAL,
    ),
    (
        "xy",
        "营运车辆 GPS 轨迹数据",
        "G",
        "两客一危营运车辆定位轨迹",
        "车辆监控平台",
        "安全监管；路径优化",
        3_600_000_000,
        UpdateFrequency.REALTIME,
        "important",
        SharingType.NONE,
    ),
    (
        "zzsw",
        "二次供水泵房运维数据",
        "D",
        "二次供水泵房设备运行与维修保养记录",
        "泵房智慧运维平台",
        "设备维修；供水安全",
        2_100_000,
        UpdateFrequency.DAILY,
        "general",
        SharingType.NONE,
    ),
]

_DEPARTMENTS = ["数字化部", "营销服务中心", "运营管理部", "信息中心", "业务发展部"]
_PEOPLE = ["张敏", "李强", "王芳", "刘洋", "陈静", "杨磊", "赵丽", "黄勇"]


def is_loaded(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(Organisation)) or 0) > 0


def load(session: Session, *, seed: int = 2026) -> dict[str, int]:
    """Create the demo organisations, users and asset cards; return counts."""
    rng = random.Random(seed)
    system = Actor.system("demo")
    orgs: dict[str, Organisation] = {}
    for d in ORGS:
        orgs[d.key] = identity.create_organisation(
            session,
            system,
            OrganisationCreate(
                name=d.name,
                uscc=_uscc(d.prefix2, d.region, d.body),
                kind=d.kind,
                region_code=d.region,
                parent_id=orgs[d.parent].id if d.parent else None,
                share_with_parent=d.share,
                regulator_type=d.regulator_type,
            ),
        )
    for username, display, org_key, roles in USERS:
        identity.create_user(
            session,
            system,
            UserCreate(
                username=username,
                display_name=display,
                password=DEMO_PASSWORD,
                organisation_id=orgs[org_key].id,
                roles=roles,
            ),
        )
    for i, (org_key, name, industry, desc, systems, scenarios, rows, freq, grade, sharing) in enumerate(
        CARDS
    ):
        org = orgs[org_key]
        start_year = rng.choice([2015, 2018, 2019, 2020, 2021])
        person = rng.choice(_PEOPLE)
        card = catalog.create_card(
            session,
            system,
            AssetCardCreate.model_validate(
                {
                    "organisation_id": org.id,
                    "stage": rng.choice(
                        [Stage.RESOURCE, Stage.RESOURCE, Stage.ASSET, Stage.ASSET, Stage.PRODUCT]
                    ),
                    "is_public": sharing == SharingType.UNCONDITIONAL,
                    "basic": BasicInfo.model_validate(
                        {
                            "name": name,
                            "description": desc,
                            "industry": industry,
                            "source_systems": systems.split("；"),
                            "volume_rows": rows,
                            "volume_bytes": rows * rng.randint(120, 900),
                            "update_frequency": freq,
                            "time_span_start": date(start_year, 1, 1),
                            "time_span_end": date(2026, 10, 31),
                            "owning_department": rng.choice(_DEPARTMENTS),
                            "contact_name": person,
                            "contact_phone": f"0731-8{rng.randint(1000000, 9999999)}",
                        }
                    ),
                    "rights": RightsInfo.model_validate(
                        {
                            "holding_right_holder": org.name,
                            "use_right_holder": org.name,
                            "operation_right_holder": org.name if i % 3 == 0 else "",
                            "acquisition_method": "self_collected" if i % 5 else "authorised",
                            "legal_basis": "业务经营中依法采集，符合《数据安全法》《个人信息保护法》要求",
                        }
                    ),
                    "usage": UsageInfo.model_validate(
                        {
                            "scenarios": scenarios.split("；"),
                            "sharing_type": sharing,
                            "services_provided": rng.choice(
                                ["数据接口服务", "统计报表", "数据集文件", "隐私计算沙箱"]
                            ),
                        }
                    ),
                    "management": ManagementIn.model_validate(
                        {
                            "security_grade": grade,
                            "security_level": 2 if grade == "general" else None,
                            "responsible_person": person,
                        }
                    ),
                }
            ),
        )
        if i % 3 != 2:
            registered = i % 4 == 0
            catalog.record_figures(
                session,
                system,
                card.id,
                quality_score=Decimal(rng.randint(7200, 9800)) / 100,
                value_amount=(Decimal(rng.randint(50, 5000)) * 10000) if i % 2 == 0 else None,
                registration_status=RegistrationStatus.REGISTERED
                if registered
                else RegistrationStatus.UNREGISTERED,
                accounting_status=AccountingStatus.INTANGIBLE_ASSET if i % 6 == 0 else None,
            )
    _sharing_requests(session)
    return {
        "organisations": len(orgs),
        "users": session.scalar(select(func.count()).select_from(User)) or 0,
        "asset_cards": len(CARDS),
    }


# (applicant, card name, purpose, fields, approvers in order): sharing requests (湖南方案第3条), two
# waiting in the holders' inboxes and one approved, so the inbox and a card's grants are not empty.
SHARING_REQUESTS: list[tuple[str, str, str, list[str], list[str]]] = [
    (
        "yy_operator",
        "光伏发电站运行数据",
        "公共数据授权运营：分布式光伏发电量分析产品",
        ["电站编号", "发电量", "并网状态"],
        [],
    ),
    ("xn_admin", "水质检测数据", "供电设施周边水环境风险评估", ["检测点", "检测指标", "检测结果"], []),
    (
        "ss_merchant",
        "高速公路路况事件数据",
        "物流路径优化与到达时间预测",
        ["事件类型", "路段", "发生时间", "处置时长"],
        ["xy_admin", "xy_admin"],
    ),
]


def _sharing_requests(session: Session) -> None:
    def who(username: str) -> Actor:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None, username
        return identity.load_actor(session, user.id)

    for username, card_name, purpose, fields, approvers in SHARING_REQUESTS:
        card = session.scalar(select(AssetCard).where(AssetCard.name == card_name))
        assert card is not None, card_name
        request = SharingRequestCreate(
            purpose=purpose,
            fields=fields,
            scope="仅用于所述用途，不向第三方提供",
            term_start=date(2026, 12, 1),
            term_end=date(2027, 11, 30),
            comment="请予审批。",
        )
        instance = catalog_sharing.request_sharing(session, who(username), card.id, request)
        for approver in approvers:
            workflow.act(
                session,
                who(approver),
                instance.id,
                WorkflowActionCreate(action=ActionKind.APPROVE, comment="同意。"),
            )


def load_discovery(factory: sessionmaker[Session], settings: Settings) -> int:
    """The demo's discovery (盘点): 湘能's data administrator uploads a GBK-encoded customer file
    (invented people with valid ID check digits, look-alike order numbers) and an equipment
    workbook, and both are scanned, so the console opens on real scan results. Returns the scans."""
    from dataasset.discovery import samples
    from dataasset.discovery import service as discovery

    work = settings.var_dir / "demo"
    work.mkdir(parents=True, exist_ok=True)
    customers = samples.write_csv(
        work / "湘能供电客户档案.csv", samples.customer_rows(2000, seed=2026), "gbk"
    )
    rng = random.Random(2026)
    equipment = samples.write_xlsx(
        work / "输变电设备台账.xlsx",
        {
            "变压器": [
                {
                    "设备编号": f"BYQ-{i:05d}",
                    "型号": rng.choice(["SZ11-50000/110", "SFZ10-31500/110", "S13-M-400/10"]),
                    "所属变电站": rng.choice(["岳麓变", "星沙变", "雨花变", "天元变"]),
                    "投运日期": str(date(rng.randint(2005, 2024), rng.randint(1, 12), rng.randint(1, 28))),
                    "额定容量kVA": str(rng.choice([400, 31500, 50000])),
                    "经度": f"{112.9 + rng.random() * 0.3:.6f}",
                    "纬度": f"{28.1 + rng.random() * 0.2:.6f}",
                }
                for i in range(300)
            ],
            "巡检记录": [
                {
                    "工单号": f"XJ{2026_000000 + i}",
                    "设备编号": f"BYQ-{rng.randrange(300):05d}",
                    "巡检人": samples.name(rng),
                    "联系电话": samples.mobile(rng),
                    "结论": rng.choice(["正常", "正常", "油位偏低", "需复检"]),
                }
                for i in range(500)
            ],
        },
    )
    with transaction(factory) as session:
        user = session.scalar(select(User).where(User.username == "xn_admin"))
        assert user is not None
        actor = load_actor(session, user.id)
    scans = 0
    for name, path, template in (
        ("营销系统客户档案（导出）", customers, "general"),
        ("输变电设备台账", equipment, "industry"),
    ):
        with transaction(factory) as session, path.open("rb") as handle:
            source = discovery.upload_source(
                session,
                actor,
                settings,
                name=name,
                filename=path.name,
                content=handle,
                industry="D",
                template=template,
                schedule="monthly",
            )
            scan_id = discovery.request_scan(session, actor, source.id).id
        discovery.run_scan(factory, settings, scan_id)
        scans += 1
    return scans


def load_quality(factory: sessionmaker[Session], settings: Settings) -> int:
    """The demo's quality evaluation (质量评价), on the tables the discovery demo scanned: 湘能's
    data administrator saves the suggested rules of the customer file plus two business rules, runs
    them (the failing checks open issues for 客户服务部), rectifies one and asks for a re-check,
    which still fails (the file was not corrected) and reopens it; the equipment workbook's
    inspection sheet is checked against its transformer sheet and passes. Returns the runs."""
    from dataasset.discovery.models import DataSource, ScanTable
    from dataasset.quality import service as quality
    from dataasset.quality.models import QualityIssue, QualityRun
    from dataasset.quality.schemas import RuleSetCreate

    with transaction(factory) as session:
        user = session.scalar(select(User).where(User.username == "xn_admin"))
        assert user is not None
        actor = load_actor(session, user.id)
        tables = {
            t.name: (t.id, t.source_id, t.card_id)
            for t in session.scalars(
                select(ScanTable)
                .join(DataSource, DataSource.id == ScanTable.source_id)
                .order_by(ScanTable.id)
            )
        }
        for card_id in sorted({c for _, _, c in tables.values() if c is not None}):
            card = session.get(AssetCard, card_id)
            if card is not None and not card.owning_department:  # who produces it, fixes it
                department = "客户服务部" if "客户" in card.name else "运维检修部"
                patch = AssetCardUpdate.model_validate(
                    {"version": card.version, "basic": {"owning_department": department}}
                )
                catalog.update_card(session, actor, card.id, patch)
    customers = next((k for k in tables if "客户" in k), None)
    rule_sets: list[int] = []
    with transaction(factory) as session:
        if customers is not None:
            table_id, source_id, _card = tables[customers]
            _t, suggested, _checks = quality.suggest_rules(session, actor, table_id)
            extra = (
                "  - {check: between, column: 用电量, min: 0, max: 800, name: 月用电量不超过 800 千瓦时}\n"
                "  - {check: not_blank, column: 备注, dimension: completeness}\n"
                "  - {check: pattern, column: 客户编号, regex: 'C[0-9]{6}', standard: 客户编号编码规则}\n"
            )
            rule_sets.append(
                quality.create_rule_set(
                    session,
                    actor,
                    RuleSetCreate(
                        source_id=source_id,
                        table=customers,
                        name="客户档案质量规则",
                        rules=suggested + extra,
                        schedule="weekly",
                    ),
                ).id
            )
        if "巡检记录" in tables and "变压器" in tables:
            _tid, source_id, _card = tables["巡检记录"]
            rules = (
                "table: 巡检记录\nchecks:\n"
                "  - {check: not_null, column: 工单号}\n"
                "  - {check: unique, columns: [工单号]}\n"
                "  - {check: foreign_key, column: 设备编号, table: 变压器, ref_column: 设备编号}\n"
                "  - {check: allowed_values, column: 结论, values: [正常, 油位偏低, 需复检]}\n"
                "  - {check: valid_type, column: 联系电话, type: cn_mobile}\n"
                "  - {check: reachable, seconds: 10}\n"
            )
            rule_sets.append(
                quality.create_rule_set(
                    session,
                    actor,
                    RuleSetCreate(
                        source_id=source_id, table="巡检记录", name="巡检记录质量规则", rules=rules
                    ),
                ).id
            )
    for rule_set_id in rule_sets:
        with transaction(factory) as session:
            run_id = quality.request_run(session, actor, rule_set_id).id
        quality.execute_run(factory, settings, run_id)
    if rule_sets:
        with transaction(factory) as session:
            issue = session.scalars(
                select(QualityIssue)
                .where(QualityIssue.rule_set_id == rule_sets[0], QualityIssue.check_type == "between")
                .limit(1)
            ).first()
            issue_id = issue.id if issue is not None else None
            if issue_id is not None:
                quality.assign(session, actor, issue_id, "客户服务部", None, "请核对抄表数据")
                quality.rectify(session, actor, issue_id, "已通知营业厅复核异常抄表记录", recheck=True)
        with transaction(factory) as session:
            queued = session.scalars(select(QualityRun.id).where(QualityRun.status == "queued")).all()
        for run_id in queued:
            quality.execute_run(factory, settings, run_id)
    with transaction(factory) as session:
        return int(session.scalar(select(func.count()).select_from(QualityRun)) or 0)
