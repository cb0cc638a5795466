"""The profiler's figures against the same figures computed here in plain Python, on small tables
(read whole before the query) and on larger ones (the streaming path: keys checked over every row,
exact counts of low-cardinality columns, types that fail late); typed Arrow columns; the sample;
masking; cancellation and progress; errors of the source surfacing as they are."""

from __future__ import annotations

import datetime as dt
import random
import statistics
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pytest

from dataasset.discovery.connectors import Batches, open_source
from dataasset.discovery.profiler import PEEK_ROWS, compress, mask_profile, mask_value, profile, shape
from dataasset.discovery.types import (
    CANCELLED,
    MALFORMED,
    ColumnProfile,
    DiscoveryError,
    TableProfile,
    TableStream,
)
from tests.conftest import require_pg, scratch_pg_database


def stream_of(
    columns: Mapping[str, Sequence[Any]],
    types: dict[str, Any] | None = None,
    batch: int = 20_000,
    closers: list[Any] | None = None,
    limit: int | None = None,
) -> TableStream:
    types = types or {}
    arrays = {k: pa.array(list(v), type=types.get(k, pa.string())) for k, v in columns.items()}
    table = pa.table(arrays)
    batches = Batches(iter(table.to_batches(max_chunksize=batch)), closers=closers or [], limit=limit)
    return TableStream(name="t", schema=table.schema, batches=batches, limit=limit)


def col(p: TableProfile, name: str) -> ColumnProfile:
    return next(c for c in p.columns if c.name == name)


def present(values: Sequence[str | None]) -> list[str]:
    return [v for v in values if v is not None and v.strip() != ""]


def check_text_column(c: ColumnProfile, values: Sequence[str | None]) -> None:
    """rows, nulls, distinct, lengths, string min/max as computed here."""
    kept = present(values)
    assert c.rows == len(values)
    assert c.nulls == len(values) - len(kept)
    assert c.distinct == len(set(kept)) and c.distinct_exact
    if kept:
        assert c.length_min == min(len(v) for v in kept)
        assert c.length_max == max(len(v) for v in kept)
        assert c.length_mean == pytest.approx(statistics.fmean(len(v) for v in kept))
    if c.type == "string" and kept:
        assert (c.min, c.max) == (min(kept), max(kept))


# ---------------------------------------------------------------- a small table (read whole first)

SMALL: dict[str, Sequence[str | None]] = {
    "id": [str(i) for i in range(1, 13)],
    "姓名": ["张三", "李四", "王五", "张三", "", "  ", "赵六", "张三", "李四", None, "钱七", "孙八"],
    "mobile": [f"138{i:08d}" for i in range(12)],
    "zip": "010020 430100 410000 010020 430100 _ 100000 200000 300000 1 2 3".replace("_", "").split(" "),
    "idno": [*("43010219900101123" + str(i % 10) for i in range(11)), "43010219900101123X"],
    "amount": ["12.50", "7", "", "0.25", "-3", "100", "1e2", "8.125", "9", "10", "11", "12"],
    "day": ["2024-01-02", "2023-12-31", "2024-2-9", "", "2024-01-02", "2020/05/06"] * 2,
    "ts": ["2024-01-02 08:30:00", "2024-01-02", "2023-05-06T10:00:00", "", "2024-01-02 08:30:00", None] * 2,
    "flag": ["true", "false", "TRUE", "", "f", "t"] * 2,
    "mixed": ["1", "2", "3", "x", "5", "6", "7", "8", "9", "10", "11", "12"],
    "nan": ["1", "2", "nan", "4", "5", "6", "7", "8", "9", "10", "11", "inf"],
    "empty": [""] * 12,
}


@pytest.fixture(scope="module")
def small() -> TableProfile:
    return profile(stream_of(SMALL), sample_size=100)


def test_small_table_types(small: TableProfile) -> None:
    types = {c.name: c.type for c in small.columns}
    assert types == {
        "id": "integer",
        "姓名": "string",
        "mobile": "integer",
        "zip": "string",  # leading zeros: a code, not a number
        "idno": "string",  # 18 digits (and an X): a code
        "amount": "decimal",
        "day": "date",
        "ts": "timestamp",
        "flag": "boolean",
        "mixed": "string",  # one value of twelve does not cast
        "nan": "string",  # nan / inf are not numbers here
        "empty": "string",
    }
    assert all(c.source_type == "string" for c in small.columns)


