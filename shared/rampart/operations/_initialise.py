"""``rampart init``: create what rampart needs in the account, and check the password policy.

Idempotent; run it after every catalog change:

1. the SLS project, logstore and index of the audit trail (``SlsAuditSink.ensure``);
2. the catalog's custom policies (``Identities.ensure_policy``): created when missing, a new
   default version when the catalog's document differs from the account's, else untouched.
   Policies marked ``existing`` in the catalog belong to someone else and are not touched;
3. every resource group a profile's scope names exists (ResourceManager GetResourceGroup):
   a missing one (the example catalog's placeholder ``rg-armsdemo000000001``) would make every
   grant of that profile fail, so it is reported as a problem (``InitReport.ok`` is False);
4. the ledger's tables in its Tablestore instance, when one is configured (``RAMPART_OTS_INSTANCE``;
   ``rampart.adapters.ledger``): created when missing (describe first), never altered;
5. the account's password policy (GetPasswordPolicy) against the initial passwords rampart
   generates (``rampart.planning``: every character class, at least 16 characters). They are
   compatible unless the policy asks for more than RAM's 32 characters. Because people must
   change the initial password at first logon, their own passwords follow only the account
   policy: a policy weaker than the CIS Alibaba Cloud Foundations Benchmark (section 1: at
   least 14 characters and all four character classes) is reported as advice.

Never writes a secret; the sample of the generator is not made, only its length computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rampart.catalog import custom_policies
from rampart.errors import PolicyRefused
from rampart.model import Catalog, PasswordPolicy, PolicyChange
from rampart.planning import password_length
from rampart.ports import Identities

if TYPE_CHECKING:
    from rampart.adapters.ledger import TablestoreLedger
    from rampart.adapters.sls import SlsAuditSink

CIS_MIN_LENGTH = 14


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    policy: PasswordPolicy
    compatible: bool
    generated_length: int
    problem: str
    advice: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        p = self.policy
        return {
            "policy": {"minimum_length": p.minimum_length, "require_lowercase": p.require_lowercase,
                       "require_uppercase": p.require_uppercase, "require_numbers": p.require_numbers,
                       "require_symbols": p.require_symbols},
            "compatible": self.compatible, "generated_length": self.generated_length,
            "problem": self.problem, "advice": list(self.advice),
        }


@dataclass(frozen=True, slots=True)
class InitReport:
    caller: str
    sls_project: str
    sls_logstore: str
    project_created: bool
    logstore_created: bool
    index: str
    policies: tuple[tuple[str, PolicyChange], ...]
    password: PasswordCheck
    missing_groups: tuple[tuple[str, str], ...] = ()
    """(profile, resource group id) for each scope that names a group the account lacks."""
    ledger_instance: str | None = None
    """The ledger's Tablestore instance; None when no ledger is configured."""
    ledger_tables_created: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.password.compatible and not self.missing_groups

    @property
    def problems(self) -> list[str]:
        out = [f"profile {p} is scoped to resource group {g}, which does not exist" for p, g in self.missing_groups]
        if not self.password.compatible:
            out.append(f"the password policy does not fit rampart: {self.password.problem}")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "caller": self.caller,
            "audit": {"project": self.sls_project, "logstore": self.sls_logstore,
                      "project_created": self.project_created, "logstore_created": self.logstore_created,
                      "index": self.index},
            "policies": [{"name": name, "change": change.value} for name, change in self.policies],
            "ledger": None if self.ledger_instance is None else {
                "instance": self.ledger_instance, "tables_created": list(self.ledger_tables_created)},
            "resource_groups_missing": [{"profile": p, "resource_group": g} for p, g in self.missing_groups],
            "password_policy": self.password.as_dict(),
            "ok": self.ok,
            "problems": self.problems,
        }


def check_password_policy(policy: PasswordPolicy) -> PasswordCheck:
    try:
        length = password_length(policy)
    except PolicyRefused as exc:
        return PasswordCheck(policy, False, 0, str(exc), ())
    advice: list[str] = []
    if policy.minimum_length < CIS_MIN_LENGTH:
        advice.append(f"minimum length is {policy.minimum_length}; the CIS benchmark asks for {CIS_MIN_LENGTH} or more"
                      " (people choose their own password at first logon)")
    missing = [name for name, required in (("lowercase", policy.require_lowercase), ("uppercase", policy.require_uppercase),
                                           ("numbers", policy.require_numbers), ("symbols", policy.require_symbols))
               if not required]
    if missing:
        advice.append(f"the policy does not require {', '.join(missing)}; the CIS benchmark requires all four classes")
    return PasswordCheck(policy, True, length, "", tuple(advice))


def initialise(
    identities: Identities, sink: SlsAuditSink, catalog: Catalog, ledger: TablestoreLedger | None = None,
) -> InitReport:
    ensured = sink.ensure()
    created = tuple(ledger.ensure_tables()) if ledger is not None else ()
    policies = tuple(
        (spec.name, identities.ensure_policy(spec.name, spec.document, spec.description))
        for spec in custom_policies(catalog)
    )
    groups = sorted({(name, p.scope.resource_group_id) for name, p in catalog.profiles.items()
                     if p.scope.resource_group_id is not None})
    known: dict[str, bool] = {}
    for _, group in groups:
        if group not in known:
            known[group] = identities.resource_group_exists(group)
    return InitReport(
        caller=identities.caller_arn(),
        sls_project=sink.project,
        sls_logstore=sink.logstore,
        project_created=ensured.project_created,
        logstore_created=ensured.logstore_created,
        index=ensured.index.value,
        policies=policies,
        password=check_password_policy(identities.password_policy()),
        missing_groups=tuple((name, group) for name, group in groups if not known[group]),
        ledger_instance=ledger.instance if ledger is not None else None,
        ledger_tables_created=created,
    )
