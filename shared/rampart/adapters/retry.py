"""One cloud call, retried when the failure is transient, turned into a ``CloudError`` when not.

Every adapter call goes through :func:`call`. What is retried (wire-protocol.md §1.8-§1.9;
alibaba-platform.md §A.3, §B.4, §D.6):

- throttling: the tea SDK's ``ThrottlingException`` (an answer carrying ``x-acs-retry-after``),
  codes ``Throttling``/``Throttling.*``, KMS ``Rejected.Throttling``, FC ``ResourceExhausted``,
  and any HTTP 429;
- server trouble: ``ServerException`` (any 5xx), ``ServiceUnavailable``, ``InternalError`` ...;
- the network: ``UnretryableException`` wrapping a ``RetryError`` (refused, reset, timed out),
  including "applied then dropped": the call took effect but the answer never came. The retry
  then meets "already exists" on a create or "not found" on a delete; that code is raised as a
  ``CloudError`` like any other and the applier counts it as convergence
  (:func:`is_already_exists`, :func:`is_not_found`).

Backoff is full jitter (delay drawn from ``[0, min(max_delay, base * 2**n))``), never shorter
than the service's ``x-acs-retry-after``, and bounded twice: by ``max_attempts`` and by a total
time ``budget``. Sleep, clock and random source are injected so tests are instant and repeatable.

Client-side rate limit: :func:`set_rate_limiter` (or the :func:`rate_limited` context) installs
one process-wide limiter (``rampart.adapters.ratelimit.RateLimiter``); every attempt, first tries and
retries alike, takes a token from it before the SDK is called, so bulk work across threads stays
under the account's API quotas. Process-wide on purpose: worker threads do not inherit context
variables, and a quota is the account's, not a thread's. None is installed by default (a
Function Compute invocation makes one person's calls; FC concurrency is its limit).

This module never imports an SDK (it reads exceptions by their attributes) and never puts a
request parameter in an error: the SDK's network errors quote the request URL, whose query
carries parameters such as ``Password``, so only the scrubbed code, message and request id
survive, and the exception chained as the cause is a scrubbed stand-in for those.
"""

from __future__ import annotations

import contextlib
import contextvars
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol, TypeVar

from rampart.errors import CloudError, PermissionDenied
from rampart.redact import redact_text

T = TypeVar("T")

# --- error codes ---------------------------------------------------------------------------

THROTTLING_CODES = frozenset({
    "Throttling", "Rejected.Throttling", "ResourceExhausted", "WriteQuotaExceed",
    "OTSServerBusy", "OTSNotEnoughCapacityUnit", "OTSOperationThrottled",
})
"""Besides every ``Throttling.*`` code: KMS (§B.4), FC (§D.6 / fault defaults), SLS (§C), Tablestore
(tablestore.md §3.2: the codes its own DefaultRetryPolicy backs off on)."""
TRANSIENT_CODES = frozenset({
    "ServiceUnavailable", "ServiceUnavailableTemporary", "SerivceUnavailableTemporary",  # sic, KMS §B.4
    "InternalError", "InternalFailure", "InternalServerError", "RequestTimeout",
    # Tablestore (tablestore.md §3.2); a write retried after one of these may have been applied:
    # the ledger adapter recognises its own write by a token (rampart.adapters.ledger).
    "OTSPartitionUnavailable", "OTSServerUnavailable", "OTSTimeout", "OTSInternalServerError",
    "OTSRowOperationConflict", "OTSTableNotReady",
})
PERMISSION_CODES = frozenset({"NoPermission", "Forbidden.NoPermission", "Unauthorized", "AccessDenied", "Forbidden.RAM"})
"""RAM/IMS/STS/ResourceManager ``NoPermission``, KMS ``Forbidden.NoPermission``, SLS
``Unauthorized``, FC ``AccessDenied`` (localcloud/README.md "Authorization")."""

