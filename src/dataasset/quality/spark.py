"""The quality checks on Spark, for the sources discovery reads with Spark (``spark:`` tables, CSV,
Parquet and JSON Lines files, Parquet on a distributed file system): the same rule files, the same
check plug-ins and scores, the SQL built for Spark by the same :class:`checks.Sql` (``dialect=
"spark"``). Differences, all documented to users: a text column is not typed first (range and time
checks cast per value, as on DuckDB; an ``expression`` compares text columns as text), failing
examples come from a ``LIMIT`` query per failing check, and ``__row`` is Spark's row id (the row
number when the file is read as one partition)."""

from __future__ import annotations

import time
from typing import Any

from dataasset.discovery import spark as discovery_spark
from dataasset.discovery.types import DiscoveryError
from dataasset.quality import engine, scoring
from dataasset.quality.rules import parse_document
from dataasset.quality.runner import MAIN, RunOptions, main_table
from dataasset.quality.types import QualityError, QualityReport


class SparkConnection:
    """What the engine needs of a connection (``execute(sql).fetchall()``), over a SparkSession."""

    def __init__(self, spark: Any) -> None:
        self.spark = spark
        self._rows: list[tuple[Any, ...]] = []

    def execute(self, sql: str) -> SparkConnection:
        self._rows = [tuple(r) for r in self.spark.sql(sql).collect()]
        return self

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._rows

    def register_valid_type(self, make: Any) -> None:
        from pyspark.sql.types import BooleanType

        check = make()
        self.spark.udf.register(
            "dq_valid_type", lambda code, column, value: check(code, column, value), BooleanType()
        )


def supports(target: str, options: RunOptions) -> bool:
    return discovery_spark.supports(target, options.connector_options)


def run(target: str, document: Any, options: RunOptions) -> QualityReport:
    from pyspark.sql import functions as f

    started = time.monotonic()
    unchecked = parse_document(document)
    t0 = time.monotonic()
    offered = discovery_spark._tables(target, options.connector_options, discovery_spark.session)
    spark = discovery_spark.session()
    measured = {"connect_seconds": time.monotonic() - t0}
    by_name = {t.ref.name: t for t in offered}
    wanted = main_table(options.table or unchecked.table, list(by_name))  # as on DuckDB
    suffix = f"{id(options):x}"
    main = f"{MAIN}_{suffix}"

    def view(table: Any, name: str) -> int:
        df = table.load(spark).withColumn(engine.ROW_COLUMN, f.monotonically_increasing_id()).cache()
        df.createOrReplaceTempView(name)
        return int(df.count())

    try:
        rows = view(by_name[wanted], main)
        relations: dict[str, str] = {}
        for i, other in enumerate(unchecked.other_tables):
            if other in options.refs:
                ref = discovery_spark._tables(options.refs[other], {"name": other}, discovery_spark.session)
                table = ref[0]
            elif other in by_name:
                table = by_name[other]
            else:
                continue
            relations[other] = f"dq_other_{i}_{suffix}"
            view(table, relations[other])
        con = SparkConnection(spark)
        tables = {t: list(engine.describe(con, rel)) for t, rel in relations.items()}
        tables |= {t: [] for t in by_name if t not in tables and t != wanted}
        ruleset = parse_document(document, list(engine.describe(con, main)), tables)
        results = engine.evaluate(
            con,
            ruleset,
            main,
            relations,
            measured=measured,
            sensitive=options.sensitive,
            now=options.now,
            on_check=options.on_check,
            dialect="spark",
        )
    except DiscoveryError:
        raise
    except discovery_spark._spark_errors() as exc:
        message = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        raise QualityError(f"Spark 执行检查失败：{message}", code="spark_failed") from None
    finally:
        for name in [main, *[f"dq_other_{i}_{suffix}" for i in range(len(unchecked.other_tables))]]:
            spark.catalog.dropTempView(name)
    weights = scoring.merge_weights(options.weights, ruleset.weights)
    return engine.report(results, table=wanted, rows=rows, weights=weights, started=started)
