"""Quality's part of the evidence log: who may read the evidence of rule sets, runs, issues and
settings (those who may read the record), and how the verifier recomputes their state digests, so a
row changed behind the services' back is found. Registered on import of the quality package."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import ColumnElement, String, cast, false, select
from sqlalchemy.orm import Session

from dataasset.core import evidence, evidence_read
from dataasset.core.models import EvidenceEntry
from dataasset.core.permissions import Actor, has, readable_condition
from dataasset.quality.models import QualityIssue, QualityRuleSet, QualityRun, QualitySettings


def _reader(model: Any, key: Any) -> Callable[[Actor], ColumnElement[bool]]:
    def readable(actor: Actor) -> ColumnElement[bool]:
        if not has(actor, "quality.read"):
            return false()
        ids = select(cast(key, String)).where(readable_condition(actor, model.organisation_id))
        return EvidenceEntry.subject_id.in_(ids)

    return readable


def _digests(model: Any, state: Callable[[Any], Any]) -> Callable[[Session], Iterator[tuple[str, str]]]:
    def digests(session: Session) -> Iterator[tuple[str, str]]:
        key = model.organisation_id if model is QualitySettings else model.id
        stmt = select(model).order_by(key).execution_options(populate_existing=True, yield_per=500)
        for row in session.scalars(stmt):
            yield (
                str(row.organisation_id if model is QualitySettings else row.id),
                evidence.state_digest(state(row)),
            )

    return digests


def _settings_state(row: QualitySettings) -> dict[str, Any]:
    return {"weights": row.weights, "deadline_days": row.deadline_days}


def register() -> None:
    from dataasset.quality import service

    for subject, model, key, state in (
        ("quality_rule_set", QualityRuleSet, QualityRuleSet.id, service._rule_set_state),
        ("quality_run", QualityRun, QualityRun.id, service._run_state),
        ("quality_issue", QualityIssue, QualityIssue.id, service._issue_state),
        ("quality_settings", QualitySettings, QualitySettings.organisation_id, _settings_state),
    ):
        evidence_read.register_reader(subject, _reader(model, key))
        evidence.register_state(subject, _digests(model, state))
