"""One event at a time per RAM user: a lease held as a RAM custom policy that nobody attaches.

Why: in the cloud every delivery is its own Function Compute invocation, so two events for
one person (a joiner and a leaver, a grant and a revoke, a duplicate delivery) can run at
the same moment in two instances. Their steps would interleave: the older event's marker
write (IMS tags are last-writer-wins, and IMS has no conditional write) could bury the
newer one's, a joiner could create a key or attach a grant after a leaver listed what to
remove, both copies of a joiner could create an AccessKey. Checking the marker again before
a write narrows such a window but never closes it; mutual exclusion closes it, and RAM
gives an atomic "create if absent": **CreatePolicy** answers ``EntityAlreadyExists.Policy``
when the name is taken. So an event holds ``rampart-tb-lock-<hash>-<user>`` while it
observes, plans and applies, and deletes it when done (its audit records are written
before that, so the next holder sees its tombstone).

- The name starts with ``rampart-tb-`` so the worker's policy (``deploy/policies``) already
  allows CreatePolicy/DeletePolicy on it, and continues with ``lock-``, which no user's
  time-bound prefix can match (that prefix is ten hex digits, ``rampart.planning.timebound``), so
  observation never mistakes a lock for a grant.
- The document is inert: one Deny statement that only matches requests from a VPC named
  after the holder's token, and only until the lease ends; nobody attaches it anyway. The
  token tells a holder its own lock apart (a CreatePolicy whose answer was lost, retried,
  meets its own policy); the ``acs:CurrentTime`` bound is the lease.
- A lock past its lease belongs to an instance that died (Function Compute ends the lifecycle
  function after 120 s, ``s.yaml``; the lease is longer): it is deleted and taken.
- A busy lock is waited for (with a bounded, growing back-off); then :class:`LockBusy`, a
  failure Function Compute's async retry re-delivers later. The event changed nothing.

What this must never do: hold a lock across events, release a lock it does not hold on
purpose, or treat a lock it could not read as free (a lock that vanished while read is
simply tried again). Residual risk, documented: if two instances find the same expired lock
at the same instant, one may delete the other's fresh lock (RAM has no conditional delete);
that needs a crashed holder and two events for the same user at the end of its lease.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets as random_tokens
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from rampart.adapters.retry import is_already_exists, is_not_found
from rampart.errors import CloudError, RampartError
from rampart.model import PolicyRef, PolicyType
from rampart.ports import Identities

PREFIX = "rampart-tb-lock-"
LEASE = timedelta(minutes=3)
"""Longer than the lifecycle function's timeout (120 s in s.yaml): only a dead holder's lock expires.
A deployment sets its own with ``RAMPART_LOCK_LEASE_SECONDS`` (``rampart.config``; the runtime
passes it as ``lease``), always above the function's timeout."""
WAITS = (0.02, 0.04, 0.08, 0.15, 0.3, 0.6, 1.2, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0)
"""Back-off between tries for a busy lock: about 15 s in all, well inside the function's timeout;
an event holds its lock for well under a second."""
MAX_SURPRISES = 4
"""Tries beyond the waits, for a lock that vanished or expired between two calls."""
LEASE_MARGIN_S = 0.05
"""A wait for a busy lock ends at most this long after the holder's lease (a dead holder's lock
is then taken over at once instead of after the rest of the back-off)."""
_VPC = "acs:SourceVpc"
_TIME = "acs:CurrentTime"

_log = logging.getLogger("rampart.engine")


class LockBusy(RampartError):
    """Another instance is applying an event for this user: nothing was changed; retry later."""


def lock_name(user_name: str) -> str:
    """``rampart-tb-lock-<16 hex>-<readable user>``: deterministic, within RAM's 128 characters
    of letters, digits and ``-``."""
    digest = hashlib.sha256(user_name.encode()).hexdigest()[:16]
    readable = re.sub(r"[^A-Za-z0-9]+", "-", user_name).strip("-")[:60].strip("-") or "x"
    return f"{PREFIX}{digest}-{readable}"


