"""API shapes of discovery: data sources, scans, scanned tables and columns."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from dataasset.catalog.enums import Industry, SecurityGrade
from dataasset.core.schemas import Input, RecordId

Template = Literal["general", "finance", "industry"]
Schedule = Literal["none", "daily", "weekly", "monthly"]
ScanStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class DataSourceCreate(Input):
    """A database source. (Files come in through the upload endpoint.)"""

    organisation_id: RecordId | None = Field(
        None, description="数据持有单位；缺省为本单位（平台管理员可代填）"
    )
    name: str = Field(min_length=2, max_length=200, description="数据源名称")
    url: str = Field(
        min_length=8,
        max_length=2000,
        description="数据库连接地址，如 postgresql://用户:密码@主机:5432/库名、mysql://…、sqlite:///文件路径",
    )
    industry: Industry = Field(description="行业分类（新建资产卡片用）")
    template: Template = Field("general", description="分类分级模板")
    sample_rows: int | None = Field(None, ge=1, le=10**9, description="每表最多读取行数；空为全量")
    tables: list[str] = Field(default_factory=list, max_length=500, description="只扫描这些表；空为全部")
    schedule: Schedule = Field("none", description="定期清查")
    description: str = Field("", max_length=2000)


class DataSourceUpdate(Input):
    name: str | None = Field(None, min_length=2, max_length=200)
    url: str | None = Field(None, min_length=8, max_length=2000, description="新的连接地址（含密码）")
    industry: Industry | None = None
    template: Template | None = None
    sample_rows: int | None = Field(None, ge=1, le=10**9)
    tables: list[str] | None = Field(None, max_length=500)
    schedule: Schedule | None = None
    description: str | None = Field(None, max_length=2000)


class OrganisationRef(BaseModel):
    id: int
    name: str


class DataSourceRead(BaseModel):
    """A data source as shown: the password never appears."""

    id: int
    organisation: OrganisationRef
    name: str
    kind: str
    location: str = Field(description="位置（数据库地址已隐去密码；文件为文件名）")
    file_size: int | None
    industry: Industry
    template: Template
    sample_rows: int | None
    tables: list[str]
    schedule: Schedule
    next_scan_at: datetime | None
    description: str
    created_at: datetime
    updated_at: datetime
    last_scan: ScanBrief | None = None


class ConnectionTest(BaseModel):
    ok: bool
    tables: list[str] = Field(default_factory=list)
    code: str = ""
    message: str = ""


class ScanRequest(Input):
    template: Template | None = Field(None, description="本次使用的模板；空为数据源的设置")
    sample_rows: int | None = Field(None, ge=1, le=10**9)
    tables: list[str] | None = Field(None, max_length=500)


class ScanBrief(BaseModel):
    id: int
    source_id: int
    source_name: str
    status: ScanStatus
    trigger: str
    template: str
    tables_total: int
    tables_done: int
    current_table: str
    rows_total: int | None
    rows_scanned: int
    error_code: str
    error_message: str
    summary: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ScanTableBrief(BaseModel):
    id: int
    name: str
    rows: int
    bytes: int | None
    sampled: bool
    duplicate_rows: int
    candidate_keys: list[str]
    grade: SecurityGrade
    level: int
    level_label: str
    rule: str
    reason: str
    drift: list[dict[str, Any]]
    warnings: list[str]
    card_id: int | None
    card_code: str | None
    sensitive_columns: int
    columns_total: int


class ScanRead(ScanBrief):
    tables: list[ScanTableBrief]


class ScanColumnRead(BaseModel):
    id: int
    position: int
    name: str
    type: str
    source_type: str
    nulls: int
    distinct: int
    sensitive_type: str | None
    sensitive_label: str
    confidence: float
    explanation: str
    grade: SecurityGrade
    level: int
    level_label: str
    rule: str
    reason: str
    detected_grade: SecurityGrade
    detected_level: int
    overridden: bool
    override_reason: str
    profile: dict[str, Any]


class ScanTableRead(ScanTableBrief):
    scan_id: int
    source_id: int
    columns: list[ScanColumnRead]


class GradeOverride(Input):
    grade: SecurityGrade = Field(description="人工认定的分级")
    level: int = Field(ge=1, le=5, description="级别")
    reason: str = Field(min_length=2, max_length=2000, description="调整理由（必填）")


DataSourceRead.model_rebuild()