def test_small_table_counts(small: TableProfile) -> None:
    assert small.rows == 12 and small.duplicate_rows == 0
    for name, values in SMALL.items():
        check_text_column(col(small, name), values)
    assert col(small, "empty").nulls == 12 and col(small, "empty").distinct == 0


def test_small_table_numbers_and_dates(small: TableProfile) -> None:
    ids = col(small, "id")
    assert (ids.min, ids.max) == ("1", "12")  # numeric order, not text order ("10" < "9")
    assert ids.mean == pytest.approx(6.5) and ids.stddev == pytest.approx(statistics.stdev(range(1, 13)))
    amounts = [float(v) for v in present(SMALL["amount"])]
    amount = col(small, "amount")
    assert (amount.min, amount.max) == ("-3", "100")
    assert amount.mean == pytest.approx(statistics.fmean(amounts))
    assert amount.stddev == pytest.approx(statistics.stdev(amounts))
    assert set(amount.quantiles) == {"p25", "p50", "p75"}
    assert min(amounts) <= float(amount.quantiles["p25"]) <= float(amount.quantiles["p75"]) <= max(amounts)
    day = col(small, "day")
    assert (day.min, day.max) == ("2020-05-06", "2024-02-09")
    assert all(isinstance(v, str) and len(v) == 10 for v in day.quantiles.values())
    ts = col(small, "ts")
    assert (ts.min, ts.max) == ("2023-05-06 10:00:00", "2024-01-02 08:30:00")
    flag = col(small, "flag")
    assert (flag.min, flag.max) == ("false", "true")


def test_small_table_top_values_and_keys(small: TableProfile) -> None:
    names = col(small, "姓名")
    expected = Counter(present(SMALL["姓名"])).most_common()
    assert names.top_values_exact
    assert names.top_values[:2] == [("张三", 3), ("李四", 2)]
    assert sorted(names.top_values) == sorted(expected)
    assert col(small, "id").top_values == []  # every value once
    assert small.candidate_keys == ["id", "mobile", "mixed", "nan"]
    assert small.sampled is False


def test_small_table_sample_holds_every_value(small: TableProfile) -> None:
    for name, values in SMALL.items():
        assert col(small, name).sample == present(values)


def test_patterns() -> None:
    assert shape("13800138000") == "9{11}"
    assert shape("43010219900101123X") == "9{17}A"
    assert shape("张三") == "汉汉"
    assert shape("user12@example.com") == "AAAA99@A{7}.AAA"
    assert compress("99999-9999") == "9{5}-9999"
    mobiles, names = ["13800138000", "13900139000", "010-8888"], ["张三", "欧阳娜娜", "李四"]
    p = profile(stream_of({"m": mobiles, "n": names}))
    assert col(p, "m").patterns == [("9{11}", 2), ("999-9999", 1)]
    assert col(p, "n").patterns == [("汉汉", 2), ("汉汉汉汉", 1)]


def test_duplicate_rows_count_blank_as_null() -> None:
    rows = [("a", "1"), ("a", "1"), ("b", ""), ("b", None), ("b", "  "), ("c", "2")]
    p = profile(stream_of({"x": [r[0] for r in rows], "y": [r[1] for r in rows]}))
    assert p.duplicate_rows == 3  # (a,1) once more, (b,blank) twice more
    assert p.candidate_keys == []


# ---------------------------------------------------------------- the streaming path


N = 150_000


@pytest.fixture(scope="module")
def large_columns() -> dict[str, Sequence[str | None]]:
    rng = random.Random(5)
    cats = rng.choices(["长沙", "株洲", "湘潭", "衡阳", "岳阳"], weights=[50, 20, 15, 10, 5], k=N)
    late_cat = ["x" if i % 3 else "y" for i in range(N)]
    for i in range(110_000, N, 2):
        late_cat[i] = "z"  # a value first seen long after the peeked rows
    late_key = [f"K{i:07d}" for i in range(N)]
    late_key[120_000] = late_key[5]  # one repeat, far from the start
    late_text = [str(rng.randrange(1000)) for _ in range(N)]
    late_text[140_000] = "N/A"
    amount = [f"{rng.uniform(0, 1000):.2f}" if i % 7 else "" for i in range(N)]
    return {
        "id": [str(i) for i in range(N)],
        "城市": cats,
        "late_cat": late_cat,
        "late_key": late_key,
        "late_text": late_text,
        "amount": amount,
        "free": [f"备注{rng.randrange(10**6)}" for _ in range(N)],
    }