_ALREADY_EXISTS_PREFIXES = ("EntityAlreadyExists", "EntityAlreadyExist.")
_ALREADY_EXISTS = frozenset({
    "Rejected.ResourceExist",  # KMS CreateSecret / PutSecretValue (§B.4)
    "StatefulAsyncInvocationAlreadyExists",  # FC task id reused (§D.6)
})
_NOT_FOUND_PREFIXES = ("EntityNotExist.", "EntityNotExists.")
_NOT_FOUND = frozenset({
    "Forbidden.ResourceNotFound",  # KMS secret (§B.4)
    "EntityNotExist",
})


def is_already_exists(code: str) -> bool:
    """A create that meets this code finds what it wanted to make already there.

    RAM ``EntityAlreadyExists.User`` / ``.User.LoginProfile`` / ``.User.Group`` /
    ``.User.Policy`` / ``.User.MFADevice`` / ``.Policy`` / ``.Group`` / ``.VirtualMFADevice``
    (RAM error page, alibaba-platform.md §A.3); ResourceManager ``EntityAlreadyExists.User.Policy``
    and ``EntityAlreadyExists.ResourceGroup`` (localcloud/resourcemanager/errors.py); other POP
    products' ``EntityAlreadyExist.*``; KMS ``Rejected.ResourceExist``; FC's reused task id.
    """
    return code in _ALREADY_EXISTS or code.startswith(_ALREADY_EXISTS_PREFIXES)


def is_not_found(code: str) -> bool:
    """A delete that meets this code finds its target already gone.

    RAM ``EntityNotExist.User`` / ``.User.AccessKey`` / ``.User.LoginProfile`` /
    ``.User.MFADevice`` / ``.User.Policy`` / ``.User.Group`` / ``.Policy`` / ``.Policy.Version`` /
    ``.Group`` / ``.VirtualMFADevice`` (§A.3); IMS answers RAM's ``EntityNotExist.User``;
    ResourceManager ``EntityNotExist.Policy`` / ``.User`` and ``EntityNotExists.ResourceGroup``;
    KMS ``Forbidden.ResourceNotFound``.
    """
    return code in _NOT_FOUND or code.startswith(_NOT_FOUND_PREFIXES)


def is_throttling(code: str) -> bool:
    return code in THROTTLING_CODES or code.startswith("Throttling.")


# --- classification --------------------------------------------------------------------------


class FailureKind(Enum):
    THROTTLED = "throttled"
    SERVER = "server"
    NETWORK = "network"
    PERMISSION = "permission"
    FINAL = "final"


@dataclass(frozen=True, slots=True)
class Failure:
    """What rampart keeps of an SDK exception: never the request, never the raw response body."""

    kind: FailureKind
    code: str
    message: str
    request_id: str = ""
    status: int | None = None
    retry_after_ms: int | None = None

    @property
    def retryable(self) -> bool:
        return self.kind in (FailureKind.THROTTLED, FailureKind.SERVER, FailureKind.NETWORK)


class TransportError(Exception):
    """A scrubbed stand-in chained as the cause of a ``CloudError`` when the SDK raised an
    ``UnretryableException`` (network failure, unreadable answer): that exception holds the
    request and quotes its URL (and so its parameters), so it is not kept."""


_SDK_PREFIX = re.compile(r"^code: \d+, ")
_SDK_SUFFIX = re.compile(r"\s*request id: [\w-]*\s*$")
_URL_QUERY = re.compile(r"(https?://[^\s'\"?]*|\burl: [^\s'\"?]*)\?[^\s'\")]*")
_MAX_MESSAGE = 400


def scrub(text: str) -> str:
    """A message fit for an error: no URL query, no ``Key=value`` credential, bounded length."""
    cleaned = _URL_QUERY.sub(r"\1?...", text)
    cleaned = redact_text(cleaned)
    return cleaned if len(cleaned) <= _MAX_MESSAGE else cleaned[: _MAX_MESSAGE - 3] + "..."


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and str(value) not in ("", "None") else None
    except (TypeError, ValueError):
        return None


