"""Tenancy matrix: every endpoint × every role × a record inside / outside the role's reach.

``MATRIX`` names the expected answer of each route for each role. The first test enumerates the
app's routes, so a new route that is missing here fails until its row is written: the matrix grows
with the API. Two rules are checked for every route without a row: a caller with no login gets 401
and a regulator never changes anything.

"Inside" is the role's own organisation (a regulator: an organisation in its region); "outside" is an
organisation it has no relation to. Records are non-public.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataasset.catalog import service as catalog
from dataasset.catalog.schemas import AssetCardCreate
from dataasset.core.enums import Role
from dataasset.core.models import Organisation, User
from dataasset.core.permissions import Actor
from tests.catalog.test_excel import GOOD, workbook

# role → (user, organisation inside its reach, organisation outside it)
ROLES: dict[Role, tuple[str, str, str]] = {
    Role.PLATFORM_ADMIN: ("admin", "长沙数据运营有限公司", "株洲水务投资集团有限公司"),
    Role.REGULATOR: ("cssjj", "湖南湘运交通投资集团有限公司", "株洲水务投资集团有限公司"),
    Role.CHIEF_DATA_OFFICER: ("xn_cdo", "湖南湘能电力集团有限公司", "株洲水务投资集团有限公司"),
    Role.DATA_ADMIN: ("xn_admin", "湖南湘能电力集团有限公司", "湖南湘运交通投资集团有限公司"),
    Role.FINANCE: ("xn_finance", "湖南湘能电力集团有限公司", "湖南湘运交通投资集团有限公司"),
    Role.APPRAISER: ("pg_appraiser", "湖南中衡资产评估有限公司", "湖南湘能电力集团有限公司"),
    Role.EXCHANGE_REVIEWER: ("jys_reviewer", "湖南大数据交易所有限公司", "湖南湘能电力集团有限公司"),
    Role.DATA_MERCHANT: ("ss_merchant", "衢州数智科技有限公司", "湖南湘能电力集团有限公司"),
    Role.OPERATOR: ("yy_operator", "长沙数据运营有限公司", "湖南湘能电力集团有限公司"),
}
ALL = list(ROLES)
ADMIN, REG, CDO = Role.PLATFORM_ADMIN, Role.REGULATOR, Role.CHIEF_DATA_OFFICER


@dataclass
class World:
    """Records created for one role's row: ids inside and outside its reach."""

    db: Session
    role: Role
    inside_org: int
    outside_org: int
    inside_card: int
    outside_card: int
    inside_user: int
    outside_user: int

    def ids(self, scope: str) -> dict[str, int]:
        inside = scope == "inside"
        return {
            "card_id": self.inside_card if inside else self.outside_card,
            "organisation_id": self.inside_org if inside else self.outside_org,
            "user_id": self.inside_user if inside else self.outside_user,
        }


def _org(db: Session, name: str) -> Organisation:
    org = db.scalar(select(Organisation).where(Organisation.name == name))
    assert org is not None, name
    return org


def _colleague(db: Session, org: Organisation, exclude: str) -> int:
    """Another user of the organisation (not the caller), created if there is none."""
    other = db.scalar(select(User.id).where(User.organisation_id == org.id, User.username != exclude))
    if other is None:
        user = User(
            username=f"u{org.id}_x",
            display_name="同事",
            password_hash="x",
            organisation_id=org.id,
            roles=[Role.FINANCE.value],
        )
        db.add(user)
        db.flush()
        other = user.id
    return other


def build_world(db: Session, role: Role) -> World:
    username, inside_name, outside_name = ROLES[role]
    inside, outside = _org(db, inside_name), _org(db, outside_name)
    system = Actor.system()

    def card(org: Organisation) -> int:
        data = AssetCardCreate.model_validate(
            {
                "organisation_id": org.id,
                "is_public": False,
                "basic": {"name": f"矩阵测试-{org.name}", "industry": "D"},
            }
        )
        return catalog.create_card(db, system, data).id

    return World(
        db,
        role,
        inside.id,
        outside.id,
        card(inside),
        card(outside),
        _colleague(db, inside, username),
        _colleague(db, outside, username),
    )


# --- the expectations ---------------------------------------------------------------------------

Body = Callable[[World, str], dict[str, Any]]


@dataclass(frozen=True)
class Row:
    """Expected status per role for a record inside and outside its reach."""

    inside: dict[Role, int]
    outside: dict[Role, int]
    body: Body | None = None
    files: bool = False


