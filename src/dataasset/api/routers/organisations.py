"""Organisations (数据持有单位, 监管部门, ...)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from dataasset.api.deps import CurrentActor, DbSession, Id, Pagination
from dataasset.core import identity
from dataasset.core.enums import OrganisationKind
from dataasset.core.schemas import OrganisationCreate, OrganisationRead, OrganisationUpdate, Page

router = APIRouter(prefix="/api/organisations", tags=["organisations"])


@router.get("")
def list_organisations(
    actor: CurrentActor,
    session: DbSession,
    paging: Pagination,
    q: Annotated[str | None, Query(max_length=100)] = None,
    kind: OrganisationKind | None = None,
) -> Page[OrganisationRead]:
    return identity.list_organisations(session, actor, q=q, kind=kind, page=paging[0], page_size=paging[1])


@router.get("/{organisation_id}")
def get_organisation(organisation_id: Id, actor: CurrentActor, session: DbSession) -> OrganisationRead:
    return OrganisationRead.model_validate(identity.get_organisation(session, actor, organisation_id))


@router.post("", status_code=201)
def create_organisation(
    body: OrganisationCreate, actor: CurrentActor, session: DbSession
) -> OrganisationRead:
    return OrganisationRead.model_validate(identity.create_organisation(session, actor, body))


@router.patch("/{organisation_id}")
def update_organisation(
    organisation_id: Id, body: OrganisationUpdate, actor: CurrentActor, session: DbSession
) -> OrganisationRead:
    return OrganisationRead.model_validate(
        identity.update_organisation(session, actor, organisation_id, body)
    )
