"""Run by tests/e2e/test_layer.py as ``python -S -B -c <this source>`` with only the built layer on
``PYTHONPATH``: imports every SDK rampart uses and makes one call of each against localcloud.

Standard library and the layer only (no repo path, no site-packages). The job is one JSON object
on stdin (localcloud's ``info()``); the last stdout line is one JSON object: per SDK, the file
its package came from and what the call answered (a value, or the cloud's error code: an error
localcloud answered proves the request was signed, sent and parsed as well as a value does).
"""

from __future__ import annotations

import json
import sys
from typing import Any


def tea_call(call: Any) -> str:
    from Tea.exceptions import TeaException

    try:
        return "ok: " + str(call())[:0] + "answered"
    except TeaException as exc:
        return f"error {exc.code}"


def main() -> None:
    job = json.loads(sys.stdin.read())
    from alibabacloud_tea_openapi.models import Config

    config = Config(access_key_id=job["access_key_id"], access_key_secret=job["access_key_secret"],
                    endpoint=job["endpoint"], protocol="http", region_id=job["region"])
    out: dict[str, Any] = {}

    from alibabacloud_ram20150501 import models as ram_models
    from alibabacloud_ram20150501.client import Client as Ram

    ram = Ram(config)
    ram.create_user(ram_models.CreateUserRequest(user_name="layer-smoke"))
    out["alibabacloud_ram20150501"] = ram.get_user(ram_models.GetUserRequest(user_name="layer-smoke")).body.user.user_name

    from alibabacloud_ims20190815.client import Client as Ims

    out["alibabacloud_ims20190815"] = Ims(config).get_default_domain().body.default_domain_name

    from alibabacloud_kms20160120 import models as kms_models
    from alibabacloud_kms20160120.client import Client as Kms

    kms = Kms(config)
    kms.create_secret(kms_models.CreateSecretRequest(secret_name="layer-smoke", secret_data="x", version_id="v1"))
    out["alibabacloud_kms20160120"] = [s.secret_name for s in kms.list_secrets(
        kms_models.ListSecretsRequest()).body.secret_list.secret]

    from alibabacloud_resourcemanager20200331 import models as rm_models
    from alibabacloud_resourcemanager20200331.client import Client as ResourceManager

    out["alibabacloud_resourcemanager20200331"] = tea_call(lambda: ResourceManager(config).get_resource_group(
        rm_models.GetResourceGroupRequest(resource_group_id="rg-layer-smoke")))

    from alibabacloud_sts20150401.client import Client as Sts

    out["alibabacloud_sts20150401"] = Sts(config).get_caller_identity().body.account_id

    from alibabacloud_fc20230330 import models as fc3_models
    from alibabacloud_fc20230330.client import Client as Fc3

    out["alibabacloud_fc20230330"] = tea_call(lambda: Fc3(config).invoke_function(
        "layer-smoke", fc3_models.InvokeFunctionRequest(body=b"{}")))

    from alibabacloud_fc_open20210406 import models as fc2_models
    from alibabacloud_fc_open20210406.client import Client as Fc2

    fc2_config = Config(access_key_id=job["access_key_id"], access_key_secret=job["access_key_secret"],
                        endpoint=job["endpoint"], protocol="http", region_id=job["region"])
    out["alibabacloud_fc_open20210406"] = tea_call(lambda: Fc2(fc2_config).invoke_function(
        "layer-smoke", "layer-smoke", fc2_models.InvokeFunctionRequest(body=b"{}")))

    from aliyun.log import LogClient

    # Any: the SDK annotates only part of LogClient (get_projectname has no annotations) and
    # ``_isRowIp`` is a private attribute its constructor sets.
    log: Any = LogClient(f"http://{job['endpoint']}", job["access_key_id"], job["access_key_secret"], source="smoke")
    log._isRowIp = True  # an IP endpoint: the project in the path, not the host (rampart/adapters/sls.py)
    log.create_project("layer-smoke", "the layer smoke test")
    out["aliyun"] = log.get_project("layer-smoke").get_projectname()

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    out["cryptography"] = len(AESGCM(bytes(32)).encrypt(bytes(12), b"x", None))
    import marshmallow

    out["marshmallow"] = marshmallow.Schema.from_dict({"a": marshmallow.fields.Int()})().load({"a": "1"})["a"]
    files = {name: getattr(sys.modules[name], "__file__", None) for name in out}
    top = sorted({m.split(".", 1)[0] for m in sys.modules})
    print(json.dumps({"calls": out, "files": files, "modules": top, "path": sys.path, "prefix": sys.base_prefix}, default=str))


main()
