"""The chaos campaign's checks: the cloud read back with the official SDKs and root credentials
(no rampart adapter: rampart is not judged by its own eyes), against what the stories say.

- :class:`KeyWatch` runs during the campaign: it samples every programmatic person's
  ``ListAccessKeys`` and reads each person's escrowed values from KMS as they appear
  (AccessKey pairs, initial passwords), for the secret scan and the "former keys are refused"
  check (a key that lived for less than a sampling round is not tried with its secret);
- :func:`check_key_history`: no user ever held two keys, from localcloud's exact record of
  every key ever created and deleted (``GET /_localcloud/ram/access-key-history``);
- :func:`check_people`: each person's final state, and no user the stories do not explain;
- :func:`check_escrow`: every AccessKey is the ACSCurrent version of its user's live
  ``rampart/<user>/access-key`` secret (rampart.naming), and no live secret holds a key that is
  gone or belongs to a user that is gone (secrets pending deletion are in their recovery window);
- :func:`check_former_keys`: every key a leaver ever held is refused (STS GetCallerIdentity);
- :func:`check_live_key`: and a key still live works, so those refusals mean something;
- :func:`check_audit`: every applied event and every RAM change left on record has its SLS record;
- the secret scans: tools/chaoskit/scan.py.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from alibabacloud_ims20190815 import models as ims_models
from alibabacloud_ims20190815.client import Client as Ims
from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_kms20160120.client import Client as Kms
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_resourcemanager20200331 import models as rm_models
from alibabacloud_resourcemanager20200331.client import Client as Rm
from alibabacloud_sts20150401.client import Client as Sts
from alibabacloud_tea_openapi.models import Config
from rampart.naming import marker_from_tags

from tools.chaoskit.story import Expected, Final

REFUSED_KEY_CODES = ("InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive")
SAMPLE_PAUSE_S = 0.02


def config(endpoint: str, key_id: str, secret: str) -> Config:
    return Config(access_key_id=key_id, access_key_secret=secret, endpoint=endpoint, protocol="http",
                  region_id="cn-hangzhou", read_timeout=30000, connect_timeout=5000)


class Clients:
    """The official SDK clients on root credentials."""

    def __init__(self, endpoint: str, key_id: str, secret: str) -> None:
        self.endpoint = endpoint
        cfg = config(endpoint, key_id, secret)
        self.ram, self.ims, self.kms, self.rm = Ram(cfg), Ims(cfg), Kms(cfg), Rm(cfg)


@dataclass
class UserState:
    exists: bool
    tags: dict[str, str] = field(default_factory=dict)
    keys: dict[str, bool] = field(default_factory=dict)
    """AccessKeyId -> active."""
    attachments: set[str] = field(default_factory=set)
    login_profile: bool = False


@dataclass
class SecretState:
    name: str
    pending: bool
    current: str
    """The ACSCurrent VersionId."""


# --- during the run ---------------------------------------------------------------------------


class KeyWatch:
    """Samples keys and collects escrowed values while the campaign runs (module docstring)."""

    def __init__(self, clients: Clients, people: Sequence[Expected]) -> None:
        self._c = clients
        self._people = people
        self.key_secrets: dict[str, tuple[str, str]] = {}
        """AccessKeyId -> (user, secret)."""
        self.values: set[str] = set()
        self.rounds = 0
        self._passwords: set[str] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="chaos-keywatch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
        self.sample()  # one last full round, faults off by now

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_PAUSE_S):
            self.sample()

    def sample(self) -> None:
        for expected in self._people:
            user = expected.person.user
            try:
                if expected.person.programmatic:
                    self._keys(user)
                elif user not in self._passwords:
                    self._password(user)
            except Exception:  # noqa: S112 - injected faults and missing users: sample again next round
                continue
        self.rounds += 1

    def _keys(self, user: str) -> None:
        body = self._c.ram.list_access_keys(ram_models.ListAccessKeysRequest(user_name=user)).body
        keys = [str(k.access_key_id) for k in body.access_keys.access_key or []]
        if any(k not in self.key_secrets for k in keys):
            value = self._read(f"rampart/{user}/access-key")
            pair = json.loads(value)
            self.key_secrets[str(pair["AccessKeyId"])] = (user, str(pair["AccessKeySecret"]))
            self.values.add(str(pair["AccessKeySecret"]))

    def _password(self, user: str) -> None:
        self.values.add(self._read(f"rampart/{user}/console-password"))
        self._passwords.add(user)

    def _read(self, name: str) -> str:
        return str(self._c.kms.get_secret_value(kms_models.GetSecretValueRequest(secret_name=name)).body.secret_data)


# --- reading the cloud back ------------------------------------------------------------------


def _ok(call: Any) -> Any:
    try:
        return call()
    except Exception as exc:
        code = str(getattr(exc, "code", ""))
        if "NotExist" in code or "NotFound" in code:
            return None
        raise


def list_users(c: Clients) -> list[str]:
    names: list[str] = []
    marker: str | None = None
    while True:
        body = c.ram.list_users(ram_models.ListUsersRequest(max_items=1000, marker=marker)).body
        names += [str(u.user_name) for u in body.users.user or []]
        if not body.is_truncated:
            return names
        marker = body.marker


def read_user(c: Clients, user: str, account_id: str, domain: str) -> UserState:
    if _ok(lambda: c.ram.get_user(ram_models.GetUserRequest(user_name=user))) is None:
        return UserState(False, attachments=_rm_grants(c, user, account_id, domain))
    keys = c.ram.list_access_keys(ram_models.ListAccessKeysRequest(user_name=user)).body.access_keys.access_key or []
    policies = c.ram.list_policies_for_user(ram_models.ListPoliciesForUserRequest(user_name=user)).body.policies.policy or []
    login = _ok(lambda: c.ram.get_login_profile(ram_models.GetLoginProfileRequest(user_name=user))) is not None
    rows = c.ims.list_tag_resources(ims_models.ListTagResourcesRequest(
        resource_type="user", resource_principal_name=[user], page_size=100)).body.tag_resources.tag_resource or []
    return UserState(
        True,
        tags={str(r.tag_key): str(r.tag_value or "") for r in rows},
        keys={str(k.access_key_id): k.status == "Active" for k in keys},
        attachments={f"{p.policy_type}:{p.policy_name}@account" for p in policies} | _rm_grants(c, user, account_id, domain),
        login_profile=login,
    )


def _rm_grants(c: Clients, user: str, account_id: str, domain: str) -> set[str]:
    body = c.rm.list_policy_attachments(rm_models.ListPolicyAttachmentsRequest(
        principal_type="IMSUser", principal_name=f"{user}@{domain}", page_size=100)).body
    rows = body.policy_attachments.policy_attachment or []
    return {f"{a.policy_type}:{a.policy_name}@rg" for a in rows if a.resource_group_id != account_id}


def read_secrets(c: Clients, prefix: str = "rampart/") -> dict[str, SecretState]:
    out: dict[str, SecretState] = {}
    page = 1
    while True:
        body = c.kms.list_secrets(kms_models.ListSecretsRequest(page_size=100, page_number=page)).body
        items = body.secret_list.secret or []
        for item in items:
            name = str(item.secret_name)
            if not name.startswith(prefix):
                continue
            described = c.kms.describe_secret(kms_models.DescribeSecretRequest(secret_name=name)).body
            versions = c.kms.list_secret_version_ids(kms_models.ListSecretVersionIdsRequest(secret_name=name)).body
            current = next((str(v.version_id) for v in versions.version_ids.version_id or []
                            if "ACSCurrent" in (v.version_stages.version_stage or [])), "")
            out[name] = SecretState(name, bool(described.planned_delete_time), current)
        if len(items) < 100:
            return out
        page += 1


# --- the checks -------------------------------------------------------------------------------


def check_people(people: Sequence[Expected], states: Mapping[str, UserState], all_users: Iterable[str],
                 timebound_prefix: Any) -> list[str]:
    problems: list[str] = []
    known = {e.person.user for e in people}
    for user in sorted(set(all_users) - known):
        if user.startswith("chaos."):
            problems.append(f"unexpected user {user}: no story explains it")
    for e in people:
        user, state = e.person.user, states[e.person.user]
        where = f"{user} ({e.person.person_id}, expected {e.final.value})"
        tb = {a for a in state.attachments if a.startswith(f"Custom:{timebound_prefix(user)}")}
        if e.final is Final.GONE:
            if state.exists:
                problems.append(f"{where}: the user still exists")
            if state.attachments:
                problems.append(f"{where}: grants left: {sorted(state.attachments)}")
            continue
        if not state.exists:
            problems.append(f"{where}: the user does not exist")
            continue
        marker = marker_from_tags(state.tags)
        if marker is None or marker.person_id != e.person.person_id:
            problems.append(f"{where}: no rampart marker for this person (tags {sorted(state.tags)})")
        elif marker.state.value != e.final.value:
            problems.append(f"{where}: marker state {marker.state.value}")
        if e.final is Final.DISABLED:
            if state.login_profile:
                problems.append(f"{where}: still has a login profile")
            if any(state.keys.values()):
                problems.append(f"{where}: an active AccessKey")
            if state.attachments:
                problems.append(f"{where}: grants left attached: {sorted(state.attachments)}")
            continue
        permanent = state.attachments - tb
        if permanent != e.attachments:
            problems.append(f"{where}: attachments {sorted(permanent)} != expected {sorted(e.attachments)}")
        if len(tb) != e.timebound:
            problems.append(f"{where}: {len(tb)} time-bound grant(s) attached, expected {e.timebound}")
        active = [k for k, on in state.keys.items() if on]
        if e.person.programmatic and (len(active) != 1 or state.login_profile):
            problems.append(f"{where}: programmatic, has {len(active)} active key(s), login profile {state.login_profile}")
        if not e.person.programmatic and (state.keys or not state.login_profile):
            problems.append(f"{where}: console, has {len(state.keys)} key(s), login profile {state.login_profile}")
    return problems


def check_escrow(states: Mapping[str, UserState], secrets: Mapping[str, SecretState]) -> list[str]:
    problems: list[str] = []
    for user, state in states.items():
        escrow = secrets.get(f"rampart/{user}/access-key")
        current = escrow.current if escrow is not None and not escrow.pending else ""
        for key in state.keys:
            if key != current:
                problems.append(f"{user}: AccessKey {key} is not the ACSCurrent version of a live rampart/{user}/access-key")
    for name, secret in secrets.items():
        if secret.pending:
            continue
        user = name.split("/")[1] if name.count("/") >= 2 else ""
        found = states.get(user)
        if found is None:
            continue  # not one of the campaign's users
        state = found
        if not state.exists:
            problems.append(f"live secret {name} of a user that is gone")
        elif name.endswith("/access-key") and secret.current not in state.keys:
            problems.append(f"live secret {name} holds key {secret.current}, which does not exist")
    return problems


def check_key_history(history: Sequence[Mapping[str, Any]], people: Sequence[Expected]) -> list[str]:
    """No person's user ever held two AccessKeys at once. ``history``: localcloud's record of
    every key each user ever had (``GET /_localcloud/ram/access-key-history``), kept by
    localcloud at every CreateAccessKey: exact, where sampling ListAccessKeys could miss a
    second key that lived for less than a sampling round."""
    users = {e.person.user for e in people}
    return [f"{h['UserName']} held {h['Peak']} AccessKeys at once at {h['PeakAt']}: {', '.join(h['PeakKeys'])}"
            for h in history if h.get("UserName") in users and int(h.get("Peak") or 0) > 1]


def check_former_keys(endpoint: str, people: Sequence[Expected], watch: KeyWatch) -> tuple[list[str], int]:
    """Every key seen for a person who left must be refused; one active key of a person who
    stays must work (the check is not vacuous). Returns (problems, keys tried)."""
    problems: list[str] = []
    final = {e.person.user: e.final for e in people}
    tried = 0
    for key_id, (user, secret) in sorted(watch.key_secrets.items()):
        tried += 1
        code = _caller_code(endpoint, key_id, secret)
        if final.get(user) in (Final.GONE, Final.DISABLED) and code not in REFUSED_KEY_CODES:
            problems.append(f"{user} left, but its former key {key_id} is {code if code else 'accepted'}")
    return problems, tried


def check_live_key(endpoint: str, watch: KeyWatch, states: Mapping[str, UserState]) -> list[str]:
    """The first key seen during the run that is still active must work with its escrowed
    secret: were every key refused (a wrong endpoint, a broken signature), every former key
    would be refused too and :func:`check_former_keys` would prove nothing."""
    live = [(k, s) for k, (u, s) in sorted(watch.key_secrets.items()) if u in states and states[u].keys.get(k)]
    if live and _caller_code(endpoint, *live[0]) != "":
        return [f"a live escrowed key {live[0][0]} is refused: the former-key check proves nothing"]
    return []


def _caller_code(endpoint: str, key_id: str, secret: str) -> str:
    try:
        Sts(config(endpoint, key_id, secret)).get_caller_identity()
    except Exception as exc:
        return str(getattr(exc, "code", type(exc).__name__))
    return ""


def audited_steps(rows: Sequence[Mapping[str, str]]) -> dict[str, set[str]]:
    """Target -> ``action|policy`` of every step on record: its own ``ok`` record, or the
    write-ahead ``plan`` record that listed it before it was made (an instance killed between a
    step and that step's record leaves only the plan)."""
    by_target: dict[str, set[str]] = {}
    for row in rows:
        target = by_target.setdefault(row.get("target", ""), set())
        if row.get("action") == "plan":
            try:
                steps = json.loads(row.get("detail") or "{}").get("steps", [])
            except (ValueError, AttributeError):
                steps = []
            target |= {"|".join(str(step).split(":", 1)) if ":" in str(step) else f"{step}|" for step in steps}
        elif row.get("result") == "ok":
            target.add(f"{row.get('action')}|{row.get('policy', '')}")
    return by_target


def check_audit(rows: Sequence[Mapping[str, str]], applied: Mapping[str, str], people: Sequence[Expected],
                states: Mapping[str, UserState]) -> list[str]:
    """``applied``: event id -> the result a lifecycle task reported for it. Each needs its
    ``event`` record with that result; each user that exists its ``create-user``; each person
    removed its ``delete-user``; each attachment its ``attach-policy`` (:func:`audited_steps`)."""
    problems: list[str] = []
    outcomes: dict[str, set[str]] = {}
    for row in rows:
        if row.get("action") == "event":
            outcomes.setdefault(row.get("event_id", ""), set()).add(row.get("result", ""))
    by_target = audited_steps(rows)
    for event_id, result in sorted(applied.items()):
        if result not in outcomes.get(event_id, set()):
            problems.append(f"event {event_id}: task reported {result}, no SLS event record with that result")
    for e in people:
        user, state = e.person.user, states[e.person.user]
        actions = by_target.get(user, set())
        names = {a.split("|", 1)[0] for a in actions}
        if state.exists and "create-user" not in names:
            problems.append(f"{user} exists, no create-user audit record")
        if e.final is Final.GONE and "delete-user" not in names:
            problems.append(f"{user} was removed, no delete-user audit record (has {sorted(names)})")
        for attachment in state.attachments:
            typed = attachment.split("@")[0]
            policy = typed.split(":", 1)[1]
            if not any(a.startswith("attach-policy|") and a.split("|", 1)[1] in (typed, policy) for a in actions):
                problems.append(f"{user}: {attachment} attached, no attach audit record for {policy}")
    return problems


def missing_certificates(rows: Sequence[Mapping[str, str]], people: Sequence[Expected]) -> list[str]:
    """Removed people without a ``leaver-certificate`` (the read-back after the teardown): an
    instance killed between DeleteUser and the read-back leaves none, and nothing writes it later."""
    certified = {row.get("target", "") for row in rows if row.get("action") == "leaver-certificate"}
    return sorted(e.person.user for e in people if e.final is Final.GONE and e.person.user not in certified)
