"""A console joiner's initial password is escrowed in KMS before it is set (README "The
AccessKey secret has one road"; rampart.engine._apply): whatever KMS does, refuse, fail with
5xx or apply a write and drop the answer, RAM never holds a login profile whose password is not
the ACSCurrent value of ``rampart/<user>/console-password``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_kms20160120.client import Client as Kms
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException
from rampart.model import AuditResult
from rampart_dev.admin import Admin

from localcloud import LocalCloud
from tests.functional.rampart.types import EngineBuilder, EventFactory, ExampleCatalog

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
USER = "carol.jones"
SECRET = f"rampart/{USER}/console-password"
PERSON = {"person_id": "E2001", "display_name": "Carol Jones", "email": "carol.jones@example.com",
          "attributes": {"department": "Engineering", "title": "SRE"}, "manager": "bob"}

FAULTS: dict[str, list[dict[str, Any]]] = {
    "refused": [{"kind": "error", "action": "CreateSecret", "code": "Forbidden.NoPermission", "status": 403,
                 "count": 1}],
    "5xx past every retry": [{"kind": "error", "action": "*", "count": 50}],
    "5xx then through": [{"kind": "error", "action": "CreateSecret", "count": 2}],
    "applied, answer dropped once": [{"kind": "drop", "action": "CreateSecret", "count": 1}],
    "applied, answer dropped every time": [{"kind": "drop", "action": "*", "count": 50}],
}
"""KMS faults during the joiner (localcloud ``/_localcloud/faults``, service kms)."""


def login_profile(cloud: LocalCloud) -> bool:
    try:
        Ram(cloud.config()).get_login_profile(ram_models.GetLoginProfileRequest(user_name=USER))
    except ClientException as exc:
        assert exc.code == "EntityNotExist.User.LoginProfile", exc.code
        return False
    return True


def escrowed(cloud: LocalCloud) -> str | None:
    try:
        body = Kms(cloud.config()).get_secret_value(kms_models.GetSecretValueRequest(secret_name=SECRET)).body
    except ClientException as exc:
        assert exc.code == "Forbidden.ResourceNotFound", exc.code
        return None
    return str(body.secret_data)


def assert_no_unescrowed_password(cloud: LocalCloud) -> bool:
    """A login profile, if any, has the escrowed password; True when there is one.

    localcloud keeps every console password RAM was ever given (``POST
    /_localcloud/secrets/scan`` counts them and finds them in a text, naming only kind and
    owner): one in all, and it is the escrowed value, so the live password is escrowed."""
    scan = Admin(cloud.endpoint).call("POST", "/secrets/scan", {"texts": {"KMS": escrowed(cloud) or ""}})
    given = scan["issued"].get("ram-console-password", 0)
    if not login_profile(cloud):
        assert given == 0, "a password was set on a login profile that is gone"
        return False
    assert escrowed(cloud) is not None, "a login profile whose password is not in KMS"
    assert given == 1, f"{given} passwords set for one joiner"
    assert [(f["kind"], f["owner"]) for f in scan["found"]] == [("ram-console-password", f"user {USER}")], \
        "the login profile's password is not the escrowed one"
    return True


@pytest.mark.parametrize("fault", list(FAULTS))
def test_kms_failing_during_a_console_joiner_leaves_no_unescrowed_password(cloud: LocalCloud, fault: str, build_engine: EngineBuilder, event: EventFactory, example_catalog: ExampleCatalog) -> None:
    cloud.clock_set(T0)
    engine = build_engine(example_catalog())
    for rule in FAULTS[fault]:
        cloud.faults.add("kms", **rule)
    result = engine.handle(event("joiner", "j-1", T0, person_id="E2001", person=PERSON))
    assert {e.service for e in cloud.faults.log()} == {"kms"}, "no KMS fault fired"
    cloud.faults.clear()  # read the outcome back undisturbed
    has_profile = assert_no_unescrowed_password(cloud)
    through = fault in ("5xx then through", "applied, answer dropped once")
    assert has_profile is through and (result.result is AuditResult.OK) is through, result.as_dict()
    again = engine.handle(event("joiner", "j-1", T0, person_id="E2001", person=PERSON))
    assert again.result in (AuditResult.OK, AuditResult.NOOP), again.as_dict()
    assert assert_no_unescrowed_password(cloud)  # the redelivery finishes the joiner, escrow first
