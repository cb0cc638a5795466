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
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataasset.catalog import service as catalog
from dataasset.catalog.enums import Industry
from dataasset.catalog.schemas import AssetCardCreate
from dataasset.core import evidence, files
from dataasset.core.db import utcnow
from dataasset.core.enums import Role
from dataasset.core.models import EvidenceEntry, Organisation, User
from dataasset.core.permissions import Actor
from dataasset.core.workflow import engine as workflow
from dataasset.discovery import service as discovery
from dataasset.discovery.models import Scan, ScanColumn, ScanTable
from dataasset.discovery.schemas import DataSourceCreate
from dataasset.quality.models import QualityIssue, QualityRuleSet, QualityRun
from dataasset.registry.models import Dispute, RightRecord
from dataasset.settings import Settings
from tests.catalog.test_excel import GOOD, workbook
from tests.conftest import SECRET

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
    inside_instance: int = 0
    outside_instance: int = 0
    inside_file: str = ""
    outside_file: str = ""
    inside_discovery: dict[str, int] = field(default_factory=dict)
    outside_discovery: dict[str, int] = field(default_factory=dict)

    def ids(self, scope: str) -> dict[str, Any]:
        inside = scope == "inside"
        return {
            "card_id": self.inside_card if inside else self.outside_card,
            "organisation_id": self.inside_org if inside else self.outside_org,
            "user_id": self.inside_user if inside else self.outside_user,
            "instance_id": self.inside_instance if inside else self.outside_instance,
            "sha256": self.inside_file if inside else self.outside_file,
            **(self.inside_discovery if inside else self.outside_discovery),
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


def _approval(db: Session, org: Organisation, card_id: int, files_dir: Path, text: str) -> tuple[int, str]:
    """A sharing approval of the organisation's card, applied for and held by the organisation (so
    "inside" is both relations), waiting at 数据管理员审核, with a file of the organisation attached."""
    member = Actor(None, "matrix", "矩阵", org.id, frozenset({Role.DATA_ADMIN}))
    sha = files.upload(
        db, member, files.FileStore.under(files_dir, 1 << 20), "矩阵.txt", text.encode()
    ).sha256
    instance = workflow.start(
        db,
        Actor.system(),
        kind="sharing",
        subject_type="asset_card",
        subject_id=card_id,
        title="矩阵测试审批",
        holder_organisation_id=org.id,
        applicant_organisation_id=org.id,
        payload={"purpose": "矩阵测试", "term_start": "2027-01-01", "term_end": "2027-12-31"},
        attachments=[sha],
    )
    return instance.id, sha


def _discovery(db: Session, org: Organisation, card_id: int, var_dir: Path) -> dict[str, int]:
    """A database source of the organisation with one finished scan of one table of one column."""
    settings = Settings(var_dir=var_dir, secret_key=SECRET)
    member = Actor(None, "matrix", "矩阵", org.id, frozenset({Role.DATA_ADMIN}))
    source = discovery.create_source(
        db,
        member,
        DataSourceCreate(name="矩阵库", url="postgresql://m:pw@127.0.0.1:1/m", industry=Industry.D),
        settings,
    )
    scan = Scan(source_id=source.id, organisation_id=org.id, status="succeeded", template="general")
    db.add(scan)
    db.flush()
    table = ScanTable(
        scan_id=scan.id,
        source_id=source.id,
        organisation_id=org.id,
        name="t",
        rows=1,
        grade="general",
        level=1,
        card_id=card_id,
    )
    db.add(table)
    db.flush()
    column = ScanColumn(table_id=table.id, position=0, name="c", type="string", grade="general", level=1)
    db.add(column)
    db.flush()
    evidence.record(db, member, "discovery.scan.succeeded", "discovery_scan", scan.id, {"matrix": True})
    ids = {"source_id": source.id, "scan_id": scan.id, "table_id": table.id, "column_id": column.id}
    return ids | _quality(db, org, card_id, source.id, member)


def _registry(db: Session, org: Organisation, card_id: int, claimant: int) -> dict[str, int]:
    """The organisation's original holding right over the card, and a dispute ``claimant`` opened
    against it."""
    right = RightRecord(
        organisation_id=org.id, card_id=card_id, right="holding", acquisition="original", legal_basis="矩阵",
        exclusive=True, may_sublicense=True, files=[],
    )  # fmt: skip
    db.add(right)
    db.flush()
    dispute = Dispute(
        claimant_organisation_id=claimant,
        respondent_organisation_id=org.id,
        card_id=card_id,
        right_id=right.id,
        claims="矩阵争议",
        files=[],
    )
    db.add(dispute)
    db.flush()
    member = Actor(None, "matrix", "矩阵", org.id, frozenset({Role.DATA_ADMIN}))
    evidence.record(db, member, "registry.right.declare", "registry_right", right.id, {"matrix": True})
    return {"right_id": right.id, "dispute_id": dispute.id}


def _quality(db: Session, org: Organisation, card_id: int, source_id: int, member: Actor) -> dict[str, int]:
    """A rule set on that table with one finished run that failed its check, and the open issue."""
    rs = QualityRuleSet(
        organisation_id=org.id,
        card_id=card_id,
        source_id=source_id,
        table_name="t",
        name="矩阵规则",
        rules="checks:\n  - {check: not_null, column: c}\n",
    )
    db.add(rs)
    db.flush()
    check = {"key": "k", "check": "not_null", "title": "c 不为空", "dimension": "completeness", "column": "c"}
    run = QualityRun(
        rule_set_id=rs.id,
        organisation_id=org.id,
        card_id=card_id,
        status="succeeded",
        rule_version=1,
        rows=2,
        overall=50.0,
        dimensions={"completeness": 50.0},
        checks=[
            check
            | {"checked": 2, "passed": 1, "failed": 1, "score": 0.5, "examples": [{"__row": 2, "c": None}]}
        ],
        finished_at=utcnow(),
    )
    db.add(run)
    db.flush()
    issue = QualityIssue(
        organisation_id=org.id,
        card_id=card_id,
        rule_set_id=rs.id,
        check_key="k",
        check_title="c 不为空",
        check_type="not_null",
        dimension="completeness",
        column_name="c",
        opened_run_id=run.id,
        last_run_id=run.id,
        deadline=date.today() + timedelta(days=14),
        failed=1,
        checked=2,
    )
    db.add(issue)
    db.flush()
    evidence.record(db, member, "quality.issue.open", "quality_issue", issue.id, {"matrix": True})
    return {"rule_set_id": rs.id, "run_id": run.id, "issue_id": issue.id}


def build_world(db: Session, role: Role, files_dir: Path | None = None) -> World:
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

    world = World(
        db,
        role,
        inside.id,
        outside.id,
        card(inside),
        card(outside),
        _colleague(db, inside, username),
        _colleague(db, outside, username),
    )
    if files_dir is not None:
        world.inside_instance, world.inside_file = _approval(
            db, inside, world.inside_card, files_dir, f"{role.value} inside"
        )
        world.outside_instance, world.outside_file = _approval(
            db, outside, world.outside_card, files_dir, f"{role.value} outside"
        )
        world.inside_discovery = _discovery(db, inside, world.inside_card, files_dir)
        world.outside_discovery = _discovery(db, outside, world.outside_card, files_dir)
        # the inside card is disputed by the outside organisation; the outside one by itself, so
        # that nothing ties it to the caller
        world.inside_discovery |= _registry(db, inside, world.inside_card, outside.id)
        world.outside_discovery |= _registry(db, outside, world.outside_card, outside.id)
    db.commit()  # keep the world when a refused request rolls the request's savepoint back
    return world


# --- the expectations ---------------------------------------------------------------------------

Body = Callable[[World, str], dict[str, Any]]


@dataclass(frozen=True)
class Row:
    """Expected status per role for a record inside and outside its reach."""

    inside: dict[Role, int]
    outside: dict[Role, int]
    body: Body | None = None
    files: bool = False
    form: Body | None = None  # multipart form fields sent with ``files``


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
    # sharing (湖南方案第3条): grants are read like the card; a request needs another organisation's
    # card one can see (admins see all), and regulators never apply
    ("GET", "/api/catalog/assets/{card_id}/sharing"): CARD_READ,
    ("POST", "/api/catalog/assets/{card_id}/sharing-requests"): Row(
        inside=statuses(422, regulator=403),  # one's own card
        outside=statuses(404, regulator=403, platform_admin=201),
        body=lambda w, s: {"purpose": "矩阵申请", "term_start": "2027-01-01", "term_end": "2027-06-30"},
    ),
    # approvals: the applicant's and the holder's people read and comment, regulators read those in
    # their region, admins all (who may approve at a step: tests/core/test_workflow.py)
    ("GET", "/api/workflow/instances/{instance_id}"): Row(
        inside=READ_ALL, outside=statuses(404, platform_admin=200)
    ),
    ("POST", "/api/workflow/instances/{instance_id}/actions"): Row(
        inside=statuses(200, regulator=403),
        outside=statuses(404, platform_admin=200),
        body=lambda w, s: {"action": "comment", "comment": "矩阵意见"},
    ),
    ("POST", "/api/files"): Row(
        inside=statuses(201, regulator=403), outside=statuses(201, regulator=403), files=True
    ),
    ("GET", "/api/files/{sha256}"): Row(inside=READ_ALL, outside=statuses(404, platform_admin=200)),
}

