"""Workflow definitions are data: the packaged ones load, a bad file is an error naming the file and
the field, and an organisation's override replaces a definition for subjects it holds (pure)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from dataasset.core.enums import Role
from dataasset.core.workflow.definitions import (
    WORKFLOW_DIR,
    DefinitionError,
    Mode,
    OnReject,
    Relation,
    load_registry,
    parse_definition,
)

SHARING = {
    "kind": "sharing",
    "name": "对外提供数据服务审批",
    "subject_type": "asset_card",
    "steps": [
        {"key": "review", "name": "审核", "actors": [{"role": "data_admin", "relation": "holder"}]},
    ],
}


def _write(directory: Path, name: str, content: Any) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")


def test_the_packaged_sharing_definition() -> None:
    registry = load_registry()
    resolved = registry.resolve("sharing")
    definition = resolved.definition
    assert resolved.source == "workflows/sharing.yaml"
    assert [s.key for s in definition.steps] == ["data_admin_review", "cdo_approval"]
    first, second = definition.steps
    assert first.actors[0].role == Role.DATA_ADMIN and first.actors[0].relation == Relation.HOLDER
    assert second.actors[0].role == Role.CHIEF_DATA_OFFICER
    assert first.on_reject == OnReject.BACK_TO_APPLICANT and second.on_reject == OnReject.END
    assert first.mode == Mode.ANY and first.deadline_working_days == 5
    assert "第3条" in definition.policy


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"steps": []}, "steps"),
        ({"kind": "Sharing!"}, "kind"),
        ({"steps": [{**SHARING["steps"][0], "mode": "most"}]}, "steps.0.mode"),
        (
            {"steps": [{**SHARING["steps"][0], "actors": [{"role": "boss", "relation": "holder"}]}]},
            "steps.0.actors.0.role",
        ),
        (
            {"steps": [{**SHARING["steps"][0], "actors": [{"role": "data_admin", "relation": "friend"}]}]},
            "steps.0.actors.0.relation",
        ),
        ({"steps": [{**SHARING["steps"][0], "deadline_working_days": 0}]}, "steps.0.deadline_working_days"),
        ({"steps": [{**SHARING["steps"][0], "on_reject": "restart"}]}, "steps.0.on_reject"),
        ({"steps": [SHARING["steps"][0], SHARING["steps"][0]]}, "steps"),
        ({"color": "red"}, "color"),
    ],
)
def test_a_bad_definition_names_the_file_and_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(DefinitionError) as err:
        parse_definition({**SHARING, **change}, "workflows/sharing.yaml")
    assert "workflows/sharing.yaml" in str(err.value)
    assert f"字段 {field}：" in str(err.value)


def test_loading_a_directory_checks_names_yaml_and_override_targets(tmp_path: Path) -> None:
    root = tmp_path / "workflows"
    _write(root, "other.yaml", SHARING)
    with pytest.raises(DefinitionError, match=r"other\.yaml 字段 kind"):
        load_registry([root])
    (root / "other.yaml").unlink()
    (root / "broken.yaml").write_text("kind: [", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"broken\.yaml 不是合法的 YAML"):
        load_registry([root])
    (root / "broken.yaml").unlink()
    _write(root, "sharing.yaml", SHARING)
    _write(root / "overrides", "x.yaml", {"organisation": "1", "definitions": [{**SHARING, "kind": "nope"}]})
    with pytest.raises(DefinitionError, match=r"overrides/x.yaml 字段 definitions\.0\.kind"):
        load_registry([root])


def test_an_override_replaces_the_definition_for_one_organisation(tmp_path: Path) -> None:
    root = tmp_path / "workflows"
    _write(root, "sharing.yaml", SHARING)
    three = {
        **SHARING,
        "name": "三级审批",
        "steps": [
            *SHARING["steps"],
            {
                "key": "cdo",
                "name": "首席数据官",
                "actors": [{"role": "chief_data_officer", "relation": "holder"}],
                "mode": "all",
            },
            {
                "key": "filing",
                "name": "备案",
                "actors": [{"role": "regulator", "relation": "regulator_of_holder"}],
                "on_reject": "end",
            },
        ],
    }
    _write(root / "overrides", "xn.yaml", {"organisation": "91430100MA4L0D1E2X", "definitions": [three]})
    _write(
        root / "overrides", "by_id.yaml", {"organisation": 42, "definitions": [{**SHARING, "name": "按编号"}]}
    )
    registry = load_registry([root])
    assert registry.resolve("sharing", 7, "91430100MA4L0D1E2X").definition.name == "三级审批"
    assert registry.resolve("sharing", 7, "91430100MA4L0D1E2X").source == "workflows/overrides/xn.yaml"
    assert registry.resolve("sharing", 42, "914300000000000000").definition.name == "按编号"
    assert registry.resolve("sharing", 8, "914300000000000001").definition.name == SHARING["name"]
    with pytest.raises(KeyError):
        registry.resolve("unknown")


def test_a_later_directory_replaces_a_packaged_definition(tmp_path: Path) -> None:
    operator = tmp_path / "var" / "workflows"
    _write(operator, "sharing.yaml", {**SHARING, "name": "运维调整后的流程"})
    registry = load_registry([WORKFLOW_DIR, operator])
    assert registry.resolve("sharing").definition.name == "运维调整后的流程"


@given(
    steps=st.lists(
        st.fixed_dictionaries(
            {
                "key": st.from_regex(r"^[a-z][a-z0-9_]{0,10}$", fullmatch=True),
                "name": st.text(min_size=1, max_size=10).filter(str.strip),
                "actors": st.lists(
                    st.fixed_dictionaries(
                        {
                            "role": st.sampled_from([r.value for r in Role]),
                            "relation": st.sampled_from([r.value for r in Relation]),
                        }
                    ),
                    min_size=1,
                    max_size=3,
                ),
                "mode": st.sampled_from(["any", "all"]),
                "deadline_working_days": st.none() | st.integers(min_value=1, max_value=365),
            }
        ),
        min_size=1,
        max_size=5,
        unique_by=lambda s: s["key"],
    )
)
def test_any_well_formed_definition_loads_and_keeps_its_steps(steps: list[dict[str, Any]]) -> None:
    definition = parse_definition({**SHARING, "steps": steps}, "x.yaml")
    assert [s.key for s in definition.steps] == [s["key"] for s in steps]
    assert parse_definition(definition.model_dump(mode="json"), "x.yaml") == definition
