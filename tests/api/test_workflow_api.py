"""HTTP contract of approvals, attachments and sharing: the sharing flow through the API, errors in
Chinese with their statuses, uploads checked by content and size, downloads by tenancy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataasset.api.app import create_app
from dataasset.catalog.models import AssetCard
from dataasset.core.workflow.definitions import DefinitionError
from dataasset.settings import Settings

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
TERMS = {
    "purpose": "新能源发电量分析",
    "fields": ["电站编号", "发电量"],
    "scope": "仅限内部分析",
    "term_start": "2027-01-01",
    "term_end": "2027-12-31",
}


def _card(db: Session, name: str) -> int:
    card_id = db.scalar(select(AssetCard.id).where(AssetCard.name == name))
    assert card_id is not None
    return card_id


def _upload(client: TestClient, headers: dict[str, str], name: str, content: bytes) -> Any:
    return client.post("/api/files", headers=headers, files={"file": (name, content)})


def test_upload_checks_type_and_size_and_download_follows_tenancy(client: TestClient, auth: Any) -> None:
    merchant = auth("ss_merchant")
    r = _upload(client, merchant, "申请函.pdf", PDF)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (
        body["name"] == "申请函.pdf" and body["media_type"] == "application/pdf" and body["size"] == len(PDF)
    )
    got = client.get(f"/api/files/{body['sha256']}", headers=merchant)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert (
        "attachment" in got.headers["content-disposition"]
        and got.headers["x-content-type-options"] == "nosniff"
    )
    assert client.get(f"/api/files/{body['sha256']}", headers=auth("xn_admin")).status_code == 404
    assert client.get("/api/files/" + "0" * 64, headers=merchant).status_code == 404
    assert client.get("/api/files/not-a-hash", headers=merchant).status_code == 422

    bad = _upload(client, merchant, "程序.exe", b"MZ\x90\x00\x03")
    assert bad.status_code == 422 and bad.json()["code"] == "file_type_not_allowed"
    assert "不支持的文件类型" in bad.json()["message"]
    mismatch = _upload(client, merchant, "图片.png", PDF)
    assert mismatch.status_code == 422 and mismatch.json()["code"] == "file_type_mismatch"
    big = _upload(client, merchant, "大.txt", b"a" * (2 * 1024 * 1024 + 1))  # test limit: 2 MB
    assert big.status_code == 413 and big.json()["code"] == "file_too_large"
    assert _upload(client, auth("cssjj"), "监管.pdf", PDF).status_code == 403


def test_sharing_through_the_api(client: TestClient, auth: Any, db: Session) -> None:
    merchant, data_admin, cdo = auth("ss_merchant"), auth("xn_admin"), auth("xn_cdo")
    card_id = _card(db, "光伏发电站运行数据")
    sha = _upload(client, merchant, "申请函.pdf", PDF).json()["sha256"]
    r = client.post(
        f"/api/catalog/assets/{card_id}/sharing-requests",
        headers=merchant,
        json={**TERMS, "comment": "请审批", "attachments": [sha]},
    )
    assert r.status_code == 201, r.text
    inst = r.json()
    assert inst["status"] == "in_progress" and inst["step_name"] == "数据管理员审核"
    assert set(inst["allowed_actions"]) == {"withdraw", "comment", "attach"}
    assert [s["state"] for s in inst["steps"]] == ["current", "pending"] and inst["due_on"]
    assert inst["timeline"][0]["attachments"][0]["sha256"] == sha
    url = f"/api/workflow/instances/{inst['id']}"
    assert client.get(f"/api/files/{sha}", headers=data_admin).status_code == 200  # attached: holder sees

    box = client.get("/api/workflow/inbox", headers=data_admin, params={"page_size": 200}).json()
    assert inst["id"] in {i["id"] for i in box["items"]}
    sharing_count = next(c for c in box["by_kind"] if c["kind"] == "sharing")
    assert sharing_count["kind_name"] == "对外提供数据服务审批" and sharing_count["count"] >= 2

    seen = client.get(url, headers=data_admin).json()
    assert {"approve", "reject", "return", "comment", "attach"} == set(seen["allowed_actions"])
    wrong = client.post(f"{url}/actions", headers=cdo, json={"action": "approve"})
    assert wrong.status_code == 403 and wrong.json() == {
        "code": "not_assignee",
        "message": "您不是当前步骤的办理人",
        "errors": [],
    }
    no_reason = client.post(f"{url}/actions", headers=data_admin, json={"action": "return"})
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "comment_required"
    assert client.post(f"{url}/actions", headers=data_admin, json={"action": "approve"}).status_code == 200
    done = client.post(f"{url}/actions", headers=cdo, json={"action": "approve", "comment": "同意"})
    assert done.status_code == 200 and done.json()["status"] == "approved"
    again = client.post(f"{url}/actions", headers=cdo, json={"action": "approve"})
    assert again.status_code == 409

    grants = client.get(f"/api/catalog/assets/{card_id}/sharing", headers=merchant).json()
    assert [g["recipient"]["name"] for g in grants] == ["衢州数智科技有限公司"]
    history = client.get(f"/api/catalog/assets/{card_id}/history", headers=merchant).json()
    assert history[0]["action"] == "sharing"
    mine = client.get("/api/workflow/instances", headers=merchant, params={"scope": "started"}).json()
    assert inst["id"] in {i["id"] for i in mine["items"]}


def test_returned_request_is_resubmitted_with_checked_changes(
    client: TestClient, auth: Any, db: Session
) -> None:
    merchant, data_admin = auth("ss_merchant"), auth("xn_admin")
    inst = client.post(
        f"/api/catalog/assets/{_card(db, '光伏发电站运行数据')}/sharing-requests",
        headers=merchant,
        json=TERMS,
    ).json()
    url = f"/api/workflow/instances/{inst['id']}/actions"
    r = client.post(url, headers=data_admin, json={"action": "return", "comment": "请缩小字段范围"})
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert inst["id"] in {
        i["id"] for i in client.get("/api/workflow/inbox", headers=merchant).json()["items"]
    }
    bad = client.post(url, headers=merchant, json={"action": "submit", "payload": {"term_end": "2020-01-01"}})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].startswith("payload")
    ok = client.post(url, headers=merchant, json={"action": "submit", "payload": {"fields": ["发电量"]}})
    assert ok.status_code == 200 and ok.json()["round"] == 2 and ok.json()["payload"]["fields"] == ["发电量"]


def test_request_errors(client: TestClient, auth: Any, db: Session) -> None:
    merchant = auth("ss_merchant")
    public = _card(db, "光伏发电站运行数据")
    bad_term = client.post(
        f"/api/catalog/assets/{public}/sharing-requests",
        headers=merchant,
        json={**TERMS, "term_end": "2026-01-01"},
    )
    assert bad_term.status_code == 422 and "使用期限止不能早于使用期限起" in bad_term.text
    hidden = client.post(
        f"/api/catalog/assets/{_card(db, '客户用电量月度统计数据')}/sharing-requests",
        headers=merchant,
        json=TERMS,
    )
    assert hidden.status_code == 404
    attach = client.post(
        f"/api/catalog/assets/{public}/sharing-requests",
        headers=merchant,
        json={**TERMS, "attachments": ["a" * 64]},
    )
    assert attach.status_code == 422 and attach.json()["code"] == "attachment_not_found"
    assert client.get("/api/workflow/instances/999999", headers=merchant).status_code == 404


def test_a_bad_rule_file_stops_the_app_naming_file_and_field(tmp_path: Path) -> None:
    overrides = tmp_path / "rules" / "workflows" / "overrides"
    overrides.mkdir(parents=True)
    (overrides / "xn.yaml").write_text(
        "organisation: '91430100MA4L0D1E2X'\n"
        "definitions:\n"
        "  - kind: sharing\n    name: 坏的覆盖\n    subject_type: asset_card\n"
        "    steps: [{key: a, name: 审核, actors: [{role: data_admin, relation: neighbour}]}]\n",
        encoding="utf-8",
    )
    with pytest.raises(DefinitionError) as err:
        create_app(Settings(var_dir=tmp_path, secret_key="x" * 40), database_url="sqlite://")
    assert "workflows/overrides/xn.yaml" in str(err.value)
    assert "definitions.0.steps.0.actors.0.relation" in str(err.value)