def statuses(default: int, **overrides: int) -> dict[Role, int]:
    out = dict.fromkeys(ALL, default)
    for name, status in overrides.items():
        out[Role(name)] = status
    return out


def _card_patch(w: World, scope: str) -> dict[str, Any]:
    card = catalog.get_card(w.db, Actor.system(), w.ids(scope)["card_id"])
    return {"version": card.version, "basic": {"description": "矩阵修改"}}


def _card_new(w: World, scope: str) -> dict[str, Any]:
    return {
        "organisation_id": w.ids(scope)["organisation_id"],
        "basic": {"name": "矩阵新建", "industry": "D"},
    }


def _user_new(w: World, scope: str) -> dict[str, Any]:
    return {
        "username": f"new_{w.role.value}_{scope}",
        "display_name": "新用户",
        "password": "Passw0rd!x",
        "organisation_id": w.ids(scope)["organisation_id"],
        "roles": ["finance"],
    }


def _org_new(w: World, scope: str) -> dict[str, Any]:
    from dataasset.core.codes import uscc_check_char

    body17 = f"91430100MA4X{abs(hash((w.role.value, scope))) % 100000:05d}"
    return {
        "name": f"新单位{w.role.value}{scope}",
        "uscc": body17 + uscc_check_char(body17),
        "kind": "private",
        "region_code": "430100",
    }


READ_ALL = statuses(200)
CARD_READ = Row(inside=READ_ALL, outside=statuses(404, platform_admin=200))
MATRIX: dict[tuple[str, str], Row] = {
    ("GET", "/api/auth/me"): Row(READ_ALL, READ_ALL),
    ("GET", "/api/catalog/assets/{card_id}"): CARD_READ,
    ("GET", "/api/catalog/assets/{card_id}/history"): CARD_READ,
    ("PATCH", "/api/catalog/assets/{card_id}"): Row(
        inside=statuses(403, platform_admin=200, chief_data_officer=200, data_admin=200),
        outside=statuses(404, platform_admin=200),
        body=_card_patch,
    ),
    ("POST", "/api/catalog/assets"): Row(
        inside=statuses(403, platform_admin=201, chief_data_officer=201, data_admin=201),
        outside=statuses(403, platform_admin=201),
        body=_card_new,
    ),
    ("POST", "/api/catalog/import"): Row(
        inside=statuses(403, platform_admin=200, chief_data_officer=200, data_admin=200),
        outside=statuses(403, platform_admin=200),  # rows naming another organisation's code
        files=True,
    ),
    ("GET", "/api/organisations/{organisation_id}"): Row(READ_ALL, READ_ALL),
    ("PATCH", "/api/organisations/{organisation_id}"): Row(
        inside=statuses(403, platform_admin=200, chief_data_officer=200),
        outside=statuses(403, platform_admin=200),
        body=lambda w, s: {"share_with_parent": True},
    ),
    ("POST", "/api/organisations"): Row(
        inside=statuses(403, platform_admin=201), outside=statuses(403, platform_admin=201), body=_org_new
    ),
    ("GET", "/api/users/{user_id}"): Row(
        inside=statuses(404, platform_admin=200, chief_data_officer=200),
        outside=statuses(404, platform_admin=200),
    ),
    ("PATCH", "/api/users/{user_id}"): Row(
        inside=statuses(404, platform_admin=200, chief_data_officer=200),
        outside=statuses(404, platform_admin=200),
        body=lambda w, s: {"display_name": "改名"},
    ),
    ("POST", "/api/users"): Row(
        inside=statuses(403, platform_admin=201, chief_data_officer=201),
        outside=statuses(403, platform_admin=201),
        body=_user_new,
    ),
}

