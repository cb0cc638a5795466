"""Quality through the HTTP API with jobs run at once: suggested rules from a scan, a run, the card's
scores and report, the issue loop to closure; bad rules get a 422 naming every line."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from dataasset.api.app import create_app
from dataasset.core import secrets
from dataasset.core.db import transaction
from dataasset.discovery.models import DataSource
from tests.discovery.platform import Platform, platform_fixture  # noqa: F401
from tests.discovery.sample_data import customer_rows, write_csv


@pytest.fixture
def api(platform: Platform) -> Iterator[TestClient]:
    app = create_app(platform.settings, database_url=platform.url, jobs_immediate=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine.dispose()


def _login(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/auth/login", json={"username": username, "password": "Demo@2026"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _scanned(api: TestClient, headers: dict[str, str], path: Path) -> tuple[int, dict[str, Any]]:
    with path.open("rb") as handle:
        r = api.post(
            "/api/discovery/uploads",
            headers=headers,
            files={"file": (path.name, handle)},
            data={"name": "客户档案", "industry": "D"},
        )
    assert r.status_code == 201, r.text
    source_id = r.json()["id"]
    r = api.post(f"/api/discovery/sources/{source_id}/scans", headers=headers, json={})
    scan = api.get(f"/api/discovery/scans/{r.json()['id']}", headers=headers).json()
    assert scan["status"] == "succeeded", scan
    return source_id, scan["tables"][0]


def test_suggest_save_run_score_report_and_close_an_issue(
    api: TestClient, platform: Platform, tmp_path: Path
) -> None:
    headers = _login(api, "xn_admin")
    rows = customer_rows(150, seed=21)
    for row in rows[:3]:
        row["用电量"] = "5000"
    source_id, table = _scanned(api, headers, write_csv(tmp_path / "客户.csv", rows, "gbk"))
    suggestion = api.get(f"/api/quality/tables/{table['id']}/suggestions", headers=headers).json()
    assert suggestion["card_id"] == table["card_id"] and "valid_type" in suggestion["rules"]
    rules = suggestion["rules"] + "  - {check: between, column: 用电量, min: 0, max: 1000}\n"
    check = api.post(
        "/api/quality/rule-sets/validate",
        headers=headers,
        json={"source_id": source_id, "table": table["name"], "rules": rules},
    ).json()
    assert check["ok"] and check["columns_known"] and check["checks"][-1]["dimension"] == "accuracy"
    r = api.post(
        "/api/quality/rule-sets",
        headers=headers,
        json={"source_id": source_id, "table": table["name"], "name": "客户档案质量规则", "rules": rules},
    )
    assert r.status_code == 201, r.text
    rule_set = r.json()
    r = api.post(f"/api/quality/rule-sets/{rule_set['id']}/runs", headers=headers)
    assert r.status_code == 202, r.text
    run = api.get(f"/api/quality/runs/{r.json()['id']}", headers=headers).json()
    assert run["status"] == "succeeded", run
    between = run["checks"][-1]  # ours; the suggestion's own range check allows up to the observed 5000
    assert (between["checked"], between["failed"]) == (150, 3)
    assert [e["__row"] for e in between["examples"]] == [1, 2, 3]
    card = api.get(f"/api/quality/cards/{table['card_id']}", headers=headers).json()
    assert card["latest"]["id"] == run["id"] and len(card["trend"]) == 1
    assert card["latest"]["overall"] == pytest.approx(run["overall"])
    catalog_card = api.get(f"/api/catalog/assets/{table['card_id']}", headers=headers).json()
    assert float(catalog_card["management"]["quality_score"]) == pytest.approx(run["overall"], abs=0.01)
    xlsx = api.get(f"/api/quality/cards/{table['card_id']}/report.xlsx", headers=headers)
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    assert "概览" in load_workbook(io.BytesIO(xlsx.content)).sheetnames
    pdf = api.get(f"/api/quality/cards/{table['card_id']}/report.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    issues = api.get(
        "/api/quality/issues", headers=headers, params={"card_id": table["card_id"], "active": True}
    ).json()
    assert [i["check_type"] for i in issues] == ["between"]
    issue = issues[0]
    assert api.get("/api/quality/inbox", headers=headers).json()["open"] >= 1
    # the owner fixes the rows where they are produced, then rectifies with a re-check
    with transaction(platform.factory) as session:
        secret = session.scalars(select(DataSource.secret).where(DataSource.id == source_id)).one()
    for row in rows[:3]:
        row["用电量"] = "500"
    write_csv(Path(secrets.decrypt(platform.settings.resolved_secret_key(), secret)), rows, "gbk")
    r = api.post(
        f"/api/quality/issues/{issue['id']}/rectify", headers=headers, json={"note": "已更正 3 条抄表错误"}
    )
    assert r.status_code == 200, r.text
    assert [e["action"] for e in r.json()["events"]] == ["open", "rectify", "recheck"]  # in the answer too
    done = api.get(f"/api/quality/issues/{issue['id']}", headers=headers).json()
    assert done["status"] == "closed" and done["status_label"] == "已关闭"
    assert [e["action"] for e in done["events"]] == ["open", "rectify", "recheck", "close"]
    assert done["events"][-1]["comment"] == "复核通过"
    # another organisation sees none of it
    other = _login(api, "xy_admin")
    assert api.get(f"/api/quality/rule-sets/{rule_set['id']}", headers=other).status_code == 404
    assert api.get(f"/api/quality/issues/{issue['id']}", headers=other).status_code == 404
    assert (
        api.post(
            f"/api/quality/issues/{issue['id']}/rectify", headers=other, json={"note": "越权整改"}
        ).status_code
        == 404
    )


def test_bad_rules_are_refused_with_every_line(api: TestClient, tmp_path: Path) -> None:
    headers = _login(api, "xn_admin")
    source_id, table = _scanned(api, headers, write_csv(tmp_path / "c.csv", customer_rows(20, seed=2)))
    bad = (
        "checks:\n  - {check: not_null, column: 邮箱}\n  - {check: betwen, column: 用电量}\n"
        "  - {check: expression, sql: '1; DROP TABLE x'}\n"
    )
    r = api.post(
        "/api/quality/rule-sets",
        headers=headers,
        json={"source_id": source_id, "table": table["name"], "name": "坏规则", "rules": bad},
    )
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid_rules" and "第 2 行" in body["message"]
    assert [e["line"] for e in body["errors"]] == [2, 3, 4]
    r = api.post(
        "/api/quality/rule-sets",
        headers=headers,
        json={"source_id": source_id, "table": table["name"], "name": "语法错", "rules": "checks: [\n"},
    )
    assert r.status_code == 422 and "YAML" in r.json()["message"]
    r = api.post(
        "/api/quality/rule-sets",
        headers=headers,
        json={"source_id": source_id, "table": table["name"], "name": "太大", "rules": "#" * 1_000_001},
    )
    assert r.status_code == 422
    assert api.get("/api/quality/rule-sets", headers=headers, params={"source_id": source_id}).json() == []


def test_settings_weights_change_the_overall_score(api: TestClient, tmp_path: Path) -> None:
    headers = _login(api, "xn_cdo")
    r = api.put(
        "/api/quality/settings", headers=headers, json={"weights": {"accuracy": 3}, "deadline_days": 7}
    )
    assert r.status_code == 200 and r.json()["weights"] == {"accuracy": 3.0}
    r = api.put("/api/quality/settings", headers=headers, json={"weights": {"speed": 1}, "deadline_days": 7})
    assert r.status_code == 422
    admin = _login(api, "xn_admin")
    source_id, table = _scanned(api, admin, write_csv(tmp_path / "w.csv", customer_rows(40, seed=4)))
    rules = (
        f"table: {table['name']}\nchecks:\n  - {{check: not_null, column: 备注}}\n"
        "  - {check: unique, columns: [客户编号]}\n"
    )
    rs = api.post(
        "/api/quality/rule-sets",
        headers=admin,
        json={"source_id": source_id, "table": table["name"], "name": "权重", "rules": rules},
    ).json()
    assert rs["deadline_days"] == 7
    queued = api.post(f"/api/quality/rule-sets/{rs['id']}/runs", headers=admin).json()
    run = api.get(f"/api/quality/runs/{queued['id']}", headers=admin).json()
    dims = run["dimensions"]
    assert run["overall"] == pytest.approx((dims["completeness"] * 1 + dims["accuracy"] * 3) / 4, abs=1e-3)
    put = api.put("/api/quality/settings", headers=headers, json={"weights": {}, "deadline_days": 10})
    assert put.status_code == 200
    regulator = _login(api, "sjj")
    assert (
        api.put(
            "/api/quality/settings", headers=regulator, json={"weights": {}, "deadline_days": 5}
        ).status_code
        == 403
    )
    stats = api.get("/api/quality/organisations", headers=regulator).json()
    assert stats and all(row["region_code"].startswith("43") for row in stats)
