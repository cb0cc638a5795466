"""Input shapes of the registry's rights, grants, transfers and disputes."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from dataasset.core.schemas import Input, RecordId

RightCode = Literal["holding", "processing", "operating"]
AcquisitionCode = Literal["original", "purchase", "grant", "transfer", "derived"]
TransferReason = Literal["merger", "split", "dissolution", "bankruptcy"]


class ScopeIn(Input):
    fields: list[str] | None = Field(None, max_length=500, description="字段；空为全部字段")
    purposes: list[str] | None = Field(None, max_length=50, description="用途；空为不限")
    territory: list[str] | None = Field(None, max_length=50, description="地域（行政区划代码）；空为不限")
    start: date | None = Field(None, description="起始日；空为不限")
    end: date | None = Field(None, description="截止日；空为不限")
    exclusive: bool = Field(False, description="独占")
    may_sublicense: bool = Field(False, description="可再授权")


class RightDeclare(ScopeIn):
    card_id: RecordId
    right: RightCode
    acquisition: AcquisitionCode = Field(description="取得方式（授权请用授权接口）")
    legal_basis: str = Field(min_length=2, max_length=5000, description="法律依据或取得依据")
    files: list[str] = Field(default_factory=list, max_length=20, description="证明材料（文件 SHA-256）")


class GrantCreate(ScopeIn):
    grantee_organisation_id: RecordId
    purpose: str = Field(min_length=2, max_length=2000, description="授权目的")
    legal_basis: str = Field("", max_length=5000, description="授权合同等依据")


class TransferCreate(Input):
    from_organisation_id: RecordId
    to_organisation_id: RecordId
    reason: TransferReason
    basis: str = Field(
        min_length=2, max_length=5000, description="合并、分立、解散或破产的依据（文号、裁定书等）"
    )


class DisputeCreate(Input):
    card_id: RecordId
    right_id: RecordId | None = None
    claims: str = Field(min_length=5, max_length=10000, description="请求与理由")
    files: list[str] = Field(default_factory=list, max_length=20)


class DisputeResolve(Input):
    outcome: str = Field(min_length=2, max_length=10000, description="调解或仲裁结果")
    upheld: bool = Field(description="请求是否成立")
