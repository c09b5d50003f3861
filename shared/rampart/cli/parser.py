"""The ``rampart`` argument parser: every verb, its arguments and its help.

A usage mistake is a :class:`UsageError` (exit 2, one line), not argparse's usage dump.
``--json``, ``--catalog`` and ``--debug`` are accepted before or after the verb.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from rampart.cli import verbs_account, verbs_events, verbs_ops
from rampart.engine import TOMBSTONE_WAIT_SECONDS
from rampart.errors import ConfigError

_EPILOG = """\
environment:
  ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET [, ALIBABA_CLOUD_SECURITY_TOKEN]
  ALIBABA_CLOUD_REGION_ID (cn-hangzhou), RAMPART_ENDPOINT (host:port of localcloud; unset: the real
  endpoints), RAMPART_CATALOG, RAMPART_SLS_PROJECT (rampart-audit), RAMPART_SLS_LOGSTORE (lifecycle)

exit codes:
  0 done (also nothing to do, or a stale event skipped)   1 failed (cloud, permission, a step)
  2 bad input or configuration, or refused by the catalog  3 held by the circuit breaker
"""


class UsageError(ConfigError):
    """Bad command-line arguments."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", hint=f"see {self.prog} --help")


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # In the verbs the default is SUPPRESS, so a flag given before the verb is not reset.
    default: Any = False if top else argparse.SUPPRESS
    parser.add_argument("--json", action="store_true", default=default, help="one JSON document on stdout")
    parser.add_argument("--catalog", metavar="PATH", default=None if top else argparse.SUPPRESS,
                        help="the catalog file (default: $RAMPART_CATALOG, else the shipped example)")
    parser.add_argument("--debug", action="store_true", default=default, help="a (redacted) traceback on errors")