def _network_reason(inner: BaseException | None) -> str:
    text = str(getattr(inner, "message", "") or inner or "").lower()
    if "timed out" in text or "timeout" in text:
        return "the service did not answer in time"
    if "refused" in text:
        return "the connection was refused"
    if "aborted" in text or "reset" in text or "remotedisconnected" in text or "closed" in text:
        return "the connection closed without an answer (the call may have been applied)"
    return "the request did not reach the service or its answer was lost"


def classify(exc: BaseException) -> Failure:
    """Reads a tea / darabonba exception by its attributes (no SDK import)."""
    name = str(getattr(exc, "name", "") or type(exc).__name__)
    inner = getattr(exc, "inner_exception", None)
    if inner is not None or isinstance(exc, (ConnectionError, TimeoutError)):
        inner_name = str(getattr(inner, "name", "") or type(inner).__name__) if inner is not None else ""
        if inner is None or inner_name == "RetryError" or isinstance(inner, (OSError, ConnectionError)):
            return Failure(FailureKind.NETWORK, "NetworkError", _network_reason(inner or exc))
        # A 2xx answer that is not JSON, or another client-side failure: not worth repeating.
        return Failure(FailureKind.FINAL, "InvalidResponse", f"the SDK could not use the answer ({inner_name})")
    code = str(getattr(exc, "code", "") or "")
    if code in ("", "None"):
        code = name or "UnknownError"
    status = (_int(getattr(exc, "status_code", None)) or _int(getattr(exc, "statusCode", None))
              or _int(getattr(exc, "http_status", None)))  # tablestore.error.OTSServiceError
    raw_message = str(getattr(exc, "message", "") or "")
    message = scrub(_SDK_SUFFIX.sub("", _SDK_PREFIX.sub("", raw_message)))
    request_id = str(getattr(exc, "request_id", "") or "")
    request_id = "" if request_id == "None" else request_id
    retry_after = _int(getattr(exc, "retry_after", None))
    if name == "ThrottlingException" or (retry_after or 0) > 0 or is_throttling(code) or status == 429:
        kind = FailureKind.THROTTLED
    elif code in PERMISSION_CODES:
        kind = FailureKind.PERMISSION
    elif code in TRANSIENT_CODES or name == "ServerException" or (status is not None and status >= 500):
        kind = FailureKind.SERVER
    else:
        kind = FailureKind.FINAL
    return Failure(kind, code, message, request_id, status, retry_after if (retry_after or 0) > 0 else None)


def to_error(service: str, action: str, failure: Failure) -> CloudError:
    cls = PermissionDenied if failure.kind is FailureKind.PERMISSION else CloudError
    return cls(service, action, failure.code, failure.message, request_id=failure.request_id, status=failure.status)


# --- the policy ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 0.2
    """Seconds; the jitter window doubles with each attempt."""
    max_delay: float = 5.0
    budget: float = 30.0
    """Total seconds from the first attempt; no retry is started that would end after it."""
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def seeded(cls, seed: int, **overrides: Any) -> RetryPolicy:
        return cls(rng=random.Random(seed), **overrides)

    def delay(self, attempt: int, failure: Failure) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        window = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        jittered = self.rng.uniform(0.0, window)
        if failure.retry_after_ms is not None:
            return max(failure.retry_after_ms / 1000.0, jittered)
        return jittered


DEFAULT_POLICY = RetryPolicy()


# --- a record of the calls made (audit request ids, call counts) ----------------------------


@dataclass(frozen=True, slots=True)
class CallRecord:
    service: str
    action: str
    attempts: int
    request_id: str
    code: str = ""
    """Empty on success; the final error code otherwise."""


