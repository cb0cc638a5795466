"""Enumerations of the asset card, each with Chinese and English labels."""

from __future__ import annotations

from dataasset.core.enums import Labelled


class Industry(Labelled):
    """GB/T 4754-2017 国民经济行业分类, top-level sections (门类)."""

    A = "A", "农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery"
    B = "B", "采矿业", "Mining"
    C = "C", "制造业", "Manufacturing"
    D = "D", "电力、热力、燃气及水生产和供应业", "Electricity, heat, gas and water"
    E = "E", "建筑业", "Construction"
    F = "F", "批发和零售业", "Wholesale and retail"
    G = "G", "交通运输、仓储和邮政业", "Transport, storage and post"
    H = "H", "住宿和餐饮业", "Accommodation and catering"
    I = "I", "信息传输、软件和信息技术服务业", "Information transmission, software and IT services"  # noqa: E741
    J = "J", "金融业", "Finance"
    K = "K", "房地产业", "Real estate"
    L = "L", "租赁和商务服务业", "Leasing and business services"
    M = "M", "科学研究和技术服务业", "Scientific research and technical services"
    N = "N", "水利、环境和公共设施管理业", "Water, environment and public facilities"
    O = "O", "居民服务、修理和其他服务业", "Resident, repair and other services"  # noqa: E741
    P = "P", "教育", "Education"
    Q = "Q", "卫生和社会工作", "Health and social work"
    R = "R", "文化、体育和娱乐业", "Culture, sports and entertainment"
    S = "S", "公共管理、社会保障和社会组织", "Public administration and social organisations"
    T = "T", "国际组织", "International organisations"


class Stage(Labelled):
    """Lifecycle stage: 资源 → 资产 → 产品."""

    RESOURCE = "resource", "数据资源", "Data resource"
    ASSET = "asset", "数据资产", "Data asset"
    PRODUCT = "product", "数据产品", "Data product"


class SecurityGrade(Labelled):
    """GB/T 43697-2024 grade; discovery refines 一般数据 into levels (``security_level``)."""

    UNRATED = "unrated", "未分级", "Not graded"
    GENERAL = "general", "一般数据", "General data"
    IMPORTANT = "important", "重要数据", "Important data"
    CORE = "core", "核心数据", "Core data"


class SharingType(Labelled):
    UNCONDITIONAL = "unconditional", "无条件共享", "Shared without conditions"
    CONDITIONAL = "conditional", "有条件共享", "Shared with conditions"
    NONE = "none", "不予共享", "Not shared"


class AcquisitionMethod(Labelled):
    SELF_COLLECTED = "self_collected", "自行采集", "Collected in-house"
    PURCHASED = "purchased", "外购", "Purchased"
    AUTHORISED = "authorised", "授权", "Authorised"
    OTHER = "other", "其他", "Other"


class UpdateFrequency(Labelled):
    REALTIME = "realtime", "实时", "Real time"
    DAILY = "daily", "每日", "Daily"
    WEEKLY = "weekly", "每周", "Weekly"
    MONTHLY = "monthly", "每月", "Monthly"
    QUARTERLY = "quarterly", "每季度", "Quarterly"
    YEARLY = "yearly", "每年", "Yearly"
    IRREGULAR = "irregular", "不定期", "Irregular"


class DataFormat(Labelled):
    STRUCTURED = "structured", "结构化", "Structured"
    SEMI_STRUCTURED = "semi_structured", "半结构化", "Semi-structured"
    UNSTRUCTURED = "unstructured", "非结构化", "Unstructured"


class RegistrationStatus(Labelled):
    UNREGISTERED = "unregistered", "未登记", "Not registered"
    IN_PROGRESS = "in_progress", "登记中", "Registration in progress"
    REGISTERED = "registered", "已登记", "Registered"
    CANCELLED = "cancelled", "已注销", "Cancelled"


class AccountingStatus(Labelled):
    NOT_RECOGNISED = "not_recognised", "未入表", "Not recognised"
    INTANGIBLE_ASSET = "intangible_asset", "无形资产", "Intangible asset"
    INVENTORIES = "inventories", "存货", "Inventories"
    DEVELOPMENT_EXPENDITURE = "development_expenditure", "开发支出", "Development expenditure"
    DERECOGNISED = "derecognised", "已终止确认", "Derecognised"
