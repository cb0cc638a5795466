"""Organisations, users, login and the acting user.

Passwords are argon2 hashes; an account locks after repeated failures; a login yields a JWT that
the API accepts as a bearer token or as the console's httpOnly cookie.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dataasset.core import evidence
from dataasset.core.codes import region_prefix
from dataasset.core.db import utcnow
from dataasset.core.enums import OrganisationKind, Role
from dataasset.core.errors import (
    AccountLocked,
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    LoginFailed,
    NotAuthenticated,
    NotFound,
)
from dataasset.core.models import Organisation, User
from dataasset.core.permissions import Actor, has, parse_roles, require
from dataasset.core.schemas import (
    OrganisationCreate,
    OrganisationRead,
    OrganisationUpdate,
    Page,
    UserCreate,
    UserRead,
    UserUpdate,
)

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("timing-equaliser")
_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- login -----------------------------------------------------------------------------------


def authenticate(
    session: Session, username: str, password: str, *, max_failures: int, lockout_minutes: int
) -> User | DomainError:
    """Check a login. Returns the user, or the error to raise *after* the caller commits,
    so that failure counts and lockouts persist."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        verify_password(_DUMMY_HASH, password)  # same cost as a real check
        return LoginFailed("用户名或密码错误")
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        return AccountLocked(f"账户已锁定，请于 {_shanghai(user.locked_until)} 后重试")
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + timedelta(minutes=lockout_minutes)
            user.failed_logins = 0
            evidence.record(
                session, Actor.system(), "user.lock", "user", user.id, {"until": user.locked_until}
            )
            return AccountLocked(f"连续登录失败次数过多，账户已锁定 {lockout_minutes} 分钟")
        return LoginFailed("用户名或密码错误")
    if not user.is_active:
        return LoginFailed("账户已停用，请联系管理员")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def _shanghai(moment: datetime) -> str:
    return (moment + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")


def issue_token(user: User, secret: str, minutes: int) -> tuple[str, datetime]:
    expires = utcnow() + timedelta(minutes=minutes)
    token = jwt.encode(
        {"sub": str(user.id), "exp": expires, "iat": utcnow(), "org": user.organisation_id},
        secret,
        _ALGORITHM,
    )
    return token, expires


def user_id_from_token(token: str, secret: str) -> int:
    try:
        claims = jwt.decode(token, secret, algorithms=[_ALGORITHM], options={"require": ["sub", "exp"]})
        return int(claims["sub"])
    except (jwt.PyJWTError, ValueError) as exc:
        raise NotAuthenticated("登录已失效，请重新登录", code="token_invalid") from exc


def load_actor(session: Session, user_id: int) -> Actor:
    """Build the acting user with the organisations they may read."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated("登录已失效，请重新登录", code="token_invalid")
    roles = parse_roles(user.roles)
    org = user.organisation
    readable = {org.id} | _granted_descendants(session, org.id)
    prefix = None
    if Role.REGULATOR in roles and org.kind == OrganisationKind.REGULATOR:
        prefix = region_prefix(org.region_code)
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        organisation_id=org.id,
        roles=roles,
        readable_org_ids=frozenset(readable),
        region_prefix=prefix,
    )


def _granted_descendants(session: Session, org_id: int) -> set[int]:
    """Subsidiaries (at any depth) whose every link up to ``org_id`` granted access to the parent."""
    found: set[int] = set()
    frontier = [org_id]
    while frontier:
        children = session.scalars(
            select(Organisation.id).where(
                Organisation.parent_id.in_(frontier), Organisation.share_with_parent.is_(True)
            )
        ).all()
        frontier = [c for c in children if c not in found and c != org_id]
        found.update(frontier)
    return found


# --- organisations ---------------------------------------------------------------------------


def list_organisations(
    session: Session, actor: Actor, *, q: str | None, kind: OrganisationKind | None, page: int, page_size: int
) -> Page[OrganisationRead]:
    """Organisations are a public register (name, 统一社会信用代码); any signed-in user lists them."""
    require(actor, "organisation.read")
    stmt = select(Organisation)
    if q:
        stmt = stmt.where(or_(Organisation.name.contains(q), Organisation.uscc == q.upper()))
    if kind:
        stmt = stmt.where(Organisation.kind == kind.value)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Organisation.id).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return Page(
        items=[OrganisationRead.model_validate(r) for r in rows], total=total, page=page, page_size=page_size
    )


def get_organisation(session: Session, actor: Actor, organisation_id: int) -> Organisation:
    require(actor, "organisation.read")
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("单位不存在", code="organisation_not_found")
    return org


def create_organisation(session: Session, actor: Actor, data: OrganisationCreate) -> Organisation:
    require(actor, "organisation.manage")
    if data.parent_id is not None and session.get(Organisation, data.parent_id) is None:
        raise Invalid("上级单位不存在", code="parent_not_found")
    _unique_org(session, data.name, data.uscc, None)
    org = Organisation(**data.model_dump())
    session.add(org)
    session.flush()
    evidence.record(
        session, actor, "organisation.create", "organisation", org.id, data.model_dump(mode="json")
    )
    return org


def update_organisation(
    session: Session, actor: Actor, organisation_id: int, data: OrganisationUpdate
) -> Organisation:
    """An administrator changes any organisation; a chief data officer may only grant or withdraw
    their own organisation's sharing with its parent group."""
    org = get_organisation(session, actor, organisation_id)
    changes = data.model_dump(exclude_unset=True)
    if not has(actor, "organisation.manage"):
        own_cdo = Role.CHIEF_DATA_OFFICER in actor.roles and actor.organisation_id == org.id
        if not own_cdo or set(changes) - {"share_with_parent"}:
            raise Forbidden("您没有修改该单位信息的权限", code="permission_denied")
    if "parent_id" in changes and changes["parent_id"] is not None:
        _check_parent(session, org.id, changes["parent_id"])
    if "name" in changes and changes["name"] is not None:
        _unique_org(session, changes["name"], None, org.id)
    for key, value in changes.items():
        if value is None and key in {"name", "region_code", "share_with_parent"}:
            continue
        setattr(org, key, value)
    session.flush()
    evidence.record(session, actor, "organisation.update", "organisation", org.id, changes)
    return org


def _check_parent(session: Session, org_id: int, parent_id: int) -> None:
    seen = {org_id}
    current: int | None = parent_id
    while current is not None:
        if current in seen:
            raise Invalid("上级单位设置会形成循环", code="parent_cycle")
        seen.add(current)
        parent = session.get(Organisation, current)
        if parent is None:
            raise Invalid("上级单位不存在", code="parent_not_found")
        current = parent.parent_id


def _unique_org(session: Session, name: str | None, uscc: str | None, exclude_id: int | None) -> None:
    if name is not None:
        other = session.scalar(select(Organisation.id).where(Organisation.name == name))
        if other is not None and other != exclude_id:
            raise Conflict("单位名称已存在", code="organisation_name_taken")
    if uscc is not None:
        other = session.scalar(select(Organisation.id).where(Organisation.uscc == uscc))
        if other is not None and other != exclude_id:
            raise Conflict("统一社会信用代码已被其他单位使用", code="uscc_taken")


# --- users -----------------------------------------------------------------------------------

_ADMIN_ONLY_ROLES = {Role.PLATFORM_ADMIN, Role.REGULATOR}


def _may_manage_users_of(actor: Actor, organisation_id: int) -> bool:
    if actor.is_admin:
        return True
    return has(actor, "user.manage") and actor.organisation_id == organisation_id


def list_users(
    session: Session, actor: Actor, *, organisation_id: int | None, page: int, page_size: int
) -> Page[UserRead]:
    """Administrators list everyone; a chief data officer lists their organisation; others see themselves."""
    stmt = select(User)
    if not actor.is_admin:
        if has(actor, "user.read") and actor.organisation_id is not None:
            stmt = stmt.where(User.organisation_id == actor.organisation_id)
        else:
            stmt = stmt.where(User.id == actor.user_id)
    if organisation_id is not None:
        stmt = stmt.where(User.organisation_id == organisation_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(User.id).offset((page - 1) * page_size).limit(page_size)).all()
    return Page(items=[UserRead.model_validate(r) for r in rows], total=total, page=page, page_size=page_size)


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    user = session.get(User, user_id)
    visible = user is not None and (
        actor.is_admin
        or user.id == actor.user_id
        or (has(actor, "user.read") and user.organisation_id == actor.organisation_id)
    )
    if user is None or not visible:
        raise NotFound("用户不存在", code="user_not_found")
    return user


def create_user(session: Session, actor: Actor, data: UserCreate) -> User:
    require(actor, "user.manage")
    if session.get(Organisation, data.organisation_id) is None:
        raise Invalid("所属单位不存在", code="organisation_not_found")
    if not _may_manage_users_of(actor, data.organisation_id):
        raise Forbidden("您只能管理本单位的用户", code="other_organisation")
    _check_roles(actor, data.roles)
    if session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Conflict("登录名已存在", code="username_taken")
    user = User(
        username=data.username,
        display_name=data.display_name,
        password_hash=hash_password(data.password),
        organisation_id=data.organisation_id,
        roles=[r.value for r in data.roles],
    )
    session.add(user)
    session.flush()
    evidence.record(
        session,
        actor,
        "user.create",
        "user",
        user.id,
        {"username": user.username, "organisation_id": user.organisation_id, "roles": user.roles},
    )
    return user


def update_user(session: Session, actor: Actor, user_id: int, data: UserUpdate) -> User:
    user = get_user(session, actor, user_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    is_self = user.id == actor.user_id
    manages = has(actor, "user.manage") and _may_manage_users_of(actor, user.organisation_id)
    if not manages and not (is_self and set(changes) <= {"display_name", "password"}):
        raise Forbidden("您没有修改该用户的权限", code="permission_denied")
    if "roles" in changes:
        _check_roles(actor, data.roles or [])
        user.roles = [Role(r).value for r in changes["roles"]]
    if "password" in changes:
        user.password_hash = hash_password(changes["password"])
        user.failed_logins = 0
        user.locked_until = None
    if "display_name" in changes:
        user.display_name = changes["display_name"]
    if "is_active" in changes:
        user.is_active = changes["is_active"]
    session.flush()
    logged = {k: v for k, v in changes.items() if k != "password"} | (
        {"password": "changed"} if "password" in changes else {}
    )
    evidence.record(session, actor, "user.update", "user", user.id, logged)
    return user


def _check_roles(actor: Actor, roles: list[Role]) -> None:
    if not actor.is_admin and _ADMIN_ONLY_ROLES & set(roles):
        raise Forbidden("只有平台管理员可以授予平台管理员或监管角色", code="role_not_grantable")


def actor_or_system(session: Session, user_id: int | None, name: str) -> Actor:
    """The actor of a user who asked for background work, or the system when the user is gone (the
    platform finishes what it started)."""
    if user_id is not None:
        try:
            return load_actor(session, user_id)
        except Exception:
            pass
    return Actor.system(name)
