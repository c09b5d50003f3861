"""Every check of the chaos checker (tools/chaoskit/check.py), and every branch of its
per-person check, reports exactly the violation planted for it (tools/chaoskit/plant.py) and
nothing else; the baseline every plant starts from, each person exactly as the stories expect,
reports nothing. README "Chaos campaign" has the table of plants.

In process against the ``cloud`` fixture (localcloud over HTTP, the official SDKs, root key):
fast, where a whole campaign per plant would take minutes.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from alibabacloud_ims20190815 import models as ims_models
from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_resourcemanager20200331 import models as rm_models
from rampart.model import AccessMode, LifecycleState, Marker
from rampart.naming import PERSON, marker_tags
from rampart.planning import timebound_prefix
from rampart_dev.admin import Admin

from localcloud import LocalCloud
from tools.chaoskit import check
from tools.chaoskit.plant import PLANTS, domain, plant, resource_group, target
from tools.chaoskit.story import Channel, Expected, Final, Person

ARMS_RO, ARMS_FULL = "System:AliyunARMSReadOnlyAccess", "System:AliyunARMSFullAccess"
WHEN = datetime(2026, 11, 28, 9, tzinfo=timezone.utc)
POLICY_DOCUMENT = json.dumps({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "arms:Get*",
                                                             "Resource": "*"}]})


def _person(index: int, final: Final, programmatic: bool, attachments: frozenset[str] = frozenset(),
            timebound: int = 0) -> Expected:
    user = f"chaos.p{index:05d}"
    person = Person(index, f"CH{index:05d}", user, f"{user}@example.com", Channel.HR_GENERIC, "Engineering", "SRE",
                    programmatic)
    return Expected(person, final, attachments, timebound)


PEOPLE = [
    _person(1, Final.ACTIVE, True, frozenset({f"{ARMS_RO}@account", f"{ARMS_RO}@rg"}), timebound=1),
    _person(2, Final.ACTIVE, False, frozenset({f"{ARMS_FULL}@account"})),
    _person(3, Final.DISABLED, True),
    _person(4, Final.DISABLED, False),
    _person(5, Final.GONE, True),
]
"""One of each kind the checks tell apart: active programmatic (account, resource-group and
time-bound grants), active console, disabled programmatic and console, gone."""


def _tags(c: check.Clients, user: str, tags: dict[str, str]) -> None:
    pairs = [ims_models.TagResourcesRequestTag(key=k, value=v) for k, v in tags.items()]
    c.ims.tag_resources(ims_models.TagResourcesRequest(resource_type="user", resource_principal_name=[user], tag=pairs))


def _key(c: check.Clients, user: str, active: bool) -> None:
    key = c.ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name=user)).body.access_key
    value = json.dumps({"AccessKeyId": key.access_key_id, "AccessKeySecret": key.access_key_secret})
    c.kms.create_secret(kms_models.CreateSecretRequest(secret_name=f"rampart/{user}/access-key",
                                                       version_id=str(key.access_key_id), secret_data=value))
    if not active:
        c.ram.update_access_key(ram_models.UpdateAccessKeyRequest(user_name=user, user_access_key_id=key.access_key_id,
                                                                  status="Inactive"))


def _attach(c: check.Clients, user: str, attachment: str) -> None:
    typed, scope = attachment.split("@")
    kind, name = typed.split(":", 1)
    if scope == "account":
        c.ram.attach_policy_to_user(ram_models.AttachPolicyToUserRequest(policy_type=kind, policy_name=name,
                                                                         user_name=user))
        return
    c.rm.attach_policy(rm_models.AttachPolicyRequest(policy_type=kind, policy_name=name, principal_type="IMSUser",
                                                     principal_name=f"{user}@{domain(c)}",
                                                     resource_group_id=resource_group(c)))


def build(c: check.Clients, people: list[Expected]) -> None:
    """Each person exactly as the stories expect at the end of a campaign."""
    for e in people:
        user = e.person.user
        if e.final is Final.GONE:
            continue
        c.ram.create_user(ram_models.CreateUserRequest(user_name=user))
        access = AccessMode.PROGRAMMATIC if e.person.programmatic else AccessMode.CONSOLE
        _tags(c, user, marker_tags(Marker(e.person.person_id, LifecycleState(e.final.value), WHEN, access=access)))
        if e.person.programmatic:
            _key(c, user, active=e.final is Final.ACTIVE)
        if e.final is Final.DISABLED:
            continue
        if not e.person.programmatic:
            c.ram.create_login_profile(ram_models.CreateLoginProfileRequest(user_name=user, password="Chaos-base-1x!"))
        for attachment in e.attachments:
            _attach(c, user, attachment)
        for n in range(e.timebound):
            name = f"{timebound_prefix(user)}{n}"
            c.ram.create_policy(ram_models.CreatePolicyRequest(policy_name=name, policy_document=POLICY_DOCUMENT))
            c.ram.attach_policy_to_user(ram_models.AttachPolicyToUserRequest(policy_type="Custom", policy_name=name,
                                                                             user_name=user))


def findings(cloud: LocalCloud, c: check.Clients, people: list[Expected]) -> dict[str, list[str]]:
    """What each check of the cloud's state reports, by check."""
    info = cloud.info()
    dom = domain(c)
    states = {e.person.user: check.read_user(c, e.person.user, info["account_id"], dom) for e in people}
    history = Admin(cloud.endpoint).call("GET", "/ram/access-key-history")["Users"]
    return {
        "check_people": check.check_people(people, states, check.list_users(c), timebound_prefix),
        "check_escrow": check.check_escrow(states, check.read_secrets(c)),
        "check_key_history": check.check_key_history(history, people),
    }


