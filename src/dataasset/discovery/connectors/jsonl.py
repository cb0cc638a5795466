"""JSON Lines (one JSON object a line; also a ``.json`` file holding one array of objects): one
table, every column as text — strings as they are, numbers and booleans as JSON writes them, nested
values as compact JSON. Read line by line (pyarrow's JSON reader needs one schema for the whole
file, which JSON Lines in the wild seldom keep): the columns are the keys of the first 65,536
objects, in the order they first appear; keys first seen later are left out, with a warning.
"""

from __future__ import annotations

import io
import json
from collections.abc import Generator, Iterator
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

from dataasset.discovery.connectors.base import (
    BATCH_ROWS,
    Batches,
    FileConnector,
    register,
    sample_limit,
    string_schema,
    unique_names,
)
from dataasset.discovery.connectors.textfile import LimitedReader, TextInfo, find_bad_byte, sniff_text
from dataasset.discovery.types import MALFORMED, TOO_LARGE, UNDECODABLE, DiscoveryError, TableRef, TableStream

MAX_ARRAY_BYTES = 256 * 1024 * 1024  # a JSON array is parsed whole


def as_text(value: Any) -> str | None:
    """A JSON value as text: strings as they are, numbers and booleans as JSON writes them, nested
    values as compact JSON."""
    kind = type(value)
    if kind is str or value is None:
        return value  # type: ignore[no-any-return]
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float:
        return repr(value) if kind is float and value == value and abs(value) != float("inf") else str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _simple(array: Any) -> Any | None:
    """A column Arrow inferred as strings, integers or booleans, as strings (else None)."""
    kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind):
        return array.cast(pa.string())
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        return array.cast(pa.string())
    return None


def _column(objs: list[dict[str, Any]], key: str) -> Any:
    """One column of a chunk of objects as a string array, value by value unless Arrow can take
    the whole column (strings, integers, booleans)."""
    values = [o.get(key) for o in objs]
    try:
        simple = _simple(pa.array(values))
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        simple = None
    if simple is not None:
        return simple
    return pa.array([v if type(v) is str or v is None else as_text(v) for v in values], pa.string())


def to_batch(objs: list[dict[str, Any]], keys: list[str], schema: Any) -> Any:
    """A chunk of objects as a batch of strings."""
    return pa.RecordBatch.from_arrays([_column(objs, k) for k in keys], schema=schema)


