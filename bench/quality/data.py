"""The quality benchmark's table: 1,000,000 bank customers (15 columns, Chinese names) as Parquet,
plus the 30-row code list of regions a foreign-key check refers to.

    python bench/quality/data.py                  # bench/quality/data/{customers,regions}.parquet
    python bench/quality/data.py --rows 20000 --out /tmp/q

Deterministic: the same seed and row count give the same files byte for byte (numpy's PCG64 and a
fixed "as of" date; nothing depends on the clock). Defects are injected at known rates so every check
has something to find; ``manifest.json`` beside the files records the seed, the rows and the files'
SHA-256 so ``write()`` reuses them while they match.

Columns never null (so that every tool's multi-column checks see the same rows): 开户日期, 更新时间,
网点编号, 账号. The others have a few nulls each. Row groups of 122,880 rows (DuckDB's own vector
multiple) so that a reader can split the file across both cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
FULL_ROWS = 1_000_000
SEED = 2026
ROW_GROUP = 122_880
# Every date in the table is at or before this day; the freshness check is relative to it.
AS_OF = date(2026, 11, 20)
FORMAT_VERSION = 2

REGIONS = {
    "110100": "北京市",
    "120100": "天津市",
    "130100": "石家庄市",
    "140100": "太原市",
    "150100": "呼和浩特市",
    "210100": "沈阳市",
    "220100": "长春市",
    "230100": "哈尔滨市",
    "310100": "上海市",
    "320100": "南京市",
    "330100": "杭州市",
    "340100": "合肥市",
    "350100": "福州市",
    "360100": "南昌市",
    "370100": "济南市",
    "410100": "郑州市",
    "420100": "武汉市",
    "430100": "长沙市",
    "440100": "广州市",
    "450100": "南宁市",
    "460100": "海口市",
    "500100": "重庆市",
    "510100": "成都市",
    "520100": "贵阳市",
    "530100": "昆明市",
    "540100": "拉萨市",
    "610100": "西安市",
    "620100": "兰州市",
    "630100": "西宁市",
    "640100": "银川市",
}
UNKNOWN_REGIONS = ["650100", "710100", "999999", "000000"]  # not in the code list

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建国志文斌宇浩然子涵梓萱一诺欣怡")
LONG_NAMES = ["阿卜杜热合曼", "欧阳娜娜娜", "司马相如之", "买买提江·吐尔逊"]  # longer than 4 characters
MAIL_DOMAINS = ["qq.com", "163.com", "126.com", "sina.com", "gmail.com", "bank.com.cn", "foxmail.com"]
STATUSES = ["正常", "冻结", "休眠", "销户"]
BAD_STATUSES = ["异常", "N/A", "待定"]
BAD_SEXES = ["M", "F", "未知", "男性"]
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
ID_CHECK = np.array(list("10X98765432"))

COLUMNS = [
    "客户编号",
    "姓名",
    "身份证号",
    "手机号",
    "性别",
    "年龄",
    "地区编码",
    "开户日期",
    "更新时间",
    "余额",
    "邮箱",
    "状态",
    "信用评分",
    "网点编号",
    "账号",
]


def _digits(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """n strings of `width` random decimal digits."""
    d = rng.integers(0, 10, size=(n, width), dtype=np.uint8) + ord("0")
    return d.view(f"S{width}").ravel().astype(str)


def _mask(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    return rng.random(n) < share


def _with_nulls(values: np.ndarray, nulls: np.ndarray) -> list[object]:
    out = values.astype(object)
    out[nulls] = None
    return list(out)


def id_check_digit(first17: np.ndarray) -> np.ndarray:
    """GB 11643-1999 check characters for an array of 17-digit strings."""
    d = np.frombuffer("".join(first17).encode("ascii"), dtype=np.uint8).reshape(-1, 17) - ord("0")
    return ID_CHECK[(d.astype(np.int64) @ ID_WEIGHTS) % 11]


def build(rows: int, seed: int) -> tuple[pa.Table, pa.Table]:
    rng = np.random.default_rng(seed)
    n = rows

    # 客户编号: C + 9 digits, a permutation (unique) ...
    ids = np.char.add("C", np.char.zfill(rng.permutation(n).astype(str), 9)).astype("<U11")
    # ... some 9 or 11 characters long (length check) ...
    short = _mask(rng, n, 0.0004)
    ids[short] = np.char.add("C", np.char.zfill(np.arange(short.sum()).astype(str), 8))
    long_ = _mask(rng, n, 0.0003) & ~short
    ids[long_] = np.char.add("CX", np.char.zfill(np.arange(long_.sum()).astype(str), 9))
    # ... and a few hundred duplicates: rows taking another row's number.
    dup_rows = rng.choice(n, size=max(1, n * 300 // FULL_ROWS), replace=False)
    ids[dup_rows] = ids[rng.choice(n, size=dup_rows.size)]
    customer_id = _with_nulls(ids, _mask(rng, n, 0.0002))

    # 姓名: surname + 1 or 2 characters; a few of 1 or 5+ characters.
    two = rng.random(n) < 0.6
    names = np.char.add(
        np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)],
        np.char.add(
            np.array(GIVEN)[rng.integers(0, len(GIVEN), n)],
            np.where(two, np.array(GIVEN)[rng.integers(0, len(GIVEN), n)], ""),
        ),
    ).astype(object)
    odd = _mask(rng, n, 0.001)
    names[odd] = np.where(
        rng.random(int(odd.sum())) < 0.5,
        np.array(SURNAMES)[rng.integers(0, len(SURNAMES), int(odd.sum()))],
        np.array(LONG_NAMES, dtype=object)[rng.integers(0, len(LONG_NAMES), int(odd.sum()))],
    )
    name = _with_nulls(names, _mask(rng, n, 0.005))

    # 地区编码: the code list, 0.5% codes outside it.
    codes = np.array(list(REGIONS))
    region_codes = codes[rng.integers(0, len(codes), n)]
    unknown = _mask(rng, n, 0.005)
    region_codes[unknown] = np.array(UNKNOWN_REGIONS)[
        rng.integers(0, len(UNKNOWN_REGIONS), int(unknown.sum()))
    ]
    region = _with_nulls(region_codes, _mask(rng, n, 0.002))

    # 年龄 and the birth date in 身份证号 agree; AS_OF is the reference day.
    age_years = rng.integers(18, 91, n)
    birth_year = AS_OF.year - age_years - 1
    birth = np.char.add(
        birth_year.astype(str),
        np.char.add(
            np.char.zfill(rng.integers(1, 13, n).astype(str), 2),
            np.char.zfill(rng.integers(1, 29, n).astype(str), 2),
        ),
    )
    sexes = np.where(rng.random(n) < 0.5, "男", "女")
    seq = rng.integers(0, 1000, n)
    seq = np.where(sexes == "男", seq | 1, seq & ~1)  # the 17th digit: odd for men
    first17 = np.char.add(np.char.add(region_codes, birth), np.char.zfill(seq.astype(str), 3))
    id_numbers = np.char.add(first17, id_check_digit(first17)).astype(object)
    wrong_check = _mask(rng, n, 0.003)  # right shape, wrong check character (valid_type only)
    id_numbers[wrong_check] = [
        s[:17] + ("0" if s[17] != "0" else "1") for s in id_numbers[wrong_check].astype(str)
    ]
    bad_shape = _mask(rng, n, 0.002)  # 17 digits, a lower-case x or a letter inside
    k = int(bad_shape.sum())
    bad = np.array(
        [
            first17[i][:17]
            if j == 0
            else first17[i] + "x"
            if j == 1
            else first17[i][:6] + "AB" + first17[i][8:] + "1"
            for i, j in zip(np.flatnonzero(bad_shape), rng.integers(0, 3, k), strict=True)
        ],
        dtype=object,
    )
    id_numbers[bad_shape] = bad
    id_number = _with_nulls(id_numbers, _mask(rng, n, 0.005))

    sex_values = sexes.astype(object)
    bad_sex = _mask(rng, n, 0.001)
    sex_values[bad_sex] = np.array(BAD_SEXES, dtype=object)[
        rng.integers(0, len(BAD_SEXES), int(bad_sex.sum()))
    ]
    sex = _with_nulls(sex_values, _mask(rng, n, 0.002))

    ages = age_years.astype(np.int64)
    bad_age = _mask(rng, n, 0.001)
    ages[bad_age] = np.array([-1, -5, 121, 150, 999])[rng.integers(0, 5, int(bad_age.sum()))]
    age = pa.array(ages, type=pa.int32(), mask=_mask(rng, n, 0.003))

    # 手机号: 1[3-9] + 9 digits; 0.4% malformed (10 or 12 digits, 12x…, a dash).
    mobiles = np.char.add(np.char.add("1", rng.integers(3, 10, n).astype(str)), _digits(rng, n, 9)).astype(
        object
    )
    bad_mobile = np.flatnonzero(_mask(rng, n, 0.004))
    kinds = rng.integers(0, 4, bad_mobile.size)
    for i, kind in zip(bad_mobile, kinds, strict=True):
        m = mobiles[i]
        mobiles[i] = (m[:10], m + "8", "12" + m[2:], m[:3] + "-" + m[3:])[kind]
    mobile = _with_nulls(mobiles, _mask(rng, n, 0.01))

    # 开户日期 in 2010-01-01 … AS_OF; 更新时间 after it, up to AS_OF; 0.2% updated before opening.
    start = np.datetime64("2010-01-01")
    as_of = np.datetime64(AS_OF.isoformat())
    span = int((as_of - start).astype(int))
    opened = start + rng.integers(0, span + 1, n).astype("timedelta64[D]")
    room = (as_of - opened).astype("timedelta64[s]").astype(np.int64) + 86_399
    updated = opened.astype("datetime64[s]") + (rng.random(n) * room).astype("timedelta64[s]")
    early = _mask(rng, n, 0.002)
    updated[early] = opened[early].astype("datetime64[s]") - rng.integers(
        86_400, 86_400 * 400, int(early.sum())
    ).astype("timedelta64[s]")

    balances = np.round(rng.lognormal(9, 1.6, n), 2)
    negative = _mask(rng, n, 0.003)
    balances[negative] = -np.round(rng.uniform(0.01, 5000, int(negative.sum())), 2)
    balances = np.minimum(balances, 99_999_999.99)
    balance = pa.array(balances, type=pa.float64(), mask=_mask(rng, n, 0.001))

    # 邮箱: local part from the account-ish digits and letters; 0.5% malformed; 5% null.
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    local = np.char.add(
        np.char.add(letters[rng.integers(0, 26, n)], letters[rng.integers(0, 26, n)]),
        np.char.add(np.where(rng.random(n) < 0.3, ".", ""), _digits(rng, n, 6)),
    )
    mails = np.char.add(
        np.char.add(local, "@"), np.array(MAIL_DOMAINS)[rng.integers(0, len(MAIL_DOMAINS), n)]
    )
    mails = mails.astype(object)
    bad_mail = np.flatnonzero(_mask(rng, n, 0.005))
    for i, kind in zip(bad_mail, rng.integers(0, 4, bad_mail.size), strict=True):
        m = mails[i]
        at = m.index("@")
        mails[i] = (m.replace("@", ""), m[:at] + "@@" + m[at + 1 :], m.rsplit(".", 1)[0], m + " ")[kind]
    mail = _with_nulls(mails, _mask(rng, n, 0.05))

    status_values = np.array(STATUSES, dtype=object)[rng.choice(4, size=n, p=[0.85, 0.03, 0.1, 0.02])]
    bad_status = _mask(rng, n, 0.001)
    status_values[bad_status] = np.array(BAD_STATUSES, dtype=object)[
        rng.integers(0, len(BAD_STATUSES), int(bad_status.sum()))
    ]
    status = _with_nulls(status_values, _mask(rng, n, 0.001))

    scores = rng.integers(300, 851, n)
    bad_score = _mask(rng, n, 0.002)
    scores[bad_score] = np.array([0, 299, 851, 900, 1000])[rng.integers(0, 5, int(bad_score.sum()))]
    score = pa.array(scores, type=pa.int32(), mask=_mask(rng, n, 0.01))

    # 网点编号 + 账号: unique as a pair (a permutation of account numbers), a couple of hundred pairs
    # repeated on other rows; 账号 alone repeats across branches only through those copies.
    branches = np.char.add("WD", np.char.zfill(rng.integers(1, 501, n).astype(str), 4))
    accounts = np.char.add("6222", np.char.zfill(rng.permutation(n).astype(str), 15))
    copies = rng.choice(n, size=max(1, n * 200 // FULL_ROWS), replace=False)
    originals = rng.choice(n, size=copies.size)
    branches[copies] = branches[originals]
    accounts[copies] = accounts[originals]

    table = pa.table(
        {
            "客户编号": pa.array(customer_id, type=pa.string()),
            "姓名": pa.array(name, type=pa.string()),
            "身份证号": pa.array(id_number, type=pa.string()),
            "手机号": pa.array(mobile, type=pa.string()),
            "性别": pa.array(sex, type=pa.string()),
            "年龄": age,
            "地区编码": pa.array(region, type=pa.string()),
            "开户日期": pa.array(opened.astype("datetime64[D]"), type=pa.date32()),
            "更新时间": pa.array(updated, type=pa.timestamp("us")),
            "余额": balance,
            "邮箱": pa.array(mail, type=pa.string()),
            "状态": pa.array(status, type=pa.string()),
            "信用评分": score,
            "网点编号": pa.array(branches, type=pa.string()),
            "账号": pa.array(accounts, type=pa.string()),
        }
    )
    assert table.column_names == COLUMNS
    regions = pa.table(
        {"地区编码": pa.array(list(REGIONS), type=pa.string()), "地区名称": pa.array(list(REGIONS.values()))}
    )
    return table, regions


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def write(out: Path = DATA, rows: int = FULL_ROWS, seed: int = SEED) -> tuple[Path, Path, float | None]:
    """Write (or reuse) the two Parquet files; the seconds it took, None when reused."""
    out.mkdir(parents=True, exist_ok=True)
    customers, regions = out / "customers.parquet", out / "regions.parquet"
    manifest_path = out / "manifest.json"
    wanted = {"rows": rows, "seed": seed, "format": FORMAT_VERSION, "as_of": AS_OF.isoformat()}
    if manifest_path.exists() and customers.exists() and regions.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if {k: manifest.get(k) for k in wanted} == wanted and manifest.get("sha256") == {
            customers.name: _sha256(customers),
            regions.name: _sha256(regions),
        }:
            return customers, regions, None
    began = time.perf_counter()
    table, codes = build(rows, seed)
    pq.write_table(table, customers, row_group_size=ROW_GROUP, compression="snappy")
    pq.write_table(codes, regions, compression="snappy")
    manifest = {
        **wanted,
        "generated": datetime.now().isoformat(timespec="seconds"),
        "columns": COLUMNS,
        "row_group": ROW_GROUP,
        "sha256": {customers.name: _sha256(customers), regions.name: _sha256(regions)},
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return customers, regions, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=FULL_ROWS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args()
    customers, regions, seconds = write(args.out, args.rows, args.seed)
    made = "reused" if seconds is None else f"written in {seconds:.1f} s"
    print(f"{customers} ({customers.stat().st_size / 1e6:.1f} MB), {regions}: {made}")


if __name__ == "__main__":
    main()
