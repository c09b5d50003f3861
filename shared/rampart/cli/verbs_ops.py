"""The account-wide verbs: ``sweep``, ``drift``, ``release``, ``replay`` and ``import``."""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from rampart.audit import replay
from rampart.cli import render
from rampart.cli.context import Runtime
from rampart.cli.output import EXIT_FAILED, EXIT_INPUT, EXIT_OK, Output, result_exit_code, worst
from rampart.engine import EventResult, Tombstones, UserResult, find_drift
from rampart.engine.sweep import record_drift, sweep_all
from rampart.errors import ConfigError, EventError
from rampart.events import parse_event
from rampart.model import AuditRecord, AuditResult, LifecycleEvent
from rampart.operations import event_id

# --- sweep -----------------------------------------------------------------------------------


def cmd_sweep(args: argparse.Namespace, rt: Runtime, out: Output) -> int:
    def progress(number: int, total: int, result: UserResult) -> None:
        steps = len(result.plan.steps)
        done = f"at step {len(result.outcomes)} of {steps}" if result.outcomes and result.error else f"{steps} step(s)"
        tail = f": {result.error}" if result.error else ""
        out.progress(f"[{number}/{total}] {result.user_name}: {result.result.value} ({done}){tail}")

    results = sweep_all(rt.engine, rt.identities, rotate=not args.no_rotate, progress=progress)
    users = [r.user_name for r in results]
    counts = Counter(r.result.value for r in results)
    failed = [r for r in results if r.result is AuditResult.FAILED]
    out.line(f"sweep: {len(users)} rampart user(s): " + (", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none"))
    for r in results:
        if r.outcomes or r.error:
            out.lines(render.user_result_lines(r))
    out.data({"ok": not failed, "users": [r.as_dict() for r in results], "summary": dict(counts)})
    if failed:
        out.reason(f"{len(failed)} of {len(users)} user(s) failed; first: {failed[0].user_name}: {failed[0].error}")
        return EXIT_FAILED
    return EXIT_OK


# --- drift -----------------------------------------------------------------------------------


def cmd_drift(args: argparse.Namespace, rt: Runtime, out: Output) -> int:
    now = rt.clock()
    ident = event_id("drift", rt.token())
    report = find_drift(rt.identities, rt.catalog, now, unused_days=args.unused_days)
    delivery = record_drift(report, rt.sink, rt.clock, event_id=ident, source="cli", actor=rt.operator.arn)
    out.lines(render.drift_lines(report, delivery, ident))
    out.data({"ok": not (args.fail_on_drift and not report.clean), "event_id": ident, "audit": delivery.value,
              **report.as_dict()})
    if args.fail_on_drift and not report.clean:
        out.reason("drift found (--fail-on-drift)")
        return EXIT_FAILED
    return EXIT_OK


# --- release ---------------------------------------------------------------------------------


def held_events(rt: Runtime, since: datetime) -> list[tuple[AuditRecord, LifecycleEvent | None, str]]:
    """Held leaver events not since applied, one per event id (the latest hold), oldest first:
    (record, event or None, why it cannot be read)."""
    records = rt.breaker.held(since)
    later = rt.sink.outcomes(since, rt.clock() + timedelta(seconds=1), held=False, limit=1000)
    settled: dict[str, datetime] = {}
    for record in later:
        if record.event_id not in settled or record.time > settled[record.event_id]:
            settled[record.event_id] = record.time
    latest: dict[str, AuditRecord] = {}
    for record in records:
        if record.event_id not in latest or record.time >= latest[record.event_id].time:
            latest[record.event_id] = record
    found: list[tuple[AuditRecord, LifecycleEvent | None, str]] = []
    for key, record in sorted(latest.items(), key=lambda item: item[1].time):
        if key in settled and settled[key] > record.time:
            continue  # applied (or refused, or stale) after it was held
        try:
            found.append((record, parse_event(json.loads(record.detail or "{}")["event"]), ""))
        except (ValueError, KeyError, TypeError, EventError) as exc:
            found.append((record, None, f"the held record does not hold a readable event ({type(exc).__name__})"))
    return found


def cmd_release(args: argparse.Namespace, rt: Runtime, out: Output) -> int:
    now = rt.clock()
    since = now - timedelta(days=args.since_days)
    before = rt.breaker.state(now)
    data: dict[str, Any] = {"breaker": {"open": before.is_open, "removals": before.removals, "limit": before.limit,
                                        "counted_since": before.counted_since.isoformat()}}
    out.line(f"breaker: {'OPEN' if before.is_open else 'closed'}, {before.removals} removal(s) counted "
             f"since {before.counted_since.isoformat()} (limit {before.limit})")
    if not args.list:
        record = rt.breaker.release(rt.operator.arn, allow=args.allow, reason=args.reason, source="cli")
        data["released"] = {"by": record.actor, "at": record.time.isoformat(), "allow": args.allow, "reason": args.reason}
        limit = f"{args.allow} more removal(s)" if args.allow is not None else f"the catalog's limit ({before.limit})"
        out.line(f"released by {record.actor}: removals before now no longer count; {limit} until the next release")
    held = held_events(rt, since)
    data["held"] = [{"event_id": record.event_id, "held_at": record.time.isoformat(), "target": record.target,
                     "error": why} for record, _, why in held]
    out.line(f"held leaver events since {since.date().isoformat()}: {len(held)}")
    out.lines(f"  {record.event_id}  {record.target}  held at {record.time.isoformat()[:19]}"
              + (f"  ({why})" if why else "") for record, _, why in held)
    codes = [EXIT_INPUT for _, event, _ in held if event is None]
    results: list[EventResult] = []
    if args.resubmit and not args.list:
        for _, event, _ in held:
            if event is not None:
                result = rt.engine.handle(event)
                results.append(result)
                out.lines(render.event_result_lines(result))
        codes += [result_exit_code(r.result, r.failure) for r in results]
    elif held and not args.list:
        out.line("apply them with: rampart release --resubmit (each is checked again: stale, breaker)")
    data["resubmitted"] = [r.as_dict() for r in results]
    code = worst(codes)
    out.data({"ok": code == EXIT_OK, **data})
    if code != EXIT_OK:
        unread = sum(1 for _, event, _ in held if event is None)
        again = [r for r in results if result_exit_code(r.result, r.failure) != EXIT_OK]
        parts = [f"{len(again)} of {len(results)} resubmitted event(s) did not apply (first: {again[0].event_id} "
                 f"{again[0].result.value}: {again[0].error})"] if again else []
        parts += [f"{unread} held record(s) hold no readable event"] if unread else []
        out.reason("; ".join(parts))
    return code


