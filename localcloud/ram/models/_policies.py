"""RAM policies: preloaded system policies, custom policies and their versions.

Rules (alibaba-platform.md §A.1, §A.3, §A.4; ram20150501==1.3.0 request models):
- PolicyName 1-128 letters, digits, ``-``; Description up to 1,024; PolicyDocument 1-6,144
  characters (longer: ``InvalidParameter.PolicyDocument.Length``), valid in RAM's policy
  language (else ``MalformedPolicyDocument`` with the detail); 1,500 custom policies.
- At most 5 versions; CreatePolicyVersion with RotateStrategy
  ``DeleteOldestNonDefaultVersionWhenLimitExceeded`` drops the oldest non-default version,
  with ``None`` (the default) it answers ``LimitExceeded.Policy.Version``. The default version
  cannot be deleted (``DeleteConflict.Policy.Version.Default``).
- DeletePolicy is refused while the policy is attached or has non-default versions, unless
  CascadingDelete removes those versions.
"""

from __future__ import annotations

from localcloud.core.errors import InvalidParameter
from localcloud.policy import language as language
from localcloud.ram import errors
from localcloud.ram.models import _rules as rules
from localcloud.ram.models._base import RamBase
from localcloud.ram.models._paging import Page, paginate
from localcloud.ram.models.entities import Policy, PolicyKey, PolicyVersion

ROTATE_NONE = "None"
ROTATE_DELETE_OLDEST = "DeleteOldestNonDefaultVersionWhenLimitExceeded"


def validate_permission_document(document: str, *, too_long: type[Exception] | None = None) -> None:
    """A permission policy: RAM's grammar, no ``Principal`` (that belongs to trust policies)."""
    if len(document) > rules.MAX_POLICY_DOCUMENT:
        raise (too_long or errors.InvalidParameterPolicyDocumentLength)()
    try:
        parsed = language.parse(document)
    except language.PolicyError as exc:
        raise errors.MalformedPolicyDocument(f"The policy document is malformed: {exc}") from exc
    for index, statement in enumerate(parsed.statements):
        if "Principal" in statement.raw:
            # UNCONFIRMED: RAM's detail text; a permission policy has no Principal element.
            raise errors.MalformedPolicyDocument(
                f"The policy document is malformed: Statement[{index}] must not have a Principal "
                "(only a role's trust policy names principals)."
            )


class PolicyOps(RamBase):
    def attachment_count(self, key: PolicyKey) -> int:
        return (
            sum(1 for u in self.users.values() if key in u.policies)
            + sum(1 for g in self.groups.values() if key in g.policies)
            + sum(1 for r in self.roles.values() if key in r.policies)
        )

    def create_policy(self, name: str, document: str, description: str | None, tags: dict[str, str]) -> Policy:
        rules.policy_name(name)
        rules.description(description)
        validate_permission_document(document)
        # UNCONFIRMED: whether a custom policy may share a system policy's name; localcloud
        # refuses it so that ``policy/<name>`` ARNs stay unambiguous.
        if name in self.custom_policies or name in self.system_policies:
            raise errors.EntityAlreadyExistsPolicy(f"The policy does already EXIST: {name}")
        if len(self.custom_policies) >= rules.MAX_CUSTOM_POLICIES:
            raise errors.LimitExceededPolicy()
        now = self.now
        policy = Policy(
            policy_name=name,
            policy_type="Custom",
            description=description or "",
            create_date=now,
            update_date=now,
            default_version="v1",
            versions={"v1": PolicyVersion("v1", document, now)},
            tags=dict(tags),
            serial=self.next_serial(),
        )
        self.custom_policies[name] = policy
        return policy

    def list_policies(
        self, policy_type: str | None, tags: dict[str, str], marker: str | None, max_items: int
    ) -> Page[Policy]:
        if policy_type:
            rules.policy_type(policy_type)
        candidates = [
            p
            for p in [*self.system_policies.values(), *self.custom_policies.values()]
            if (not policy_type or p.policy_type == policy_type)
            and all(p.tags.get(k) == v for k, v in tags.items())
        ]
        return paginate(candidates, lambda p: p.serial, marker, max_items)

    def update_policy_description(self, name: str, new_description: str | None) -> Policy:
        policy = self.get_custom_policy(name)
        rules.description(new_description, new=True)
        if new_description is not None:
            policy.description = new_description
        policy.update_date = self.now
        return policy

    def delete_policy(self, name: str, cascading: bool) -> None:
        policy = self.get_custom_policy(name)
        key: PolicyKey = ("Custom", name)
        attached = self.entities_for_policy(key)
        if attached.users:
            raise errors.DeleteConflictPolicyUser()
        if attached.groups:
            raise errors.DeleteConflictPolicyGroup()
        if attached.roles:
            # UNCONFIRMED: the error page has no DeleteConflict.Policy.Role; the Terraform provider
            # (alicloud/resource_alicloud_ram_policy.go) expects DeleteConflict.Role.Policy here.
            raise errors.DeleteConflictRolePolicy()
        if len(policy.versions) > 1 and not cascading:
            raise errors.DeleteConflictPolicyVersion()
        del self.custom_policies[name]

    # --- versions -------------------------------------------------------------------------

    def create_policy_version(self, name: str, document: str, set_as_default: bool, rotate: str | None) -> PolicyVersion:
        strategy = rotate or ROTATE_NONE
        if strategy not in (ROTATE_NONE, ROTATE_DELETE_OLDEST):
            # UNCONFIRMED: the code for an unknown RotateStrategy; the common InvalidParameter.
            raise InvalidParameter(
                f'The parameter "RotateStrategy" must be {ROTATE_NONE} or {ROTATE_DELETE_OLDEST}, not {strategy!r}.'
            )
        policy = self.get_custom_policy(name)
        validate_permission_document(document)
        if len(policy.versions) >= rules.MAX_VERSIONS_PER_POLICY:
            oldest = [v for v in policy.versions if v != policy.default_version]
            if strategy != ROTATE_DELETE_OLDEST or not oldest:
                raise errors.LimitExceededPolicyVersion()
            del policy.versions[min(oldest, key=lambda v: int(v[1:]))]
        now = self.now
        version = PolicyVersion(f"v{policy.next_version}", document, now)
        policy.next_version += 1
        policy.versions[version.version_id] = version
        if set_as_default:
            policy.default_version = version.version_id
            policy.update_date = now
        return version

    def policy_version(self, policy_type: str, name: str, version_id: str) -> tuple[Policy, PolicyVersion]:
        policy = self.get_policy(policy_type, name)
        rules.version_id(version_id)
        version = policy.versions.get(version_id)
        if version is None:
            raise errors.EntityNotExistPolicyVersion(f"The policy version does not exist: {name} {version_id}")
        return policy, version

    def list_policy_versions(self, policy_type: str, name: str) -> tuple[Policy, list[PolicyVersion]]:
        """Versions in creation order. UNCONFIRMED: RAM's order."""
        policy = self.get_policy(policy_type, name)
        return policy, sorted(policy.versions.values(), key=lambda v: int(v.version_id[1:]))

    def delete_policy_version(self, name: str, version_id: str) -> None:
        policy, version = self.policy_version("Custom", name, version_id)
        if version.version_id == policy.default_version:
            raise errors.DeleteConflictPolicyVersionDefault()
        del policy.versions[version_id]

    def set_default_policy_version(self, name: str, version_id: str) -> None:
        policy, version = self.policy_version("Custom", name, version_id)
        policy.default_version = version.version_id
        policy.update_date = self.now
