"""The console's client is generated from web/openapi.json; it must equal the app's document."""

from __future__ import annotations

import json
from pathlib import Path

from dataasset.api.app import create_app

SNAPSHOT = Path(__file__).resolve().parents[2] / "web" / "openapi.json"


def test_openapi_snapshot_is_current() -> None:
    current = create_app(database_url="sqlite://").openapi()
    stored = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert stored == current, "web/openapi.json is stale: run `make openapi` and commit the result"