@register
class JsonLinesConnector(FileConnector):
    name = "jsonl"
    label = "JSON Lines 文件"

    def __init__(self, source: str, options: dict[str, Any] | None = None) -> None:
        super().__init__(source, options)
        self._info: TextInfo | None = None

    def info(self) -> TextInfo:
        if self._info is None:
            self._info = sniff_text(self.path, self.size, self.display, "JSON Lines 文本")
        return self._info

    def _is_array(self) -> bool:
        return self.info().text.lstrip().startswith("[")

    def tables(self) -> list[TableRef]:
        info = self.info()
        if info.complete:
            estimate = sum(1 for line in info.text.splitlines() if line.strip())
            if self._is_array():
                estimate = len(self._load_array(info))
        else:
            lines = [line for line in info.text.splitlines() if line.strip()]
            per_line = max(1.0, len(info.text.encode(_codec(info))) / max(1, len(lines)))
            estimate = int(self.size / per_line)
        return [TableRef(self.table_name, estimate)]

    # ------------------------------------------------------------------ records

    def _load_array(self, info: TextInfo) -> list[Any]:
        if self.size > MAX_ARRAY_BYTES:
            raise DiscoveryError(
                f"文件“{self.display}”是一个 JSON 数组，需整体读入内存，不能超过 256 MB："
                "请改为 JSON Lines（每行一个 JSON 对象）后重新上传",
                code=TOO_LARGE,
            )
        raw = self.path.read_bytes()[info.bom : self.size - info.drop_tail]
        try:
            data = json.loads(raw.decode(_codec(info)))
        except UnicodeDecodeError:
            raise self._undecodable(info) from None
        except json.JSONDecodeError as exc:
            raise DiscoveryError(
                f"文件“{self.display}”第 {exc.lineno} 行第 {exc.colno} 列不是有效的 JSON（{exc.msg}）："
                "请修正后重新上传",
                code=MALFORMED,
            ) from None
        if not isinstance(data, list):
            raise DiscoveryError(f"文件“{self.display}”不是 JSON 对象的数组", code=MALFORMED)
        return data

    def _records(self, info: TextInfo) -> Generator[tuple[int, Any], None, None]:
        """``(line number or array position, object)`` for every non-blank line / array item."""
        if self._is_array():
            yield from enumerate(self._load_array(info), start=1)
            return
        raw = LimitedReader(self.path, info.bom, self.size - info.drop_tail)
        text = io.TextIOWrapper(io.BufferedReader(raw, 1 << 20), encoding=_codec(info), errors="strict")
        try:
            lineno = 0
            while True:
                try:
                    line = text.readline()
                except UnicodeDecodeError:
                    raise self._undecodable(info) from None
                if not line:
                    return
                lineno += 1
                if not line.strip():
                    continue
                try:
                    yield lineno, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DiscoveryError(
                        f"文件“{self.display}”第 {lineno} 行第 {exc.colno} 列不是有效的 JSON（{exc.msg}）："
                        "JSON Lines 要求每行是一个完整的 JSON 对象，请修正后重新上传",
                        code=MALFORMED,
                    ) from None
        finally:
            text.close()

    def _undecodable(self, info: TextInfo) -> DiscoveryError:
        found = find_bad_byte(self.path, info.encoding)
        where = f"第 {found[0]} 字节（第 {found[1]} 行）" if found else "某处"
        return DiscoveryError(
            f"文件“{self.display}”{where}不是有效的 {info.encoding} 编码：文件可能混用了多种编码或已损坏，"
            "请以 UTF-8 重新导出后上传",
            code=UNDECODABLE,
        )

    def _object(self, where: int, item: Any) -> dict[str, Any]:
        if not isinstance(item, dict):
            unit = "个元素" if self._is_array() else "行"
            raise DiscoveryError(
                f"文件“{self.display}”第 {where} {unit}不是 JSON 对象（是 {type(item).__name__}）："
                '每一行（或数组的每个元素）应是形如 {{"列名": 值}} 的对象',
                code=MALFORMED,
            )
        return item

    # ------------------------------------------------------------------ the connector

    def open(self, table: str, sample: int | None = None) -> TableStream:
        self.check_table(table)
        limit = sample_limit(sample)
        info = self.info()
        records = self._records(info)
        first_rows = BATCH_ROWS if limit is None else max(1, min(BATCH_ROWS, limit))
        first: list[dict[str, Any]] = []
        keys: dict[str, None] = {}
        try:
            for where, item in records:
                obj = self._object(where, item)
                first.append(obj)
                for k in obj:
                    keys.setdefault(k, None)
                if len(first) >= first_rows:
                    break
        except BaseException:
            records.close()
            raise
        key_list = list(keys)
        names, warnings = unique_names(key_list, where="JSON 字段")
        warnings = list(info.warnings) + warnings
        if not first:
            warnings.append("文件中没有任何 JSON 对象")
        extra: dict[str, int] = {}
        schema = string_schema(names)

        def batch_of(objs: list[dict[str, Any]]) -> Any:
            return to_batch(objs, key_list, schema)

        def batches() -> Iterator[Any]:
            if first:
                yield batch_of(first)
            chunk: list[dict[str, Any]] = []
            for where, item in records:
                obj = self._object(where, item)
                if len(extra) < 20:
                    for k in obj:
                        if k not in keys and k not in extra:
                            extra[k] = where
                chunk.append(obj)
                if len(chunk) >= BATCH_ROWS:
                    yield batch_of(chunk)
                    chunk = []
            if chunk:
                yield batch_of(chunk)
            if extra:
                listed = "、".join(f"“{k}”（第 {n} 行起）" for k, n in extra.items())
                warnings.append(f"以下字段在前 {BATCH_ROWS} 个对象中没有出现，本次扫描未包含：{listed}")

        return TableStream(
            name=table,
            schema=schema,
            batches=Batches(batches(), closers=[records.close], limit=limit),
            rows_estimate=None if limit is None else limit,
            bytes_estimate=self.size,
            source_types={n: "json" for n in names},
            warnings=warnings,
            limit=limit,
        )


def _codec(info: TextInfo) -> str:
    return "utf-8" if info.encoding == "utf-8-sig" else info.encoding
