"""`make demo`: start localcloud and walk one joiner through it with the official SDKs.

For now (issue #2) the "main job" is the escrow path rampart is built around: create a
RAM user, create its AccessKey, put the secret straight into KMS Secrets Manager, prove
the key works, and show what was done without ever printing the secret.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_kms20160120.client import Client as Kms
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_sts20150401.client import Client as Sts
from alibabacloud_tea_openapi.models import Config

REPO = Path(__file__).resolve().parents[1]


def config(info: dict[str, str], ak: str | None = None, sk: str | None = None) -> Config:
    return Config(access_key_id=ak or info["access_key_id"], access_key_secret=sk or info["access_key_secret"],
                  endpoint=info["endpoint"], protocol="http", region_id=info["region"])


def main() -> int:
    server = subprocess.Popen([sys.executable, "-m", "localcloud", "serve"], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        print(f"localcloud is up at {info['endpoint']} (account {info['account_id']}, region {info['region']})")
        ram, kms = Ram(config(info)), Kms(config(info))

        user = ram.create_user(ram_models.CreateUserRequest(user_name="alice.smith", display_name="Alice Smith")).body.user
        print(f"1. created RAM user {user.user_name} (id {user.user_id})")
        ram.attach_policy_to_user(ram_models.AttachPolicyToUserRequest(
            policy_type="System", policy_name="AliyunARMSReadOnlyAccess", user_name=user.user_name))
        print("2. attached AliyunARMSReadOnlyAccess")

        key = ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name=user.user_name)).body.access_key
        secret_name = f"rampart/ak/{user.user_name}/{key.access_key_id}"
        kms.create_secret(kms_models.CreateSecretRequest(
            secret_name=secret_name, version_id="v1",
            secret_data=json.dumps({"AccessKeyId": key.access_key_id, "AccessKeySecret": key.access_key_secret}),
            tags=json.dumps([{"TagKey": "rampart:person", "TagValue": user.user_name}]),
        ))
        who = Sts(config(info, key.access_key_id, key.access_key_secret)).get_caller_identity().body.arn
        del key  # the secret's only road was RAM -> KMS; nothing else keeps it
        print(f"3. created AccessKey {secret_name.rsplit('/', 1)[1]} and escrowed its secret in KMS as {secret_name}")
        print(f"4. the key works: localcloud says it is {who}")

        stored = kms.get_secret_value(kms_models.GetSecretValueRequest(secret_name=secret_name)).body
        escrowed = json.loads(stored.secret_data)
        print(f"5. KMS holds version {stored.version_id} {stored.version_stages.version_stage} "
              f"for AccessKey {escrowed['AccessKeyId']} (secret not shown)")
        decision = ram.list_policies_for_user(ram_models.ListPoliciesForUserRequest(user_name=user.user_name))
        names = [p.policy_name for p in decision.body.policies.policy]
        print(f"done: {user.user_name} has policies {names} and one escrowed AccessKey")
        return 0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