@pytest.fixture(scope="module")
def large(large_columns: dict[str, Sequence[str | None]]) -> TableProfile:
    assert PEEK_ROWS < 110_000
    return profile(stream_of(large_columns), sample_size=5_000)


def test_large_table_exact_figures(
    large: TableProfile, large_columns: dict[str, Sequence[str | None]]
) -> None:
    assert large.rows == N and large.duplicate_rows == 0
    types = {c.name: c.type for c in large.columns}
    assert types == {
        "id": "integer",
        "城市": "string",
        "late_cat": "string",
        "late_key": "string",
        "late_text": "string",  # "N/A" at row 140,000 keeps it text
        "amount": "decimal",
        "free": "string",
    }
    for name in ("城市", "late_key", "late_text", "amount"):
        c, values = col(large, name), large_columns[name]
        kept = present(values)
        assert c.nulls == N - len(kept)
        assert c.length_min == min(len(v) for v in kept) and c.length_max == max(len(v) for v in kept)
    assert col(large, "late_text").min == min(present(large_columns["late_text"]))  # text order once text
    amounts = [float(v) for v in present(large_columns["amount"])]
    amount = col(large, "amount")
    assert amount.mean == pytest.approx(statistics.fmean(amounts), rel=1e-9)
    assert amount.stddev == pytest.approx(statistics.stdev(amounts), rel=1e-9)
    assert float(amount.min or 0) == min(amounts) and float(amount.max or 0) == max(amounts)
    assert float(amount.quantiles["p50"]) == pytest.approx(statistics.median(amounts), rel=0.02)


def test_large_table_keys_are_checked_over_every_row(large: TableProfile) -> None:
    assert large.candidate_keys == ["id"]
    key = col(large, "late_key")
    assert key.distinct == N - 1 and key.distinct_exact  # the repeat at row 120,000 is found
    assert col(large, "id").distinct == N and col(large, "id").distinct_exact


def test_large_table_value_counts(
    large: TableProfile, large_columns: dict[str, Sequence[str | None]]
) -> None:
    city = col(large, "城市")
    assert city.top_values_exact and city.distinct_exact and city.distinct == 5
    assert city.top_values == Counter(large_columns["城市"]).most_common()
    late = col(large, "late_cat")
    counts = Counter(large_columns["late_cat"])
    got = dict(late.top_values)
    assert got["x"] == counts["x"] and got["y"] == counts["y"]  # exact: seen in the peeked rows
    assert got["z"] == pytest.approx(counts["z"], rel=0.15)  # first seen later: estimated from the sample
    assert not late.top_values_exact and not late.distinct_exact and late.distinct == 3
    free = col(large, "free")
    assert not free.distinct_exact
    assert free.distinct == pytest.approx(len(set(large_columns["free"])), rel=0.05)


def test_duplicates_on_the_streaming_path() -> None:
    rng = random.Random(9)
    x = [str(rng.randrange(300)) for _ in range(N)]
    y = [rng.choice(["a", "b", "", None]) for _ in range(N)]
    p = profile(stream_of({"x": x, "y": y}))
    normal = {(a, b or None) for a, b in zip(x, y, strict=True)}
    assert p.duplicate_rows == N - len(normal)