# discovery (盘点/清查): data admins, CDOs and admins manage their organisation's sources; regulators
# read those in their region; other roles have no access. The DELETE row stays last.
_DISCOVERY_READERS = {"platform_admin": 200, "regulator": 200, "chief_data_officer": 200, "data_admin": 200}
DISCOVERY_READ = Row(
    inside=statuses(403, **_DISCOVERY_READERS),
    outside=statuses(403, platform_admin=200, regulator=404, chief_data_officer=404, data_admin=404),
)


def _manage(ok: int) -> Row:
    return Row(
        inside=statuses(403, platform_admin=ok, chief_data_officer=ok, data_admin=ok),
        outside=statuses(403, platform_admin=ok, regulator=404, chief_data_officer=404, data_admin=404),
    )


def _override(w: World, scope: str) -> dict[str, Any]:
    return {"grade": "important", "level": 4, "reason": "矩阵调整"}


MATRIX.update(
    {
        ("GET", "/api/discovery/sources/{source_id}"): DISCOVERY_READ,
        ("GET", "/api/discovery/scans/{scan_id}"): DISCOVERY_READ,
        ("GET", "/api/discovery/tables/{table_id}"): DISCOVERY_READ,
        ("GET", "/api/discovery/cards/{card_id}"): DISCOVERY_READ,
        ("POST", "/api/discovery/sources"): Row(
            inside=statuses(403, platform_admin=201, chief_data_officer=201, data_admin=201),
            outside=statuses(403, platform_admin=201),
            body=lambda w, s: {
                "organisation_id": w.ids(s)["organisation_id"],
                "name": "矩阵新库",
                "url": "mysql://u:p@127.0.0.1:1/x",
                "industry": "D",
            },
        ),
        ("POST", "/api/discovery/uploads"): Row(
            inside=statuses(403, platform_admin=201, chief_data_officer=201, data_admin=201),
            outside=statuses(403, platform_admin=201, chief_data_officer=201, data_admin=201),  # always own
            files=True,
            form=lambda w, s: {"name": "矩阵上传", "industry": "D"},
        ),
        ("PATCH", "/api/discovery/sources/{source_id}"): Row(
            **_manage(200).__dict__ | {"body": lambda w, s: {"description": "矩阵修改"}}
        ),
        ("POST", "/api/discovery/sources/{source_id}/test"): _manage(200),
        ("POST", "/api/discovery/columns/{column_id}/override"): Row(
            **_manage(200).__dict__ | {"body": _override}
        ),
        ("POST", "/api/discovery/scans/{scan_id}/cancel"): _manage(409),  # the scan has finished
        ("POST", "/api/discovery/sources/{source_id}/scans"): Row(
            **_manage(202).__dict__ | {"body": lambda w, s: {}}
        ),
        ("DELETE", "/api/discovery/sources/{source_id}"): _manage(409),  # a scan was just queued
    }
)

