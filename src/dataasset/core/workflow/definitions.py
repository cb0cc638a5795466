"""Workflow definitions (审批流程定义): data, not code.

Each ``core/rules/workflows/<kind>.yaml`` names a kind of approval and its steps: who may act at
each step (a role and the organisation's relation to the subject), whether one approval or all of
the eligible people are needed, an optional deadline in working days and what a rejection does.
Files in ``overrides/`` replace a definition for the subjects held by one organisation (keyed by its
统一社会信用代码 or its id). Everything is validated with pydantic when loaded, at start: a bad file
is an error naming the file and the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dataasset.core.enums import Role

WORKFLOW_DIR = Path(__file__).resolve().parent.parent / "rules" / "workflows"
_NAME = r"^[a-z][a-z0-9_]{0,31}$"


class DefinitionError(ValueError):
    """A workflow file is malformed; the message names the file and the field."""


class Relation(StrEnum):
    """How the acting person's organisation relates to the instance's subject."""

    HOLDER = "holder"  # the subject's holding organisation (数据持有单位)
    APPLICANT = "applicant"  # the organisation that applied
    PLATFORM = "platform"  # the platform's own staff (any organisation, by role)
    REGULATOR_OF_HOLDER = "regulator_of_holder"  # a regulator whose region covers the holder


class Mode(StrEnum):
    ANY = "any"  # one approval of an eligible person completes the step
    ALL = "all"  # every eligible person must approve


class OnReject(StrEnum):
    BACK_TO_APPLICANT = "back_to_applicant"
    END = "end"


class ActorRule(BaseModel):
    """Who may act at a step: a role, held in an organisation with this relation to the subject."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    role: Role
    relation: Relation


class StepDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=_NAME, description="步骤标识（英文小写）")
    name: str = Field(min_length=1, max_length=50, description="步骤名称")
    actors: list[ActorRule] = Field(min_length=1, description="可办理人：角色 + 与审批对象的关系")
    mode: Mode = Field(Mode.ANY, description="any：任一人同意即可；all：全部可办理人同意")
    deadline_working_days: int | None = Field(None, ge=1, le=365, description="办理时限（工作日）")
    on_reject: OnReject = Field(OnReject.BACK_TO_APPLICANT, description="驳回后：退回申请人或结束")


class WorkflowDefinition(BaseModel):
    """One kind of approval: its name, the policy clause it implements and its steps in order."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: str = Field(pattern=_NAME, description="流程种类")
    name: str = Field(min_length=1, max_length=100, description="流程名称")
    policy: str = Field("", max_length=200, description="依据的政策条款")
    subject_type: str = Field(pattern=_NAME, description="审批对象类型")
    steps: list[StepDefinition] = Field(min_length=1, max_length=20)

    @field_validator("steps")
    @classmethod
    def _unique_keys(cls, steps: list[StepDefinition]) -> list[StepDefinition]:
        keys = [s.key for s in steps]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"步骤标识重复：{', '.join(duplicates)}")
        return steps

    def step(self, key: str | None) -> StepDefinition | None:
        return next((s for s in self.steps if s.key == key), None)


class OverrideFile(BaseModel):
    """``overrides/<name>.yaml``: definitions replacing the base ones for one holding organisation."""

    model_config = ConfigDict(extra="forbid")
    organisation: str = Field(min_length=1, max_length=18, description="统一社会信用代码或单位编号")
    definitions: list[WorkflowDefinition] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _key_as_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("organisation"), int):
            return {**data, "organisation": str(data["organisation"])}
        return data


@dataclass(frozen=True)
class Resolved:
    """The definition that applies to one instance, and the file it came from."""

    definition: WorkflowDefinition
    source: str


@dataclass(frozen=True)
class DefinitionRegistry:
    """Base definitions by kind, and per-organisation overrides (organisation key → kind → definition)."""

    base: dict[str, Resolved] = field(default_factory=dict)
    overrides: dict[str, dict[str, Resolved]] = field(default_factory=dict)

    def kinds(self) -> list[str]:
        return sorted(self.base)

    def resolve(self, kind: str, organisation_id: int | None = None, uscc: str | None = None) -> Resolved:
        """The definition of ``kind`` for subjects held by this organisation (its override if any)."""
        for key in (uscc, None if organisation_id is None else str(organisation_id)):
            if key is not None and kind in self.overrides.get(key, {}):
                return self.overrides[key][kind]
        if kind not in self.base:
            raise KeyError(kind)
        return self.base[kind]


def _error(source: str, exc: ValidationError) -> DefinitionError:
    lines = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e["loc"]) or "(文件)"
        lines.append(f"字段 {where}：{str(e['msg']).removeprefix('Value error, ')}")
    return DefinitionError(f"审批流程定义 {source} 不合法：" + "；".join(lines))


def _read(path: Path, root: Path) -> tuple[str, Any]:
    source = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    try:
        return source, yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DefinitionError(f"审批流程定义 {source} 不是合法的 YAML：{exc}") from exc


def parse_definition(raw: Any, source: str) -> WorkflowDefinition:
    try:
        return WorkflowDefinition.model_validate(raw)
    except ValidationError as exc:
        raise _error(source, exc) from exc


def parse_override(raw: Any, source: str) -> OverrideFile:
    try:
        return OverrideFile.model_validate(raw)
    except ValidationError as exc:
        raise _error(source, exc) from exc


def load_registry(directories: Iterable[Path] = (WORKFLOW_DIR,)) -> DefinitionRegistry:
    """Load ``*.yaml`` and ``overrides/*.yaml`` of each directory; a later directory replaces an
    earlier one's definition of the same kind (an operator's ``var/rules/workflows`` over the package)."""
    base: dict[str, Resolved] = {}
    overrides: dict[str, dict[str, Resolved]] = {}
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.yaml")):
            source, raw = _read(path, directory.parent)
            definition = parse_definition(raw, source)
            if path.stem != definition.kind:
                raise DefinitionError(f"审批流程定义 {source} 字段 kind：应与文件名一致（{path.stem}）")
            base[definition.kind] = Resolved(definition, source)
        for path in sorted((directory / "overrides").glob("*.yaml")):
            source, raw = _read(path, directory.parent)
            override = parse_override(raw, source)
            for i, definition in enumerate(override.definitions):
                if definition.kind not in base:
                    raise DefinitionError(
                        f"审批流程定义 {source} 字段 definitions.{i}.kind：没有可覆盖的流程 {definition.kind}"
                    )
                overrides.setdefault(override.organisation, {})[definition.kind] = Resolved(
                    definition, source
                )
    return DefinitionRegistry(base, overrides)


_current: DefinitionRegistry | None = None


def configure(directories: Iterable[Path]) -> DefinitionRegistry:
    """Load and install the registry the services use (the app calls this at start)."""
    global _current
    _current = load_registry(directories)
    return _current


def current() -> DefinitionRegistry:
    """The installed registry; the packaged definitions when nothing was configured."""
    global _current
    if _current is None:
        _current = load_registry()
    return _current