def lock_document(user_name: str, token: str, until: datetime) -> str:
    statement = {
        "Effect": "Deny",
        "Action": ["ram:GetUser"],
        "Resource": [f"acs:ram:*:*:user/{user_name}"],
        "Condition": {
            "StringEquals": {_VPC: f"rampart-lock-{token}"},
            "DateLessThan": {_TIME: until.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")},
        },
    }
    return json.dumps({"Version": "1", "Statement": [statement]}, separators=(",", ":"))


def read_lock(document: str) -> tuple[str, datetime] | None:
    """(holder token, lease end) from a lock's document; None when it is not one."""
    try:
        condition = json.loads(document)["Statement"][0]["Condition"]
        vpc = str(condition["StringEquals"][_VPC])
        until = str(condition["DateLessThan"][_TIME])
        end = datetime.fromisoformat(until[:-1] + "+00:00" if until.endswith("Z") else until)
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    if not vpc.startswith("rampart-lock-"):
        return None
    return vpc[len("rampart-lock-"):], end if end.tzinfo else end.replace(tzinfo=timezone.utc)


class UserLocks:
    """Leases on user names for one engine (one FC instance)."""

    def __init__(
        self,
        identities: Identities,
        clock: Callable[[], datetime],
        *,
        wait: Callable[[float], None] = time.sleep,
        waits: Sequence[float] = WAITS,
        lease: timedelta = LEASE,
        token: Callable[[], str] = lambda: random_tokens.token_hex(8),
    ) -> None:
        self._identities = identities
        self._clock = clock
        self._wait = wait
        self._waits = tuple(waits)
        self._lease = lease
        self._token = token

    @contextmanager
    def holding(self, user_names: Sequence[str], *, patient: bool = True) -> Iterator[None]:
        """Hold every name (sorted, so two holders never wait on each other in a circle) for the
        block; ``patient=False`` gives up at the first busy lock (the sweeper skips the user)."""
        held: list[str] = []
        try:
            for name in sorted(set(user_names)):
                self._acquire(name, patient)
                held.append(name)
            yield
        finally:
            for name in reversed(held):
                try:
                    self._release(name)
                except RampartError as exc:  # the work is done; the lease ends the lock anyway
                    _log.warning("lock not released: it ends with its lease",
                                 extra={"lock": lock_name(name), "error": str(exc)})

    def _acquire(self, user_name: str, patient: bool) -> None:
        name = lock_name(user_name)
        token = self._token()
        waits = list(self._waits) if patient else []
        for _ in range(len(waits) + MAX_SURPRISES + 1):
            document = lock_document(user_name, token, self._clock() + self._lease)
            try:
                self._identities.create_policy(name, document, f"rampart: lock on {user_name} while an event is applied")
                return
            except CloudError as exc:
                if not is_already_exists(exc.code):
                    raise
            holder = self._holder(name)
            if holder is not None and holder[0] == token:
                return  # our own CreatePolicy, whose answer was lost and retried
            if holder is not None and holder[1] <= self._clock():
                self._release(user_name)  # its instance died: the lease is over
                continue
            if holder is None:
                continue  # released while we read it: try again at once
            if not waits:
                break
            # never wait past the holder's lease (plus a margin): then its lock is taken over
            remaining = (holder[1] - self._clock()).total_seconds() + LEASE_MARGIN_S
            self._wait(max(0.0, min(waits.pop(0), remaining)))
        raise LockBusy(
            f"another instance is applying an event for {user_name} (lock {name}): nothing was changed",
            hint="Function Compute's async retry delivers the event again; or re-run it",
        )

    def _holder(self, name: str) -> tuple[str, datetime] | None:
        try:
            document = self._identities.policy_document(PolicyRef(PolicyType.CUSTOM, name))
        except CloudError as exc:
            if is_not_found(exc.code):
                return None
            raise
        found = read_lock(document)
        if found is None:  # not a lock document: never taken over; wait it out like a busy lock
            return ("", self._clock() + self._lease)
        return found

    def _release(self, user_name: str) -> None:
        try:
            self._identities.delete_policy(lock_name(user_name), versions=False)  # a lease has one version
        except CloudError as exc:
            if not is_not_found(exc.code):
                raise
