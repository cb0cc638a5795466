"""The tenancy clauses of approvals, built from ``core.permissions`` over the workflow tables."""

from __future__ import annotations

from sqlalchemy import ColumnElement, String, cast, exists, select

from dataasset.core.files import StoredFile, visible_condition
from dataasset.core.models import EvidenceEntry
from dataasset.core.permissions import Actor, assignment_condition, workflow_readable_condition
from dataasset.core.workflow.models import WorkflowAssignment, WorkflowAttachment, WorkflowInstance


def assigned_clause(actor: Actor) -> ColumnElement[bool]:
    """The instance's current step names the actor."""
    return exists().where(
        WorkflowAssignment.instance_id == WorkflowInstance.id,
        assignment_condition(
            actor,
            role=WorkflowAssignment.role,
            relation=WorkflowAssignment.relation,
            organisation=WorkflowAssignment.organisation_id,
            region=WorkflowAssignment.region_code,
        ),
    )


def readable_condition(actor: Actor) -> ColumnElement[bool]:
    """Instances the actor may read."""
    return workflow_readable_condition(
        actor,
        WorkflowInstance.holder_organisation_id,
        WorkflowInstance.applicant_organisation_id,
        assigned_clause(actor),
    )


def attached_files_clause(actor: Actor) -> ColumnElement[bool]:
    """Files attached to an instance the actor may read (registered with ``core.files``)."""
    return StoredFile.id.in_(
        select(WorkflowAttachment.file_id)
        .join(WorkflowInstance, WorkflowInstance.id == WorkflowAttachment.instance_id)
        .where(readable_condition(actor))
    )


def instance_evidence(actor: Actor) -> ColumnElement[bool]:
    """Evidence of the approvals the actor may read (registered with ``core.evidence_read``)."""
    ids = select(cast(WorkflowInstance.id, String)).where(readable_condition(actor))
    return EvidenceEntry.subject_id.in_(ids)


def file_evidence(actor: Actor) -> ColumnElement[bool]:
    """Evidence of the uploads the actor may see."""
    return EvidenceEntry.subject_id.in_(select(cast(StoredFile.id, String)).where(visible_condition(actor)))
