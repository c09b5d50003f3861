"""What a Function Compute instance sets up once and keeps between invocations.

A function's ``index.py`` holds one :class:`Instance` at module level: FC loads the module
once per instance, so everything cached here lives exactly as long as the instance.

- **Read once per instance**: :class:`rampart.config.FunctionSettings`, the catalog, and each
  webhook source, built from its KMS secret (the secret's name is in an environment variable,
  ``rampart.config.SOURCE_SECRET_ENV``; its JSON is described in
  ``rampart.sources.configured``). A source whose secret name is not set is not served.
  The notification destination likewise (``RAMPART_NOTIFY_SECRET_NAME``, ``rampart.notify``).
- **Per credential set** (:class:`Session`): ``Settings`` with the SDK clients, the adapters,
  the SLS sink, the breaker, the engine and the FC invoker. Credentials come from the
  ``ALIBABA_CLOUD_*`` variables; only when those are absent from ``context.credentials``
  (python3.9/3.10 runtimes). FC hands a warm instance fresh STS credentials from time to
  time, so ``Settings`` are re-read every invocation (cheap) and a new session is made only
  when they changed; the SDK clients are shared per process (``rampart.adapters.clients``).
- **Per invocation** (:meth:`Instance.invocation`): JSON logs to stderr (whatever
  ``sys.stderr`` is at write time) with the correlation id bound (``rampart.logs``).

Nothing here imports an SDK at module import: the adapters are imported when a session first
needs them (cold start is measured). The clock is injectable: ``Instance(clock=...)``, or for
instances a test cannot reach (functions loaded by localcloud's FC) the module-level
:data:`DEFAULT_CLOCK`, which is the real UTC clock unless a test replaces it.
Never logs or returns a secret: source keys stay inside the sources, credentials inside
``Settings``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import threading
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from functools import cached_property
from typing import IO, TYPE_CHECKING, Any, cast

from rampart import logs
from rampart.clock import Clock, utcnow
from rampart.config import FunctionSettings, Settings, has_env_credentials
from rampart.model import Catalog
from rampart.sources.base import Source, SourceError

if TYPE_CHECKING:
    from rampart.adapters import Adapters
    from rampart.adapters.fc import FcInvoker
    from rampart.adapters.sls import SlsAuditSink
    from rampart.engine import Engine, EventResult
    from rampart.model import LifecycleEvent
    from rampart.notify import NotifySetup

DEFAULT_CLOCK: Clock = utcnow
"""The clock of an :class:`Instance` built without one (a test seam; real UTC otherwise)."""


class _Stderr(io.TextIOBase):
    """Whatever ``sys.stderr`` is at write time (FC's runtime, or localcloud, may swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class Session:
    """Everything built on one set of credentials; parts are made on first use."""

    def __init__(self, instance: Instance, settings: Settings) -> None:
        self.instance = instance
        self.settings = settings

    @cached_property
    def adapters(self) -> Adapters:
        from rampart.adapters import build

        return build(self.settings, account_id=self.instance.function_settings.account_id)

    @cached_property
    def sink(self) -> SlsAuditSink:
        from rampart.adapters.sls import SlsAuditSink

        return SlsAuditSink(self.settings)

    @property
    def catalog(self) -> Catalog:
        return self.instance.catalog(self.settings)

    @cached_property
    def engine(self) -> Engine:
        from rampart.engine import build_engine

        return build_engine(self.settings, self.adapters.identities, self.adapters.secrets, self.catalog,
                            self.instance.now, sink=self.sink)

    @cached_property
    def invoker(self) -> FcInvoker:
        from rampart.adapters.fc import FcInvoker, FcVersion

        fs = self.instance.function_settings
        return FcInvoker(self.adapters.clients, version=FcVersion(fs.fc_api), service_name=fs.fc_service)

    def notify(self, event: LifecycleEvent, result: EventResult) -> bool | None:
        """Tell the configured robot or webhook about ``result`` (``rampart.notify``):
        True sent, False not sent, None nothing to tell or no destination configured. Never raises."""
        setup = self.instance.notify_setup(self)
        if setup is None:
            return None
        from rampart.notify import after_event

        return after_event(setup, event, result, default_domain=self.adapters.identities.default_domain,
                           secret_prefix=self.catalog.options.secret_prefix, sink=self.sink, clock=self.instance.now)


class Instance:
    def __init__(self, *, environ: Mapping[str, str] | None = None, clock: Clock | None = None) -> None:
        self._environ = environ
        self._clock = clock
        self._lock = threading.Lock()
        self._session: Session | None = None
        self._sources: dict[str, Source] = {}
        self._catalog: Catalog | None = None
        self._notify: NotifySetup | None = None

    def now(self) -> datetime:
        return (self._clock or DEFAULT_CLOCK)()

    @cached_property
    def function_settings(self) -> FunctionSettings:
        return FunctionSettings.from_env(self._environ)

    def catalog(self, settings: Settings) -> Catalog:
        """The catalog at ``settings.catalog_path``, loaded once per instance."""
        with self._lock:
            if self._catalog is None:
                from rampart.catalog import load_catalog

                self._catalog = load_catalog(settings.catalog_path)
            return self._catalog

    def settings(self, context: Any) -> Settings:
        """``Settings`` from the environment; the credentials from ``context.credentials`` only
        when the ``ALIBABA_CLOUD_*`` pair is absent."""
        credentials: Any = getattr(context, "credentials", None)
        if has_env_credentials(self._environ) or not getattr(credentials, "access_key_id", ""):
            return Settings.from_env(self._environ)
        return Settings.from_env(
            self._environ,
            access_key_id=credentials.access_key_id,
            access_key_secret=credentials.access_key_secret,
            security_token=getattr(credentials, "security_token", None) or None,
        )

    def session(self, context: Any) -> Session:
        settings = self.settings(context)
        with self._lock:
            if self._session is None or self._session.settings != settings:
                self._session = Session(self, settings)
            return self._session

    def source(self, name: str, session: Session) -> Source:
        """The webhook source ``name``, built from its KMS secret on first use (404 when the
        deployment does not configure it)."""
        with self._lock:
            found = self._sources.get(name)
        if found is not None:
            return found
        secret_name = (self.function_settings.secret_names or {}).get(name)
        if not secret_name:
            raise SourceError(404, f"the source {name} is not configured on this deployment")
        from rampart.sources.configured import build_source

        known = frozenset(session.catalog.profiles) if name.startswith("ticket:") else None
        made = build_source(name, secret_name, session.adapters.secrets.read(secret_name), known_profiles=known)
        with self._lock:
            return self._sources.setdefault(name, made)

    def notify_setup(self, session: Session) -> NotifySetup | None:
        """The notification destination, built from its KMS secret on first use (None when
        ``RAMPART_NOTIFY_SECRET_NAME`` is unset). A configuration or permission error is kept
        for the instance's life (reported once); a passing KMS failure is tried again."""
        secret_name = self.function_settings.notify_secret_name
        if not secret_name:
            return None
        with self._lock:
            if self._notify is not None:
                return self._notify
        from rampart.errors import RampartError
        from rampart.notify import NotifySetup, is_lasting, parse_config

        try:
            config = parse_config(secret_name, session.adapters.secrets.read(secret_name))
        except RampartError as exc:
            setup = NotifySetup(None, exc)
            if not is_lasting(exc):
                return setup
        else:
            from rampart.notify import Notifier

            setup = NotifySetup(Notifier(config, clock=self.now))
        with self._lock:
            if self._notify is None:
                self._notify = setup
            return self._notify

    @contextlib.contextmanager
    def invocation(self, context: Any, **fields: Any) -> Iterator[str]:
        """JSON logs with the invocation's correlation id (FC's request id) bound; yields it.

        The ``rampart`` logger gets its JSON handler once per process and keeps it: an instance
        is a process, and invocations that overlap in one process (localcloud, tests) must not
        take each other's handler away."""
        request_id = str(getattr(context, "request_id", "") or "") or f"local-{uuid.uuid4().hex[:16]}"
        logger = logging.getLogger("rampart")
        if not any(isinstance(h, logs.JsonLogHandler) for h in logger.handlers):
            logs.configure(cast("IO[str]", _Stderr()))
        with logs.bind(request_id, request_id=request_id, **fields):
            yield request_id
