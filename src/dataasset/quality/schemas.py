"""API shapes of quality: rule sets, runs, issues, settings, statistics."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from dataasset.core.schemas import Input, RecordId

Schedule = Literal["none", "daily", "weekly", "monthly"]
RunStatus = Literal["queued", "running", "succeeded", "failed"]
IssueStatus = Literal["open", "rectified", "rechecking", "closed"]
DimensionCode = Literal[
    "conformity", "completeness", "accuracy", "consistency", "timeliness", "accessibility"
]

ISSUE_STATUS_LABELS = {
    "open": "待整改",
    "rectified": "已整改待复核",
    "rechecking": "复核中",
    "closed": "已关闭",
}
ISSUE_ACTION_LABELS = {
    "open": "发现问题",
    "assign": "指派",
    "rectify": "整改",
    "recheck": "申请复核",
    "reopen": "复核未通过",
    "close": "关闭",
    "overdue": "逾期",
    "comment": "备注",
}


class RuleSetCreate(Input):
    source_id: RecordId = Field(description="数据源")
    table: str = Field(min_length=1, max_length=200, description="数据源中的表（文件为工作表或文件名）")
    name: str = Field(min_length=2, max_length=200, description="规则集名称")
    rules: str = Field(min_length=1, max_length=1_000_000, description="质量规则（YAML）")
    card_id: RecordId | None = Field(None, description="资产卡片；缺省为清查该表时生成的卡片")
    schedule: Schedule = Field("none", description="定期检查")
    run_after_scan: bool = Field(True, description="每次清查该数据源后自动检查")
    deadline_days: int | None = Field(None, ge=1, le=365, description="整改期限（工作日）；缺省为本单位设置")


class RuleSetUpdate(Input):
    name: str | None = Field(None, min_length=2, max_length=200)
    rules: str | None = Field(None, min_length=1, max_length=1_000_000)
    schedule: Schedule | None = None
    run_after_scan: bool | None = None
    deadline_days: int | None = Field(None, ge=1, le=365)


class RulesValidate(Input):
    source_id: RecordId
    table: str = Field(min_length=1, max_length=200)
    rules: str = Field(max_length=1_000_000)


class RuleProblemRead(BaseModel):
    line: int
    message: str
    check: int | None = None


class CheckSummary(BaseModel):
    key: str
    check: str
    title: str
    dimension: DimensionCode
    column: str | None
    line: int
    weight: float


class RulesValidation(BaseModel):
    ok: bool
    problems: list[RuleProblemRead] = Field(default_factory=list)
    checks: list[CheckSummary] = Field(default_factory=list)
    columns_known: bool = Field(description="是否已按清查结果核对列名（未清查的表在运行时核对）")


class Suggestion(BaseModel):
    source_id: int
    table: str
    card_id: int | None
    rules: str = Field(description="建议的规则（YAML），供审阅后保存")
    checks: list[dict[str, Any]]


class RunBrief(BaseModel):
    id: int
    rule_set_id: int
    card_id: int | None
    status: RunStatus
    trigger: str
    rule_version: int
    rows: int | None
    overall: float | None
    dimensions: dict[str, float]
    seconds: float | None
    error_code: str | None
    error_message: str | None
    checks_done: int
    checks_total: int
    rows_loaded: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class RunRead(RunBrief):
    checks: list[dict[str, Any]]


class RuleSetRead(BaseModel):
    id: int
    organisation_id: int
    organisation_name: str
    card_id: int | None
    card_name: str | None
    source_id: int
    source_name: str
    table: str
    name: str
    rules: str
    version: int
    schedule: Schedule
    next_run_at: datetime | None
    run_after_scan: bool
    deadline_days: int
    created_at: datetime
    updated_at: datetime
    last_run: RunBrief | None = None


class IssueEventRead(BaseModel):
    id: int
    action: str
    action_label: str
    actor_name: str
    comment: str
    run_id: int | None
    at: datetime


class IssueRead(BaseModel):
    id: int
    organisation_id: int
    organisation_name: str
    card_id: int | None
    card_name: str | None
    rule_set_id: int
    check_key: str
    check_title: str
    check_type: str
    dimension: DimensionCode
    column: str | None
    status: IssueStatus
    status_label: str
    department: str
    assignee_user_id: int | None
    checked: int
    failed: int
    score: float
    opened_run_id: int
    last_run_id: int
    deadline: date
    overdue: bool
    overdue_flagged_at: datetime | None
    rectification: str
    reopened: int
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    events: list[IssueEventRead] = Field(default_factory=list)


class Rectify(Input):
    note: str = Field(min_length=2, max_length=5000, description="整改说明：改了什么、在哪里改的")
    recheck: bool = Field(True, description="同时申请复核（重新运行检查）")


class Assign(Input):
    department: str | None = Field(None, max_length=100, description="责任部门")
    assignee_user_id: RecordId | None = Field(None, description="责任人（本单位用户）")
    comment: str = Field("", max_length=2000)


class Comment(Input):
    comment: str = Field(min_length=1, max_length=2000)


class SettingsRead(BaseModel):
    organisation_id: int
    weights: dict[DimensionCode, float]
    deadline_days: int


class SettingsUpdate(Input):
    weights: dict[DimensionCode, float] = Field(description="维度权重（缺省为 1）")
    deadline_days: int = Field(10, ge=1, le=365)


class Inbox(BaseModel):
    open: int
    rectified: int
    rechecking: int
    overdue: int
    closed: int = 0


class CardQuality(BaseModel):
    card_id: int
    latest: RunRead | None
    trend: list[dict[str, Any]]
    rule_sets: list[RuleSetRead]
    issues: list[IssueRead]


class OrganisationQuality(BaseModel):
    organisation_id: int
    organisation_name: str
    region_code: str
    rule_sets: int
    assets_checked: int
    average_score: float | None
    dimensions: dict[str, float]
    open_issues: int
    overdue_issues: int
    closed_issues: int


class CheckTypeRead(BaseModel):
    name: str
    label: str
    dimension: DimensionCode
    level: str
    example: str
