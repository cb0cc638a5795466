"""Health and enumerations for the console."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from dataasset import __version__
from dataasset.api.deps import DbSession
from dataasset.catalog import enums as card
from dataasset.core.enums import OrganisationKind, Role

router = APIRouter(prefix="/api", tags=["meta"])


class Health(BaseModel):
    status: str
    database: str
    version: str


class Option(BaseModel):
    value: str
    label_zh: str
    label_en: str


class Options(BaseModel):
    industries: list[Option]
    organisation_kinds: list[Option]
    roles: list[Option]
    stages: list[Option]
    security_grades: list[Option]
    sharing_types: list[Option]
    acquisition_methods: list[Option]
    update_frequencies: list[Option]
    data_formats: list[Option]
    registration_statuses: list[Option]
    accounting_statuses: list[Option]


@router.get("/health")
def get_health(request: Request, session: DbSession) -> Health:
    """Liveness and the database backend in use."""
    session.execute(text("SELECT 1"))
    return Health(status="ok", database=session.get_bind().dialect.name, version=__version__)


@router.get("/meta/options")
def get_options() -> Options:
    """Every enumeration the console shows, with zh-CN and en-US labels."""
    return Options.model_validate(
        {
            "industries": card.Industry.options(),
            "organisation_kinds": OrganisationKind.options(),
            "roles": Role.options(),
            "stages": card.Stage.options(),
            "security_grades": card.SecurityGrade.options(),
            "sharing_types": card.SharingType.options(),
            "acquisition_methods": card.AcquisitionMethod.options(),
            "update_frequencies": card.UpdateFrequency.options(),
            "data_formats": card.DataFormat.options(),
            "registration_statuses": card.RegistrationStatus.options(),
            "accounting_statuses": card.AccountingStatus.options(),
        }
    )
