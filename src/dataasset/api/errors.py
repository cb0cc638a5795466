"""Map domain exceptions and validation errors to JSON answers with a machine code and Chinese text."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from dataasset.core.errors import DomainError

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """Every error answer: a machine code, a Chinese message, and per-field or per-row details."""

    code: str
    message: str
    errors: list[dict[str, Any]] = []


_MESSAGES: dict[str, str] = {
    "missing": "必填项",
    "string_too_short": "长度至少为 {min_length}",
    "string_too_long": "长度不能超过 {max_length}",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_parsing": "应为是/否",
    "bool_type": "应为是/否",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式不正确",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "greater_than": "必须大于 {gt}",
    "less_than": "必须小于 {lt}",
    "enum": "取值必须是以下之一：{expected}",
    "list_type": "应为列表",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "extra_forbidden": "不允许的字段",
    "model_type": "应为对象",
    "dict_type": "应为对象",
    "json_invalid": "JSON 格式错误",
    "value_error": "{error}",
    "int_too_big": "数值过大",
}


def chinese_message(error: dict[str, Any]) -> str:
    """A Chinese message for one pydantic error."""
    kind = error.get("type", "")
    template = _MESSAGES.get(kind)
    ctx = dict(error.get("ctx") or {})
    if kind == "value_error":
        text = str(ctx.get("error", error.get("msg", "")))
        return text.removeprefix("Value error, ")
    if template is None:
        msg = str(error.get("msg", "取值不合法"))
        return (
            msg.removeprefix("Value error, ") if msg.startswith("Value error, ") else f"取值不合法（{msg}）"
        )
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ())]
        field = ".".join(p for p in loc if p not in {"body", "query", "path"})
        out.append({"loc": loc, "field": field, "message": chinese_message(e)})
    return out


def _answer(status: int, code: str, message: str, errors: list[dict[str, Any]] | None = None) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"code": code, "message": message, "errors": errors or []}
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return _answer(exc.status, exc.code, exc.message, exc.errors)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = validation_details(list(exc.errors()))
        first = details[0] if details else None
        summary = (
            f"请求参数不合法：{first['field'] or '请求'} {first['message']}" if first else "请求参数不合法"
        )
        return _answer(422, "validation_error", summary, details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        texts = {404: ("not_found", "请求的资源不存在"), 405: ("method_not_allowed", "不支持该请求方法")}
        code, message = texts.get(exc.status_code, ("http_error", str(exc.detail)))
        return _answer(exc.status_code, code, message)

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity error: %s", exc.orig)
        return _answer(409, "conflict", "数据冲突：记录已存在或仍被引用")

    @app.exception_handler(DataError)
    async def _data(_: Request, exc: DataError) -> JSONResponse:
        log.warning("data error: %s", exc.orig)
        return _answer(422, "value_out_of_range", "取值超出数据库允许的范围")

    @app.exception_handler(OperationalError)
    async def _unavailable(_: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", exc.orig)
        return _answer(503, "database_unavailable", "数据库暂时不可用，请稍后重试")
