"""Data fingerprints: the same rows in another order give the same fingerprint; one changed value,
one more row, a duplicate or another column type give another."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

from dataasset.registry.fingerprint import of_source
from tests.discovery.sample_data import customer_rows, write_csv


def test_row_order_does_not_matter_but_content_does(tmp_path: Path) -> None:
    rows = customer_rows(200, seed=4)
    a = of_source(str(write_csv(tmp_path / "a.csv", rows, "gbk")))
    b = of_source(str(write_csv(tmp_path / "b.csv", list(reversed(rows)), "utf-8")))
    assert a == b and a.rows == 200 and len(a.value) == 64
    changed = [dict(r) for r in rows]
    changed[57]["用电量"] = "0.01"
    assert of_source(str(write_csv(tmp_path / "c.csv", changed))).content_sha256 != a.content_sha256
    duplicated = [*rows, rows[0]]
    d = of_source(str(write_csv(tmp_path / "d.csv", duplicated)))
    assert d.rows == 201 and d.value != a.value


def test_the_schema_counts(tmp_path: Path) -> None:
    pq.write_table(pa.table({"x": pa.array([1, 2], pa.int64())}), tmp_path / "i.parquet")
    pq.write_table(pa.table({"x": pa.array(["1", "2"], pa.string())}), tmp_path / "s.parquet")
    pq.write_table(pa.table({"y": pa.array([1, 2], pa.int64())}), tmp_path / "y.parquet")
    i, s, y = (of_source(str(tmp_path / f"{n}.parquet")) for n in ("i", "s", "y"))
    assert i.schema_sha256 != s.schema_sha256 and i.schema_sha256 != y.schema_sha256
    assert i.content_sha256 == y.content_sha256  # same values, other name: the schema tells them apart
    assert len({i.value, s.value, y.value}) == 3
