"""Data fingerprints (数据指纹) of registered data: SHA-256 over the table's schema and a digest of
its content computed by DuckDB, so a later re-check says whether the registered data changed.

* **schema**: the canonical JSON of ``[[column, type], …]`` in column order;
* **content**: each row is the values' text joined by U+001F (a missing value is U+0000), hashed with
  MD5 by DuckDB; the row hashes are sorted and the SHA-256 of their concatenation is the content
  digest — so the row order does not matter, and every row, duplicates included, counts;
* **fingerprint**: SHA-256 of ``schema digest ‖ content digest ‖ row count``.

The text of a value is DuckDB's ``CAST(… AS VARCHAR)``; a source is read through discovery's
connectors exactly as quality reads it (text columns stay text).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any

from dataasset.discovery.connectors import open_source
from dataasset.quality import engine, runner
from dataasset.quality.checks import Sql

_SEP = "\x1f"
_NULL = "\x00"


@dataclass(frozen=True)
class Fingerprint:
    value: str  # the fingerprint (hex)
    schema_sha256: str
    content_sha256: str
    rows: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "schema_sha256": self.schema_sha256,
            "content_sha256": self.content_sha256,
            "rows": self.rows,
        }


def of_relation(con: Any, relation: str) -> Fingerprint:
    """The fingerprint of a DuckDB relation (its row-number column, if any, left out)."""
    types = engine.describe(con, relation)
    schema = json.dumps(
        [[name, kind] for name, kind in types.items()], ensure_ascii=False, separators=(",", ":")
    )
    schema_sha = hashlib.sha256(schema.encode()).hexdigest()
    values = ", ".join(f"coalesce(CAST({Sql.ident(c)} AS VARCHAR), '{_NULL}')" for c in types) or "''"
    row = con.execute(
        f"SELECT count(*), sha256(coalesce(string_agg(h, '' ORDER BY h), '')) "
        f"FROM (SELECT md5(concat_ws('{_SEP}', {values})) AS h FROM {relation}) AS r"
    ).fetchall()[0]
    rows, content_sha = int(row[0]), str(row[1])
    value = hashlib.sha256(f"{schema_sha}{content_sha}{rows}".encode()).hexdigest()
    return Fingerprint(value, schema_sha, content_sha, rows)


def of_source(target: str, table: str | None = None, options: dict[str, Any] | None = None) -> Fingerprint:
    """The fingerprint of one table of a source (a file or a database URL)."""
    tmp = tempfile.mkdtemp(prefix="dataasset-fingerprint-")
    con = runner.connect("1GB", tmp)
    try:
        connector = open_source(target, dict(options or {}))
        try:
            offered = [t.name for t in connector.tables()]
            name = runner.main_table(table, offered)
            runner.load(con, connector, name, "fp", typed=())
        finally:
            connector.close()
        return of_relation(con, "fp")
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)
