"""The race harness for ``test_races.py``: conflicting events for one person, each in its own
thread with its own Engine (separate FC instances), on localcloud through the official SDKs.

- :meth:`Races.race` arms seeded latency faults on every service the engine calls, starts the
  events together (each after a seeded random delay, so the interleavings vary from one
  iteration to the next) and samples ``ListAccessKeys`` from another thread all the while.
- :meth:`Races.settle` is what a deployment does next: Function Compute's async retry
  re-delivers every event whose invocation failed (the lifecycle function raises when its one
  event ended FAILED or REFUSED, ``rampart.fc.lifecycle``), up to three times, one after another.
- :func:`check_clean`, :func:`audit_gaps` and :class:`State` read the cloud back with the
  official SDK clients (no rampart adapter), so rampart is not judged by its own eyes.

Nothing here asserts a wall-clock time; the only sleeps are the seeded start delays.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_kms20160120.client import Client as Kms
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException
from rampart.adapters.sls import SlsAuditSink
from rampart.engine import Engine, EventResult, UserLocks
from rampart.fc.lifecycle import FAILED_RESULTS
from rampart.model import Catalog, LifecycleEvent
from rampart.naming import marker_from_tags
from rampart.planning import timebound_prefix

from localcloud import LocalCloud
from tests.functional.rampart.adapter_support import Waits, adapters, settings_for

SERVICES = ("ram", "kms", "resourcemanager", "sls")
LATENCY_MS = [0, 15]
START_JITTER_S = 0.12
"""Up to about one event's run: a racer starts anywhere from before the other's first call to after its last."""
HOLD_S = 30.0
"""How long a held racer waits for its competitor (a bound, not a timing: the competitor
arrives within milliseconds; only a broken lock lets it run through)."""
FC_RETRIES = 3
"""Function Compute async invocation: MaximumRetryAttempts defaults to 3 (s.yaml sets the same)."""


@dataclass
class Delivery:
    event: LifecycleEvent
    result: EventResult


@dataclass
class Races:
    cloud: LocalCloud
    catalog: Catalog
    deliveries: list[Delivery] = field(default_factory=list)
    most_keys: int = 0
    lock_waits: int = 0
    """How often a racer found its user locked by the other and waited: proof the races overlapped."""

    def engine(self, *, after: str = "", pause: Callable[[], None] | None = None,
               wait: Callable[[float], None] | None = None) -> Engine:
        """A fresh engine with its own SDK clients, as a new FC instance would build it; with
        ``after``, the first call of that Identities method, once it returned, runs ``pause``."""
        _, identities, secrets = adapters(self.cloud, Waits())
        if after and pause is not None:
            original = getattr(identities, after)
            paused = threading.Event()

            def held(*args: Any, **kwargs: Any) -> Any:
                out = original(*args, **kwargs)
                if not paused.is_set():
                    paused.set()
                    pause()
                return out

            setattr(identities, after, held)
        sink = SlsAuditSink(settings_for(self.cloud))
        locks = UserLocks(identities, self.cloud.now, wait=wait or self._lock_wait)
        return Engine(identities, secrets, self.catalog, sink=sink, clock=self.cloud.now, locks=locks)

    def _lock_wait(self, seconds: float) -> None:
        self.lock_waits += 1
        time.sleep(seconds)

    def deliver(self, event: LifecycleEvent) -> EventResult:
        result = self.engine().handle(event)
        self.deliveries.append(Delivery(event, result))
        return result

    def race(
        self, events: Sequence[LifecycleEvent], seed: int, user: str, jitter: float = START_JITTER_S,
        once_user_exists: frozenset[int] = frozenset(),
    ) -> list[EventResult]:
        """Every event at once, each in its own thread after a seeded delay of up to ``jitter``
        seconds; ``user``'s keys sampled meanwhile. The events at ``once_user_exists`` start
        their delay only when ``user`` exists: they arrive while the other is half way."""
        results: list[EventResult | None] = [None] * len(events)
        errors: list[BaseException] = []
        engines = [self.engine() for _ in events]
        delays = [random.Random(seed * 1000 + i).uniform(0, jitter) for i in range(len(events))]
        gate = threading.Barrier(len(events))

        def run(index: int) -> None:
            try:
                gate.wait()
                if index in once_user_exists:
                    self._await_user(user)
                time.sleep(delays[index])
                results[index] = engines[index].handle(events[index])
            except BaseException as exc:  # re-raised in the test's thread
                errors.append(exc)

        with self._latency(seed), self._sampling(user):
            threads = [threading.Thread(target=run, args=(i,)) for i in range(len(events))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        if errors:
            raise errors[0]
        done = [r for r in results if r is not None]
        assert len(done) == len(events), "a racer did not finish"
        self.deliveries += [Delivery(e, r) for e, r in zip(events, done, strict=True)]
        return done

    def race_held(self, events: Sequence[LifecycleEvent], seed: int, user: str, after: str) -> list[EventResult]:
        """Two events, one interleaving, every time: the first runs until its first ``after``
        step (an Identities method, e.g. ``create_user``) has taken effect and stops there,
        holding the user's lock; only then does the second start, and the first goes on only
        once the second has found the lock busy (its wait began). Without the lock the second
        would never wait: the race fails instead of hoping to hit the window."""
        assert len(events) == 2
        reached, met = threading.Event(), threading.Event()
        results: list[EventResult | None] = [None, None]
        errors: list[BaseException] = []

        def pause() -> None:
            reached.set()
            met.wait(HOLD_S)

        def lock_wait(seconds: float) -> None:
            met.set()
            self._lock_wait(seconds)

        engines = [self.engine(after=after, pause=pause), self.engine(wait=lock_wait)]

        def run(index: int) -> None:
            try:
                if index == 1:
                    reached.wait(HOLD_S)
                results[index] = engines[index].handle(events[index])
            except BaseException as exc:  # re-raised in the test's thread
                errors.append(exc)

        with self._latency(seed), self._sampling(user):
            threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        if errors:
            raise errors[0]
        assert reached.is_set(), f"{events[0].event_id} never made its {after} step"
        assert met.is_set(), f"{events[1].event_id} ran while {events[0].event_id} was half way: nothing stopped it"
        done = [r for r in results if r is not None]
        assert len(done) == 2, "a racer did not finish"
        self.deliveries += [Delivery(e, r) for e, r in zip(events, done, strict=True)]
        return done

    def settle(self, events: Sequence[LifecycleEvent], results: Sequence[EventResult], seed: int, user: str) -> None:
        """FC's async retry: each failed event again (up to FC_RETRIES times), in a seeded order."""
        pending = [e for e, r in zip(events, results, strict=True) if r.result in FAILED_RESULTS]
        order = random.Random(seed)
        with self._sampling(user):
            for _ in range(FC_RETRIES):
                order.shuffle(pending)
                pending = [e for e in pending if self.deliver(e).result in FAILED_RESULTS]

    def _await_user(self, user: str) -> None:
        ram = Ram(self.cloud.config())
        for _ in range(2000):
            try:
                ram.get_user(ram_models.GetUserRequest(user_name=user))
                return
            except ClientException:
                time.sleep(0.002)

    @contextmanager
    def _latency(self, seed: int) -> Iterator[None]:
        self.cloud.faults.clear()
        for offset, service in enumerate(SERVICES):
            self.cloud.faults.add(service, "latency", "*", latency_ms=LATENCY_MS, seed=seed * 10 + offset)
        try:
            yield
        finally:
            self.cloud.faults.clear()

    @contextmanager
    def _sampling(self, user: str) -> Iterator[None]:
        """ListAccessKeys for ``user`` in a loop until the block ends; the most keys seen is kept."""
        ram = Ram(self.cloud.config())
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                try:
                    body = ram.list_access_keys(ram_models.ListAccessKeysRequest(user_name=user)).body
                    self.most_keys = max(self.most_keys, len(body.access_keys.access_key or []))
                except ClientException:
                    pass  # no such user (yet, or any more)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            yield
        finally:
            stop.set()
            sampler.join(timeout=10)