@pytest.fixture
def clients(cloud: LocalCloud) -> check.Clients:
    info = cloud.info()
    c = check.Clients(info["endpoint"], info["access_key_id"], info["access_key_secret"])
    build(c, PEOPLE)
    return c


def test_the_baseline_is_clean(cloud: LocalCloud, clients: check.Clients) -> None:
    assert findings(cloud, clients, PEOPLE) == {"check_people": [], "check_escrow": [], "check_key_history": []}


def _keys(c: check.Clients, user: str) -> list[str]:
    body = c.ram.list_access_keys(ram_models.ListAccessKeysRequest(user_name=user)).body
    return [str(k.access_key_id) for k in body.access_keys.access_key or []]


def _where(e: Expected) -> str:
    return f"{e.person.user} ({e.person.person_id}, expected {e.final.value})"


def _marker_keys(e: Expected) -> set[str]:
    access = AccessMode.PROGRAMMATIC if e.person.programmatic else AccessMode.CONSOLE
    return set(marker_tags(Marker(e.person.person_id, LifecycleState(e.final.value), WHEN, access=access)))


def expected(what: str, c: check.Clients) -> list[str]:
    """The one violation ``what`` must produce, word for word (after planting)."""
    e = next(p for p in PEOPLE if p.person.user == target(what, PEOPLE))
    user, where = e.person.user, _where(e)
    return {
        "stray-user": lambda: ["unexpected user chaos.stray: no story explains it"],
        "leftover-user": lambda: [f"{where}: the user still exists"],
        "leftover-grant": lambda: [f"{where}: grants left: ['{ARMS_RO}@rg']"],
        "missing-user": lambda: [f"{where}: the user does not exist"],
        "no-marker": lambda: [f"{where}: no rampart marker for this person (tags {sorted(_marker_keys(e) - {PERSON})})"],
        "wrong-state": lambda: [f"{where}: marker state disabled"],
        "disabled-login": lambda: [f"{where}: still has a login profile"],
        "disabled-key": lambda: [f"{where}: an active AccessKey"],
        "disabled-grant": lambda: [f"{where}: grants left attached: ['{ARMS_RO}@account']"],
        "missing-attachment": lambda: [f"{where}: attachments ['{ARMS_RO}@rg'] != expected "
                                       f"{sorted(e.attachments)}"],
        "missing-timebound": lambda: [f"{where}: 0 time-bound grant(s) attached, expected 1"],
        "programmatic-login": lambda: [f"{where}: programmatic, has 1 active key(s), login profile True"],
        "console-key": lambda: [f"{where}: console, has 1 key(s), login profile True"],
        "unescrowed-key": lambda: [f"{user}: AccessKey {_keys(c, user)[0]} is not the ACSCurrent version of a live "
                                   f"rampart/{user}/access-key"],
        "gone-secret": lambda: [f"live secret rampart/{user}/access-key of a user that is gone"],
        "stale-secret": lambda: [f"live secret rampart/{user}/access-key holds key "
                                 f"{check.read_secrets(c)[f'rampart/{user}/access-key'].current}, which does not exist"],
    }[what]()


