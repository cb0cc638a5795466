"""Approvals (审批流程): data-defined steps, an engine that runs them on any subject, deadlines in
working days, and completion hooks through which domains react.

- ``definitions``: the YAML definitions and per-organisation overrides, validated at start;
- ``kinds``: the registry where a domain plugs in its request shape and completion hook;
- ``engine``: the actions (submit, approve, reject, return, withdraw, comment, attach);
- ``steps``: entering and leaving steps, deadlines, who is named at the current step;
- ``access``: the tenancy clauses (from ``core.permissions``) over the workflow tables;
- ``queries``: my to-dos, the approvals that concern me, one approval with its timeline.
"""

from dataasset.core import evidence_read, files
from dataasset.core.workflow.access import attached_files_clause, file_evidence, instance_evidence

files.register_visibility("workflow", attached_files_clause)
evidence_read.register_reader("workflow_instance", instance_evidence)
evidence_read.register_reader("file", file_evidence)