# --- reading the cloud back ------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """One user as the official SDKs show it (None fields: the user does not exist)."""

    exists: bool
    tags: dict[str, str]
    keys: dict[str, bool]
    """AccessKeyId -> active."""
    attachments: frozenset[str]
    """``Type:Name@scope`` for RAM account-scope and ResourceManager grants."""
    groups: frozenset[str]
    login_profile: bool
    policies: frozenset[str]
    """Custom policies carrying the user's time-bound prefix (attached or not)."""
    secrets: dict[str, tuple[bool, str]]
    """Secret name -> (pending deletion, ACSCurrent VersionId) for every secret under rampart/<user>/."""

    @property
    def marker(self) -> Any:
        return marker_from_tags(self.tags)


def read_state(cloud: LocalCloud, user: str, rm: Any, ims: Any) -> State:
    ram, kms = Ram(cloud.config()), Kms(cloud.config())
    prefix = timebound_prefix(user)
    policies = ram.list_policies(ram_models.ListPoliciesRequest(policy_type="Custom", max_items=1000)).body
    mine = frozenset(str(p.policy_name) for p in policies.policies.policy or [] if str(p.policy_name).startswith(prefix))
    secrets = _secrets(kms, f"rampart/{user}/")
    try:
        ram.get_user(ram_models.GetUserRequest(user_name=user))
    except ClientException:
        return State(False, {}, {}, frozenset(_rm_grants(cloud, rm, ims, user)), frozenset(), False, mine, secrets)
    keys = ram.list_access_keys(ram_models.ListAccessKeysRequest(user_name=user)).body.access_keys.access_key or []
    account = ram.list_policies_for_user(ram_models.ListPoliciesForUserRequest(user_name=user)).body.policies.policy or []
    groups = ram.list_groups_for_user(ram_models.ListGroupsForUserRequest(user_name=user)).body.groups.group or []
    try:
        ram.get_login_profile(ram_models.GetLoginProfileRequest(user_name=user))
        login = True
    except ClientException:
        login = False
    from alibabacloud_ims20190815 import models as ims_models

    rows = ims.list_tag_resources(ims_models.ListTagResourcesRequest(
        resource_type="user", resource_principal_name=[user], page_size=100)).body.tag_resources.tag_resource or []
    return State(
        exists=True,
        tags={str(r.tag_key): str(r.tag_value or "") for r in rows},
        keys={str(k.access_key_id): k.status == "Active" for k in keys},
        attachments=frozenset({f"{p.policy_type}:{p.policy_name}@account" for p in account} | _rm_grants(cloud, rm, ims, user)),
        groups=frozenset(str(g.group_name) for g in groups),
        login_profile=login,
        policies=mine,
        secrets=secrets,
    )


