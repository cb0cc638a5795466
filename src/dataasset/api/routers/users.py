"""Users and their roles."""

from __future__ import annotations

from fastapi import APIRouter

from dataasset.api.deps import CurrentActor, DbSession, Id, OptionalId, Pagination
from dataasset.core import identity
from dataasset.core.schemas import Page, UserCreate, UserRead, UserUpdate

router = APIRouter(prefix="/api/users", tags=["users"])


@router.get("")
def list_users(
    actor: CurrentActor, session: DbSession, paging: Pagination, organisation_id: OptionalId = None
) -> Page[UserRead]:
    return identity.list_users(
        session, actor, organisation_id=organisation_id, page=paging[0], page_size=paging[1]
    )


@router.get("/{user_id}")
def get_user(user_id: Id, actor: CurrentActor, session: DbSession) -> UserRead:
    return UserRead.model_validate(identity.get_user(session, actor, user_id))


@router.post("", status_code=201)
def create_user(body: UserCreate, actor: CurrentActor, session: DbSession) -> UserRead:
    return UserRead.model_validate(identity.create_user(session, actor, body))


@router.patch("/{user_id}")
def update_user(user_id: Id, body: UserUpdate, actor: CurrentActor, session: DbSession) -> UserRead:
    return UserRead.model_validate(identity.update_user(session, actor, user_id, body))
