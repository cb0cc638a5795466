"""Discovery through the HTTP API: upload a file, scan it as a job, read the results, override a
grade; bad uploads get a clear 4xx and leave nothing behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dataasset.api.app import create_app
from tests.conftest import require_pg, scratch_pg_database
from tests.discovery.platform import Platform, platform_fixture  # noqa: F401
from tests.discovery.sample_data import customer_rows, write_csv, write_xlsx


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


def _upload(client: TestClient, headers: dict[str, str], path: Path, **form: Any) -> Any:
    with path.open("rb") as handle:
        return client.post(
            "/api/discovery/uploads",
            headers=headers,
            files={"file": (path.name, handle)},
            data={"name": form.pop("name", "客户档案"), "industry": "D", **form},
        )


def test_upload_scan_and_read_results(api: TestClient, tmp_path: Path) -> None:
    headers = _login(api, "xn_admin")
    path = write_csv(tmp_path / "客户.csv", customer_rows(300), "gbk")
    r = _upload(api, headers, path)
    assert r.status_code == 201, r.text
    source = r.json()
    assert source["kind"] == "csv" and source["location"] == "客户.csv"
    r = api.post(f"/api/discovery/sources/{source['id']}/scans", headers=headers, json={})
    assert r.status_code == 202, r.text
    scan = api.get(f"/api/discovery/scans/{r.json()['id']}", headers=headers).json()
    assert scan["status"] == "succeeded", scan
    assert scan["rows_scanned"] == 300 and len(scan["tables"]) == 1
    brief = scan["tables"][0]
    assert brief["sensitive_columns"] >= 4 and brief["card_code"].startswith("DA-")
    table = api.get(f"/api/discovery/tables/{brief['id']}", headers=headers).json()
    by_name = {c["name"]: c for c in table["columns"]}
    assert by_name["身份证号"]["sensitive_type"] == "cn_resident_id"
    assert by_name["身份证号"]["sensitive_label"] == "身份证号"
    assert by_name["身份证号"]["explanation"]
    assert by_name["订单号"]["sensitive_type"] is None
    r = api.post(
        f"/api/discovery/columns/{by_name['用电量']['id']}/override",
        headers=headers,
        json={"grade": "important", "level": 4, "reason": "反映企业用能"},
    )
    assert r.status_code == 200 and r.json()["overridden"] and r.json()["grade"] == "important"
    card = api.get(f"/api/catalog/assets/{brief['card_id']}", headers=headers).json()
    assert card["management"]["security_grade"] == "important"
    linked = api.get(f"/api/discovery/cards/{brief['card_id']}", headers=headers).json()
    assert linked["id"] == brief["id"]
    # another group's data administrator sees none of it
    other = _login(api, "xy_admin")
    assert api.get(f"/api/discovery/tables/{brief['id']}", headers=other).status_code == 404
    assert api.get(f"/api/discovery/sources/{source['id']}", headers=other).status_code == 404
    assert source["id"] not in {s["id"] for s in api.get("/api/discovery/sources", headers=other).json()}


def test_excel_upload(api: TestClient, tmp_path: Path) -> None:
    headers = _login(api, "xn_admin")
    path = write_xlsx(tmp_path / "台账.xlsx", {"客户": customer_rows(40)})
    source = _upload(api, headers, path, name="Excel 台账").json()
    scan = api.post(f"/api/discovery/sources/{source['id']}/scans", headers=headers, json={}).json()
    scan = api.get(f"/api/discovery/scans/{scan['id']}", headers=headers).json()
    assert scan["status"] == "succeeded" and scan["tables"][0]["name"] == "客户"


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        ("empty.csv", b"", 422, "empty_file"),
        ("fake.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, 422, "not_text"),
        ("virus.exe", b"MZ\x90\x00", 422, "unsupported_source"),
    ],
)
def test_bad_uploads(
    api: TestClient, tmp_path: Path, name: str, content: bytes, status: int, code: str
) -> None:
    headers = _login(api, "xn_admin")
    before = len(api.get("/api/discovery/sources", headers=headers).json())
    path = tmp_path / name
    path.write_bytes(content)
    r = _upload(api, headers, path)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code and r.json()["message"]
    assert len(api.get("/api/discovery/sources", headers=headers).json()) == before


def test_upload_over_the_limit_is_refused(api: TestClient, tmp_path: Path) -> None:
    headers = _login(api, "xn_admin")
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * (3 * 1024 * 1024))  # 12 MB against the tests' 8 MB
    r = _upload(api, headers, path)
    assert r.status_code == 413 and r.json()["code"] in ("too_large", "file_too_large")


def test_database_source_wrong_password(api: TestClient, platform: Platform) -> None:
    require_pg()
    headers = _login(api, "xn_admin")
    with scratch_pg_database("wrongpw") as url:
        from sqlalchemy.engine import make_url

        bad = make_url(url).set(password="not-the-password").render_as_string(hide_password=False)
        r = api.post(
            "/api/discovery/sources",
            headers=headers,
            json={"name": "错误密码库", "url": bad, "industry": "D"},
        )
        assert r.status_code == 201, r.text
        assert "not-the-password" not in r.text
        test = api.post(f"/api/discovery/sources/{r.json()['id']}/test", headers=headers).json()
        assert (
            test["ok"] is False
            and test["code"] == "auth_failed"
            and "not-the-password" not in test["message"]
        )
        scan = api.post(f"/api/discovery/sources/{r.json()['id']}/scans", headers=headers, json={}).json()
        scan = api.get(f"/api/discovery/scans/{scan['id']}", headers=headers).json()
        assert scan["status"] == "failed" and scan["error_code"] == "auth_failed"


def test_regulator_reads_but_does_not_scan(api: TestClient, tmp_path: Path) -> None:
    headers = _login(api, "xn_admin")
    source = _upload(api, headers, write_csv(tmp_path / "r.csv", customer_rows(20))).json()
    regulator = _login(api, "sjj")
    assert api.get(f"/api/discovery/sources/{source['id']}", headers=regulator).status_code == 200
    r = api.post(f"/api/discovery/sources/{source['id']}/scans", headers=regulator, json={})
    assert r.status_code == 403