# quality (质量评价): everyone with quality.read (admins, regulators in their region, CDOs, data admins,
# finance, appraisers) reads their organisation's rules, runs and issues; CDOs, data admins and admins
# manage rules and runs and rectify issues. Suggestions and validation read discovery's scan too. The
# order matters: a run is queued (202), so a re-check then finds the rule set busy (409) and so does
# the DELETE, which stays last.
_QUALITY_READERS = _DISCOVERY_READERS | {"finance": 200, "appraiser": 200}
QUALITY_READ = Row(
    inside=statuses(403, **_QUALITY_READERS),
    outside=statuses(403, **{k: 404 for k in _QUALITY_READERS} | {"platform_admin": 200}),
)


def _quality_manage(ok: int) -> Row:
    managers = {"platform_admin": ok, "chief_data_officer": ok, "data_admin": ok}
    return Row(
        inside=statuses(403, **managers),
        outside=statuses(403, **{k: 404 for k in _QUALITY_READERS} | {"platform_admin": ok}),
    )


def _with(row: Row, body: Body) -> Row:
    return Row(**row.__dict__ | {"body": body})


MATRIX.update(
    {
        ("GET", "/api/quality/rule-sets/{rule_set_id}"): QUALITY_READ,
        ("GET", "/api/quality/runs/{run_id}"): QUALITY_READ,
        ("GET", "/api/quality/issues/{issue_id}"): QUALITY_READ,
        ("GET", "/api/quality/cards/{card_id}"): QUALITY_READ,
        ("GET", "/api/quality/cards/{card_id}/report.xlsx"): QUALITY_READ,
        ("GET", "/api/quality/cards/{card_id}/report.pdf"): QUALITY_READ,
        ("GET", "/api/quality/tables/{table_id}/suggestions"): DISCOVERY_READ,
        ("POST", "/api/quality/rule-sets/validate"): Row(
            inside=statuses(403, platform_admin=200, chief_data_officer=200, data_admin=200),
            outside=statuses(403, platform_admin=200, chief_data_officer=404, data_admin=404),
            body=lambda w, s: {"source_id": w.ids(s)["source_id"], "table": "t", "rules": "checks: []\n"},
        ),
        ("POST", "/api/quality/rule-sets"): Row(
            inside=statuses(403, platform_admin=201, chief_data_officer=201, data_admin=201),
            outside=statuses(403, platform_admin=201, regulator=404, chief_data_officer=404, data_admin=404),
            body=lambda w, s: {
                "source_id": w.ids(s)["source_id"],
                "table": "t",
                "name": "矩阵新规则",
                "rules": "checks:\n  - {check: not_null, column: c}\n",
            },
        ),
        ("PATCH", "/api/quality/rule-sets/{rule_set_id}"): _with(
            _quality_manage(200), lambda w, s: {"name": "矩阵改名"}
        ),
        ("POST", "/api/quality/rule-sets/{rule_set_id}/runs"): _quality_manage(202),
        ("POST", "/api/quality/issues/{issue_id}/rectify"): _with(
            _quality_manage(200), lambda w, s: {"note": "矩阵整改", "recheck": False}
        ),
        ("POST", "/api/quality/issues/{issue_id}/recheck"): _quality_manage(409),  # a run is queued
        ("POST", "/api/quality/issues/{issue_id}/assign"): _with(
            _quality_manage(200), lambda w, s: {"department": "矩阵部门"}
        ),
        ("POST", "/api/quality/issues/{issue_id}/comments"): _with(
            _quality_manage(200), lambda w, s: {"comment": "矩阵备注"}
        ),
        ("DELETE", "/api/quality/rule-sets/{rule_set_id}"): _quality_manage(409),  # a run is queued
    }
)

