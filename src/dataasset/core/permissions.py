"""Who may do what, and whose records they may see: every authorisation decision lives here.

Rules (基础平台 issue §4-5):
- a platform administrator reads and writes everything;
- a regulator (数据局/财政/国资委) reads the records of organisations whose region code starts with its
  own region's prefix, and writes nothing;
- everyone else reads their own organisation's records, the records of subsidiaries that granted
  their parent group access (``share_with_parent``), and public records; they write only their own
  organisation's records, and only with a role that carries the write permission.
Approvals (workflow) add: the applicant and the holding organisation see an approval, regulators
read those in their region, admins all; who may act at a step is named by the step's definition
(a role and a relation to the subject) and matched here.
Services call these functions; routes never decide access themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from dataasset.core.enums import Role
from dataasset.core.errors import Forbidden

READ = "read"

_WORKFLOW = frozenset({"workflow.read", "workflow.act", "file.upload", "sharing.request"})
# discovery: read sources and scans; manage them (add, scan, override a grade)
_DISCOVERY = frozenset({"discovery.read", "discovery.manage"})
# quality: read scores, rules and issues; manage rule sets and runs; rectify the issues of one's
# own organisation (谁生产、谁治理)
_QUALITY = frozenset({"quality.read", "quality.manage", "quality.rectify"})
# registry: read rights, declare and grant one's own (manage), dispute another's; administrators
# also record transfers of all rights (合并、分立、解散、破产) and the outcome of disputes
_REGISTRY = frozenset({"registry.read", "registry.manage", "registry.dispute"})
ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.PLATFORM_ADMIN: frozenset(
        {
            "catalog.read",
            "catalog.write",
            "catalog.import",
            "organisation.read",
            "organisation.manage",
            "user.read",
            "user.manage",
        }
    )
    | _WORKFLOW
    | _DISCOVERY
    | _QUALITY
    | _REGISTRY
    | {"registry.transfer", "registry.arbitrate"},
    # a regulator reads approvals in its region and acts only at steps naming regulator_of_holder
    Role.REGULATOR: frozenset(
        {
            "catalog.read",
            "organisation.read",
            "supervision.read",
            "workflow.read",
            "workflow.act",
            "discovery.read",
            "quality.read",
            "registry.read",
        }
    ),
    Role.CHIEF_DATA_OFFICER: frozenset(
        {"catalog.read", "catalog.write", "catalog.import", "organisation.read", "user.read", "user.manage"}
    )
    | _WORKFLOW
    | _DISCOVERY
    | _QUALITY
    | _REGISTRY,
    Role.DATA_ADMIN: frozenset({"catalog.read", "catalog.write", "catalog.import", "organisation.read"})
    | _WORKFLOW
    | _DISCOVERY
    | _QUALITY
    | _REGISTRY,
    # finance and appraisers read quality scores (they feed valuation's quality factor)
    Role.FINANCE: frozenset({"catalog.read", "organisation.read", "quality.read"}) | _WORKFLOW,
    Role.APPRAISER: frozenset({"catalog.read", "organisation.read", "quality.read"}) | _WORKFLOW,
    Role.EXCHANGE_REVIEWER: frozenset({"catalog.read", "organisation.read"}) | _WORKFLOW,
    Role.DATA_MERCHANT: frozenset({"catalog.read", "organisation.read"}) | _WORKFLOW,
    Role.OPERATOR: frozenset({"catalog.read", "organisation.read"}) | _WORKFLOW,
}


@dataclass(frozen=True)
class Actor:
    """Who acts: a logged-in user, or the system (CLI, demo loader) when ``user_id`` is None.

    ``readable_org_ids`` are the organisations whose non-public records this actor reads
    (own plus granted subsidiaries); ``region_prefix`` is set for regulators.
    """

    user_id: int | None
    username: str
    display_name: str
    organisation_id: int | None
    roles: frozenset[Role]
    readable_org_ids: frozenset[int] = field(default_factory=frozenset)
    region_prefix: str | None = None

    @property
    def is_admin(self) -> bool:
        return Role.PLATFORM_ADMIN in self.roles

    @property
    def is_regulator(self) -> bool:
        return Role.REGULATOR in self.roles and not self.is_admin

    @property
    def permissions(self) -> frozenset[str]:
        perms: set[str] = set()
        for role in self.roles:
            perms |= ROLE_PERMISSIONS.get(role, frozenset())
        return frozenset(perms)

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """The platform itself (CLI commands, the demo loader): an administrator with no user row."""
        return cls(None, name, "系统", None, frozenset({Role.PLATFORM_ADMIN}))


def has(actor: Actor, permission: str) -> bool:
    return permission in actor.permissions


def require(actor: Actor, permission: str) -> None:
    """Raise :class:`Forbidden` unless the actor's roles carry ``permission``."""
    if not has(actor, permission):
        raise Forbidden("您没有执行此操作的权限", code="permission_denied")


