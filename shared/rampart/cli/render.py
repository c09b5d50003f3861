"""Human text for the CLI's results: compact, one line per thing, aligned. Pure.

The JSON forms are the results' own ``as_dict``; this module is only for people.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from rampart.audit import Delivery
from rampart.engine import DriftReport, EventResult, Target, UserResult
from rampart.model import (
    AuditResult,
    DisplayName,
    Escrow,
    LifecycleEvent,
    NewPolicy,
    NewUser,
    Plan,
    PolicyAttachment,
    SecretKind,
    Step,
    Tags,
    Untag,
)
from rampart.operations import InitReport, UserStatus
from rampart.planning import iso_z

_MAX_FIELD = 90


def _clip(text: str, limit: int = _MAX_FIELD) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _when(value: datetime | None) -> str:
    return iso_z(value) if value is not None else "-"


def step_text(step: Step) -> str:
    """What a step acts on, in a few words (never a document or a tag dump)."""
    d = step.detail
    if isinstance(d, PolicyAttachment):
        return f"{d.policy} @ {d.scope}"
    if isinstance(d, NewPolicy):
        return f"{d.policy_name} ({d.profile} until {iso_z(d.until)})"
    if isinstance(d, Escrow) and d.kind is SecretKind.ACCESS_KEY:
        return f"escrowed straight into KMS as {d.secret_name} (a new ACSCurrent version)"
    if isinstance(d, Escrow):
        return f"password escrowed in KMS as {d.secret_name}"
    if isinstance(d, (NewUser, DisplayName)):
        return f"display name {d.display_name!r}"
    if isinstance(d, Tags):
        return _clip(", ".join(f"{k}={v}" for k, v in d.tags))
    if isinstance(d, Untag):
        return _clip(", ".join(d.keys))
    return d.subject


def _step_rows(rows: Sequence[tuple[str, str, str]], indent: str) -> list[str]:
    width = max((len(kind) for kind, _, _ in rows), default=0)
    return [f"{indent}{kind.ljust(width)}  " + "  ".join(part for part in (what, tail) if part) for kind, what, tail in rows]


def plan_lines(plan: Plan, indent: str = "    ") -> list[str]:
    rows = [(f"{n}. {s.kind.value}", step_text(s), f"({s.reason})" if s.reason else "") for n, s in enumerate(plan.steps, 1)]
    return _step_rows(rows, indent)


def planned_event_lines(event: LifecycleEvent, planned: Sequence[tuple[Target, Plan, tuple[str, ...]]]) -> list[str]:
    who = event.user_name or f"person {event.person_id}"
    lines = [f"event {event.event_id} ({event.kind.value}, {who}): {len(planned)} user(s)"]
    for target, plan, notes in planned:
        mode = f" ({target.access.value})" if target.access is not None else ""
        if plan.is_noop:
            lines.append(f"  {target.user_name}{mode}: nothing to do")
        else:
            lines.append(f"  {target.user_name}{mode}: {len(plan.steps)} step(s), plan {plan.hash}")
            lines += plan_lines(plan)
        lines += [f"  note: {n}" for n in (*notes, *plan.notes)]
    return lines


def user_result_lines(user: UserResult) -> list[str]:
    head = f"  {user.user_name}: {user.result.value}"
    if user.error:
        head += f": {user.error}"
    lines = [head]
    rows = [(o.step.kind.value, step_text(o.step),
             o.result.value + (f" {o.error_code}" if o.error_code and o.result is not AuditResult.OK else ""))
            for o in user.outcomes]
    lines += _step_rows(rows, "    ")
    lines += [f"  note: {n}" for n in (*user.notes, *user.plan.notes)]
    return lines


_DELIVERY = {
    Delivery.WRITTEN: "audit written to SLS",
    Delivery.DEFERRED: "audit deferred: SLS unreachable, records on stderr for `rampart replay`",
    Delivery.LOST: "audit LOST: SLS and stderr both failed",
    Delivery.EMPTY: "",
}


def event_result_lines(result: EventResult) -> list[str]:
    outcome = result.result
    if outcome is AuditResult.STALE:
        return [f"event {result.event_id} ({result.kind}) skipped as stale: {result.error}"]
    if outcome is AuditResult.HELD:
        return [f"event {result.event_id} ({result.kind}) held by the circuit breaker: {result.error}",
                "  nothing was removed; once the cause is known, `rampart release` lets it through"]
    if outcome is AuditResult.REFUSED:
        return [f"event {result.event_id} ({result.kind}) refused: {result.error}"]
    audit = _DELIVERY[result.delivery]
    lines = [f"event {result.event_id} ({result.kind}) {outcome.value}" + (f"; {audit}" if audit else "")]
    for user in result.users:
        lines += user_result_lines(user)
    return lines


def _table(rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    if not rows:
        return []
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [(indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))).rstrip() for r in rows]


def status_lines(s: UserStatus) -> list[str]:
    lines = [f"{s.user_name} ({s.display_name}), logon {s.logon_principal}"]
    if s.managed:
        lines.append(f"  person {s.person_id}, {s.state}, {s.access or 'access unknown'}, last event {_when(s.event_time)}"
                     + (f", grace until {_when(s.grace_until)}" if s.grace_until else ""))
    lines.append(f"  console login {'on' if s.console_login else 'off'}, MFA device {s.mfa_device or 'none'}")
    lines.append(f"  rule profiles: {', '.join(s.rule_profiles) or '-'}")
    lines.append(f"keys ({len(s.keys)}):")
    lines += _table([(k.access_key_id, "active" if k.active else "inactive", f"{k.age_days} days old",
                      f"last used {_when(k.last_used)}", k.secret_name or "NOT ESCROWED") for k in s.keys])
    lines.append(f"secrets ({len(s.secrets)}):")
    lines += _table([(str(x["name"]), str(x["kind"]), "pending deletion" if x["pending_deletion"] else "live")
                     for x in s.secrets])
    lines.append(f"grants ({len(s.grants)}):")
    lines += _table([
        (g.name, g.scope, g.source + (f":{g.profile}" if g.profile else ""), f"ticket {g.ticket}" if g.ticket else "",
         (("ended " if g.expired else "until ") + _when(g.until)) if g.until else "")
        for g in s.grants
    ])
    lines.append(f"recent audit ({len(s.audit)}, newest first):" if not s.audit_error
                 else f"recent audit: unavailable ({s.audit_error})")
    lines += _table([(r.get("time", "")[:19], r.get("action", ""), r.get("result", ""), r.get("event_id", ""),
                      r.get("actor", "")) for r in s.audit])
    lines += [f"note: {n}" for n in s.notes]
    return lines


def drift_lines(report: DriftReport, delivery: Delivery, event_id: str) -> list[str]:
    lines = [f"drift: {report.users} user(s), {report.managed_users} managed by rampart; "
             f"{len(report.unmanaged_users)} unmanaged, {len(report.unused_keys)} key(s) unused for "
             f"{report.unused_days}+ days, {len(report.manual_grants)} manual grant(s)"]
    if report.unmanaged_users:
        lines.append("unmanaged users:")
        lines += [f"  {u}" for u in report.unmanaged_users]
    if report.unused_keys:
        lines.append("unused keys:")
        lines += _table([(k.user_name, k.access_key_id, "active" if k.active else "inactive",
                          f"last used {_when(k.last_used)}", f"idle {k.idle_days} days",
                          "rampart" if k.managed else "unmanaged") for k in report.unused_keys])
    if report.manual_grants:
        lines.append("manual grants (left alone unless manage_manual_grants):")
        lines += _table([(g.user_name, g.kind, g.name, g.scope) for g in report.manual_grants])
    lines.append(f"report audited as {event_id}: {_DELIVERY[delivery] or 'nothing to write'}")
    return lines


def init_lines(report: InitReport) -> list[str]:
    created = [name for name, made in (("project", report.project_created), ("logstore", report.logstore_created)) if made]
    lines = [f"as {report.caller}",
             f"audit trail: SLS {report.sls_project}/{report.sls_logstore}: "
             + (f"created {' and '.join(created)}" if created else "exists") + f"; index {report.index}"]
    if report.policies:
        lines.append("catalog custom policies:")
        lines += _table([(name, change.value) for name, change in report.policies])
    else:
        lines.append("catalog custom policies: none defined")
    if report.ledger_instance is not None:
        made = report.ledger_tables_created
        lines.append(f"ledger: Tablestore {report.ledger_instance}: "
                     + (f"created {', '.join(made)}" if made else "tables exist"))
    lines += [f"resource group {g} of profile {p}: DOES NOT EXIST (grants of {p} would fail)"
              for p, g in report.missing_groups]
    check = report.password
    p = check.policy
    classes = [n for n, on in (("lower", p.require_lowercase), ("upper", p.require_uppercase),
                               ("digits", p.require_numbers), ("symbols", p.require_symbols)) if on]
    lines.append(f"password policy: at least {p.minimum_length} characters, requires {', '.join(classes) or 'nothing'}")
    if check.compatible:
        lines.append(f"  rampart's initial passwords ({check.generated_length} characters, all four classes) satisfy it")
    else:
        lines.append(f"  INCOMPATIBLE: {check.problem}")
    lines += [f"  advice: {a}" for a in check.advice]
    return lines


def mapping_lines(title: str, values: Mapping[str, Any]) -> list[str]:
    return [title, *(f"  {k}: {v}" for k, v in values.items())]
