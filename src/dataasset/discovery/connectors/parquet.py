"""Parquet: one table with its own types, read batch by batch (``ParquetFile.iter_batches``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

from dataasset.discovery.connectors.base import BATCH_ROWS, Batches, FileConnector, register, sample_limit
from dataasset.discovery.types import MALFORMED, NOT_TEXT, DiscoveryError, TableRef, TableStream


@register
class ParquetConnector(FileConnector):
    name = "parquet"
    label = "Parquet 文件"

    def _file(self) -> Any:
        try:
            return pq.ParquetFile(str(self.path))
        except (pa.ArrowException, OSError) as exc:
            raise self._bad(exc) from None

    def _bad(self, exc: BaseException) -> DiscoveryError:
        detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        with self.path.open("rb") as handle:
            magic = handle.read(4)
        if magic != b"PAR1":
            return DiscoveryError(
                f"文件“{self.display}”不是 Parquet 文件（开头没有 PAR1 标记）：请确认文件格式或扩展名",
                code=NOT_TEXT,
            )
        return DiscoveryError(
            f"Parquet 文件“{self.display}”已损坏或被截断（{detail}）：请从源系统重新导出后上传",
            code=MALFORMED,
        )

    def tables(self) -> list[TableRef]:
        meta = self._file().metadata
        return [TableRef(self.table_name, meta.num_rows)]

    def open(self, table: str, sample: int | None = None) -> TableStream:
        self.check_table(table)
        limit = sample_limit(sample)
        handle = self._file()
        schema = handle.schema_arrow
        comments = {}
        for f in schema:
            meta = f.metadata or {}
            comment = meta.get(b"comment") or meta.get(b"description")
            if comment:
                comments[f.name] = comment.decode("utf-8", "replace")
        total = handle.metadata.num_rows
        batch_size = BATCH_ROWS if limit is None else max(1, min(BATCH_ROWS, limit))

        def batches() -> Iterator[Any]:
            try:
                yield from handle.iter_batches(batch_size=batch_size)
            except (pa.ArrowException, OSError) as exc:
                raise self._bad(exc) from None

        return TableStream(
            name=table,
            schema=schema,
            batches=Batches(batches(), closers=[handle.close], limit=limit),
            rows_estimate=total if limit is None else min(total, limit),
            bytes_estimate=self.size,
            source_types={f.name: str(f.type) for f in schema},
            comments=comments,
            limit=limit,
        )