# --- replay ----------------------------------------------------------------------------------


def cmd_ledger(args: argparse.Namespace, rt: Runtime, out: Output) -> int:
    from rampart.operations import import_ledger

    if rt.ledger is None:
        raise ConfigError("no ledger configured", hint="set RAMPART_OTS_INSTANCE (and run rampart init)")
    report = import_ledger(rt.identities, rt.sink, rt.ledger, rt.clock, dry_run=args.dry_run,
                           actor=rt.operator.arn, event_id=event_id("ledger-import", rt.token()))
    verb = "would create" if report.dry_run else "created"
    out.line(f"ledger import: {verb} {len(report.created)} row(s), {len(report.unchanged)} already there, "
             f"{len(report.unproven)} not proven")
    out.lines([f"  not proven: {why}" for why in report.unproven])
    out.data(report.as_dict())
    if not report.ok:
        out.reason("some of the deployment's state could not be proven (listed above); nothing was written for it")
        return EXIT_FAILED
    return EXIT_OK


def cmd_replay(args: argparse.Namespace, rt: Runtime, out: Output) -> int:
    if args.file == "-":
        lines = rt.stdin.read().splitlines()
    else:
        try:
            with open(args.file, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError as exc:
            raise EventError(f"cannot read {args.file}: {exc.strerror}", hint="check the path") from None
    report = replay(lines, rt.sink)
    out.line(f"replay: {report.sent} record(s) sent, {report.already_stored} already in SLS, "
             f"{report.unreadable} unreadable")
    # a tombstone stops a late joiner only once SLS has indexed it (about 3 s): the operator's next
    # step, re-driving the dead letters, must not run before (rampart.engine)
    graves = Tombstones(rt.sink, rt.clock)
    deadline = time.monotonic() + args.wait  # one wait for them all: SLS indexes them side by side
    unseen = [f"{user} ({why})" for user, cid in report.tombstones
              if (why := graves.await_queryable(user, cid, budget=max(0.0, deadline - time.monotonic())))
              is not None]
    if report.tombstones:
        out.line(f"replay: {len(report.tombstones) - len(unseen)} of {len(report.tombstones)} deletion "
                 "tombstone(s) sent are queryable")
    out.data({"ok": report.unreadable == 0 and not unseen, "sent": report.sent,
              "already_stored": report.already_stored, "unreadable": report.unreadable,
              "tombstones": len(report.tombstones), "tombstones_not_queryable": len(unseen)})
    problems = []
    if report.unreadable:
        problems.append(f"{report.unreadable} marked line(s) could not be read and were not sent")
    if unseen:
        problems.append(f"tombstone(s) sent but not queryable yet: {', '.join(unseen[:5])}"
                        f"{' ...' if len(unseen) > 5 else ''}; wait for SLS's index before re-driving refused events")
    if problems:
        out.reason("; ".join(problems))
        return EXIT_FAILED
    return EXIT_OK


# --- import ----------------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace, rt: Runtime, out: Output) -> int:
    from rampart import operations
    from rampart.adapters.ratelimit import DEFAULT_RATE

    report = operations.import_csv(
        args.csv, rt.engine,
        concurrency=args.concurrency if args.concurrency is not None else operations.DEFAULT_CONCURRENCY,
        rate_per_second=args.rate if args.rate is not None else DEFAULT_RATE,
        progress=operations.progress_bar(out.stderr), skip_invalid=args.skip_invalid, actor=rt.operator.arn,
    )
    counts = ", ".join(f"{n} {k}" for k, n in report.counts.items() if n)
    out.line(f"import {report.file}: {report.rows} row(s); {counts or 'nothing run'}; "
             f"{report.api_calls} API call(s) in {report.seconds:.1f}s ({report.calls_per_second:.1f}/s)")
    out.lines(f"  line {p.line} ({p.person_id}): {p.outcome.value}: {p.reason}" for p in report.failures)
    out.lines(f"  invalid: {p}" for p in report.invalid)
    out.data({**report.as_dict(), "ok": bool(report.ok)})
    if not report.ok:
        out.reason(report.reason or "the import did not complete")
        return EXIT_FAILED if report.started else EXIT_INPUT
    return EXIT_OK
