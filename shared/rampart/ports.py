"""The small interfaces the core speaks to; adapters (``rampart.adapters``) implement them
with the official SDK clients. No other module imports an SDK.

Every write is idempotent from the core's point of view: an adapter raises
``rampart.errors.CloudError`` with the cloud's code, and the applier decides whether that
code means "already converged" (EntityAlreadyExists on a create, EntityNotExist on a delete).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from rampart.model import (
    Attachment,
    AuditRecord,
    Lease,
    ObservedKey,
    ObservedSecret,
    PasswordPolicy,
    PersonRecord,
    PolicyChange,
    PolicyRef,
)
from rampart.secret import Secret


@dataclass(frozen=True, slots=True)
class UserFacts:
    user_name: str
    user_id: str
    display_name: str
    comments: str = ""
    """RAM's Comments: rampart writes ``rampart.naming.creation_comment`` with CreateUser."""


@dataclass(frozen=True, slots=True)
class NewAccessKey:
    access_key_id: str
    secret: Secret
    created_at: datetime


class Identities(Protocol):
    """RAM, IMS and ResourceManager as rampart needs them."""

    # reads
    def default_domain(self) -> str: ...
    def password_policy(self) -> PasswordPolicy: ...
    def get_user(self, user_name: str) -> UserFacts | None: ...
    def user_tags(self, user_name: str) -> dict[str, str]: ...
    def users_tagged(self, key: str, value: str) -> list[str]:
        """User names carrying tag ``key=value`` (IMS ListTagResources filter)."""
        ...
    def access_keys(self, user_name: str) -> list[ObservedKey]: ...
    def has_login_profile(self, user_name: str) -> bool: ...
    def mfa_serial(self, user_name: str) -> str | None: ...
    def attachments(self, user_name: str) -> set[Attachment]:
        """Account-scope RAM attachments plus ResourceManager attachments of the user."""
        ...
    def groups(self, user_name: str) -> set[str]: ...
    def policy_names(self, prefix: str) -> list[str]:
        """Custom policy names starting with ``prefix`` (rampart's time-bound policies)."""
        ...
    def policy_document(self, policy: PolicyRef) -> str:
        """The default version's document (to copy a system policy into a time-bound one)."""
        ...
    def list_users(self) -> list[UserFacts]:
        """Every RAM user of the account (``rampart drift``: users rampart does not manage)."""
        ...
    def key_last_used(self, user_name: str, access_key_id: str) -> datetime | None:
        """When the key last signed a request (RAM GetAccessKeyLastUsed); None: never used."""
        ...
    def resource_group_exists(self, resource_group_id: str) -> bool:
        """ResourceManager GetResourceGroup: ``rampart init`` checks the catalog's scopes."""
        ...
    def caller_arn(self) -> str:
        """The ARN of the credentials rampart runs with (STS GetCallerIdentity): the actor the
        CLI records on its events and audit records."""
        ...

    # writes
    def create_user(self, user_name: str, display_name: str, comments: str) -> UserFacts: ...
    def update_user(self, user_name: str, display_name: str) -> None: ...
    def tag_user(self, user_name: str, tags: Mapping[str, str]) -> None: ...
    def untag_user(self, user_name: str, keys: Sequence[str]) -> None: ...
    def create_login_profile(
        self, user_name: str, password: Secret, *, reset_required: bool, mfa_required: bool
    ) -> None: ...
    def update_login_profile(self, user_name: str, password: Secret, *, reset_required: bool) -> None:
        """Set a new password on an existing login profile (UpdateLoginProfile)."""
        ...
    def delete_login_profile(self, user_name: str) -> None: ...
    def create_access_key(self, user_name: str, *, before_retry: Callable[[], object] | None = None) -> NewAccessKey: ...
    def set_access_key_active(self, user_name: str, access_key_id: str, active: bool) -> None: ...
    def delete_access_key(self, user_name: str, access_key_id: str) -> None: ...
    def unbind_mfa(self, user_name: str) -> str | None:
        """Unbinds the user's MFA device; returns its serial number (None if none was bound)."""
        ...
    def delete_mfa(self, serial_number: str) -> None: ...
    def create_policy(self, name: str, document: str, description: str) -> None: ...
    def ensure_policy(self, name: str, document: str, description: str) -> PolicyChange:
        """A catalog custom policy as the catalog defines it: created if missing, a new default
        version if its document differs (``rampart init``; idempotent)."""
        ...
    def delete_policy(self, name: str, *, versions: bool = True) -> None:
        """Deletes a custom policy and its non-default versions (``versions=False``: a policy
        that never has any, a ``rampart.engine`` lease: no ListPolicyVersions)."""
        ...
    def attach(self, user_name: str, attachment: Attachment) -> None: ...
    def detach(self, user_name: str, attachment: Attachment) -> None: ...
    def add_to_group(self, user_name: str, group: str) -> None: ...
    def remove_from_group(self, user_name: str, group: str) -> None: ...
    def delete_user(self, user_name: str) -> None: ...


