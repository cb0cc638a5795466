"""Rights through the HTTP API: declare, grant within the holding, a grant beyond it refused with
every reason, a dispute, and the card's rights as the holder and the grantee see them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataasset.catalog.models import AssetCard
from dataasset.core.models import Organisation


def test_declare_grant_refuse_and_dispute(db: Session, client: TestClient, auth: Any) -> None:
    xn = db.scalar(select(Organisation.id).where(Organisation.name.like("湖南湘能%")))
    xy = db.scalar(select(Organisation.id).where(Organisation.name.like("湖南湘运%")))
    card = db.scalars(select(AssetCard).where(AssetCard.organisation_id == xn).order_by(AssetCard.id)).first()
    assert card is not None and xy is not None
    holder, other = auth("xn_admin"), auth("xy_admin")
    r = client.patch(
        f"/api/catalog/assets/{card.id}", headers=holder, json={"version": card.version, "is_public": True}
    )
    assert r.status_code == 200, r.text  # a public card: another organisation may dispute it
    r = client.post(
        "/api/registry/rights",
        headers=holder,
        json={
            "card_id": card.id,
            "right": "processing",
            "acquisition": "original",
            "legal_basis": "自行采集",
        },
    )
    assert r.status_code == 201, r.text
    held = r.json()
    assert held["right_label"] == "数据加工使用权" and held["exclusive"] and held["fields"] is None
    r = client.post(
        f"/api/registry/rights/{held['id']}/grants",
        headers=holder,
        json={
            "grantee_organisation_id": xy,
            "purpose": "路网分析",
            "fields": ["用电量"],
            "end": "2027-12-31",
        },
    )
    assert r.status_code == 201, r.text
    grant = r.json()
    r = client.post(
        f"/api/registry/rights/{grant['id']}/grants",
        headers=other,
        json={"grantee_organisation_id": xn, "purpose": "转授权", "exclusive": True},
    )
    assert r.status_code == 422 and r.json()["code"] == "grant_exceeds"
    reasons = [e["message"] for e in r.json()["errors"]]
    assert (
        "授权方对数据加工使用权无再授权的权利" in reasons
        and "授权方并非独占持有，不能给予独占授权" in reasons
    )
    mine = {x["id"] for x in client.get(f"/api/registry/cards/{card.id}/rights", headers=holder).json()}
    theirs = {x["id"] for x in client.get(f"/api/registry/cards/{card.id}/rights", headers=other).json()}
    assert mine == {held["id"], grant["id"]} and theirs == {grant["id"]}
    r = client.post(
        "/api/registry/disputes", headers=other, json={"card_id": card.id, "claims": "该数据由双方共同采集"}
    )
    assert r.status_code == 201, r.text
    assert [d["id"] for d in client.get("/api/registry/disputes", headers=holder).json()] == [r.json()["id"]]