def _rm_grants(cloud: LocalCloud, rm: Any, ims: Any, user: str) -> set[str]:
    from alibabacloud_resourcemanager20200331 import models as rm_models

    domain = ims.get_default_domain().body.default_domain_name
    body = rm.list_policy_attachments(rm_models.ListPolicyAttachmentsRequest(
        principal_type="IMSUser", principal_name=f"{user}@{domain}", page_size=100)).body
    rows = body.policy_attachments.policy_attachment or []
    account = cloud.account.account_id
    return {f"{a.policy_type}:{a.policy_name}@{'account' if a.resource_group_id == account else 'rg'}" for a in rows
            if a.resource_group_id != account}


def _secrets(kms: Kms, prefix: str) -> dict[str, tuple[bool, str]]:
    listing = kms.list_secrets(kms_models.ListSecretsRequest(page_size=100)).body.secret_list.secret or []
    out: dict[str, tuple[bool, str]] = {}
    for item in listing:
        name = str(item.secret_name)
        if not name.startswith(prefix):
            continue
        described = kms.describe_secret(kms_models.DescribeSecretRequest(secret_name=name)).body
        pending = bool(described.planned_delete_time)
        current = ""
        versions = kms.list_secret_version_ids(kms_models.ListSecretVersionIdsRequest(secret_name=name)).body
        for version in versions.version_ids.version_id or []:
            if "ACSCurrent" in (version.version_stages.version_stage or []):
                current = str(version.version_id)
        out[name] = (pending, current)
    return out


def check_clean(state: State, user: str) -> list[str]:
    """The invariants that hold whatever the outcome: no orphan key, no live secret holding a
    key that no longer exists, no time-bound policy left unattached, nothing left of a deleted user."""
    problems: list[str] = []
    escrow = state.secrets.get(f"rampart/{user}/access-key")
    current = escrow[1] if escrow is not None and not escrow[0] else ""
    for key in state.keys:
        if key != current:
            problems.append(f"orphan key {key}: not the ACSCurrent version of a live rampart/{user}/access-key")
    for name, (pending, version) in state.secrets.items():
        if pending:
            continue
        if not state.exists:
            problems.append(f"live secret {name} of a deleted user")
        elif name.endswith("/access-key") and version not in state.keys:
            problems.append(f"live secret {name} holds key {version}, which does not exist")
    attached = {a.split("@")[0].split(":", 1)[1] for a in state.attachments}
    for policy in state.policies - attached:
        problems.append(f"time-bound policy {policy} left behind, attached to nobody")
    if not state.exists and state.attachments:
        problems.append(f"grants left for a deleted user: {sorted(state.attachments)}")
    return problems


def audit_gaps(sink: SlsAuditSink, deliveries: Sequence[Delivery], since: datetime, until: datetime) -> list[str]:
    """Every applied step (and every delivery's outcome) must have its SLS record under the
    event's correlation id: counted per (action, target, result), across all deliveries."""
    wanted: dict[str, Counter[tuple[str, str, str]]] = {}
    for delivery in deliveries:
        data = delivery.result.as_dict()
        counter = wanted.setdefault(delivery.result.correlation_id, Counter())
        counter[("event", "", delivery.result.result.value)] += 1
        for user in data["users"]:
            for step in user["steps"]:
                if "result" in step:
                    counter[(step["kind"], step["user"], step["result"])] += 1
    gaps: list[str] = []
    for correlation, counter in wanted.items():
        records = sink.by_correlation(correlation, since - timedelta(hours=1), until + timedelta(hours=1), limit=5000)
        found: Counter[tuple[str, str, str]] = Counter()
        for record in records:
            target = "" if record.action == "event" else record.target
            found[(record.action, target, record.result.value)] += 1
        for key, count in counter.items():
            if found[key] < count:
                gaps.append(f"{correlation}: {count} x {key} applied, {found[key]} audited")
    return gaps


def results_of(deliveries: Sequence[Delivery]) -> list[str]:
    return [f"{d.event.event_id}:{d.result.result.value}" + (f"({d.result.error[:160]})" if d.result.error else "")
            for d in deliveries]