SINGLE = [name for name in PLANTS if name not in ("orphan-key", "two-keys")]


@pytest.mark.parametrize("what", SINGLE)
def test_each_plant_is_reported_by_its_check_alone(what: str, cloud: LocalCloud, clients: check.Clients) -> None:
    plant(clients, what, PEOPLE)
    found = findings(cloud, clients, PEOPLE)
    want: dict[str, list[str]] = {name: [] for name in found} | {PLANTS[what].check: expected(what, clients)}
    assert found == want


def test_an_orphan_key_is_unescrowed_one_key_too_many_and_a_second_key_held(cloud: LocalCloud, clients: check.Clients) -> None:
    user = plant(clients, "orphan-key", PEOPLE)
    first = next(e for e in PEOPLE if e.person.user == user)
    escrowed = check.read_secrets(clients)[f"rampart/{user}/access-key"].current
    [orphan] = [k for k in _keys(clients, user) if k != escrowed]
    found = findings(cloud, clients, PEOPLE)
    assert found == {
        "check_people": [f"{_where(first)}: programmatic, has 2 active key(s), login profile False"],
        "check_escrow": [f"{user}: AccessKey {orphan} is not the ACSCurrent version of a live rampart/{user}/access-key"],
    } | {"check_key_history": found["check_key_history"]}
    [peak] = found["check_key_history"]
    assert peak.startswith(f"{user} held 2 AccessKeys at once at ") and peak.endswith(orphan)


def test_two_keys_for_a_moment_only_the_key_history_sees(cloud: LocalCloud, clients: check.Clients) -> None:
    user = plant(clients, "two-keys", PEOPLE)
    found = findings(cloud, clients, PEOPLE)
    assert found["check_people"] == [] and found["check_escrow"] == []
    [problem] = found["check_key_history"]
    assert problem.startswith(f"{user} held 2 AccessKeys at once at ")


def test_a_plant_with_nobody_to_plant_on_or_no_such_plant_stops_the_run(clients: check.Clients) -> None:
    with pytest.raises(SystemExit, match="no person to plant 'disabled-key' on"):
        plant(clients, "disabled-key", [e for e in PEOPLE if e.final is not Final.DISABLED])
    with pytest.raises(SystemExit, match="nothing to plant called 'bogus'"):
        plant(clients, "bogus", PEOPLE)


# --- the campaign's guard: a live key must work, or the former-key refusals prove nothing --------


def test_a_live_key_that_is_refused_is_a_violation(cloud: LocalCloud, clients: check.Clients) -> None:
    info = cloud.info()
    user = PEOPLE[0].person.user
    pair = json.loads(str(clients.kms.get_secret_value(
        kms_models.GetSecretValueRequest(secret_name=f"rampart/{user}/access-key")).body.secret_data))
    states = {user: check.read_user(clients, user, info["account_id"], domain(clients))}
    watch = check.KeyWatch(clients, PEOPLE)
    watch.key_secrets[pair["AccessKeyId"]] = (user, pair["AccessKeySecret"])
    assert check.check_live_key(info["endpoint"], watch, states) == []
    watch.key_secrets[pair["AccessKeyId"]] = (user, "not-" + pair["AccessKeySecret"])
    assert check.check_live_key(info["endpoint"], watch, states) == [
        f"a live escrowed key {pair['AccessKeyId']} is refused: the former-key check proves nothing"]
    assert check.check_live_key("http://127.0.0.1:9", watch, states)  # nothing answers: refused too


# --- check_audit: the audit trail's records, each kind removed in turn ---------------------------