# List endpoints: (path, query for the inside record, which id to look for) → who sees inside/outside rows.
LISTS: dict[str, tuple[str, dict[Role, bool], dict[Role, bool]]] = {
    "/api/catalog/assets": ("card_id", dict.fromkeys(ALL, True), {r: r == ADMIN for r in ALL}),
    "/api/users": ("user_id", {r: r in (ADMIN, CDO) for r in ALL}, {r: r == ADMIN for r in ALL}),
    "/api/organisations": ("organisation_id", dict.fromkeys(ALL, True), dict.fromkeys(ALL, True)),
}
# Routes with no record in the path or body: every signed-in role may call them; what they return
# is scoped (checked below for the export and the stats).
OPEN_TO_SIGNED_IN = {
    ("GET", "/api/catalog/stats"),
    ("GET", "/api/catalog/export"),
    ("GET", "/api/catalog/import/template"),
}
PUBLIC = {
    ("GET", "/api/health"),
    ("GET", "/api/meta/options"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/logout"),
}


def api_routes(app: Any) -> list[tuple[str, str]]:
    out = []
    for route in app.routes:
        if isinstance(route, APIRoute) and route.path.startswith("/api"):
            out.extend((m, route.path) for m in sorted(route.methods))
    return out


def test_every_route_is_in_the_matrix(app: Any) -> None:
    covered = set(MATRIX) | {("GET", p) for p in LISTS} | OPEN_TO_SIGNED_IN | PUBLIC
    missing = [r for r in api_routes(app) if r not in covered]
    assert not missing, (
        f"add these routes to the tenancy matrix (tests/api/test_tenancy_matrix.py): {missing}"
    )


def _fill(path: str, ids: dict[str, int]) -> str:
    for key, value in ids.items():
        path = path.replace("{" + key + "}", str(value))
    return path


def test_no_login_means_401_on_every_private_route(client: TestClient, app: Any) -> None:
    for method, path in api_routes(app):
        if (method, path) in PUBLIC:
            continue
        r = client.request(method, _fill(path, {"card_id": 1, "organisation_id": 1, "user_id": 1}))
        assert r.status_code == 401, (method, path, r.status_code)


@pytest.mark.parametrize("role", ALL, ids=[r.value for r in ALL])
def test_matrix(role: Role, db: Session, client: TestClient, auth: Any, app: Any) -> None:
    world = build_world(db, role)
    headers = auth(ROLES[role][0])
    failures = []
    for (method, path), row in MATRIX.items():
        for scope, expected in (("inside", row.inside[role]), ("outside", row.outside[role])):
            kwargs: dict[str, Any] = {"headers": headers}
            if row.body is not None:
                kwargs["json"] = row.body(world, scope)
            if row.files:
                extra = (
                    {}
                    if scope == "inside"
                    else {"持有单位统一社会信用代码": db.get(Organisation, world.outside_org).uscc}
                )  # type: ignore[union-attr]
                kwargs["files"] = {"file": ("m.xlsx", workbook([{**GOOD, **extra}]))}
            r = client.request(method, _fill(path, world.ids(scope)), **kwargs)
            if r.status_code != expected:
                failures.append(
                    f"{method} {path} [{scope}] → {r.status_code}, expected {expected}: {r.text[:120]}"
                )
    for path, (key, sees_inside, sees_outside) in LISTS.items():
        ids = {i["id"] for i in client.get(path, params={"page_size": 200}, headers=headers).json()["items"]}
        for scope, expected in (("inside", sees_inside[role]), ("outside", sees_outside[role])):
            if (world.ids(scope)[key] in ids) != expected:
                failures.append(f"GET {path}: {scope} record visible={not expected}, expected {expected}")
    export = client.get("/api/catalog/export", headers=headers)
    codes = {r[0] for r in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)}  # type: ignore[union-attr]
    for scope, expected in (("inside", True), ("outside", role == ADMIN)):
        code = catalog.get_card(db, Actor.system(), world.ids(scope)["card_id"]).code
        if (code in codes) != expected:
            failures.append(
                f"GET /api/catalog/export: {scope} card present={not expected}, expected {expected}"
            )
    assert not failures, "\n".join(failures)


def test_regulators_write_nothing_anywhere(db: Session, client: TestClient, auth: Any, app: Any) -> None:
    world = build_world(db, REG)
    for username in ("cssjj", "sjj", "czt", "gzw"):
        headers = auth(username)
        for method, path in api_routes(app):
            if method == "GET" or (method, path) in PUBLIC:
                continue
            row = MATRIX.get((method, path))
            kwargs: dict[str, Any] = {"headers": headers}
            if row is not None and row.body is not None:
                kwargs["json"] = row.body(world, "inside")
            if row is not None and row.files:
                kwargs["files"] = {"file": ("m.xlsx", workbook([GOOD]))}
            r = client.request(method, _fill(path, world.ids("inside")), **kwargs)
            assert r.status_code in (403, 404, 422), (username, method, path, r.status_code)