def _grant_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--until", metavar="TIME", help="time-bound: an ISO 8601 time with offset, or a duration (PT4H)")
    parser.add_argument("--ticket", metavar="ID", help="the approved ticket (with --approver)")
    parser.add_argument("--approver", metavar="NAME", help="who approved the ticket (not you, not the grantee)")


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def _at_least_one(text: str) -> int:
    value = positive(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("the rate must be above 0")
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("must be 0 (off) or a positive number of seconds")
    return value


Verb = Callable[[str, Any, str], argparse.ArgumentParser]
"""Adds one verb: ``verb(name, run, help)`` -> its parser, for the verb's own arguments."""


def build_parser(extra_verbs: Sequence[Callable[[Verb], None]] = ()) -> argparse.ArgumentParser:
    """Every verb of the deployable CLI, plus ``extra_verbs`` (each registers its own with
    the ``verb`` function it is given): ``rampart_dev`` adds ``dev`` this way, so the
    product never imports the development tools."""
    parser = _Parser(prog="rampart", description="RAM user lifecycle on Alibaba Cloud: plan, apply, audit.",
                     epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(parser, top=True)
    parser.set_defaults(run=None)
    verbs = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)

    def verb(name: str, run: Any, help_text: str) -> argparse.ArgumentParser:
        sub = verbs.add_parser(name, help=help_text, description=help_text)
        _common(sub, top=False)
        sub.set_defaults(run=run)
        return sub

    verb("init", verbs_account.cmd_init,
         "create the audit logstore and the catalog's custom policies; check the password policy")

    p = verb("plan", verbs_events.cmd_plan, "dry run: the steps each event would take (writes nothing)")
    p.add_argument("event_file", metavar="EVENT_FILE", help="one event (JSON object) or a JSON list of events")
    p.add_argument("--force", action="store_true", help="plan as apply --force would")

    p = verb("apply", verbs_events.cmd_apply, "apply one event, or a JSON list of events in order")
    p.add_argument("event_file", metavar="EVENT_FILE")
    p.add_argument("--force", action="store_true", help="joiners adopt, leavers remove users rampart did not create")

    p = verb("join", verbs_events.cmd_join, "onboard a person by hand: a joiner, then a ticket grant per --profile")
    p.add_argument("person_id", metavar="PERSON_ID")
    p.add_argument("--user", required=True, metavar="NAME", help="the RAM logon name")
    p.add_argument("--display-name", required=True, metavar="TEXT")
    p.add_argument("--access", required=True, choices=["console", "programmatic"])
    p.add_argument("--profile", action="append", default=[], metavar="P", help="a catalog profile (repeatable)")
    p.add_argument("--email", default="")
    p.add_argument("--manager", default="", metavar="PERSON_ID")
    _grant_options(p)
    p.add_argument("--dry-run", action="store_true", help="show the joiner's plan; change nothing")
    p.add_argument("--force", action="store_true", help="adopt an existing user rampart did not create")

    p = verb("grant", verbs_events.cmd_grant, "grant a catalog profile to a user (a ticket grant)")
    p.add_argument("user", metavar="USER")
    p.add_argument("--profile", required=True, metavar="P")
    _grant_options(p)
    p.add_argument("--dry-run", action="store_true")

    p = verb("revoke", verbs_events.cmd_revoke, "end a ticket grant of a profile")
    p.add_argument("user", metavar="USER")
    p.add_argument("--profile", required=True, metavar="P")
    p.add_argument("--dry-run", action="store_true")

    p = verb("leave", verbs_events.cmd_leave, "offboard a person (all their users) or one user")
    p.add_argument("who", metavar="PERSON_ID_OR_USER")
    p.add_argument("--now", action="store_true", help="remove at once: skip the catalog's grace period")
    p.add_argument("--force", action="store_true", help="also remove a user rampart did not create")
    p.add_argument("--dry-run", action="store_true")

    p = verb("status", verbs_account.cmd_status, "a user's state, keys, secrets, grants and recent audit")
    p.add_argument("user", metavar="USER")

    p = verb("sweep", verbs_ops.cmd_sweep, "expired grants, grace-period deletions and key rotation, for every user")
    p.add_argument("--no-rotate", action="store_true", help="skip key rotation")

    p = verb("drift", verbs_ops.cmd_drift, "unmanaged users, unused keys and manual grants (audited)")
    p.add_argument("--unused-days", type=positive, default=90, metavar="N", help="a key idle this long is unused (90)")
    p.add_argument("--fail-on-drift", action="store_true", help="exit 1 when anything is found")

    p = verb("import", verbs_ops.cmd_import, "bulk joiners from a CSV file, concurrently under a rate limit")
    p.add_argument("csv", metavar="CSV")
    p.add_argument("--concurrency", type=_at_least_one, default=None, metavar="N", help="people at once (default 8)")
    p.add_argument("--rate", type=_rate, default=None, metavar="R", help="at most R cloud API calls per second")
    p.add_argument("--skip-invalid", action="store_true", help="import the valid rows, report the others")

    p = verb("release", verbs_ops.cmd_release, "release the circuit breaker; list (or --resubmit) held leaver events")
    p.add_argument("--allow", type=positive, metavar="N", help="removals admitted until the next release")
    p.add_argument("--reason", default="", metavar="TEXT")
    p.add_argument("--resubmit", action="store_true", help="apply the held events again, oldest first")
    p.add_argument("--list", action="store_true", help="only list held events; do not release")
    p.add_argument("--since-days", type=positive, default=7, metavar="N", help="look back N days for held events (7)")

    p = verb("ledger", verbs_ops.cmd_ledger, "the ledger (RAMPART_OTS_INSTANCE): import a deployment's state into it")
    p.add_argument("action", choices=["import"], help="import: rows from the users' rampart tags and the audit "
                                                       "trail's removals (idempotent; never overwrites a row)")
    p.add_argument("--dry-run", action="store_true", help="report what would be written; write nothing")

    p = verb("replay", verbs_ops.cmd_replay, "re-send audit records spilled to stderr while SLS was unreachable")
    p.add_argument("file", metavar="FILE", nargs="?", default="-", help="a log dump with the spill lines (- : stdin)")
    p.add_argument("--wait", type=seconds, default=TOMBSTONE_WAIT_SECONDS, metavar="S",
                   help=f"wait up to S seconds in all for the deletion tombstones sent to be queryable in SLS "
                        f"({TOMBSTONE_WAIT_SECONDS:g}; 0: check once)")

    p = verb("handover", verbs_account.cmd_handover, "show a user's initial credential once, on the terminal (audited)")
    p.add_argument("user", metavar="USER")
    p.add_argument("--again", action="store_true", help="show a credential that was already handed over")
    for register in extra_verbs:
        register(verb)
    return parser