TB = f"Custom:{timebound_prefix(PEOPLE[0].person.user)}0@account"
AUDIT_STATES = {
    PEOPLE[0].person.user: check.UserState(True, attachments={f"{ARMS_RO}@account", f"{ARMS_RO}@rg", TB}),
    PEOPLE[1].person.user: check.UserState(True, attachments={f"{ARMS_FULL}@account"}),
    PEOPLE[2].person.user: check.UserState(True),
    PEOPLE[3].person.user: check.UserState(True),
    PEOPLE[4].person.user: check.UserState(False),
}
APPLIED = {"chaos-CH00001-join": "applied", "chaos-CH00005-leave": "applied"}


def audit_rows() -> list[dict[str, str]]:
    """A complete trail for :data:`AUDIT_STATES`: each applied event's record, each user's
    create-user, the removal's delete-user, each attachment's record (one only in the
    write-ahead plan: an instance killed after the step, before its own record)."""
    rows = [{"action": "event", "event_id": event_id, "result": result, "target": ""}
            for event_id, result in APPLIED.items()]
    for e in PEOPLE:
        user = e.person.user
        rows.append({"action": "create-user", "target": user, "result": "ok", "policy": ""})
        if e.final is Final.GONE:
            rows.append({"action": "delete-user", "target": user, "result": "ok", "policy": ""})
    first, second = PEOPLE[0].person.user, PEOPLE[1].person.user
    rows += [
        {"action": "attach-policy", "target": first, "result": "ok", "policy": ARMS_RO},
        {"action": "attach-policy", "target": first, "result": "ok", "policy": TB.split("@")[0].split(":", 1)[1]},
        {"action": "plan", "target": second, "result": "ok", "detail": json.dumps({"steps": [f"attach-policy:{ARMS_FULL}"]})},
        {"action": "attach-policy", "target": second, "result": "error", "policy": ARMS_FULL},
    ]
    return rows


def test_a_complete_audit_trail_is_clean() -> None:
    assert check.check_audit(audit_rows(), APPLIED, PEOPLE, AUDIT_STATES) == []


def _without(rows: list[dict[str, str]], **match: str) -> list[dict[str, str]]:
    kept = [r for r in rows if not all(r.get(k) == v for k, v in match.items())]
    assert len(kept) < len(rows), match
    return kept


def test_each_missing_audit_record_is_reported_alone() -> None:
    rows, first, second, gone = audit_rows(), PEOPLE[0].person.user, PEOPLE[1].person.user, PEOPLE[4].person.user

    def audit(kept: list[dict[str, str]]) -> list[str]:
        return check.check_audit(kept, APPLIED, PEOPLE, AUDIT_STATES)

    assert audit(_without(rows, event_id="chaos-CH00001-join")) == [
        "event chaos-CH00001-join: task reported applied, no SLS event record with that result"]
    wrong = [r | {"result": "stale"} if r.get("event_id") == "chaos-CH00005-leave" else r for r in rows]
    assert audit(wrong) == ["event chaos-CH00005-leave: task reported applied, no SLS event record with that result"]
    assert audit(_without(rows, action="create-user", target=second)) == [f"{second} exists, no create-user audit record"]
    assert audit(_without(rows, action="delete-user", target=gone)) == [
        f"{gone} was removed, no delete-user audit record (has ['create-user'])"]
    assert sorted(audit(_without(rows, action="attach-policy", target=first, policy=ARMS_RO))) == sorted(
        f"{first}: {ARMS_RO}@{scope} attached, no attach audit record for AliyunARMSReadOnlyAccess"
        for scope in ("account", "rg"))
    assert audit(_without(rows, action="plan", target=second)) == [
        f"{second}: {ARMS_FULL}@account attached, no attach audit record for AliyunARMSFullAccess"]


def test_a_removal_without_its_leaver_certificate_is_named() -> None:
    gone = PEOPLE[4].person.user
    assert check.missing_certificates(audit_rows(), PEOPLE) == [gone]
    certified = [*audit_rows(), {"action": "leaver-certificate", "target": gone, "result": "ok"}]
    assert check.missing_certificates(certified, PEOPLE) == []