class Secrets(Protocol):
    """KMS Secrets Manager as rampart needs it: the only place a secret value is written."""

    def put(self, name: str, value: Secret, tags: Mapping[str, str], *, version_id: str | None = None) -> str:
        """Create the secret, or add a new version if it exists; the new version becomes
        ACSCurrent and the old ACSCurrent ACSPrevious. ``version_id``: the VersionId to write
        (an AccessKey's version is named after its AccessKeyId, ``rampart.naming``); None: a
        fresh one. A version with that id already there is this write's own lost answer:
        success. A secret pending deletion is restored first. Returns the version id."""
        ...
    def read(self, name: str) -> Secret:
        """The ACSCurrent value."""
        ...
    def for_user(self, user_name: str) -> list[ObservedSecret]:
        """rampart's secrets for this user (by tag), including those pending deletion; for an
        AccessKey secret, the VersionIds of its ACSCurrent and ACSPrevious versions (never the
        values)."""
        ...
    def schedule_deletion(self, name: str, recovery_days: int) -> None: ...
    def restore(self, name: str) -> None: ...


class AuditSink(Protocol):
    """The audit trail as rampart writes and reads it, in the domain's terms: records, never a
    query in the store's own syntax (the SLS adapter builds its searches, quotes the values and
    keeps only the records whose fields equal them exactly; cf. the idempotency persistence
    layer of Powertools for AWS Lambda, whose DynamoDB expressions stay in its adapter).

    Every read covers [since, until) and returns at most ``limit`` records, oldest first unless
    said otherwise; a read that fails raises ``rampart.errors.CloudError`` (a caller that must
    fail closed, such as a tombstone lookup, lets it propagate)."""

    def write(self, records: Sequence[AuditRecord]) -> None:
        """Write records in one call (one PutLogs): the plan, a step, or an event's outcome."""
        ...

    def by_correlation(
        self, correlation_id: str, since: datetime, until: datetime, *, limit: int = 1000
    ) -> list[AuditRecord]:
        """Every record of one correlation id (an event and its retries)."""
        ...

    def by_event(self, event_id: str, since: datetime, until: datetime, *, limit: int = 100) -> list[AuditRecord]:
        """Every record of one event id."""
        ...

    def removals(
        self, since: datetime, until: datetime, *, person_id: str = "", user_name: str = "",
        correlation_id: str = "", limit: int = 100,
    ) -> list[AuditRecord]:
        """Successful ``removal`` records (the tombstones), narrowed to a person, a user (the
        record's target) and an event's correlation id when given."""
        ...

    def count_removals(self, since: datetime, until: datetime) -> int:
        """How many successful ``removal`` records there are (the circuit breaker's count)."""
        ...

    def releases(self, since: datetime, until: datetime, *, limit: int = 1000) -> list[AuditRecord]:
        """Successful ``breaker-release`` records."""
        ...

    def outcomes(self, since: datetime, until: datetime, *, held: bool, limit: int = 1000) -> list[AuditRecord]:
        """Events' outcome records (action ``event``): those held by the circuit breaker
        (``held``), or every other one (applied, refused, stale ...)."""
        ...

    def handovers(self, user_name: str, since: datetime, until: datetime, *, limit: int = 1000) -> list[AuditRecord]:
        """``handover`` records of the user: initial credentials shown to an operator."""
        ...

    def user_trail(
        self, user_name: str, since: datetime, until: datetime, *, person_id: str = "", limit: int = 100
    ) -> list[AuditRecord]:
        """The newest ``limit`` records about the user (its target) or its person, newest first
        (``rampart status``)."""
        ...


class Invoker(Protocol):
    """Hands an event to the lifecycle function asynchronously (FC)."""

    def submit(self, function: str, payload: bytes, task_id: str) -> bool:
        """True when accepted now, False when FC says this task id was already accepted (409)."""
        ...


class Ledger(Protocol):
    """rampart's state of record (DESIGN.md "A ledger, not tags, decides"): strongly consistent
    reads, and a conditional write for every "only if". Only the worker role may write it.

    A write that loses its condition raises ``rampart.errors.LedgerConflict`` and changes
    nothing; a write whose answer was lost and then retried is recognised as the caller's own
    (the adapter writes a token with each change and reads it back), never reported as a loss."""

    def person(self, person_id: str) -> PersonRecord | None: ...

    def person_of_user(self, user_name: str) -> PersonRecord | None:
        """The record holding ``user_name`` (a user the record no longer lists: None)."""
        ...

    def save(self, record: PersonRecord) -> PersonRecord:
        """Write ``record`` if the row is still at ``record.version`` (0: absent); the saved
        record, at the next version. Users it lists are indexed by name."""
        ...

    def people(self) -> Iterator[PersonRecord]: ...

    def acquire(self, key: str, owner: str, ttl: timedelta) -> Lease | None:
        """The lease on ``key`` for ``owner`` if it is free or expired (a new fence); None if
        another holder's lease is live."""
        ...

    def release(self, lease: Lease) -> None:
        """Give ``lease`` up, if it is still this holder's (same owner and fence)."""
        ...

    def reserve(self, counter: str, limit: int) -> bool:
        """Add one to ``counter`` if it is below ``limit`` (exactly: compare-and-swap); False
        when the limit is reached."""
        ...

    def give_back(self, counter: str) -> None:
        """Take back one reservation of ``counter`` (a removal that changed nothing)."""
        ...

    def count(self, counter: str) -> int: ...

    def first_delivery(self, source: str, delivery_id: str, digest: str) -> bool:
        """Record a delivery; False if (source, delivery id) was recorded before (a redelivery)."""
        ...
