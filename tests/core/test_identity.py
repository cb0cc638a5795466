"""Login, lockout, tokens and the tenancy an actor carries."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataasset.core import identity
from dataasset.core.enums import OrganisationKind, Role
from dataasset.core.errors import AccountLocked, Conflict, Forbidden, LoginFailed, NotAuthenticated
from dataasset.core.models import EvidenceEntry, Organisation, User
from dataasset.core.permissions import Actor
from dataasset.core.schemas import OrganisationCreate, UserCreate
from dataasset.demo import DEMO_PASSWORD


def _login(db: Session, username: str, password: str) -> Any:
    return identity.authenticate(db, username, password, max_failures=3, lockout_minutes=15)


def test_login_succeeds_and_resets_failures(db: Session) -> None:
    assert isinstance(_login(db, "xn_admin", "wrong-password"), LoginFailed)
    user = _login(db, "xn_admin", DEMO_PASSWORD)
    assert isinstance(user, User)
    assert user.failed_logins == 0 and user.last_login_at is not None


def test_repeated_failures_lock_the_account_even_with_the_right_password(db: Session) -> None:
    for _ in range(2):
        assert isinstance(_login(db, "xn_finance", "nope-nope"), LoginFailed)
    locked = _login(db, "xn_finance", "nope-nope")
    assert isinstance(locked, AccountLocked)
    assert isinstance(_login(db, "xn_finance", DEMO_PASSWORD), AccountLocked)
    assert db.scalar(select(EvidenceEntry).where(EvidenceEntry.action == "user.lock")) is not None


def test_unknown_user_fails_like_a_wrong_password(db: Session) -> None:
    outcome = _login(db, "nobody", "whatever1")
    assert isinstance(outcome, LoginFailed) and outcome.message == "用户名或密码错误"


def test_tokens_round_trip_and_reject_tampering(db: Session) -> None:
    user = db.scalar(select(User).where(User.username == "xn_admin"))
    assert user is not None
    token, _ = identity.issue_token(user, "secret-a" * 4, 5)
    assert identity.user_id_from_token(token, "secret-a" * 4) == user.id
    with pytest.raises(NotAuthenticated):
        identity.user_id_from_token(token, "secret-b" * 4)
    with pytest.raises(NotAuthenticated):
        identity.user_id_from_token(token[:-3] + "abc", "secret-a" * 4)


def test_group_parent_reads_granted_subsidiary_only(db: Session, actor: Any) -> None:
    parent = actor("xn_admin")
    child_org = db.scalar(select(Organisation).where(Organisation.name == "湘能供电服务有限公司"))
    assert child_org is not None and child_org.id in parent.readable_org_ids
    child_org.share_with_parent = False
    db.flush()
    assert child_org.id not in actor("xn_admin").readable_org_ids
    assert parent.organisation_id not in actor("xnps_admin").readable_org_ids  # never upwards


def test_regulator_jurisdiction_is_its_region_prefix(actor: Any) -> None:
    assert actor("sjj").region_prefix == "43"
    assert actor("cssjj").region_prefix == "4301"
    assert actor("xn_admin").region_prefix is None


def test_only_admins_create_organisations_and_codes_are_unique(db: Session, actor: Any) -> None:
    data = OrganisationCreate(
        name="测试单位", uscc="91110000600037341L", kind=OrganisationKind.PRIVATE, region_code="110000"
    )
    with pytest.raises(Forbidden):
        identity.create_organisation(db, actor("xn_cdo"), data)
    org = identity.create_organisation(db, Actor.system(), data)
    assert org.id
    with pytest.raises(Conflict):
        identity.create_organisation(db, Actor.system(), data.model_copy(update={"name": "另一个单位"}))


def test_a_cdo_manages_own_users_but_cannot_grant_admin_roles(db: Session, actor: Any) -> None:
    cdo = actor("xn_cdo")
    own = UserCreate(
        username="xn_new",
        display_name="新人",
        password="Passw0rd!x",
        organisation_id=cdo.organisation_id,
        roles=[Role.FINANCE],
    )
    assert identity.create_user(db, cdo, own).id
    with pytest.raises(Forbidden):
        identity.create_user(
            db, cdo, own.model_copy(update={"username": "xn_boss", "roles": [Role.PLATFORM_ADMIN]})
        )
    other_org = db.scalar(select(Organisation.id).where(Organisation.name == "株洲水务投资集团有限公司"))
    assert other_org is not None
    with pytest.raises(Forbidden):
        identity.create_user(
            db, cdo, own.model_copy(update={"username": "zz_x", "organisation_id": other_org})
        )
