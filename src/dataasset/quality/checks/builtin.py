"""The built-in checks, by their default dimension (GB/T 36344-2018)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from dataasset.discovery.detectors import TYPE_CODES
from dataasset.quality.checks.base import (
    QUERY,
    TABLE,
    CheckType,
    Counted,
    ParamError,
    ParseContext,
    Parsed,
    Sql,
    duration_seconds,
    number,
    only_keys,
    register,
)
from dataasset.quality.types import Check, Dimension

# ------------------------------------------------------------------ completeness 完整性


@register
class NotNull(CheckType):
    name, label, dimension, skips_nulls = "not_null", "非空", Dimension.COMPLETENESS, False

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"column"})
        c = ctx.column(raw)
        assert c is not None
        return Parsed(c, (c,), {}, f"{c} 不为空")

    def predicate(self, check: Check, sql: Sql) -> tuple[str, str]:
        c = sql.col(check.column or "")
        if sql.kind(check.column or "") == "text":
            return "TRUE", f"({c} IS NOT NULL AND {c} <> '')"
        return "TRUE", f"({c} IS NOT NULL)"


@register
class NotBlank(CheckType):
    name, label, dimension, skips_nulls = "not_blank", "非空白", Dimension.COMPLETENESS, False

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"column"})
        c = ctx.column(raw)
        assert c is not None
        return Parsed(c, (c,), {}, f"{c} 不为空白")

    def predicate(self, check: Check, sql: Sql) -> tuple[str, str]:
        c = check.column or ""
        # trim() leaves full-width spaces: a cell of only U+3000 is blank too
        text = sql.text(c)
        return "TRUE", f"({sql.col(c)} IS NOT NULL AND trim(replace({text}, '\u3000', ' ')) <> '')"


@register
class RowCount(CheckType):
    name, label, dimension, level = "row_count", "记录数", Dimension.COMPLETENESS, TABLE

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"min", "max"})
        low, high = number(raw, "min", minimum=0), number(raw, "max", minimum=0)
        if low is None and high is None:
            raise ParamError("row_count 需要 min 或 max（记录数的下限或上限）")
        if low is not None and high is not None and low > high:
            raise ParamError("min 不能大于 max")
        return Parsed(None, (), {"min": low, "max": high}, "记录数" + _range_text(low, high))

    def count(self, check: Check, sql: Sql, con: Any, measured: Mapping[str, Any]) -> Counted:
        rows = int(con.execute(f"SELECT count(*) FROM {sql.table}").fetchall()[0][0])
        low, high = check.params["min"], check.params["max"]
        ok = (low is None or rows >= low) and (high is None or rows <= high)
        return Counted(1, int(ok), f"实际 {rows:,} 行，要求{_range_text(low, high)}")


def _range_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"在 {low:g} 到 {high:g} 之间"
    if low is not None:
        return f"不少于 {low:g}"
    return f"不多于 {high:g}"


# ------------------------------------------------------------------ conformity 规范性


@register
class Pattern(CheckType):
    name, label, dimension = "pattern", "格式（正则）", Dimension.CONFORMITY

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"column", "regex", "standard"})
        c = ctx.column(raw)
        regex = raw.get("regex")
        if not isinstance(regex, str) or not regex:
            raise ParamError("缺少参数 regex（数据标准规定的正则表达式，整值匹配）")
        try:
            re.compile(regex)
        except re.error as exc:
            raise ParamError(f"正则表达式有误：{exc}") from exc
        standard = str(raw.get("standard") or "")
        assert c is not None
        title = f"{c} 符合{('“' + standard + '”') if standard else '格式'} {regex}"
        return Parsed(c, (c,), {"regex": regex, "standard": standard}, title)

    def predicate(self, check: Check, sql: Sql) -> tuple[str, str]:
        c = check.column or ""
        return sql.present(c), sql.regex_full(sql.text(c), check.params["regex"])


@register
class ValidType(CheckType):
    """A discovery type code, validated as discovery does (check digits, dates, gazetteer)."""

    name, label, dimension = "valid_type", "类型校验", Dimension.CONFORMITY

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"column", "type"})
        c = ctx.column(raw)
        code = raw.get("type")
        if code not in TYPE_CODES:
            known = "、".join(f"{k}（{v.zh}）" for k, v in TYPE_CODES.items())
            raise ParamError(f"不认识的类型“{code}”；可用：{known}")
        assert c is not None
        return Parsed(c, (c,), {"type": code}, f"{c} 是有效的{TYPE_CODES[str(code)].zh}")

    def predicate(self, check: Check, sql: Sql) -> tuple[str, str]:
        c = check.column or ""
        code, name = sql.lit(check.params["type"]), sql.lit(c)
        return sql.present(c), f"dq_valid_type({code}, {name}, {sql.text(c)})"


@register
class AllowedValues(CheckType):
    name, label, dimension = "allowed_values", "值域（代码表）", Dimension.CONFORMITY

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"column", "values", "standard"})
        c = ctx.column(raw)
        values = raw.get("values")
        if isinstance(values, dict):  # a code table: code → meaning
            values = list(values)
        if not isinstance(values, list) or not values:
            raise ParamError("缺少参数 values（允许的取值列表，例如 [男, 女]）")
        if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
            raise ParamError("values 中只能是文字或数字")
        texts = sorted({_value_text(v) for v in values})
        assert c is not None
        shown = "、".join(texts[:6]) + ("等" if len(texts) > 6 else "")
        return Parsed(
            c, (c,), {"values": texts, "standard": str(raw.get("standard") or "")}, f"{c} 取值属于 {shown}"
        )

    def predicate(self, check: Check, sql: Sql) -> tuple[str, str]:
        c = check.column or ""
        values = ", ".join(sql.lit(v) for v in check.params["values"])
        return sql.present(c), f"trim({sql.text(c)}) IN ({values})"


def _value_text(value: str | int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@register
class Length(CheckType):
    name, label, dimension = "length", "长度", Dimension.CONFORMITY

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"column", "min", "max"})
        c = ctx.column(raw)
        low, high = number(raw, "min", minimum=0), number(raw, "max", minimum=0)
        if low is None and high is None:
            raise ParamError("length 需要 min 或 max（字符数）")
        if low is not None and high is not None and low > high:
            raise ParamError("min 不能大于 max")
        assert c is not None
        return Parsed(c, (c,), {"min": low, "max": high}, f"{c} 长度{_range_text(low, high)}")

    def predicate(self, check: Check, sql: Sql) -> tuple[str, str]:
        c = check.column or ""
        n = f"length({sql.text(c)})"
        return sql.present(c), _bounds(n, check.params["min"], check.params["max"], sql)


def _bounds(value: str, low: Any, high: Any, sql: Sql) -> str:
    parts = []
    if low is not None:
        parts.append(f"{value} >= {sql.lit(low)}")
    if high is not None:
        parts.append(f"{value} <= {sql.lit(high)}")
    return "(" + " AND ".join(parts) + ")"


_FORMAT_CODES = re.compile(r"%[YmdHMSfyjbBaAzZpIe%]")


@register
class DateFormat(CheckType):
    name, label, dimension = "date_format", "日期格式", Dimension.CONFORMITY

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"column", "format"})
        c = ctx.column(raw)
        fmt = raw.get("format", "%Y-%m-%d")
        if not isinstance(fmt, str) or not _FORMAT_CODES.search(fmt):
            raise ParamError("format 应是日期格式，例如 %Y-%m-%d 或 %Y-%m-%d %H:%M:%S")
        assert c is not None
        return Parsed(c, (c,), {"format": fmt}, f"{c} 日期格式为 {fmt}")

    def predicate(self, check: Check, sql: Sql) -> tuple[str, str]:
        c = check.column or ""
        if sql.kind(c) == "time":  # a typed date column has no text form to get wrong
            return sql.present(c), "TRUE"
        parsed = sql.parse_time(f"trim({sql.text(c)})", [check.params["format"]])
        return sql.present(c), f"{parsed} IS NOT NULL"


# ------------------------------------------------------------------ accuracy 准确性


_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$")


@register
class Between(CheckType):
    name, label, dimension = "between", "取值范围", Dimension.ACCURACY

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"column", "min", "max"})
        c = ctx.column(raw)
        low, high = raw.get("min"), raw.get("max")
        if low is None and high is None:
            raise ParamError("between 需要 min 或 max")
        kinds = set()
        for key, value in (("min", low), ("max", high)):
            if value is None:
                continue
            if isinstance(value, bool):
                raise ParamError(f"参数 {key} 应是数或日期")
            if isinstance(value, int | float):
                kinds.add("number")
            elif _DATE_TEXT.match(str(value)):
                kinds.add("time")
            else:
                raise ParamError(f"参数 {key} 应是数或日期（YYYY-MM-DD），而不是“{value}”")
        if len(kinds) > 1:
            raise ParamError("min 和 max 应同为数或同为日期")
        kind = kinds.pop()
        low = str(low) if kind == "time" and low is not None else low
        high = str(high) if kind == "time" and high is not None else high
        if low is not None and high is not None and low > high:
            raise ParamError("min 不能大于 max")
        assert c is not None
        return Parsed(c, (c,), {"min": low, "max": high, "kind": kind}, f"{c} {_range_text_any(low, high)}")

    def predicate(self, check: Check, sql: Sql) -> tuple[str, str]:
        c = check.column or ""
        p = check.params
        if p["kind"] == "time":
            value = sql.ts(c)
            parts = []
            if p["min"] is not None:
                parts.append(f"{value} >= CAST({sql.lit(p['min'])} AS TIMESTAMP)")
            if p["max"] is not None:
                parts.append(f"{value} <= CAST({sql.lit(p['max'])} AS TIMESTAMP)")
            return sql.present(c), "(" + " AND ".join(parts) + ")"
        return sql.present(c), _bounds(sql.num(c), p["min"], p["max"], sql)


def _range_text_any(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f"在 {low} 到 {high} 之间"
    return f"不小于 {low}" if low is not None else f"不大于 {high}"


@register
class Unique(CheckType):
    """A row fails when its key (one or more columns) occurs more than once; rows with a null key
    part are not checked."""

    name, label, dimension, level = "unique", "唯一性", Dimension.ACCURACY, QUERY

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"column", "columns"})
        cols = ctx.column_list(raw)
        return Parsed(cols[0] if len(cols) == 1 else None, cols, {}, "、".join(cols) + " 唯一")

    def count(self, check: Check, sql: Sql, con: Any, measured: Mapping[str, Any]) -> Counted:
        keys = ", ".join(sql.col(c) for c in check.columns)
        present = " AND ".join(sql.present(c) for c in check.columns)
        row = con.execute(
            "SELECT coalesce(sum(n), 0), coalesce(sum(n) FILTER (WHERE n = 1), 0), "
            "count(*) FILTER (WHERE n > 1) "
            f"FROM (SELECT count(*) AS n FROM {sql.table} WHERE {present} GROUP BY {keys}) AS g"
        ).fetchall()[0]
        checked, passed, groups = int(row[0]), int(row[1]), int(row[2])
        dup = f"SELECT {keys} FROM {sql.table} WHERE {present} GROUP BY {keys} HAVING count(*) > 1"
        on = " AND ".join(f"{sql.col(c, 't')} = {sql.col(c, 'd')}" for c in check.columns)
        failing = (
            f"SELECT {sql.row('t')} AS dq_row_no, t.* FROM {sql.table} t JOIN ({dup} LIMIT 20) d ON {on}"
        )
        return Counted(checked, passed, f"{groups:,} 个取值重复出现" if groups else "", failing)


# scalar functions an expression may call (sqlglot's names); anything else (table functions such as
# read_csv, file access, unknown functions) is refused
_FUNCTIONS = frozenset(
    [
        "Abs",
        "Round",
        "Length",
        "Lower",
        "Upper",
        "Trim",
        "Coalesce",
        "Substring",
        "Cast",
        "TryCast",
        "DateDiff",
        "Extract",
        "Year",
        "Month",
        "Day",
        "StrToTime",
        "RegexpLike",
        "RegexpFullMatch",
        "Case",
        "If",
        "Nullif",
        "Least",
        "Greatest",
        "Floor",
        "Ceil",
        "CurrentDate",
        "CurrentTimestamp",
        "StartsWith",
        "Left",
        "Right",
        "Replace",
        "Sqrt",
        "Pow",
        "Ln",
        "Concat",
        "Contains",
        "TimestampTrunc",
        "DateTrunc",
        "TimeToStr",
        "TimeToUnix",
        "Sign",
        "Mod",
    ]
)


def _is_call(node: Any) -> bool:
    # sqlglot models AND/OR and some operators as functions too; only real calls are checked
    return isinstance(node, exp.Func) and not isinstance(
        node, exp.Connector | exp.Binary | exp.Predicate | exp.Unary
    )


class _SafeExpression:
    """A row-level boolean over columns, parsed by sqlglot: columns only from the table, scalar
    functions from an allow-list, no subqueries, no statements; rebuilt from the tree, never pasted."""

    FORBIDDEN = (exp.Select, exp.Subquery, exp.Query, exp.Table, exp.Command, exp.Insert, exp.Delete,
                 exp.Update, exp.Create, exp.Drop, exp.Placeholder, exp.Parameter, exp.Star)  # fmt: skip

    @classmethod
    def parse(cls, text: str, columns: Any) -> tuple[Any, tuple[str, ...]]:
        try:
            trees = [t for t in sqlglot.parse(text, read="duckdb") if t is not None]
        except ParseError as exc:
            message = exc.errors[0].get("description") if exc.errors else str(exc)
            raise ParamError(f"表达式无法解析：{message}") from exc
        if not trees:
            raise ParamError("表达式为空")
        if len(trees) > 1:
            raise ParamError("表达式无法解析：只能是一个条件，不能包含多条语句（;）")
        tree = trees[0]
        for node in tree.walk():
            if isinstance(node, cls.FORBIDDEN):
                raise ParamError(
                    f"表达式中不能使用 {type(node).__name__}："
                    "只能是对本行各列的条件，例如 结束日期 >= 开始日期"
                )
            if _is_call(node) and type(node).__name__ not in _FUNCTIONS:
                name = node.name if isinstance(node, exp.Anonymous) else type(node).__name__.lower()
                raise ParamError(
                    f"表达式中不能使用函数 {name}："
                    "只允许常用的标量函数（abs、round、length、trim、coalesce 等）"
                )
        if not isinstance(tree, exp.Predicate | exp.Connector | exp.Not | exp.Boolean | exp.Paren | exp.In):
            raise ParamError("表达式应是一个条件（结果为真或假），例如 结束日期 >= 开始日期")
        names: list[str] = []
        for col in tree.find_all(exp.Column):
            if col.table:
                raise ParamError(f"表达式中的列“{col.sql()}”不能带表名")
            if columns is not None and col.name not in columns:
                raise ParamError(f"表达式中的列“{col.name}”不在表中")
            if col.name not in names:
                names.append(col.name)
        if not names:
            raise ParamError("表达式没有用到任何列")
        return tree, tuple(names)


@register
class Expression(CheckType):
    name, label, dimension = "expression", "业务规则（表达式）", Dimension.ACCURACY

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"sql", "column"})
        text = raw.get("sql")
        if not isinstance(text, str) or not text.strip():
            raise ParamError("缺少参数 sql（一行数据应满足的条件，例如 结束日期 >= 开始日期）")
        _tree, cols = _SafeExpression.parse(text, ctx.columns)
        column = ctx.column(raw, required=False) if "column" in raw else cols[0]
        return Parsed(column, cols, {"sql": text.strip()}, text.strip())

    def predicate(self, check: Check, sql: Sql) -> tuple[str, str]:
        tree, cols = _SafeExpression.parse(check.params["sql"], None)
        applies = " AND ".join(sql.present(c) for c in cols)
        return f"({applies})", f"({tree.sql(dialect=sql.dialect, identify=True)})"


# ------------------------------------------------------------------ consistency 一致性


@register
class ForeignKey(CheckType):
    name, label, dimension, level = "foreign_key", "参照完整（外键）", Dimension.CONSISTENCY, QUERY

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"column", "table", "ref_column"})
        c = ctx.column(raw)
        assert c is not None
        table = ctx.other_table(raw)
        ref = ctx.other_column(table, raw, "ref_column", c)
        return Parsed(c, (c,), {"table": table, "ref_column": ref}, f"{c} 存在于 {table}.{ref}", (table,))

    def count(self, check: Check, sql: Sql, con: Any, measured: Mapping[str, Any]) -> Counted:
        c = check.column or ""
        other, ref = check.params["table"], check.params["ref_column"]
        relation, types = sql.tables[other], sql.other_types[other]
        ref_text = f"trim({sql.text(ref, types=types)})"
        keys = f"SELECT DISTINCT {ref_text} AS k FROM {relation} WHERE {sql.present(ref, types=types)}"
        row = con.execute(
            f"SELECT count(*), count(r.k) FROM {sql.table} t LEFT JOIN ({keys}) r "
            f"ON trim({sql.text(c, 't')}) = r.k WHERE {sql.present(c, 't')}"
        ).fetchall()[0]
        failing = (
            f"SELECT {sql.row('t')} AS dq_row_no, t.* FROM {sql.table} t WHERE {sql.present(c, 't')} "
            f"AND trim({sql.text(c, 't')}) NOT IN ({keys})"
        )
        return Counted(int(row[0]), int(row[1]), "", failing)


@register
class Matches(CheckType):
    """The same entity's value equals the one in another table, joined on a key. Rows whose key is
    not in the other table are not checked (that is ``foreign_key``'s question)."""

    name, label, dimension, level = "matches", "跨表一致", Dimension.CONSISTENCY, QUERY

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"column", "table", "key", "other_column", "other_key"})
        c = ctx.column(raw)
        assert c is not None
        key = ctx.column(raw, "key")
        assert key is not None
        table = ctx.other_table(raw)
        other_column = ctx.other_column(table, raw, "other_column", c)
        other_key = ctx.other_column(table, raw, "other_key", key)
        params = {"table": table, "key": key, "other_column": other_column, "other_key": other_key}
        title = f"{c} 与 {table}.{other_column} 一致（按 {key} 关联）"
        return Parsed(c, (c, key), params, title, (table,))

    def count(self, check: Check, sql: Sql, con: Any, measured: Mapping[str, Any]) -> Counted:
        p, c = check.params, check.column or ""
        relation, types = sql.tables[p["table"]], sql.other_types[p["table"]]
        ok, ov = p["other_key"], p["other_column"]
        other = (
            f"SELECT trim({sql.text(ok, types=types)}) AS k, min(trim({sql.text(ov, types=types)})) AS lo, "
            f"max(trim({sql.text(ov, types=types)})) AS hi FROM {relation} "
            f"WHERE {sql.present(ok, types=types)} GROUP BY 1"
        )
        where = f"{sql.present(c, 't')} AND {sql.present(p['key'], 't')}"
        value = f"trim({sql.text(c, 't')})"
        same = f"(o.lo = o.hi AND o.lo = {value})"
        base = f"FROM {sql.table} t JOIN ({other}) o ON trim({sql.text(p['key'], 't')}) = o.k WHERE {where}"
        row = con.execute(f"SELECT count(*), count(*) FILTER (WHERE {same}) {base}").fetchall()[0]
        failing = f"SELECT {sql.row('t')} AS dq_row_no, t.* {base} AND NOT coalesce({same}, FALSE)"
        return Counted(int(row[0]), int(row[1]), "", failing)