class CallLog:
    """The calls made inside :func:`recording`: the request ids audit records carry, and the
    call counts the benchmark prints."""

    def __init__(self) -> None:
        self.records: list[CallRecord] = []

    @property
    def request_ids(self) -> tuple[str, ...]:
        return tuple(r.request_id for r in self.records if r.request_id)

    @property
    def attempts(self) -> int:
        return sum(r.attempts for r in self.records)

    def __len__(self) -> int:
        return len(self.records)


_log: contextvars.ContextVar[CallLog | None] = contextvars.ContextVar("rampart_call_log", default=None)


@contextlib.contextmanager
def recording() -> Iterator[CallLog]:
    """Collect every :func:`call` made in this context (not in other threads)."""
    log = CallLog()
    token = _log.set(log)
    try:
        yield log
    finally:
        _log.reset(token)


def _record(service: str, action: str, attempts: int, request_id: str, code: str = "") -> None:
    log = _log.get()
    if log is not None:
        log.records.append(CallRecord(service, action, attempts, request_id, code))


def _request_id_of(response: Any) -> str:
    body = getattr(response, "body", None)
    rid = getattr(body, "request_id", None) or (getattr(response, "headers", None) or {}).get("x-fc-request-id")
    return str(rid) if rid else ""


# --- the client-side rate limit --------------------------------------------------------------


class Limiter(Protocol):
    def acquire(self) -> float:
        """Block until the caller may make one API call; returns the seconds waited."""
        ...


_limiter: Limiter | None = None


def set_rate_limiter(limiter: Limiter | None) -> Limiter | None:
    """Install ``limiter`` for every :func:`call` in the process (None: no limit); returns the
    one it replaces, to be put back when the bulk work is done."""
    global _limiter
    previous, _limiter = _limiter, limiter
    return previous


def rate_limiter() -> Limiter | None:
    """The limiter installed now, if any."""
    return _limiter


@contextlib.contextmanager
def rate_limited(limiter: Limiter) -> Iterator[Limiter]:
    """Every :func:`call` in the process takes a token from ``limiter`` inside this block."""
    previous = set_rate_limiter(limiter)
    try:
        yield limiter
    finally:
        set_rate_limiter(previous)


# --- the call ------------------------------------------------------------------------------


def call(service: str, action: str, fn: Callable[[], T], *, policy: RetryPolicy = DEFAULT_POLICY) -> T:
    """Run ``fn`` (one SDK call), retrying transient failures; raise ``CloudError`` otherwise."""
    started = policy.clock()
    attempt = 0
    while True:
        attempt += 1
        limiter = _limiter
        if limiter is not None:
            limiter.acquire()
        try:
            response = fn()
        except Exception as exc:  # the SDK raises plain Exception subclasses
            failure = classify(exc)
            # An UnretryableException keeps the whole request (``last_request``) and its text
            # quotes the request URL: it must not even be the implicit __context__ of what is
            # raised, so a scrubbed stand-in replaces it and the raise happens below.
            cause: BaseException = TransportError(failure.message) if hasattr(exc, "inner_exception") else exc
        else:
            _record(service, action, attempt, _request_id_of(response))
            return response
        if failure.retryable and attempt < policy.max_attempts:
            wait = policy.delay(attempt, failure)
            if policy.clock() - started + wait <= policy.budget:
                policy.sleep(wait)
                continue
            failure = _out_of_time(failure, policy)
        elif failure.retryable:
            failure = _out_of_attempts(failure, attempt)
        _record(service, action, attempt, failure.request_id, failure.code)
        raise to_error(service, action, failure) from cause


def _out_of_time(failure: Failure, policy: RetryPolicy) -> Failure:
    return Failure(failure.kind, failure.code, f"{failure.message} (retry budget of {policy.budget:g}s spent)",
                   failure.request_id, failure.status, failure.retry_after_ms)


def _out_of_attempts(failure: Failure, attempts: int) -> Failure:
    return Failure(failure.kind, failure.code, f"{failure.message} (after {attempts} attempts)",
                   failure.request_id, failure.status, failure.retry_after_ms)
