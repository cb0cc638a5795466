"""Enumerations shared across domains, each value with its Chinese and English label."""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A string enum whose members carry zh-CN and en-US labels."""

    label_zh: str
    label_en: str

    def __new__(cls, value: str, label_zh: str = "", label_en: str = "") -> Labelled:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label_zh = label_zh
        obj.label_en = label_en
        return obj

    @classmethod
    def options(cls) -> list[dict[str, str]]:
        return [{"value": m.value, "label_zh": m.label_zh, "label_en": m.label_en} for m in cls]

    @classmethod
    def from_label(cls, text: str) -> Labelled | None:
        text = text.strip()
        for m in cls:
            if text in (m.value, m.label_zh, m.label_en):
                return m
        return None


class OrganisationKind(Labelled):
    SOE = "soe", "国企", "State-owned enterprise"
    PRIVATE = "private", "民企", "Private enterprise"
    PUBLIC_INSTITUTION = "public_institution", "行政事业单位", "Public institution"
    REGULATOR = "regulator", "监管部门", "Regulator"
    APPRAISAL_FIRM = "appraisal_firm", "评估机构", "Appraisal firm"
    EXCHANGE = "exchange", "数据交易所", "Data exchange"
    DATA_MERCHANT = "data_merchant", "数商", "Data merchant"
    OPERATOR = "operator", "运营主体", "Operator"


class Role(Labelled):
    PLATFORM_ADMIN = "platform_admin", "平台管理员", "Platform administrator"
    REGULATOR = "regulator", "监管", "Regulator"
    CHIEF_DATA_OFFICER = "chief_data_officer", "首席数据官", "Chief data officer"
    DATA_ADMIN = "data_admin", "数据管理员", "Data administrator"
    FINANCE = "finance", "财务", "Finance"
    APPRAISER = "appraiser", "评估师", "Appraiser"
    EXCHANGE_REVIEWER = "exchange_reviewer", "交易所审核员", "Exchange reviewer"
    DATA_MERCHANT = "data_merchant", "需求方/数商", "Buyer / data merchant"
    OPERATOR = "operator", "运营主体", "Operator"
