"""The verbs that run lifecycle events: ``plan``, ``apply``, ``join``, ``grant``, ``revoke``, ``leave``.

Each hands ``rampart.engine.Engine`` ordinary events (from a file, or built by
``rampart.operations``) and reports its results; the exit code follows the worst result
(``rampart.cli.output.worst``: failed 1, held 3, refused 2, else 0; a stale event is 0).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from rampart import operations
from rampart.audit import AuditTrail
from rampart.cli import render
from rampart.cli.context import Runtime
from rampart.cli.output import EXIT_OK, Output, result_exit_code, worst
from rampart.engine import EventResult, users_for_person
from rampart.errors import RampartError, StaleEvent, UnknownPerson
from rampart.events import load_events
from rampart.model import AccessMode, AuditResult, LifecycleEvent
from rampart.naming import console_login_url, logon_principal, marker_from_tags
from rampart.planning import precheck


def _event_brief(event: LifecycleEvent) -> dict[str, Any]:
    return {"event_id": event.event_id, "kind": event.kind.value, "person_id": event.person_id,
            "user_name": event.user_name}


# --- plan ------------------------------------------------------------------------------------


def _plan_one(rt: Runtime, event: LifecycleEvent, out: Output) -> tuple[dict[str, Any], int]:
    try:
        planned = rt.engine.plan_event(event)
    except StaleEvent as exc:
        out.line(f"event {event.event_id} ({event.kind.value}) would be skipped as stale: {exc}")
        return {**_event_brief(event), "result": "stale", "error": str(exc), "users": []}, EXIT_OK
    except RampartError as exc:
        code = exc.exit_code
        out.line(f"event {event.event_id} ({event.kind.value}) would be refused: {exc}")
        return {**_event_brief(event), "result": "refused" if code == 2 else "error", "error": str(exc),
                "error_type": type(exc).__name__, "users": []}, code
    out.lines(render.planned_event_lines(event, planned))
    users = [{"user": t.user_name, "access": t.access.value if t.access else None, "exists": t.observed is not None,
              "plan_hash": p.hash, "steps": [s.as_dict() for s in p.steps], "notes": [*notes, *p.notes]}
             for t, p, notes in planned]
    return {**_event_brief(event), "result": "planned", "error": "", "users": users}, EXIT_OK


def cmd_plan(args: argparse.Namespace, rt: Runtime, out: Output) -> int:
    events = load_events(args.event_file)
    entries, codes = [], []
    for event in events:
        entry, code = _plan_one(rt, event, out)
        entries.append(entry)
        codes.append(code)
    code = worst(codes)
    out.data({"ok": code == EXIT_OK, "dry_run": True, "events": entries})
    if code != EXIT_OK:
        bad = [e for e in entries if e["result"] not in ("planned", "stale")]
        out.reason(f"{len(bad)} of {len(entries)} event(s) would not apply; first: {bad[0]['event_id']}: {bad[0]['error']}")
    return code


# --- apply -----------------------------------------------------------------------------------


def _apply_all(rt: Runtime, events: list[LifecycleEvent], out: Output) -> tuple[list[EventResult], list[str]]:
    """In order; after a failed event the rest are not run (a failure is usually the
    deployment's, and would repeat); refused, stale and held events do not stop the run."""
    results: list[EventResult] = []
    for index, event in enumerate(events):
        result = rt.engine.handle(event)
        results.append(result)
        out.lines(render.event_result_lines(result))
        if result.result is AuditResult.FAILED:
            return results, [e.event_id for e in events[index + 1:]]
    return results, []


def _finish(results: list[EventResult], not_run: list[str], out: Output, extra: dict[str, Any] | None = None) -> int:
    codes = [result_exit_code(r.result, r.failure) for r in results]
    code = worst(codes)
    if not_run:
        out.line(f"not run after the failure: {', '.join(not_run)}")
    out.data({"ok": code == EXIT_OK, "events": [r.as_dict() for r in results], "not_run": not_run, **(extra or {})})
    if code != EXIT_OK:
        bad = next(r for r, c in zip(results, codes, strict=True) if c == code)
        prefix = f"{sum(1 for c in codes if c != EXIT_OK)} of {len(results)} event(s) did not apply; " if len(results) > 1 else ""
        out.reason(f"{prefix}event {bad.event_id} {bad.result.value}: {bad.error or 'see the steps above'}")
    return code


def cmd_apply(args: argparse.Namespace, rt: Runtime, out: Output) -> int:
    events = load_events(args.event_file)
    if any(not e.actor for e in events):  # who applied it, when the file does not say
        actor = rt.operator.arn
        events = [e if e.actor else replace(e, actor=actor) for e in events]
    results, not_run = _apply_all(rt, events, out)
    return _finish(results, not_run, out)


# --- manual verbs ----------------------------------------------------------------------------


def _until(args: argparse.Namespace, rt: Runtime) -> Any:
    return operations.parse_until(args.until, rt.clock()) if args.until else None


def _dry_run(rt: Runtime, event: LifecycleEvent, out: Output, extra: dict[str, Any] | None = None) -> int:
    entry, code = _plan_one(rt, event, out)
    out.data({"ok": code == EXIT_OK, "dry_run": True, "events": [entry], **(extra or {})})
    if code != EXIT_OK:
        out.reason(f"event {event.event_id} would not apply: {entry['error']}")
    return code


def _refuse(rt: Runtime, event: LifecycleEvent, exc: RampartError) -> None:
    """A manual request refused before anything ran is audited like an engine refusal."""
    trail = AuditTrail.for_event(event, rt.clock)
    trail.outcome(AuditResult.REFUSED, {"kind": event.kind.value, "reason": str(exc)}, error_code=type(exc).__name__)
    trail.flush(rt.sink)


def cmd_join(args: argparse.Namespace, rt: Runtime, out: Output) -> int:
    now = rt.clock()
    events = operations.join_events(
        person_id=args.person_id, user_name=args.user, display_name=args.display_name,
        access=AccessMode(args.access), profiles=args.profile, operator=rt.operator, now=now, token=rt.token(),
        email=args.email, manager=args.manager, ticket=args.ticket, approver=args.approver, until=_until(args, rt),
    )
    joiner, grants = events[0], events[1:]
    try:
        precheck(rt.catalog, grants, now)
    except RampartError as exc:
        _refuse(rt, joiner, exc)
        raise
    grants_planned = [{"profile": g.profile, "event_id": g.event_id} for g in grants]
    if args.dry_run:
        out.lines([f"then grant: {g.profile} ({g.event_id})" for g in grants])
        return _dry_run(rt, joiner, out, {"grants": grants_planned})
    results, not_run = _apply_all(rt, [joiner], out)
    if results[0].ok:
        more, not_run = _apply_all(rt, grants, out)
        results += more
    else:
        not_run = [g.event_id for g in grants]
    logons: list[dict[str, str]] = []
    if results[0].ok:
        domain = rt.identities.default_domain()
        for user in results[0].users:
            logons.append({"user": user.user_name, "logon_principal": logon_principal(user.user_name, domain),
                           "sign_in": console_login_url(domain)})
            out.line(f"logon: {logons[-1]['logon_principal']} at {console_login_url(domain)}; the initial credential"
                     f" is in KMS: `rampart handover {user.user_name}` shows it once")
    return _finish(results, not_run, out, {"logons": logons})


def cmd_grant(args: argparse.Namespace, rt: Runtime, out: Output) -> int:
    event = operations.grant_event(user_name=args.user, profile=args.profile, operator=rt.operator, now=rt.clock(),
                               token=rt.token(), until=_until(args, rt), ticket=args.ticket, approver=args.approver)
    if args.dry_run:
        return _dry_run(rt, event, out)
    results, not_run = _apply_all(rt, [event], out)
    return _finish(results, not_run, out)


def cmd_revoke(args: argparse.Namespace, rt: Runtime, out: Output) -> int:
    event = operations.revoke_event(user_name=args.user, profile=args.profile, operator=rt.operator, now=rt.clock(),
                                token=rt.token())
    if args.dry_run:
        return _dry_run(rt, event, out)
    results, not_run = _apply_all(rt, [event], out)
    return _finish(results, not_run, out)


def resolve_leaver(rt: Runtime, who: str) -> tuple[str, str | None]:
    """(person id, user name) for ``leave WHO``: a person id rampart knows (all their users),
    else a user name (that user; its person from the marker)."""
    if users_for_person(rt.identities, who):
        return who, None
    if rt.identities.get_user(who) is not None:
        marker = marker_from_tags(rt.identities.user_tags(who))
        return (marker.person_id if marker is not None else ""), who
    raise UnknownPerson(f"{who!r} is neither a person rampart manages nor a RAM user",
                        hint="give the HR person id or the RAM user name")


def cmd_leave(args: argparse.Namespace, rt: Runtime, out: Output) -> int:
    person_id, user_name = resolve_leaver(rt, args.who)
    event = operations.leave_event(person_id=person_id, user_name=user_name, immediate=args.now, operator=rt.operator,
                               now=rt.clock(), token=rt.token())
    if args.dry_run:
        return _dry_run(rt, event, out)
    results, not_run = _apply_all(rt, [event], out)
    return _finish(results, not_run, out)
