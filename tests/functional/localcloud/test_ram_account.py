"""The account alias: its rules, and the default domain that follows it."""

from __future__ import annotations

import pytest
from alibabacloud_ram20150501 import models as m
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud


def test_alias_defaults_to_the_account_id(cloud: LocalCloud, ram: Ram) -> None:
    assert ram.get_account_alias().body.account_alias == cloud.account.account_id


def test_set_alias_changes_alias_and_default_domain(cloud: LocalCloud, ram: Ram) -> None:
    original = cloud.account.alias
    try:
        ram.set_account_alias(m.SetAccountAliasRequest(account_alias="my-corp"))
        assert ram.get_account_alias().body.account_alias == "my-corp"
        assert cloud.account.default_domain == "my-corp.onaliyun.com"
    finally:
        cloud.state.account.alias = original


def test_clear_alias_falls_back_to_the_account_id(cloud: LocalCloud, ram: Ram) -> None:
    original = cloud.account.alias
    try:
        ram.set_account_alias(m.SetAccountAliasRequest(account_alias="my-corp"))
        ram.clear_account_alias()
        assert ram.get_account_alias().body.account_alias == cloud.account.account_id
    finally:
        cloud.state.account.alias = original


@pytest.mark.parametrize(("alias", "code"), [
    ("ab", "InvalidParameter.AccountAlias.Length"),
    ("a" * 33, "InvalidParameter.AccountAlias.Length"),
    ("MyCorp", "InvalidParameter.AccountAlias.Format"),
    ("-corp", "InvalidParameter.AccountAlias.Format"),
    ("corp-", "InvalidParameter.AccountAlias.Format"),
    ("my--corp", "InvalidParameter.AccountAlias.Format"),
    ("my_corp", "InvalidParameter.AccountAlias.Format"),
])
def test_alias_rules(ram: Ram, alias: str, code: str) -> None:
    with pytest.raises(ClientException) as info:
        ram.set_account_alias(m.SetAccountAliasRequest(account_alias=alias))
    assert (info.value.code, info.value.status_code) == (code, 400)
