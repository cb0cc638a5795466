#!/usr/bin/env bash
# The contenders' own virtual environment for the quality benchmark: Great Expectations (GX Core 1.x)
# and Soda Core 3.5 (SodaCL scans; DuckDB data source). Kept apart from the project's .venv because
# their dependency trees are heavy and pin things the platform does not want.
#
#   bash bench/quality/setup.sh            # idempotent: does nothing when everything is installed
#   VENV=/elsewhere bash bench/quality/setup.sh
#
# Soda: PyPI has two product lines under the soda-core name. 3.x is Soda Core with SodaCL checks
# YAML run by `soda.scan.Scan`, one package per data source (`soda-core-duckdb`); 4.x (`soda-core`
# 4.*, `soda-duckdb`) replaced SodaCL with data contracts. The benchmark uses SodaCL, so 3.5.x.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${VENV:-$HERE/../.venv-quality}"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
GX_VERSION="${GX_VERSION:-1.24.1}"
SODA_VERSION="${SODA_VERSION:-3.5.6}"
REQUIREMENTS=(
  "great_expectations==$GX_VERSION"
  "soda-core-duckdb==$SODA_VERSION"
  "soda-core==$SODA_VERSION"
  "duckdb-engine"
  duckdb
  pyarrow
  pandas
  psutil
  PyYAML
)
STAMP="$VENV/.installed-$(printf '%s\n' "${REQUIREMENTS[@]}" | sha1sum | cut -c1-12)"

if [[ -f "$STAMP" ]]; then
  exit 0
fi
if [[ ! -x "$VENV/bin/python" ]]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip 2> >(grep -v "is ignored: it is neither" >&2)
"$VENV/bin/python" -m pip install -q "${REQUIREMENTS[@]}" 2> >(grep -v "is ignored: it is neither" >&2)
"$VENV/bin/python" - <<'PY'
import duckdb
import great_expectations as gx
from soda.scan import Scan  # noqa: F401
from importlib import metadata

print(
    "bench/.venv-quality:",
    f"great_expectations {gx.__version__},",
    f"soda-core {metadata.version('soda-core')},",
    f"soda-core-duckdb {metadata.version('soda-core-duckdb')},",
    f"duckdb {duckdb.__version__}",
)
PY
rm -f "$VENV"/.installed-*
touch "$STAMP"