@register
class CrossTotal(CheckType):
    name, label, dimension, level = "cross_total", "跨表总量一致", Dimension.CONSISTENCY, TABLE

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"column", "table", "other_column", "tolerance"})
        c = ctx.column(raw)
        assert c is not None
        table = ctx.other_table(raw)
        other = ctx.other_column(table, raw, "other_column", c)
        tolerance = number(raw, "tolerance", minimum=0) or 0.0
        title = f"{c} 合计与 {table}.{other} 合计相符（允差 {tolerance:g}）"
        return Parsed(
            c, (c,), {"table": table, "other_column": other, "tolerance": tolerance}, title, (table,)
        )

    def count(self, check: Check, sql: Sql, con: Any, measured: Mapping[str, Any]) -> Counted:
        p = check.params
        types = sql.other_types[p["table"]]
        mine = con.execute(
            f"SELECT coalesce(sum({sql.num(check.column or '')}), 0) FROM {sql.table}"
        ).fetchall()[0][0]
        theirs = con.execute(
            f"SELECT coalesce(sum({sql.num(p['other_column'], types=types)}), 0) "
            f"FROM {sql.tables[p['table']]}"
        ).fetchall()[0][0]
        ok = abs(float(mine) - float(theirs)) <= p["tolerance"] + 1e-9
        return Counted(1, int(ok), f"本表合计 {float(mine):,.2f}，{p['table']} 合计 {float(theirs):,.2f}")