# registry (确权): CDOs, data admins and admins declare and grant their organisation's rights;
# regulators read their region's; any organisation may dispute a card it can see (not its own);
# administrators record transfers and dispute outcomes. The transfer stays last (it moves rights).
_REGISTRY_READERS = {"platform_admin": 200, "regulator": 200, "chief_data_officer": 200, "data_admin": 200}
REGISTRY_READ = Row(
    inside=statuses(403, **_REGISTRY_READERS),
    outside=statuses(403, platform_admin=200, regulator=404, chief_data_officer=404, data_admin=404),
)


def _registry_manage(ok: int) -> Row:
    return Row(
        inside=statuses(403, platform_admin=ok, chief_data_officer=ok, data_admin=ok),
        outside=statuses(403, platform_admin=ok, regulator=404, chief_data_officer=404, data_admin=404),
    )


def _grantee(w: World, scope: str) -> int:
    return w.ids("outside" if scope == "inside" else "inside")["organisation_id"]


MATRIX.update(
    {
        ("GET", "/api/registry/cards/{card_id}/rights"): REGISTRY_READ,
        ("GET", "/api/registry/rights/{right_id}"): REGISTRY_READ,
        ("POST", "/api/registry/rights"): Row(
            inside=statuses(403, platform_admin=201, chief_data_officer=201, data_admin=201),
            outside=statuses(404, platform_admin=201),  # another's card is not found before the right
            body=lambda w, s: {
                "card_id": w.ids(s)["card_id"],
                "right": "operating",
                "acquisition": "original",
                "legal_basis": "矩阵申报",
            },
        ),
        ("POST", "/api/registry/rights/{right_id}/grants"): _with(
            _registry_manage(201),
            lambda w, s: {"grantee_organisation_id": _grantee(w, s), "purpose": "矩阵授权", "fields": ["c"]},
        ),
        ("POST", "/api/registry/rights/{right_id}/revoke"): _with(
            _registry_manage(200), lambda w, s: {"reason": "矩阵撤销"}
        ),
        ("POST", "/api/registry/disputes"): Row(
            inside=statuses(403, platform_admin=422, chief_data_officer=422, data_admin=422),  # one's own
            outside=statuses(403, platform_admin=201, chief_data_officer=404, data_admin=404),
            body=lambda w, s: {"card_id": w.ids(s)["card_id"], "claims": "矩阵争议申请"},
        ),
        ("POST", "/api/registry/disputes/{dispute_id}/resolve"): Row(
            inside=statuses(403, platform_admin=200),
            outside=statuses(403, platform_admin=200),
            body=lambda w, s: {"outcome": "矩阵结案", "upheld": False},
        ),
        ("POST", "/api/registry/transfers"): Row(
            inside=statuses(403, platform_admin=201),
            outside=statuses(403, platform_admin=201),
            body=lambda w, s: {
                "from_organisation_id": w.ids(s)["organisation_id"],
                "to_organisation_id": _grantee(w, s),
                "reason": "merger",
                "basis": "矩阵合并",
            },
        ),
    }
)

