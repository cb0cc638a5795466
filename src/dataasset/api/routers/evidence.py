"""Evidence log (存证): public hashes, proofs and signed checkpoints; entries for those who may see them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from dataasset.api.deps import CurrentActor, DbSession, OptionalActor, Pagination
from dataasset.core import evidence, evidence_read
from dataasset.core.evidence_schemas import (
    ConsistencyProofRead,
    EvidenceCheckpointRead,
    EvidenceEntryRead,
    InclusionProofRead,
)
from dataasset.core.schemas import Page

router = APIRouter(prefix="/api/evidence", tags=["evidence"])

Size = Annotated[int, Query(ge=0, le=2_147_483_647, description="树的大小（条目数）")]
_NAME = r"^[A-Za-z0-9_.:-]+$"


@router.get("/checkpoint")
def get_evidence_checkpoint(request: Request, session: DbSession) -> EvidenceCheckpointRead:
    """The latest signed checkpoint (made anew when the log has grown since). No login needed."""
    return evidence_read.current_checkpoint(session, evidence.signer_for(request.app.state.settings))


@router.get("/entries")
def list_evidence_entries(
    actor: CurrentActor,
    session: DbSession,
    paging: Pagination,
    subject_type: Annotated[str | None, Query(max_length=64, pattern=_NAME, description="主体类型")] = None,
    subject_id: Annotated[str | None, Query(max_length=64, pattern=_NAME, description="主体编号")] = None,
) -> Page[EvidenceEntryRead]:
    """Entries the caller may see, newest first (the console's evidence explorer)."""
    return evidence_read.list_entries(
        session, actor, subject_type=subject_type, subject_id=subject_id, page=paging[0], page_size=paging[1]
    )


@router.get("/entries/{index}")
def get_evidence_entry(
    index: Annotated[int, Path(ge=0, le=2_147_483_647, description="条目序号")],
    actor: OptionalActor,
    session: DbSession,
) -> EvidenceEntryRead:
    """One entry: hashes for everyone; its content for those who may see the subject."""
    return evidence_read.get_entry(session, actor, index)


@router.get("/proof/inclusion")
def get_inclusion_proof(
    session: DbSession,
    index: Annotated[int, Query(ge=0, le=2_147_483_647, description="条目序号")],
    tree_size: Size,
) -> InclusionProofRead:
    """The audit path of an entry in the tree of ``tree_size`` entries (RFC 9162 §2.1.3)."""
    return evidence_read.inclusion(session, index, tree_size)


@router.get("/proof/consistency")
def get_consistency_proof(session: DbSession, first: Size, second: Size) -> ConsistencyProofRead:
    """Proof that the tree of ``first`` entries is a prefix of the tree of ``second`` (RFC 9162 §2.1.4)."""
    return evidence_read.consistency(session, first, second)
