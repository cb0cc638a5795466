"""One contender of the discovery benchmark, run in its own process by ``run.py``:

    python bench/discovery/contenders.py NAME --csv TABLE.csv --out RESULT.json [--rows N]

NAME is one of ``ours``, ``duckdb``, ``ydata``, ``presidio_structured``, ``presidio_batch``. The
process writes a JSON document: the time and CPU of the work alone (imports excluded: ``run.py``
measures the whole process too), and for detectors the type decided for each column.

Presidio has no Chinese recognisers and its spaCy models cannot be downloaded here, so it gets
Presidio's own ``NoOpNlpEngine`` (no model, empty NLP artifacts) and one ``PatternRecognizer`` per
type code of ours, built from the same regular expressions (anchored to the whole cell: ours checks
whole values) with our checkers as ``validate_result``. ``birth_date`` is hint-only in ours; in
Presidio it is a low-score pattern (0.3, under the engine's 0.5 threshold) that the column name,
passed as context, lifts by Presidio's context enhancer (+0.35) — the way Presidio uses column names.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

LANGUAGE = "zh"
SCORE_THRESHOLD = 0.5
HINT_ONLY_SCORE = 0.3


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- ours


Work = Callable[[], dict[str, Any]]


def ours(csv_path: Path, _rows: int | None) -> Work:
    from dataasset.discovery import scanner

    return lambda: _ours(scanner.scan(str(csv_path)))


def _ours(tables: list[Any]) -> dict[str, Any]:
    (table,) = tables
    return {
        "rows_read": table.profile.rows,
        "columns": {c.profile.name: c.detection.type_code for c in table.columns},
        "confidence": {c.profile.name: c.detection.confidence for c in table.columns},
        "explanation": {c.profile.name: c.detection.explanation for c in table.columns},
        "grade": {"table": table.grade.grade, "level": table.grade.level},
        "column_grades": {c.profile.name: c.grade.grade for c in table.columns},
    }


# ---------------------------------------------------------------- DuckDB SUMMARIZE (the floor)


def duckdb_summarize(csv_path: Path, _rows: int | None) -> Work:
    import duckdb

    path = str(csv_path).replace("'", "''")

    def work() -> dict[str, Any]:
        con = duckdb.connect()
        rows = con.sql(f"SUMMARIZE SELECT * FROM read_csv('{path}', all_varchar=false)").fetchall()
        count = {str(r[0]): int(r[-2]) for r in rows}  # column_name → count (rows read)
        return {"summary_rows": len(rows), "rows_read": max(count.values()), "duckdb": duckdb.__version__}

    return work


# ---------------------------------------------------------------- ydata-profiling (minimal)


def ydata(csv_path: Path, _rows: int | None) -> Work:
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]
    from ydata_profiling import ProfileReport, __version__  # type: ignore[import-untyped]

    def work() -> dict[str, Any]:
        df = pd.read_csv(csv_path)
        text = ProfileReport(df, minimal=True, progress_bar=False).to_json()
        return {"rows_read": len(df), "json_bytes": len(text), "ydata_profiling": __version__}

    return work


# ---------------------------------------------------------------- Presidio with our regexes


def _pattern_specs() -> dict[str, tuple[str, Callable[[str], bool]]]:
    """Type code → (the regular expression of ours for its shape, our full check as a validator)."""
    from dataasset.discovery.detectors import DETECTORS, contact, identity, location, network, person
    from dataasset.discovery.detectors.base import VALID, Hint, normalise

    today = date.today()

    def validator(code: str) -> Callable[[str], bool]:
        detector = DETECTORS[code]
        hint = Hint((code,), code, code) if detector.hint_only else None
        checker = detector.checker(hint, today)
        assert checker is not None
        check = checker.check
        return lambda text: check(normalise(text)) == VALID

    shapes = {
        "cn_resident_id": r"[1-8]\d{16}[\dXx]|[1-8]\d{14}",
        "cn_uscc": identity._USCC_RE.pattern,
        "bank_card": identity._CARD_RE.pattern,
        "cn_mobile": contact._MOBILE_RE.pattern,
        "cn_landline": contact._LANDLINE_RE.pattern,
        "cn_passport": identity._PASSPORT_RE.pattern,
        "cn_plate": identity._PLATE_RE.pattern,
        "email": contact._EMAIL_RE.pattern,
        "ipv6": network._IPV6_RE.pattern,
        "ipv4": network._IPV4_RE.pattern,
        "mac_address": network._MAC_RE.pattern,
        "geo_coordinate": location._PAIR_RE.pattern,
        "birth_date": "|".join(f"(?:{p.pattern})" for p in person._DATE_RES),
        "cn_person_name": f"{person._CJK_NAME_RE.pattern}|{person._DOTTED_NAME_RE.pattern}",
        # ours has no single regex for an address (gazetteer + structure): the shape is "5–120
        # characters with a 汉字", the rest is the validator
        "cn_address": r"(?=.*[\u4e00-\u9fff]).{5,120}",
    }
    assert set(shapes) == set(DETECTORS), "one recogniser per detector"
    return {code: (shapes[code], validator(code)) for code in DETECTORS}


def presidio_engine(only: str | None = None) -> Any:
    """An AnalyzerEngine without NLP models, with one recogniser per type code of ours (or only the
    one of ``only``)."""
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine

    from dataasset.discovery.detectors import DETECTORS
    from dataasset.discovery.detectors.base import load_data

    class Recogniser(PatternRecognizer):
        def __init__(self, code: str, regex: str, valid: Callable[[str], bool], context: list[str]) -> None:
            hint_only = DETECTORS[code].hint_only
            score = HINT_ONLY_SCORE if hint_only else 0.5
            super().__init__(
                supported_entity=code.upper(),
                name=f"{code}_recogniser",
                supported_language=LANGUAGE,
                patterns=[Pattern(code, rf"\A\s*(?:{regex})\s*\Z", score)],
                context=context,
            )
            self._valid = valid
            self._hint_only = hint_only

        def validate_result(self, pattern_text: str) -> bool | None:
            # a hint-only type keeps its low score when valid (context must lift it), like ours
            if self._hint_only:
                return None
            return self._valid(pattern_text)

        def invalidate_result(self, pattern_text: str) -> bool | None:
            return not self._valid(pattern_text) if self._hint_only else None

    hints: dict[str, list[str]] = {}
    for entry in load_data("hints.yaml")["hints"]:
        words = [str(w) for key in ("zh", "en", "pinyin") for w in entry.get(key, [])]
        for code in entry["types"]:
            hints.setdefault(str(code), []).extend(words)

    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    for code, (regex, valid) in _pattern_specs().items():
        if only is not None and code != only:
            continue
        context = hints.get(code, []) if DETECTORS[code].hint_only else []
        registry.add_recognizer(Recogniser(code, regex, valid, context))
    nlp = NoOpNlpEngine(models=[{"lang_code": LANGUAGE, "model_name": "none"}])
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp,
        supported_languages=[LANGUAGE],
        default_score_threshold=SCORE_THRESHOLD,
    )


def _read_text(csv_path: Path, rows: int | None) -> Any:
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    return pd.read_csv(csv_path, dtype=str, keep_default_na=False, nrows=rows)


def presidio_structured(csv_path: Path, rows: int | None) -> Work:
    """presidio-structured's PandasAnalysisBuilder over the whole table, analysing a sample of
    ``rows`` rows (its ``n``; its default, None, analyses every row)."""
    from presidio_structured import PandasAnalysisBuilder

    engine = presidio_engine()
    return lambda: _presidio_structured(PandasAnalysisBuilder(analyzer=engine), csv_path, rows)


def _presidio_structured(builder: Any, csv_path: Path, rows: int | None) -> dict[str, Any]:
    df = _read_text(csv_path, None)
    started = time.perf_counter()
    analysis = builder.generate_analysis(df, n=rows, language=LANGUAGE)
    analysed = time.perf_counter() - started
    n = min(rows or len(df), len(df))
    mapping = {str(k): str(v).lower() for k, v in analysis.entity_mapping.items()}
    return {
        "rows_read": len(df),
        "rows_analysed": n,
        "cells_analysed": n * len(df.columns),
        "analysis_s": analysed,
        "columns": {str(c): mapping.get(str(c)) for c in df.columns},
    }


def presidio_batch(csv_path: Path, rows: int | None) -> Work:
    """BatchAnalyzerEngine.analyze_dict over every cell of the first ``rows`` rows (the column name
    is the context of its cells), then per column the entity found in most non-blank cells, kept
    when its share reaches our threshold for that type (60%, 姓名 80%). Also what presidio-
    structured's default rule (``most_common`` over the cells with any finding) decides on them."""
    from presidio_analyzer import BatchAnalyzerEngine

    batch = BatchAnalyzerEngine(analyzer_engine=presidio_engine())
    return lambda: _presidio_batch(batch, csv_path, rows)


