"""Pydantic shapes of the asset card: its four sections in, out, and in pages."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from dataasset.catalog.enums import (
    AccountingStatus,
    AcquisitionMethod,
    DataFormat,
    Industry,
    RegistrationStatus,
    SecurityGrade,
    SharingType,
    Stage,
    UpdateFrequency,
)
from dataasset.core.schemas import Input, OrganisationRef, Page, RecordId

_PHONE = re.compile(r"^(\+?86[- ]?)?(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


def _clean_list(values: list[str]) -> list[str]:
    return [v.strip() for v in values if v and v.strip()]


class BasicInfo(Input):
    """基本信息."""

    name: str = Field(min_length=2, max_length=200, description="数据资产名称")
    description: str = Field("", max_length=4000, description="描述")
    industry: Industry = Field(description="行业分类（GB/T 4754 门类）")
    source_systems: list[str] = Field(default_factory=list, max_length=50, description="来源系统")
    data_format: DataFormat = Field(DataFormat.STRUCTURED, description="数据形态")
    volume_rows: int | None = Field(None, ge=0, le=10**15, description="数据量（条）")
    volume_bytes: int | None = Field(None, ge=0, le=10**18, description="数据量（字节）")
    update_frequency: UpdateFrequency = Field(UpdateFrequency.IRREGULAR, description="更新频率")
    time_span_start: date | None = Field(None, description="时间范围起")
    time_span_end: date | None = Field(None, description="时间范围止")
    owning_department: str = Field("", max_length=100, description="归口部门")
    contact_name: str = Field("", max_length=50, description="联系人")
    contact_phone: str = Field("", max_length=32, description="联系电话")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if len(value) < 2:
            raise ValueError("名称至少2个字")
        return value

    @field_validator("source_systems")
    @classmethod
    def _systems(cls, value: list[str]) -> list[str]:
        return _clean_list(value)

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        value = value.strip()
        if value and not _PHONE.match(value):
            raise ValueError("联系电话格式不正确（手机号或带区号的固定电话）")
        return value

    @field_validator("time_span_end")
    @classmethod
    def _span(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("time_span_start")
        if value is not None and start is not None and value < start:
            raise ValueError("时间范围止不能早于时间范围起")
        return value


class RightsInfo(Input):
    """权利信息: holders of the three rights and how the data was obtained."""

    holding_right_holder: str = Field("", max_length=200, description="数据资源持有权人")
    use_right_holder: str = Field("", max_length=200, description="数据加工使用权人")
    operation_right_holder: str = Field("", max_length=200, description="数据产品经营权人")
    acquisition_method: AcquisitionMethod = Field(AcquisitionMethod.SELF_COLLECTED, description="取得方式")
    legal_basis: str = Field("", max_length=2000, description="权利来源及法律依据")


class UsageInfo(Input):
    """使用信息."""

    scenarios: list[str] = Field(default_factory=list, max_length=50, description="应用场景")
    sharing_type: SharingType = Field(SharingType.CONDITIONAL, description="共享类型")
    services_provided: str = Field("", max_length=2000, description="提供的服务")

    @field_validator("scenarios")
    @classmethod
    def _scenarios(cls, value: list[str]) -> list[str]:
        return _clean_list(value)


class ManagementIn(Input):
    """管理信息 that the holder maintains; figures come from the later domains."""

    security_grade: SecurityGrade = Field(SecurityGrade.UNRATED, description="安全分级")
    security_level: int | None = Field(None, ge=1, le=5, description="一般数据的细分级别（1–5）")
    responsible_person: str = Field("", max_length=50, description="责任人")


class CardAlert(BaseModel):
    """Something on the card that needs a look (清查 drift: schema change, new sensitive columns...)."""

    code: str = Field(description="机器代码，如 schema_drift、new_sensitive")
    message: str = Field(description="说明")
    since: str = Field(description="发现时间（ISO 8601）")
    source: str = Field("", description="由谁发现，如 discovery.scan:12")


class ManagementRead(ManagementIn):
    alerts: list[CardAlert] = Field(default_factory=list, description="待关注事项（如清查发现的变化）")
    quality_score: Decimal | None = Field(None, description="质量评分（0–100）")
    value_amount: Decimal | None = Field(None, description="评估价值（元）")
    accounting_status: AccountingStatus
    registration_status: RegistrationStatus


class Flags(BaseModel):
    registered: bool
    valued: bool
    recognised: bool
    disposed: bool


class AssetCardCreate(Input):
    """A new asset card. ``organisation_id`` is only for platform administrators."""

    organisation_id: RecordId | None = None
    stage: Stage = Stage.RESOURCE
    is_public: bool = Field(False, description="是否在公开目录中展示")
    basic: BasicInfo
    rights: RightsInfo = Field(default_factory=RightsInfo)
    usage: UsageInfo = Field(default_factory=UsageInfo)
    management: ManagementIn = Field(default_factory=ManagementIn)


class BasicPatch(Input):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    description: str | None = None
    industry: Industry | None = None
    source_systems: list[str] | None = None
    data_format: DataFormat | None = None
    volume_rows: int | None = None
    volume_bytes: int | None = None
    update_frequency: UpdateFrequency | None = None
    time_span_start: date | None = None
    time_span_end: date | None = None
    owning_department: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None


class RightsPatch(Input):
    model_config = ConfigDict(extra="forbid")
    holding_right_holder: str | None = None
    use_right_holder: str | None = None
    operation_right_holder: str | None = None
    acquisition_method: AcquisitionMethod | None = None
    legal_basis: str | None = None


class UsagePatch(Input):
    model_config = ConfigDict(extra="forbid")
    scenarios: list[str] | None = None
    sharing_type: SharingType | None = None
    services_provided: str | None = None


class ManagementPatch(Input):
    model_config = ConfigDict(extra="forbid")
    security_grade: SecurityGrade | None = None
    security_level: int | None = None
    responsible_person: str | None = None


class AssetCardUpdate(Input):
    """A partial change; ``version`` must be the version the editor saw (else 409).
    The merged card is validated again as a whole."""

    version: int = Field(ge=1)
    stage: Stage | None = None
    is_public: bool | None = None
    basic: BasicPatch | None = None
    rights: RightsPatch | None = None
    usage: UsagePatch | None = None
    management: ManagementPatch | None = None


class AssetCardRead(BaseModel):
    id: int
    code: str
    version: int
    stage: Stage
    is_public: bool
    organisation: OrganisationRef
    basic: BasicInfo
    rights: RightsInfo
    usage: UsageInfo
    management: ManagementRead
    flags: Flags
    created_at: datetime
    updated_at: datetime


class AssetCardSummary(BaseModel):
    id: int
    code: str
    name: str
    organisation_id: int
    organisation_name: str
    industry: Industry
    stage: Stage
    security_grade: SecurityGrade
    sharing_type: SharingType
    registration_status: RegistrationStatus
    is_public: bool
    updated_at: datetime


class AssetCardPage(Page[AssetCardSummary]):
    """A page of the catalog; when more than 1,000 cards match, ``total`` is 1,000 and
    ``total_capped`` is true (the console shows "1000+")."""

    total_capped: bool = Field(False, description="匹配超过上限时 total 为下限")


class FieldChange(BaseModel):
    field: str
    old: Any = None
    new: Any = None


class ActorRef(BaseModel):
    user_id: int | None
    username: str | None = None
    display_name: str


class AssetCardHistoryEntry(BaseModel):
    version: int
    action: str
    changed_at: datetime
    actor: ActorRef
    changes: list[FieldChange]


class CountItem(BaseModel):
    value: str
    count: int


class CatalogStats(BaseModel):
    total: int
    by_stage: list[CountItem]
    by_industry: list[CountItem]
    by_security_grade: list[CountItem]


class ImportResult(BaseModel):
    created: int
    codes: list[str]


# --- sharing (对外提供数据服务) -----------------------------------------------------------------

MAX_TERM_DAYS = 5 * 366


class SharingTerms(Input):
    """What another organisation asks for: purpose, the data items and scope, and the term."""

    purpose: str = Field(min_length=2, max_length=1000, description="使用目的")
    fields: list[str] = Field(default_factory=list, max_length=200, description="申请的字段或数据项")
    scope: str = Field("", max_length=2000, description="使用范围（场景、频次、方式等）")
    term_start: date = Field(description="使用期限起")
    term_end: date = Field(description="使用期限止")

    @field_validator("purpose")
    @classmethod
    def _purpose(cls, value: str) -> str:
        value = value.strip()
        if len(value) < 2:
            raise ValueError("使用目的至少2个字")
        return value

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: list[str]) -> list[str]:
        cleaned = list(dict.fromkeys(_clean_list(value)))
        if any(len(v) > 100 for v in cleaned):
            raise ValueError("字段名称不能超过100个字")
        return cleaned

    @field_validator("term_end")
    @classmethod
    def _term(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("term_start")
        if start is not None and value < start:
            raise ValueError("使用期限止不能早于使用期限起")
        if start is not None and (value - start).days > MAX_TERM_DAYS:
            raise ValueError("使用期限不能超过5年")
        return value


class SharingRequestCreate(SharingTerms):
    """A request to use an asset card's data (申请共享), with a note and attachments (e.g. 申请函)."""

    comment: str = Field("", max_length=2000, description="申请说明")
    attachments: list[Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]] = Field(
        default_factory=list, max_length=20, description="附件的 SHA-256（先上传文件）"
    )


class SharingGrantRead(BaseModel):
    """A sharing grant shown in the card's 使用信息."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    card_id: int
    recipient: OrganisationRef
    purpose: str
    fields: list[str]
    scope: str
    term_start: date
    term_end: date
    workflow_instance_id: int
    granted_at: datetime
    state: Literal["not_started", "active", "expired"] = Field(
        description="按今天（北京时间）：未生效、有效、已到期"
    )
