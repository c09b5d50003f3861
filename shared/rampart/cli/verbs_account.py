"""The verbs about the account and one user: ``init``, ``status``, ``handover``."""

from __future__ import annotations

import argparse

from rampart.cli import render
from rampart.cli.context import Runtime
from rampart.cli.output import EXIT_INPUT, EXIT_OK, Output
from rampart.operations import event_id, hand_over, initialise, user_status


def cmd_init(args: argparse.Namespace, rt: Runtime, out: Output) -> int:
    report = initialise(rt.identities, rt.sink, rt.catalog, rt.ledger)
    out.lines(render.init_lines(report))
    out.data(report.as_dict())
    if not report.ok:
        out.reason("; ".join(report.problems) + " (fix the catalog or the account, then run rampart init again)")
        return EXIT_INPUT
    return EXIT_OK


def cmd_status(args: argparse.Namespace, rt: Runtime, out: Output) -> int:
    status = user_status(rt.identities, rt.secrets, rt.sink, rt.catalog, args.user, rt.clock())
    out.lines(render.status_lines(status))
    out.data({"ok": True, **status.as_dict()})
    if status.audit_error:
        out.warn(f"recent audit unavailable: {status.audit_error}")
    return EXIT_OK


def cmd_handover(args: argparse.Namespace, rt: Runtime, out: Output) -> int:
    ident = event_id("handover", rt.token())
    result = hand_over(
        identities=rt.identities, secrets=rt.secrets, sink=rt.sink, options=rt.catalog.options, user_name=args.user,
        operator_arn=rt.operator.arn, event_id=ident, clock=rt.clock, terminal=rt.terminal, again=args.again,
    )
    what = "password" if result.kind.value == "password" else f"AccessKey {result.access_key_id}"
    out.line(f"{result.user_name}: the initial {what} ({result.secret_name}) was shown on the terminal only; "
             f"audited as {result.event_id}" + (" (a repeat handover)" if result.repeat else ""))
    out.data({"ok": True, **result.as_dict()})
    return EXIT_OK