def test_sample_is_uniform_and_in_row_order() -> None:
    n = 100_000
    p = profile(stream_of({"i": [str(i) for i in range(n)]}), sample_size=2_000)
    values = [int(v) for v in col(p, "i").sample]
    assert len(values) == 2_000 and len(set(values)) == 2_000
    assert values == sorted(values)
    assert abs(statistics.fmean(values) - n / 2) < 3_000
    quarters = Counter(v * 4 // n for v in values)
    assert all(0.2 < quarters[q] / 2_000 < 0.3 for q in range(4)), quarters


def test_sample_size_zero() -> None:
    p = profile(stream_of({"a": ["x", "y", "x"]}), sample_size=0)
    assert col(p, "a").sample == [] and col(p, "a").top_values == [("x", 2), ("y", 1)]


def test_small_memory_limit_still_exact() -> None:
    n = 120_000
    p = profile(stream_of({"k": [f"key-{i:08d}-{'x' * 40}" for i in range(n)]}), memory_limit="64MB")
    assert p.candidate_keys == ["k"] and col(p, "k").distinct == n


# ---------------------------------------------------------------- typed columns


def test_typed_arrow_columns() -> None:
    n = 1_000
    cols = {
        "i": [None if k % 10 == 0 else k for k in range(n)],
        "f": [k / 4 for k in range(n)],
        "d": [Decimal(k) / 100 for k in range(n)],
        "b": [k % 3 == 0 for k in range(n)],
        "day": [dt.date(2024, 1, 1) + dt.timedelta(days=k % 30) for k in range(n)],
        "ts": [dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=k) for k in range(n)],
        "bin": [bytes([k % 7]) * (k % 5) for k in range(n)],
        "tags": [[k, k + 1] for k in range(n)],
        "obj": [{"a": k, "名": "张"} for k in range(n)],
        "cat": pa.array(["甲", "乙"] * (n // 2)).dictionary_encode(),
        "t": [dt.time(10, k % 60) for k in range(n)],
    }
    types = {
        "i": pa.int32(),
        "f": pa.float64(),
        "d": pa.decimal128(10, 2),
        "b": pa.bool_(),
        "day": pa.date32(),
        "ts": pa.timestamp("us", tz="UTC"),
        "bin": pa.binary(),
        "tags": pa.list_(pa.int64()),
        "obj": pa.struct([("a", pa.int64()), ("名", pa.string())]),
        "cat": pa.dictionary(pa.int32(), pa.string()),
        "t": pa.time64("us"),
    }
    p = profile(stream_of(cols, types, batch=300))
    assert {c.name: c.type for c in p.columns} == {
        "i": "integer",
        "f": "float",
        "d": "decimal",
        "b": "boolean",
        "day": "date",
        "ts": "timestamp",
        "bin": "binary",
        "tags": "string",
        "obj": "string",
        "cat": "string",
        "t": "string",
    }
    ints = [k for k in cols["i"] if k is not None]
    i = col(p, "i")
    assert i.nulls == n - len(ints) and (i.min, i.max) == ("1", str(max(ints)))
    assert i.mean == pytest.approx(statistics.fmean(ints)) and i.source_type == "int32"
    assert col(p, "d").max == "9.99" and col(p, "f").max == "249.75"
    assert dict(col(p, "b").top_values) == {"false": 666, "true": 334}
    assert (col(p, "day").min, col(p, "day").max) == ("2024-01-01", "2024-01-30")
    assert col(p, "ts").min == "2024-01-01 00:00:00+00:00"
    b = col(p, "bin")
    assert b.nulls == 0 and b.length_max == 4 and b.top_values == [] and b.sample == []
    assert col(p, "tags").sample[:2] == ["[0, 1]", "[1, 2]"]
    assert col(p, "obj").sample[0] == '{"a": 0, "名": "张"}'
    assert col(p, "cat").top_values == [("甲", 500), ("乙", 500)]
    assert col(p, "t").min == "10:00:00.000000"
    assert col(p, "i").sample[:2] == ["1", "2"] and col(p, "d").sample[1] == "0.01"


# ---------------------------------------------------------------- masking


def test_mask_value() -> None:
    assert mask_value("13800138000") == "1*********0"
    assert mask_value("110101199001011234") == "1****************4"
    assert mask_value("张三") == "张*"
    assert mask_value("欧阳娜娜") == "欧**娜"
    assert mask_value("x") == "*" and mask_value("") == ""


def test_mask_profile() -> None:
    p = profile(stream_of({"手机": ["13800138000", "13800138000", "13900139000"], "d": ["2024-01-01"] * 3}))
    masked = mask_profile(col(p, "手机"))
    assert masked.top_values == [("1*********0", 2), ("1*********0", 1)]
    assert (masked.min, masked.max) == ("1*********0", "1*********0")
    assert masked.sample == ["1*********0"] * 3
    assert masked.mean == col(p, "手机").mean and masked.patterns == [("9{11}", 3)]
    day = mask_profile(col(p, "d"))
    assert day.quantiles == {"p25": "2********1", "p50": "2********1", "p75": "2********1"}


# ---------------------------------------------------------------- progress, cancellation, errors


def test_progress_is_reported() -> None:
    seen: list[int] = []
    p = profile(stream_of({"a": [str(i) for i in range(100_000)]}, batch=10_000), progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == p.rows == 100_000 and len(seen) == 10


@pytest.mark.parametrize("after", [1, 9])  # during the first rows, and while DuckDB consumes the rest
def test_cancellation_mid_stream(after: int) -> None:
    asked = [0]
    closed: list[bool] = []

    def cancelled() -> bool:
        asked[0] += 1
        return asked[0] > after

    values = [str(i) for i in range(200_000)]
    stream = stream_of({"a": values}, batch=10_000, closers=[lambda: closed.append(True)])
    with pytest.raises(DiscoveryError) as info:
        profile(stream, cancelled=cancelled)
    assert info.value.code == CANCELLED and "取消" in info.value.message
    assert closed == [True]


def test_source_error_mid_stream_surfaces(tmp_path: Path) -> None:
    lines = ["a,b"] + [f"{i},x" for i in range(100_000)] + ["1,2,3"]
    path = tmp_path / "r.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open_source(str(path)) as conn, pytest.raises(DiscoveryError) as info:
        profile(conn.open("r"))
    assert info.value.code == MALFORMED and "第 100002 行" in info.value.message


def test_header_only_and_no_columns(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("a,b\n", encoding="utf-8")
    with open_source(str(tmp_path / "h.csv")) as conn:
        p = profile(conn.open("h"))
    assert p.rows == 0 and [c.type for c in p.columns] == ["string", "string"]
    assert all(c.nulls == 0 and c.distinct == 0 and c.top_values == [] for c in p.columns)
    empty = TableStream(name="e", schema=pa.schema([]), batches=iter([]))
    assert profile(empty).rows == 0


def test_sampled_flag() -> None:
    p = profile(stream_of({"a": [str(i) for i in range(100)]}, limit=10))
    assert p.rows == 10 and p.sampled


def gbk_csv(path: Path) -> Path:
    rows = ["客户,城市,余额"] + [f"客户{i},{'长沙' if i % 3 else '株洲'},{i}.5" for i in range(300)]
    path.write_bytes("\r\n".join(rows).encode("gbk"))
    return path


def test_gbk_csv_end_to_end(tmp_path: Path) -> None:
    with open_source(str(gbk_csv(tmp_path / "gbk.csv"))) as conn:
        p = profile(conn.open("gbk"))
    assert p.rows == 300 and p.candidate_keys == ["客户", "余额"]
    assert col(p, "城市").top_values == [("长沙", 200), ("株洲", 100)]
    assert col(p, "余额").type == "decimal" and col(p, "余额").max == "299.5"


# ---------------------------------------------------------------- PostgreSQL (typed)


@pytest.fixture(scope="module")
def pg_table() -> Iterator[str]:
    require_pg()
    with scratch_pg_database("profiler") as url:
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            conn.execute(
                "CREATE TABLE acct (id bigint PRIMARY KEY, owner text, balance numeric(12,2), opened date, "
                "active boolean, note text)"
            )
            conn.execute(
                "INSERT INTO acct SELECT g, '户主' || (g % 50), g * 0.5, DATE '2020-01-01' + (g % 365), "
                "g % 4 = 0, CASE WHEN g % 5 = 0 THEN NULL ELSE 'n' END FROM generate_series(1, 80000) g"
            )
        yield url


def test_profile_postgresql_table(pg_table: str) -> None:
    with open_source(pg_table) as conn:
        p = profile(conn.open("acct"))
    assert p.rows == 80_000 and p.candidate_keys == ["id", "balance"]
    types = {c.name: (c.type, c.source_type) for c in p.columns}
    assert types["id"] == ("integer", "bigint") and types["balance"] == ("decimal", "numeric(12,2)")
    assert types["opened"] == ("date", "date") and types["active"] == ("boolean", "boolean")
    assert col(p, "balance").max == "40000.00" and col(p, "balance").mean == pytest.approx(80_001 / 4)
    assert col(p, "note").nulls == 16_000
    assert col(p, "owner").distinct == 50 and col(p, "owner").distinct_exact
    assert dict(col(p, "active").top_values) == {"false": 60_000, "true": 20_000}