def may_read_org(actor: Actor, organisation_id: int, region_code: str) -> bool:
    """May the actor read the non-public records of this organisation?"""
    if actor.is_admin:
        return True
    if actor.region_prefix is not None and region_code.startswith(actor.region_prefix):
        return True
    return organisation_id in actor.readable_org_ids


def may_write_org(actor: Actor, organisation_id: int) -> bool:
    """May the actor change records of this organisation (given a write permission)?"""
    if actor.is_admin:
        return True
    if actor.is_regulator:
        return False
    return organisation_id == actor.organisation_id


def require_write(actor: Actor, permission: str, organisation_id: int) -> None:
    require(actor, permission)
    if not may_write_org(actor, organisation_id):
        raise Forbidden("您只能修改本单位的数据", code="other_organisation")


def readable_condition(
    actor: Actor,
    org_column: InstrumentedAttribute[int],
    *,
    region_column: InstrumentedAttribute[str] | None = None,
    public_column: InstrumentedAttribute[bool] | None = None,
    org_region_subquery: bool = True,
) -> ColumnElement[bool]:
    """A WHERE clause limiting rows to what the actor may read, evaluated in the query.

    Regulators are matched on the owning organisation's region code, looked up by a subquery
    unless ``region_column`` (already joined) is given.
    """
    from dataasset.core.models import Organisation

    if actor.is_admin:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if actor.readable_org_ids:
        clauses.append(org_column.in_(sorted(actor.readable_org_ids)))
    if actor.region_prefix is not None:
        if region_column is not None:
            clauses.append(region_column.startswith(actor.region_prefix))
        elif org_region_subquery:
            clauses.append(
                org_column.in_(
                    select(Organisation.id).where(Organisation.region_code.startswith(actor.region_prefix))
                )
            )
    if public_column is not None:
        clauses.append(public_column.is_(True))
    if not clauses:
        return false()
    return or_(*clauses)


# --- approvals (审批) --------------------------------------------------------------------------


def workflow_readable_condition(
    actor: Actor,
    holder_column: InstrumentedAttribute[int],
    applicant_column: InstrumentedAttribute[int],
    assigned: ColumnElement[bool],
) -> ColumnElement[bool]:
    """Approvals the actor may read: where their organisation is the applicant or the holder, or
    they are named at the current step; regulators those whose holder or applicant is in their
    region (read-only); administrators all."""
    from dataasset.core.models import Organisation

    if actor.is_admin:
        return true()
    clauses: list[ColumnElement[bool]] = [assigned]
    if actor.organisation_id is not None:
        clauses += [holder_column == actor.organisation_id, applicant_column == actor.organisation_id]
    if actor.region_prefix is not None:
        in_region = select(Organisation.id).where(Organisation.region_code.startswith(actor.region_prefix))
        clauses += [holder_column.in_(in_region), applicant_column.in_(in_region)]
    return or_(*clauses)


def assignment_condition(
    actor: Actor,
    *,
    role: InstrumentedAttribute[str],
    relation: InstrumentedAttribute[str],
    organisation: InstrumentedAttribute[int | None],
    region: InstrumentedAttribute[str | None],
) -> ColumnElement[bool]:
    """Does an assignment of a step (role + relation, resolved to an organisation or a region) name
    the actor? ``holder``/``applicant``: the role in that organisation; ``platform``: the role in any
    organisation; ``regulator_of_holder``: a regulator whose region covers the holder's."""
    if not has(actor, "workflow.act") or not actor.roles:
        return false()
    who: list[ColumnElement[bool]] = [relation == "platform"]
    if actor.organisation_id is not None:
        who.append(and_(relation.in_(["holder", "applicant"]), organisation == actor.organisation_id))
    if actor.region_prefix is not None:
        who.append(and_(relation == "regulator_of_holder", region.startswith(actor.region_prefix)))
    return and_(role.in_(sorted(r.value for r in actor.roles)), or_(*who))


def may_take_part(actor: Actor, holder_organisation_id: int, applicant_organisation_id: int) -> bool:
    """May the actor comment on or attach files to an approval (besides those named at its step)?
    The two organisations concerned and administrators; a regulator only reads."""
    if not has(actor, "workflow.act"):
        return False
    if actor.is_admin:
        return True
    if actor.is_regulator:
        return False
    return actor.organisation_id in (holder_organisation_id, applicant_organisation_id)


def parse_roles(values: Iterable[str]) -> frozenset[Role]:
    roles: set[Role] = set()
    for value in values:
        try:
            roles.add(Role(value))
        except ValueError:
            continue
    return frozenset(roles)