# ------------------------------------------------------------------ timeliness 时效性


@register
class FreshWithin(CheckType):
    name, label, dimension, level = "fresh_within", "及时性（最新数据）", Dimension.TIMELINESS, TABLE

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"column", "days", "hours", "minutes"})
        c = ctx.column(raw)
        seconds, phrase = duration_seconds(raw)
        assert c is not None
        return Parsed(c, (c,), {"seconds": seconds, "phrase": phrase}, f"{c} 最新值不早于 {phrase}前")

    def count(self, check: Check, sql: Sql, con: Any, measured: Mapping[str, Any]) -> Counted:
        c = check.column or ""
        now = sql.now_literal()
        latest, age = con.execute(
            f"SELECT max({sql.ts(c)}), {sql.epoch(now)} - {sql.epoch(f'max({sql.ts(c)})')} "
            f"FROM {sql.table} WHERE {sql.present(c)}"
        ).fetchall()[0]
        if latest is None:
            return Counted(1, 0, "该列没有可识别的时间值")
        ok = age <= check.params["seconds"]
        when = latest.isoformat(sep=" ") if hasattr(latest, "isoformat") else str(latest)
        return Counted(
            1, int(ok), f"最新值 {when}，距今 {age / 86400:.1f} 天（要求 {check.params['phrase']}内）"
        )