def presidio_one_recogniser(csv_path: Path, rows: int | None) -> Work:
    """For scale: the same every-cell run with the e-mail recogniser alone (Presidio's cost grows
    with the number of recognisers; the issue's ~23,000 cells/s figure is of this order)."""
    from presidio_analyzer import BatchAnalyzerEngine

    batch = BatchAnalyzerEngine(analyzer_engine=presidio_engine(only="email"))

    def work() -> dict[str, Any]:
        df = _read_text(csv_path, rows)
        data = {str(c): df[c].tolist() for c in df.columns}
        started = time.perf_counter()
        for item in batch.analyze_dict(data, language=LANGUAGE):
            list(item.recognizer_results)
        analysed = time.perf_counter() - started
        cells = sum(len(v) for v in data.values())
        return {
            "rows_analysed": len(df),
            "cells_analysed": cells,
            "analysis_s": analysed,
            "cells_per_s": cells / analysed,
        }

    return work


def _presidio_batch(batch: Any, csv_path: Path, rows: int | None) -> dict[str, Any]:
    from presidio_structured.analysis_builder import NON_PII_ENTITY_TYPE, PandasAnalysisBuilder

    from dataasset.discovery.detectors import DETECTORS

    df = _read_text(csv_path, rows)
    data = {str(c): df[c].tolist() for c in df.columns}
    cells = sum(len(v) for v in data.values())
    started = time.perf_counter()
    found = [(r.key, list(r.recognizer_results)) for r in batch.analyze_dict(data, language=LANGUAGE)]
    analysed = time.perf_counter() - started

    order = {code.upper(): i for i, code in enumerate(DETECTORS)}
    columns: dict[str, str | None] = {}
    shares: dict[str, dict[str, float]] = {}
    structured_rule: dict[str, str | None] = {}
    chooser = PandasAnalysisBuilder.__new__(PandasAnalysisBuilder)  # its selection logic, no engine
    for key, per_cell in found:
        values = data[key]
        counts: Counter[str] = Counter()
        for value, results in zip(values, per_cell, strict=True):
            if results and value.strip():
                best = max(results, key=lambda r: (r.score, -order.get(r.entity_type, 99)))
                counts[best.entity_type] += 1
        non_blank = sum(1 for v in values if v.strip())
        shares[key] = {k.lower(): round(n / non_blank, 4) for k, n in counts.most_common(3)}
        decided = None
        if counts and non_blank:
            entity, n = counts.most_common(1)[0]
            code = entity.lower()
            if n / non_blank >= DETECTORS[code].threshold:
                decided = code
        columns[key] = decided
        picked = chooser._find_entity_based_on_strategy(per_cell, "most_common", 0.5)
        structured_rule[key] = (
            None if picked.entity_type == NON_PII_ENTITY_TYPE else picked.entity_type.lower()
        )
    return {
        "rows_analysed": len(df),
        "cells_analysed": cells,
        "analysis_s": analysed,
        "cells_per_s": cells / analysed if analysed else None,
        "columns": columns,
        "top_shares": shares,
        "structured_rule_columns": structured_rule,
    }


CONTENDERS: dict[str, Callable[[Path, int | None], Work]] = {
    "ours": ours,
    "duckdb": duckdb_summarize,
    "ydata": ydata,
    "presidio_structured": presidio_structured,
    "presidio_batch": presidio_batch,
    "presidio_one_recogniser": presidio_one_recogniser,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", choices=sorted(CONTENDERS))
    parser.add_argument("--csv", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=None, help="rows to analyse (Presidio)")
    args = parser.parse_args()
    work = CONTENDERS[args.name](args.csv, args.rows)  # imports and set-up, not timed
    baseline = _peak_mib()
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    result.update(
        work_s=time.perf_counter() - wall,
        work_cpu_s=time.process_time() - cpu,
        peak_mib_before_work=baseline,
        python=sys.version.split()[0],
    )
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
