"""IMS (2019-08-15) through the official SDK: RAM user tags and the default domain."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from alibabacloud_ims20190815 import models as ims_models
from alibabacloud_ims20190815.client import Client as ImsClient
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_resourcemanager20200331 import models as rm_models
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud
from tests.functional.localcloud.types import MakeUser


@pytest.fixture(autouse=True)
def _restore_alias(cloud: LocalCloud) -> Iterator[None]:
    """SetDefaultDomain changes the account, which outlives ``cloud.reset()``."""
    alias = cloud.account.alias
    yield
    cloud.state.account.alias = alias


def _error(call: Callable[[], Any]) -> ClientException:
    with pytest.raises(ClientException) as info:
        call()
    return info.value


def _user(ram: Any, name: str = "alice") -> str:
    """Creates a RAM user; returns its UserId."""
    return str(ram.create_user(ram_models.CreateUserRequest(user_name=name)).body.user.user_id)


def _tag(ims: Any, tags: dict[str, str], *, ids: list[str] | None = None, names: list[str] | None = None,
         resource_type: str = "user") -> Any:
    return ims.tag_resources(ims_models.TagResourcesRequest(
        resource_type=resource_type, resource_id=ids, resource_principal_name=names,
        tag=[ims_models.TagResourcesRequestTag(key=k, value=v) for k, v in tags.items()] or None,
    ))


def _untag(ims: Any, *, ids: list[str] | None = None, names: list[str] | None = None,
           keys: list[str] | None = None, all_tags: bool | None = None) -> Any:
    return ims.untag_resources(ims_models.UntagResourcesRequest(
        resource_type="user", resource_id=ids, resource_principal_name=names, tag_key=keys, all=all_tags))


def _list(ims: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("resource_type", "user")
    return ims.list_tag_resources(ims_models.ListTagResourcesRequest(**kwargs)).body


def _rows(body: Any) -> list[tuple[str, str, str]]:
    return [(r.resource_id, r.tag_key, r.tag_value) for r in body.tag_resources.tag_resource]


# --- TagResources ------------------------------------------------------------------------


def test_tag_resources_by_user_id_is_listed(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    _tag(ims, {"rampart:person": "p-42", "team": "sec"}, ids=[user_id])
    body = _list(ims, resource_id=[user_id])
    assert _rows(body) == [(user_id, "rampart:person", "p-42"), (user_id, "team", "sec")]
    assert body.tag_resources.tag_resource[0].resource_type == "user"
    assert (body.is_truncated, body.next_token) == (False, None)


def test_tag_resources_by_user_name_tags_that_user(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    _tag(ims, {"team": "sec"}, names=["alice"])
    assert _rows(_list(ims, resource_principal_name=["alice"])) == [(user_id, "team", "sec")]


def test_tag_resources_accepts_the_logon_name_with_the_default_domain(cloud: LocalCloud, ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    _tag(ims, {"team": "sec"}, names=[f"alice@{cloud.account.default_domain}"])
    assert _rows(_list(ims, resource_id=[user_id])) == [(user_id, "team", "sec")]


def test_tag_resources_with_another_domain_is_entity_not_exist(ims: Any, ram: Any) -> None:
    _user(ram)
    error = _error(lambda: _tag(ims, {"team": "sec"}, names=["alice@other.onaliyun.com"]))
    assert (error.code, error.status_code) == ("EntityNotExist.User", 404)


def test_tag_resources_overwrites_an_existing_key(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    _tag(ims, {"team": "sec", "site": "hz"}, ids=[user_id])
    _tag(ims, {"team": "ops"}, ids=[user_id])
    assert _rows(_list(ims, resource_id=[user_id])) == [(user_id, "team", "ops"), (user_id, "site", "hz")]


def test_tag_resources_accepts_an_empty_value(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    _tag(ims, {"flag": ""}, ids=[user_id])
    assert _rows(_list(ims, resource_id=[user_id])) == [(user_id, "flag", "")]


def test_tag_resources_tags_several_users_at_once(ims: Any, ram: Any) -> None:
    alice, bob = _user(ram, "alice"), _user(ram, "bob")
    _tag(ims, {"team": "sec"}, ids=[alice, bob])
    assert _rows(_list(ims)) == [(alice, "team", "sec"), (bob, "team", "sec")]


def test_tag_resources_allows_twenty_tags_per_user(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    _tag(ims, {f"k{n}": "v" for n in range(20)}, ids=[user_id])
    assert len(_rows(_list(ims, resource_id=[user_id]))) == 20


def test_tag_resources_beyond_twenty_tags_per_user_is_limit_exceeded(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    _tag(ims, {f"k{n}": "v" for n in range(20)}, ids=[user_id])
    error = _error(lambda: _tag(ims, {"k20": "v"}, ids=[user_id]))
    assert (error.code, error.status_code) == ("LimitExceeded.User.Tag", 409)


def test_tag_resources_is_all_or_nothing_across_users(ims: Any, ram: Any) -> None:
    full, empty = _user(ram, "full"), _user(ram, "empty")
    _tag(ims, {f"k{n}": "v" for n in range(20)}, ids=[full])
    _error(lambda: _tag(ims, {"extra": "v"}, ids=[empty, full]))
    assert _rows(_list(ims, resource_id=[empty])) == []


def test_tag_resources_with_more_than_twenty_tags_in_a_request_is_number_exceed(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    error = _error(lambda: _tag(ims, {f"k{n}": "v" for n in range(21)}, ids=[user_id]))
    assert (error.code, error.status_code) == ("NumberExceed.Tags", 400)


@pytest.mark.parametrize(("key", "value", "code"), [
    ("aliyun-team", "x", "InvalidParameter.TagKey"),
    ("acs:team", "x", "InvalidParameter.TagKey"),
    ("see-http://x", "x", "InvalidParameter.TagKey"),
    ("k" * 129, "x", "InvalidParameter.TagKey"),
    ("", "x", "InvalidParameter.TagKey"),
    ("team", "https://example.com", "InvalidParameter.TagValue"),
    ("team", "v" * 129, "InvalidParameter.TagValue"),
])
def test_tag_resources_rejects_bad_tags(ims: Any, ram: Any, key: str, value: str, code: str) -> None:
    user_id = _user(ram)
    error = _error(lambda: _tag(ims, {key: value}, ids=[user_id]))
    assert (error.code, error.status_code) == (code, 400)


def test_tag_resources_accepts_limit_length_keys_and_values(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    _tag(ims, {"k" * 128: "v" * 128}, ids=[user_id])
    assert _rows(_list(ims, resource_id=[user_id])) == [(user_id, "k" * 128, "v" * 128)]


def test_tag_resources_with_a_repeated_key_is_duplicate(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    tags = [ims_models.TagResourcesRequestTag(key="team", value=v) for v in ("a", "b")]
    error = _error(lambda: ims.tag_resources(
        ims_models.TagResourcesRequest(resource_type="user", resource_id=[user_id], tag=tags)))
    assert (error.code, error.status_code) == ("Duplicate.TagKey", 400)


def test_tag_resources_of_an_unknown_user_id_is_entity_not_exist(ims: Any) -> None:
    error = _error(lambda: _tag(ims, {"team": "sec"}, ids=["2000000000000000"]))
    assert (error.code, error.status_code) == ("EntityNotExist.User", 404)


def test_tag_resources_with_ids_and_names_is_invalid(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    error = _error(lambda: _tag(ims, {"team": "sec"}, ids=[user_id], names=["alice"]))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_tag_resources_without_resources_is_missing_parameter(ims: Any) -> None:
    error = _error(lambda: _tag(ims, {"team": "sec"}))
    assert (error.code, error.status_code) == ("MissingParameter.ResourceId", 400)


def test_tag_resources_without_tags_is_missing_parameter(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    error = _error(lambda: _tag(ims, {}, ids=[user_id]))
    assert (error.code, error.status_code) == ("MissingTag", 400)


def test_tag_resources_of_another_resource_type_is_invalid(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    error = _error(lambda: _tag(ims, {"team": "sec"}, ids=[user_id], resource_type="role"))
    assert (error.code, error.status_code) == ("InvalidParameter.ResourceType", 400)


def test_tag_resources_of_more_than_fifty_users_is_number_exceed(ims: Any) -> None:
    error = _error(lambda: _tag(ims, {"team": "sec"}, names=[f"user-{n}" for n in range(51)]))
    assert (error.code, error.status_code) == ("NumberExceed.ResourceIds", 400)


# --- UntagResources ----------------------------------------------------------------------


def test_untag_resources_removes_the_named_keys(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    _tag(ims, {"a": "1", "b": "2", "c": "3"}, ids=[user_id])
    _untag(ims, ids=[user_id], keys=["a", "c", "absent"])
    assert _rows(_list(ims, resource_id=[user_id])) == [(user_id, "b", "2")]


def test_untag_resources_all_removes_every_tag(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    _tag(ims, {"a": "1", "b": "2"}, ids=[user_id])
    _untag(ims, names=["alice"], all_tags=True)
    assert _rows(_list(ims, resource_id=[user_id])) == []


def test_untag_resources_with_keys_ignores_all(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    _tag(ims, {"a": "1", "b": "2"}, ids=[user_id])
    _untag(ims, ids=[user_id], keys=["a"], all_tags=True)
    assert _rows(_list(ims, resource_id=[user_id])) == [(user_id, "b", "2")]


def test_untag_resources_without_keys_or_all_is_missing_parameter(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    error = _error(lambda: _untag(ims, ids=[user_id]))
    assert (error.code, error.status_code) == ("MissingTagKey", 400)


def test_untag_resources_with_more_than_twenty_keys_is_number_exceed(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    error = _error(lambda: _untag(ims, ids=[user_id], keys=[f"k{n}" for n in range(21)]))
    assert (error.code, error.status_code) == ("NumberExceed.TagKeys", 400)


def test_untag_resources_of_an_unknown_user_is_entity_not_exist(ims: Any) -> None:
    error = _error(lambda: _untag(ims, names=["ghost"], all_tags=True))
    assert (error.code, error.status_code) == ("EntityNotExist.User", 404)


# --- ListTagResources --------------------------------------------------------------------


def test_list_tag_resources_filters_by_tag_key_and_value(ims: Any, ram: Any) -> None:
    alice, bob = _user(ram, "alice"), _user(ram, "bob")
    _tag(ims, {"team": "sec", "site": "hz"}, ids=[alice])
    _tag(ims, {"team": "ops"}, ids=[bob])
    by_key = _list(ims, tag=[ims_models.ListTagResourcesRequestTag(key="team")])
    by_pair = _list(ims, tag=[ims_models.ListTagResourcesRequestTag(key="team", value="sec")])
    assert _rows(by_key) == [(alice, "team", "sec"), (bob, "team", "ops")]
    assert _rows(by_pair) == [(alice, "team", "sec")]


def test_list_tag_resources_of_unknown_users_lists_nothing(ims: Any) -> None:
    assert _rows(_list(ims, resource_principal_name=["ghost"])) == []


def test_list_tag_resources_skips_unknown_users_among_known_ones(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    _tag(ims, {"team": "sec"}, ids=[user_id])
    assert _rows(_list(ims, resource_id=["2000000000000000", user_id, user_id])) == [(user_id, "team", "sec")]


def test_list_tag_resources_pages_with_next_token(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    _tag(ims, {f"k{n}": "v" for n in range(5)}, ids=[user_id])
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        body = _list(ims, resource_id=[user_id], page_size=2, next_token=token)
        pages += 1
        seen += [r.tag_key for r in body.tag_resources.tag_resource]
        if not body.is_truncated:
            assert body.next_token is None
            break
        token = body.next_token
    assert (pages, seen) == (3, [f"k{n}" for n in range(5)])


def test_list_tag_resources_defaults_to_one_hundred_rows(ims: Any, ram: Any) -> None:
    ids = [_user(ram, f"user-{n}") for n in range(6)]
    for user_id in ids:
        _tag(ims, {f"k{n}": "v" for n in range(20)}, ids=[user_id])
    body = _list(ims)
    assert (len(body.tag_resources.tag_resource), body.is_truncated) == (100, True)
    assert len(_list(ims, next_token=body.next_token).tag_resources.tag_resource) == 20


def test_list_tag_resources_with_a_forged_token_is_invalid(ims: Any) -> None:
    error = _error(lambda: _list(ims, next_token="not-a-token"))
    assert (error.code, error.status_code) == ("InvalidParameter.NextToken", 400)


@pytest.mark.parametrize("page_size", [0, 101])
def test_list_tag_resources_rejects_out_of_range_page_size(ims: Any, page_size: int) -> None:
    error = _error(lambda: _list(ims, page_size=page_size))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_list_tag_resources_without_resource_type_is_missing_parameter(ims: Any) -> None:
    error = _error(lambda: ims.list_tag_resources(ims_models.ListTagResourcesRequest()))
    assert (error.code, error.status_code) == ("MissingResourceType", 400)


# --- permissions -------------------------------------------------------------------------


def test_ram_read_only_access_lists_tags_but_cannot_tag(cloud: LocalCloud, ims: Any, ram: Any,
                                                      make_user: MakeUser) -> None:
    key_id, secret = make_user("reader", "AliyunRAMReadOnlyAccess")
    reader = ImsClient(cloud.config(key_id, secret))
    user_id = _user(ram)
    _tag(ims, {"team": "sec"}, ids=[user_id])
    assert _rows(_list(reader, resource_id=[user_id])) == [(user_id, "team", "sec")]
    assert reader.get_default_domain().body.default_domain_name == cloud.account.default_domain
    error = _error(lambda: _tag(reader, {"team": "ops"}, ids=[user_id]))
    assert (error.code, error.status_code) == ("NoPermission", 403)


# --- GetDefaultDomain / SetDefaultDomain -------------------------------------------------


def test_get_default_domain_is_the_account_id_by_default(cloud: LocalCloud, ims: Any) -> None:
    assert cloud.account.alias == cloud.account.account_id
    assert ims.get_default_domain().body.default_domain_name == f"{cloud.account.account_id}.onaliyun.com"


def test_set_default_domain_changes_the_domain(cloud: LocalCloud, ims: Any) -> None:
    body = ims.set_default_domain(ims_models.SetDefaultDomainRequest(default_domain_name="examplecorp.onaliyun.com")).body
    assert body.default_domain_name == "examplecorp.onaliyun.com"
    assert ims.get_default_domain().body.default_domain_name == "examplecorp.onaliyun.com"
    assert cloud.account.alias == "examplecorp"


@pytest.mark.parametrize("domain", [
    "examplecorp.example.com",
    ".onaliyun.com",
    "-examplecorp.onaliyun.com",
    "examplecorp-.onaliyun.com",
    "example--corp.onaliyun.com",
    "example corp.onaliyun.com",
    "e" * 52 + ".onaliyun.com",
])
def test_set_default_domain_rejects_invalid_names(ims: Any, domain: str) -> None:
    error = _error(lambda: ims.set_default_domain(ims_models.SetDefaultDomainRequest(default_domain_name=domain)))
    assert (error.code, error.status_code) == ("InvalidParameter.DefaultDomainName", 400)


def test_set_default_domain_accepts_sixty_four_characters(ims: Any) -> None:
    domain = "e" * 51 + ".onaliyun.com"
    assert ims.set_default_domain(ims_models.SetDefaultDomainRequest(default_domain_name=domain)).body \
        .default_domain_name == domain


def test_set_default_domain_without_a_name_is_missing_parameter(ims: Any) -> None:
    error = _error(lambda: ims.set_default_domain(ims_models.SetDefaultDomainRequest()))
    assert (error.code, error.status_code) == ("MissingDefaultDomainName", 400)


def test_new_default_domain_is_required_in_resource_manager_principal_names(cloud: LocalCloud, ims: Any, ram: Any,
                                                                           rm: Any) -> None:
    old_domain = cloud.account.default_domain
    _user(ram)
    ims.set_default_domain(ims_models.SetDefaultDomainRequest(default_domain_name="examplecorp.onaliyun.com"))

    def attach(principal: str) -> None:
        rm.attach_policy(rm_models.AttachPolicyRequest(
            policy_type="System", policy_name="AliyunRAMReadOnlyAccess", principal_type="IMSUser",
            principal_name=principal, resource_group_id=cloud.account.account_id))

    error = _error(lambda: attach(f"alice@{old_domain}"))
    assert (error.code, error.status_code) == ("EntityNotExist.User", 404)
    attach("alice@examplecorp.onaliyun.com")


def test_existing_grants_follow_the_new_default_domain(cloud: LocalCloud, ims: Any, ram: Any, rm: Any) -> None:
    _user(ram)
    rm.attach_policy(rm_models.AttachPolicyRequest(
        policy_type="System", policy_name="AliyunRAMReadOnlyAccess", principal_type="IMSUser",
        principal_name=f"alice@{cloud.account.default_domain}", resource_group_id=cloud.account.account_id))
    ims.set_default_domain(ims_models.SetDefaultDomainRequest(default_domain_name="examplecorp.onaliyun.com"))
    records = rm.list_policy_attachments(rm_models.ListPolicyAttachmentsRequest()).body
    assert [r.principal_name for r in records.policy_attachments.policy_attachment] == ["alice@examplecorp.onaliyun.com"]
    assert cloud.authorize("ram:ListUsers", "*", user="alice")["decision"] == "allow"


def test_tagging_by_logon_name_uses_the_new_default_domain(ims: Any, ram: Any) -> None:
    user_id = _user(ram)
    ims.set_default_domain(ims_models.SetDefaultDomainRequest(default_domain_name="examplecorp.onaliyun.com"))
    _tag(ims, {"team": "sec"}, names=["alice@examplecorp.onaliyun.com"])
    assert _rows(_list(ims, resource_id=[user_id])) == [(user_id, "team", "sec")]
