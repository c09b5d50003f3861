"""RAM under 16 concurrent clients: every create lands once, and the 2-key limit holds exactly."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from alibabacloud_ram20150501 import models as m
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud

THREADS = 16
USERS_PER_THREAD = 8


def test_concurrent_users_and_keys_have_exact_counts(cloud: LocalCloud, ram: Ram) -> None:
    ram.create_user(m.CreateUserRequest(user_name="shared"))

    def worker(index: int) -> tuple[int, list[str]]:
        client = Ram(cloud.config())
        created = 0
        for n in range(USERS_PER_THREAD):
            name = f"t{index}-u{n}"
            client.create_user(m.CreateUserRequest(user_name=name))
            client.create_access_key(m.CreateAccessKeyRequest(user_name=name))
            created += 1
        refusals: list[str] = []
        for _ in range(2):
            try:
                client.create_access_key(m.CreateAccessKeyRequest(user_name="shared"))
            except ClientException as exc:
                refusals.append(exc.code)
        return created, refusals

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(worker, range(THREADS)))

    assert sum(created for created, _ in results) == THREADS * USERS_PER_THREAD
    refusals = [code for _, codes in results for code in codes]
    assert refusals == ["LimitExceeded.User.AccessKey"] * (THREADS * 2 - 2)

    names: list[str] = []
    marker = None
    while True:
        body = ram.list_users(m.ListUsersRequest(max_items=50, marker=marker)).body
        names += [u.user_name for u in body.users.user]
        if not body.is_truncated:
            break
        marker = body.marker
    assert len(names) == len(set(names)) == THREADS * USERS_PER_THREAD + 1
    shared = ram.list_access_keys(m.ListAccessKeysRequest(user_name="shared")).body.access_keys.access_key
    assert len(shared) == 2
    key_ids = {k.access_key_id for k in shared}
    for name in names:
        keys = ram.list_access_keys(m.ListAccessKeysRequest(user_name=name)).body.access_keys.access_key
        key_ids |= {k.access_key_id for k in keys}
    assert len(key_ids) == THREADS * USERS_PER_THREAD + 2
