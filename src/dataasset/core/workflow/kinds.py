"""Workflow kinds: what a domain plugs into the generic engine, in an explicit registry keyed by name.

A domain registers, for each kind of approval it starts, the shape of the request it carries
(validated again when the applicant resubmits after a return) and a completion hook: what happens
in the domain when an instance is approved, rejected or withdrawn. The hook runs in the same
transaction as the final action. ``core`` imports no domain: the catalog registers the ``sharing``
kind when ``dataasset.catalog`` is imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from dataasset.core.permissions import Actor

if TYPE_CHECKING:
    from dataasset.core.workflow.models import Status, WorkflowInstance

CompletionHook = Callable[[Session, Actor, "WorkflowInstance", "Status"], None]


@dataclass(frozen=True)
class WorkflowKind:
    """``payload`` validates the request carried by an instance; ``on_complete`` is called with the
    final status (approved / rejected / withdrawn)."""

    name: str
    payload: type[BaseModel] | None = None
    on_complete: CompletionHook | None = None

    def validate_payload(self, raw: dict[str, Any]) -> dict[str, Any]:
        if self.payload is None:
            return raw
        return self.payload.model_validate(raw).model_dump(mode="json")


KINDS: dict[str, WorkflowKind] = {}


def register_kind(kind: WorkflowKind) -> WorkflowKind:
    """Register (or replace, on re-import) a kind."""
    KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> WorkflowKind:
    """The registered kind, or a bare one (no payload check, no hook) for kinds only defined in YAML."""
    return KINDS.get(name) or WorkflowKind(name)