# List endpoints: (path, query for the inside record, which id to look for) → who sees inside/outside rows.
LISTS: dict[str, tuple[str, dict[Role, bool], dict[Role, bool]]] = {
    "/api/catalog/assets": ("card_id", dict.fromkeys(ALL, True), {r: r == ADMIN for r in ALL}),
    "/api/users": ("user_id", {r: r in (ADMIN, CDO) for r in ALL}, {r: r == ADMIN for r in ALL}),
    "/api/organisations": ("organisation_id", dict.fromkeys(ALL, True), dict.fromkeys(ALL, True)),
    "/api/workflow/instances": ("instance_id", dict.fromkeys(ALL, True), {r: r == ADMIN for r in ALL}),
    "/api/workflow/inbox": ("instance_id", {r: r == Role.DATA_ADMIN for r in ALL}, dict.fromkeys(ALL, False)),
    "/api/discovery/sources": (
        "source_id",
        {r: r.value in _DISCOVERY_READERS for r in ALL},
        {r: r == ADMIN for r in ALL},
    ),
    "/api/discovery/scans": (
        "scan_id",
        {r: r.value in _DISCOVERY_READERS for r in ALL},
        {r: r == ADMIN for r in ALL},
    ),
    "/api/quality/rule-sets": (
        "rule_set_id",
        {r: r.value in _QUALITY_READERS for r in ALL},
        {r: r == ADMIN for r in ALL},
    ),
    "/api/quality/runs": (
        "run_id",
        {r: r.value in _QUALITY_READERS for r in ALL},
        {r: r == ADMIN for r in ALL},
    ),
    "/api/registry/disputes": (
        "dispute_id",
        {r: r.value in _REGISTRY_READERS for r in ALL},
        {r: r == ADMIN for r in ALL},
    ),
    "/api/quality/issues": (
        "issue_id",
        {r: r.value in _QUALITY_READERS for r in ALL},
        {r: r == ADMIN for r in ALL},
    ),
}
# Routes with no record in the path or body: every signed-in role may call them; what they return
# is scoped (checked below for the export and the stats).
OPEN_TO_SIGNED_IN = {
    ("GET", "/api/evidence/entries"),  # scoped like the subjects (checked below)
    ("GET", "/api/catalog/stats"),
    ("GET", "/api/catalog/export"),
    ("GET", "/api/catalog/import/template"),
    ("GET", "/api/quality/check-types"),
    ("GET", "/api/quality/inbox"),  # counts of the caller's reach
    ("GET", "/api/quality/organisations"),  # rows of the caller's reach (regulators: their region)
    ("GET", "/api/quality/settings"),
    ("PUT", "/api/quality/settings"),  # the caller's own organisation only
}
PUBLIC = {
    ("GET", "/api/health"),
    ("GET", "/api/meta/options"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/logout"),
    # the evidence log: hashes, proofs and checkpoints are for anyone to check; an entry's content
    # follows the subject's visibility (checked below)
    ("GET", "/api/evidence/checkpoint"),
    ("GET", "/api/evidence/entries/{index}"),
    ("GET", "/api/evidence/proof/inclusion"),
    ("GET", "/api/evidence/proof/consistency"),
}


def api_routes(app: Any) -> list[tuple[str, str]]:
    """Every API operation, read from the OpenAPI document: FastAPI ≥ 0.16x mounts included routers
    as wrappers, so ``app.routes`` no longer lists the ``APIRoute`` objects themselves."""
    out = []
    for path, operations in app.openapi()["paths"].items():
        if path.startswith("/api"):
            out.extend((method.upper(), path) for method in sorted(operations))
    assert len(out) >= 15, "no API routes found: the route enumeration is broken"
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
    world = build_world(db, role, app.state.settings.var_dir)
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
                if row.form is not None:
                    kwargs["data"] = row.form(world, scope)
            r = client.request(method, _fill(path, world.ids(scope)), **kwargs)
            if r.status_code != expected:
                failures.append(
                    f"{method} {path} [{scope}] → {r.status_code}, expected {expected}: {r.text[:120]}"
                )
    for path, (key, sees_inside, sees_outside) in LISTS.items():
        answer = client.get(path, params={"page_size": 200}, headers=headers)
        body = answer.json() if answer.status_code == 200 else []
        ids = {i["id"] for i in (body["items"] if isinstance(body, dict) else body)}
        for scope, expected in (("inside", sees_inside[role]), ("outside", sees_outside[role])):
            if (world.ids(scope)[key] in ids) != expected:
                failures.append(f"GET {path}: {scope} record visible={not expected}, expected {expected}")
    for scope, expected in (("inside", True), ("outside", role == ADMIN)):
        card = str(world.ids(scope)["card_id"])
        index = db.scalar(
            select(EvidenceEntry.index).where(
                EvidenceEntry.subject_type == "asset_card", EvidenceEntry.subject_id == card
            )
        )
        entry = client.get(f"/api/evidence/entries/{index}", headers=headers).json()
        listed = client.get(
            "/api/evidence/entries",
            params={"subject_type": "asset_card", "subject_id": card},
            headers=headers,
        ).json()
        if (entry["entry"] is not None, listed["total"] > 0) != (expected, expected):
            failures.append(
                f"GET /api/evidence/entries: {scope} card's evidence visible, expected {expected}"
            )
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
    world = build_world(db, REG, app.state.settings.var_dir)
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
