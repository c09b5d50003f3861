"""Webhook sources built from their KMS secret's JSON (``rampart.sources.configured``)."""

from __future__ import annotations

import json

import pytest
from rampart.errors import ConfigError
from rampart.secret import Secret
from rampart.sources.configured import SOURCES, build_source

from tests.conftest import repo_path

DEMO = json.loads(repo_path("events", "hr", "demo-config.json").read_text("utf-8"))
VALUES = {
    "hr:generic": DEMO["generic"],
    "hr:feishu": DEMO["feishu"],
    "hr:bamboohr": DEMO["bamboohr"],
    "hr:dingtalk": DEMO["dingtalk"],
    "ticket:jira": {"secret": ["new-jira-secret", "old-jira-secret"], "approved_statuses": ["Approved"],
                    "mapping": {"person_field": "customfield_10050", "profile_field": "customfield_10051",
                                "default_duration": "PT4H"}},
    "ticket:generic": {"secret": "demo-ticket-webhook-secret", "name": "ticket:servicenow"},
}


@pytest.mark.parametrize("source", SOURCES)
def test_every_source_builds_from_its_documented_json(source: str) -> None:
    built = build_source(source, "rampart-webhook/x", Secret(json.dumps(VALUES[source])), known_profiles={"arms-full"})
    assert built.name == ("ticket:servicenow" if source == "ticket:generic" else source)


def test_an_unknown_key_is_named_and_no_value_is_echoed() -> None:
    value = {**DEMO["generic"], "secrte": "typo-value-1234"}
    with pytest.raises(ConfigError) as caught:
        build_source("hr:generic", "rampart-webhook/generic", Secret(json.dumps(value)))
    assert "secrte" in str(caught.value) and "typo-value-1234" not in str(caught.value)
    assert DEMO["generic"]["secret"] not in str(caught.value)


def test_a_secret_that_is_not_json_is_refused_without_its_value() -> None:
    with pytest.raises(ConfigError) as caught:
        build_source("hr:feishu", "rampart-webhook/feishu", Secret("plain-text-key-5678"))
    assert "not JSON" in str(caught.value) and "plain-text-key-5678" not in str(caught.value)


def test_a_bad_dingtalk_key_is_a_config_error_without_the_key() -> None:
    value = {**DEMO["dingtalk"], "aes_key": "short-key-9999"}
    with pytest.raises(ConfigError) as caught:
        build_source("hr:dingtalk", "rampart-webhook/dingtalk", Secret(json.dumps(value)))
    assert "short-key-9999" not in str(caught.value)