@register
class Lag(CheckType):
    name, label, dimension = "lag", "时间间隔", Dimension.TIMELINESS

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"column", "to", "days", "hours", "minutes"})
        c = ctx.column(raw)
        to = ctx.column(raw, "to")
        seconds, phrase = duration_seconds(raw)
        assert c is not None and to is not None
        return Parsed(c, (c, to), {"to": to, "seconds": seconds}, f"{c} 到 {to} 不超过 {phrase}")

    def predicate(self, check: Check, sql: Sql) -> tuple[str, str]:
        c, to = check.column or "", check.params["to"]
        diff = f"({sql.epoch(sql.ts(to))} - {sql.epoch(sql.ts(c))})"
        return (
            f"({sql.present(c)} AND {sql.present(to)})",
            f"({diff} <= {sql.lit(check.params['seconds'])})",
        )


@register
class Ordered(CheckType):
    name, label, dimension = "ordered", "时间顺序", Dimension.TIMELINESS

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"column", "not_after", "columns"})
        if "columns" in raw:
            cols = ctx.column_list(raw)
            if len(cols) != 2:
                raise ParamError("ordered 的 columns 应是两列：[先, 后]，例如 [创建时间, 更新时间]")
            first, then = cols
        else:
            first = ctx.column(raw)  # type: ignore[assignment]
            then = ctx.column(raw, "not_after")  # type: ignore[assignment]
        assert first is not None and then is not None
        return Parsed(first, (first, then), {"not_after": then}, f"{first} 不晚于 {then}")

    def predicate(self, check: Check, sql: Sql) -> tuple[str, str]:
        c, then = check.column or "", check.params["not_after"]
        return f"({sql.present(c)} AND {sql.present(then)})", f"({sql.ts(c)} <= {sql.ts(then)})"


# ------------------------------------------------------------------ accessibility 可访问性


@register
class Reachable(CheckType):
    name, label, dimension, level = "reachable", "可访问", Dimension.ACCESSIBILITY, TABLE

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:
        only_keys(raw, {"seconds"})
        seconds = number(raw, "seconds", minimum=0)
        seconds = 10.0 if seconds is None else seconds
        return Parsed(None, (), {"seconds": seconds}, f"数据源 {seconds:g} 秒内可访问")

    def count(self, check: Check, sql: Sql, con: Any, measured: Mapping[str, Any]) -> Counted:
        took = measured.get("connect_seconds")
        if took is None:
            return Counted(1, 0, measured.get("connect_error") or "数据源无法访问")
        ok = took <= check.params["seconds"]
        return Counted(1, int(ok), f"连接并列出数据表用时 {took:.2f} 秒")
