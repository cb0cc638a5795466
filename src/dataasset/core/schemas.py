"""Pydantic shapes of the core: pages, organisations, users, login."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dataasset.core.codes import CodeError, validate_region_code, validate_uscc
from dataasset.core.enums import OrganisationKind, Role

T = TypeVar("T")
RecordId = Annotated[int, Field(ge=1, le=2_147_483_647, description="记录编号")]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Input(BaseModel):
    """Base of every input shape: text may not carry control characters (they break exports,
    terminals and other systems downstream); line breaks and tabs are allowed."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            if isinstance(text, str) and _CONTROL.search(text):
                raise ValueError("不能包含控制字符")
        return value


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total count matching the filters."""

    items: list[T]
    total: int
    page: int
    page_size: int


class OrganisationRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str


def _uscc(value: str) -> str:
    try:
        return validate_uscc(value)
    except CodeError as exc:
        raise ValueError(exc.message) from exc


def _region(value: str) -> str:
    try:
        return validate_region_code(value)
    except CodeError as exc:
        raise ValueError(exc.message) from exc


class OrganisationCreate(Input):
    name: str = Field(min_length=2, max_length=200, description="单位名称")
    uscc: str = Field(description="统一社会信用代码 (GB 32100, 18位含校验位)")
    kind: OrganisationKind = Field(description="单位类型")
    region_code: str = Field(description="行政区划代码（6位）；监管部门按其前缀确定辖区")
    parent_id: RecordId | None = Field(None, description="上级集团单位")
    share_with_parent: bool = Field(False, description="是否授权上级集团查看本单位数据")
    regulator_type: str | None = Field(
        None, max_length=32, description="监管部门类别：数据局/财政/国资委/网信/公安"
    )

    _v_uscc = field_validator("uscc")(_uscc)
    _v_region = field_validator("region_code")(_region)


class OrganisationUpdate(Input):
    name: str | None = Field(None, min_length=2, max_length=200)
    region_code: str | None = None
    parent_id: RecordId | None = None
    share_with_parent: bool | None = None
    regulator_type: str | None = Field(None, max_length=32)

    @field_validator("region_code")
    @classmethod
    def _v_region(cls, value: str | None) -> str | None:
        return None if value is None else _region(value)


class OrganisationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    uscc: str
    kind: OrganisationKind
    region_code: str
    parent_id: int | None
    share_with_parent: bool
    regulator_type: str | None
    created_at: datetime


class OrganisationBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    kind: OrganisationKind
    region_code: str


class UserCreate(Input):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$", description="登录名")
    display_name: str = Field(min_length=1, max_length=100, description="姓名")
    password: str = Field(min_length=8, max_length=128, description="密码（至少8位）")
    organisation_id: RecordId
    roles: list[Role] = Field(min_length=1)


class UserUpdate(Input):
    display_name: str | None = Field(None, min_length=1, max_length=100)
    password: str | None = Field(None, min_length=8, max_length=128)
    roles: list[Role] | None = Field(None, min_length=1)
    is_active: bool | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    display_name: str
    organisation_id: int
    roles: list[str]
    is_active: bool
    locked_until: datetime | None
    created_at: datetime


class LoginRequest(Input):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)


class Me(BaseModel):
    id: int
    username: str
    display_name: str
    roles: list[str]
    organisation: OrganisationBrief
    permissions: list[str]


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    user: Me
