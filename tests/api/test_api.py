"""HTTP contract: login with cookie and token, CSRF guard, error shapes in Chinese, uploads."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from dataasset.demo import DEMO_PASSWORD
from tests.catalog.test_excel import GOOD, workbook

CONSOLE = {"X-Requested-With": "dataasset-console"}


def _login(client: TestClient, username: str = "xn_admin", password: str = DEMO_PASSWORD) -> Any:
    return client.post("/api/auth/login", json={"username": username, "password": password})


def test_health_and_options_need_no_login(client: TestClient) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["database"] in {"sqlite", "postgresql"}
    options = client.get("/api/meta/options").json()
    assert {
        "value": "D",
        "label_zh": "电力、热力、燃气及水生产和供应业",
        "label_en": "Electricity, heat, gas and water",
    } in options["industries"]


def test_login_sets_an_httponly_cookie_and_returns_a_token(client: TestClient) -> None:
    r = _login(client)
    assert r.status_code == 200
    body = r.json()
    assert (
        body["token_type"] == "bearer" and body["user"]["organisation"]["name"] == "湖南湘能电力集团有限公司"
    )
    assert "catalog.write" in body["user"]["permissions"]
    cookie = r.headers["set-cookie"]
    assert "dataasset_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/api/auth/me").json()["username"] == "xn_admin"  # cookie carried
    bearer = TestClient(client.app)
    me = bearer.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200


def test_wrong_password_then_lockout(client: TestClient) -> None:
    r = _login(client, password="wrong-password")
    assert r.status_code == 401 and r.json() == {
        "code": "login_failed",
        "message": "用户名或密码错误",
        "errors": [],
    }
    for _ in range(4):
        r = _login(client, password="wrong-password")
    assert r.status_code == 423 and r.json()["code"] == "account_locked"
    assert _login(client).status_code == 423


def test_cookie_writes_need_the_console_header(client: TestClient) -> None:
    _login(client)
    body = {"basic": {"name": "CSRF 测试", "industry": "D"}}
    assert client.post("/api/catalog/assets", json=body).status_code == 403
    assert client.post("/api/catalog/assets", json=body, headers=CONSOLE).status_code == 201


def test_no_login_is_401_everywhere(client: TestClient) -> None:
    for path in ("/api/catalog/assets", "/api/auth/me", "/api/users", "/api/catalog/stats"):
        r = client.get(path)
        assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
    r = client.get("/api/catalog/assets", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401 and r.json()["message"] == "登录已失效，请重新登录"


def test_validation_errors_are_422_with_field_paths_in_chinese(client: TestClient, auth: Any) -> None:
    r = client.post(
        "/api/catalog/assets", json={"basic": {"name": "x", "industry": "Z"}}, headers=auth("xn_admin")
    )
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "validation_error"
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert fields["basic.name"] == "长度至少为 2"
    assert fields["basic.industry"].startswith("取值必须是以下之一")
    r = client.post(
        "/api/organisations",
        headers=auth("admin"),
        json={"name": "某某公司", "uscc": "91110000600037341A", "kind": "soe", "region_code": "430100"},
    )
    assert r.status_code == 422 and "校验位错误" in r.json()["errors"][0]["message"]


def test_missing_and_conflict(client: TestClient, auth: Any) -> None:
    h = auth("xn_admin")
    assert client.get("/api/catalog/assets/999999", headers=h).json()["code"] == "asset_card_not_found"
    assert client.get("/api/no-such-endpoint", headers=h).status_code == 404
    card = client.post(
        "/api/catalog/assets", json={"basic": {"name": "冲突测试", "industry": "D"}}, headers=h
    ).json()
    ok = client.patch(
        f"/api/catalog/assets/{card['id']}", json={"version": 1, "basic": {"description": "a"}}, headers=h
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(
        f"/api/catalog/assets/{card['id']}", json={"version": 1, "basic": {"description": "b"}}, headers=h
    )
    assert stale.status_code == 409 and stale.json()["code"] == "version_conflict"
    history = client.get(f"/api/catalog/assets/{card['id']}/history", headers=h).json()
    assert [e["version"] for e in history] == [2, 1]


def test_import_reports_rows_and_writes_nothing(client: TestClient, auth: Any) -> None:
    h = auth("xn_admin")
    before = client.get("/api/catalog/assets", headers=h).json()["total"]
    bad = workbook([GOOD, {**GOOD, "行业分类": "不存在的行业"}])
    r = client.post("/api/catalog/import", files={"file": ("bad.xlsx", bad)}, headers=h)
    assert r.status_code == 422
    assert r.json()["errors"] == [{"row": 3, "column": "行业分类", "reason": r.json()["errors"][0]["reason"]}]
    assert client.get("/api/catalog/assets", headers=h).json()["total"] == before
    r = client.post("/api/catalog/import", files={"file": ("ok.xlsx", workbook([GOOD]))}, headers=h)
    assert r.status_code == 200 and r.json()["created"] == 1
    assert client.get("/api/catalog/assets", headers=h).json()["total"] == before + 1


def test_huge_uploads_are_refused_before_reading(client: TestClient, auth: Any) -> None:
    big = b"0" * (3 * 1024 * 1024)
    r = client.post("/api/catalog/import", files={"file": ("big.xlsx", big)}, headers=auth("xn_admin"))
    assert r.status_code == 413 and r.json()["code"] == "file_too_large"


def test_template_and_register_downloads(client: TestClient, auth: Any) -> None:
    h = auth("xn_admin")
    t = client.get("/api/catalog/import/template", headers=h)
    assert t.status_code == 200 and "filename*=UTF-8''" in t.headers["content-disposition"]
    assert load_workbook(io.BytesIO(t.content)).sheetnames[0] == "数据资产卡片"
    e = client.get("/api/catalog/export", headers=h)
    assert e.status_code == 200
    assert load_workbook(io.BytesIO(e.content)).sheetnames == ["数据资产台账"]


def test_console_is_served_for_non_api_paths(client: TestClient) -> None:
    r = client.get("/catalog/12")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert client.get("/api/unknown").status_code == 404
