"""Validation of KMS Secrets Manager inputs: names, sizes, tags, stages, filters, intervals.

Each function raises the documented KMS error for a bad value and returns the parsed
value otherwise. Sources are the kms20160120==3.3.1 request models' docstrings and
../shared/reference/alibaba-platform.md §B.2/B.3. The secret value is never put into an
error message.
"""

from __future__ import annotations

import json
import re
from typing import Any

from localcloud.kms import errors
from localcloud.kms.models.entities import DataType, SecretType

MAX_NAME = 192
MAX_DATA_BYTES = 30_720
MAX_VERSION_ID = 64
MAX_TAGS = 20
MAX_TAG_PART = 128
MAX_EXTENDED_CONFIG = 1_024
MAX_POLICY_BYTES = 32_768
MAX_FILTERS = 10
MAX_FILTER_VALUES = 10
MIN_ROTATION = 6 * 3600
MAX_ROTATION = 8_760 * 3600

_NAME = re.compile(r"^[A-Za-z0-9_/+=.@-]+$")
# "letters, digits, / \ _ - . + = : @" (CreateSecret Tags docstring).
_TAG_CHARS = re.compile(r"^[A-Za-z0-9/\\_\-.+=:@]*$")
_ROTATION = re.compile(r"^(?P<n>\d+)(?P<unit>[dhms])$")
_UNIT_SECONDS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
FILTER_KEYS = ("SecretName", "Description", "TagKey", "TagValue", "DKMSInstanceId", "SecretType", "Creator")
AUTO_NAME = "$Auto"


def secret_type(value: str | None) -> SecretType:
    if value is None or value == "":
        return SecretType.GENERIC
    for kind in SecretType:
        if kind.value == value:
            return kind
    allowed = ", ".join(k.value for k in SecretType)
    raise errors.InvalidParameter.named("SecretType", f"must be one of {allowed}.")


def secret_name(name: str, kind: SecretType, extended_config: dict[str, Any] | None) -> str:
    """The name the secret gets; RAMCredentials names are generated from ``$Auto``.

    Rules (CreateSecret SecretName docstring): <= 192 of ``A-Za-z0-9_/+=.@-``; Generic,
    Rds and Redis names cannot start with ``acs/``; RAMCredentials must be ``$Auto`` and
    KMS generates ``acs/ram/user/...``; ECS names must start with ``acs/ecs/``.
    """
    if kind is SecretType.RAM_CREDENTIALS:
        if name != AUTO_NAME:
            raise errors.InvalidParameter.named("SecretName", "must be $Auto for a RAMCredentials secret.")
        # UNCONFIRMED: the exact generated name; the docs say only that it starts with
        # acs/ram/user/ and includes the RAM user's display name. localcloud uses the UserName.
        user = str((extended_config or {}).get("UserName", ""))
        name = f"acs/ram/user/{user}"
    if len(name) > MAX_NAME or not _NAME.match(name):
        raise errors.InvalidParameter.named(
            "SecretName", f"must be 1 to {MAX_NAME} characters of letters, digits and _ / + = . - @."
        )
    if kind in (SecretType.GENERIC, SecretType.RDS, SecretType.REDIS) and name.startswith("acs/"):
        raise errors.InvalidParameter.named("SecretName", f"a {kind.value} secret name cannot start with acs/.")
    if kind is SecretType.ECS and not name.startswith("acs/ecs/"):
        raise errors.InvalidParameter.named("SecretName", "an ECS secret name must start with acs/ecs/.")
    return name


def secret_data(data: str) -> str:
    if len(data.encode("utf-8")) > MAX_DATA_BYTES:
        raise errors.InvalidParameter.named("SecretData", f"the value is longer than {MAX_DATA_BYTES} bytes.")
    return data


def version_id(value: str) -> str:
    if len(value) > MAX_VERSION_ID:
        raise errors.InvalidParameter.named("VersionId", f"must be at most {MAX_VERSION_ID} characters.")
    return value


def data_type(value: str | None, kind: SecretType) -> DataType:
    if value is None or value == "":
        return DataType.TEXT
    for candidate in DataType:
        if candidate.value == value:
            if candidate is DataType.BINARY and kind is not SecretType.GENERIC:
                # "When SecretType is set to Rds, Redis, PolarDB, RAMCredentials, or ECS,
                # SecretDataType can only be set to text."
                raise errors.InvalidParameter.named("SecretDataType", f"must be text for a {kind.value} secret.")
            return candidate
    raise errors.InvalidParameter.named("SecretDataType", "must be text or binary.")


def _json(name: str, raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise errors.InvalidParameter.named(name, "the value is not valid JSON.") from exc


def extended_config(raw: str | None, kind: SecretType) -> dict[str, Any] | None:
    """Ignored for Generic; required (a JSON object with SecretSubType) for managed types."""
    if kind is SecretType.GENERIC:
        return None
    if raw is None or raw == "":
        raise errors.MissingParameter.named("ExtendedConfig")
    if len(raw) > MAX_EXTENDED_CONFIG:
        raise errors.InvalidParameter.named("ExtendedConfig", f"must be at most {MAX_EXTENDED_CONFIG} characters.")
    config = _json("ExtendedConfig", raw)
    if not isinstance(config, dict) or not config.get("SecretSubType"):
        raise errors.InvalidParameter.named("ExtendedConfig", "must be a JSON object with SecretSubType.")
    if kind is SecretType.RAM_CREDENTIALS and (
        config.get("SecretSubType") != "RamUserAccessKey" or not config.get("UserName")
    ):
        raise errors.InvalidParameter.named(
            "ExtendedConfig", "a RAMCredentials secret needs SecretSubType RamUserAccessKey and UserName."
        )
    return config


def secret_policy(raw: str | None) -> str | None:
    if raw is None or raw == "":
        return None
    if len(raw.encode("utf-8")) > MAX_POLICY_BYTES:
        raise errors.InvalidParameter.named("Policy", f"must be at most {MAX_POLICY_BYTES} bytes.")
    if not isinstance(_json("Policy", raw), dict):
        raise errors.InvalidParameter.named("Policy", "must be a JSON object.")
    return raw


def rotation_interval(raw: str | None) -> int:
    """``integer[unit]`` with unit d/h/m/s, between 6 hours and 8,760 hours; in seconds."""
    if raw is None or raw == "":
        raise errors.MissingParameter.named("RotationInterval")
    match = _ROTATION.match(raw)
    if match is None:
        raise errors.InvalidParameter.named("RotationInterval", "must be integer[unit] with unit d, h, m or s.")
    seconds = int(match["n"]) * _UNIT_SECONDS[match["unit"]]
    if not MIN_ROTATION <= seconds <= MAX_ROTATION:
        raise errors.InvalidParameter.named("RotationInterval", "must be between 6 hours and 8760 hours.")
    return seconds


def _tag_part(field_name: str, value: object, *, allow_empty: bool) -> str:
    if not isinstance(value, str):
        raise errors.InvalidParameter.named("Tags", f"{field_name} must be a string.")
    if (not value and not allow_empty) or len(value) > MAX_TAG_PART or not _TAG_CHARS.match(value):
        raise errors.InvalidParameter.named(
            "Tags", f"{field_name} must be up to {MAX_TAG_PART} characters of letters, digits and / \\ _ - . + = : @."
        )
    return value


def tags(raw: str | None, name: str = "Tags") -> dict[str, str]:
    """``[{"TagKey": "k", "TagValue": "v"}]``: <= 20, key/value <= 128, no aliyun/acs: keys."""
    if raw is None or raw == "":
        return {}
    parsed = _json(name, raw)
    if not isinstance(parsed, list):
        raise errors.InvalidParameter.named(name, 'must be a JSON array of {"TagKey": ..., "TagValue": ...}.')
    if len(parsed) > MAX_TAGS:
        raise errors.InvalidParameter.named(name, f"at most {MAX_TAGS} tags are allowed.")
    out: dict[str, str] = {}
    for item in parsed:
        if not isinstance(item, dict):
            raise errors.InvalidParameter.named(name, 'each tag must be {"TagKey": ..., "TagValue": ...}.')
        key = _tag_part("TagKey", item.get("TagKey"), allow_empty=False)
        # UNCONFIRMED: an absent TagValue is taken as the empty string; the prefix rule is
        # applied case-insensitively.
        value = _tag_part("TagValue", item.get("TagValue", ""), allow_empty=True)
        if key.lower().startswith(("aliyun", "acs:")):
            raise errors.InvalidParameter.named(name, "a tag key cannot start with aliyun or acs:.")
        if key in out:
            raise errors.InvalidParameter.named(name, f"the tag key {key!r} appears twice.")  # UNCONFIRMED
        out[key] = value
    return out


def tag_keys(raw: str) -> list[str]:
    """UntagResource ``TagKeys``: a JSON array (``["k1","k2"]``) or, as its docstring says, ``k1,k2``."""
    parsed: Any
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError:
        parsed = [part.strip() for part in raw.split(",")]
    if isinstance(parsed, str):
        parsed = [parsed]
    if not isinstance(parsed, list) or not parsed:
        raise errors.InvalidParameter.named("TagKeys", "must list one or more tag keys.")
    return [_tag_part("TagKey", key, allow_empty=False) for key in parsed]


def version_stages(raw: str | None) -> list[str] | None:
    """PutSecretValue ``VersionStages``: ``["ACSCurrent","v2"]``; None when absent.

    The current API reference shows a JSON array; the 2020 page shows
    ``{"VersionStage": ["ACSCurrent"]}``. Both are accepted.
    """
    if raw is None or raw == "":
        return None
    parsed = _json("VersionStages", raw)
    if isinstance(parsed, dict):
        parsed = parsed.get("VersionStage")
    if isinstance(parsed, str):
        parsed = [parsed]
    if not isinstance(parsed, list) or not all(isinstance(s, str) and s for s in parsed):
        raise errors.InvalidParameter.named("VersionStages", "must be a JSON array of stage labels.")
    return list(dict.fromkeys(parsed))


def filters(raw: str | None) -> list[tuple[str, list[str]]]:
    """ListSecrets ``Filters``: ``[{"Key": "SecretName", "Values": ["a", "b"]}]``.

    Up to 10 filters, each with up to 10 values; values of one key are ORed, filters ANDed.
    """
    if raw is None or raw == "":
        return []
    parsed = _json("Filters", raw)
    if not isinstance(parsed, list):
        raise errors.InvalidParameter.named("Filters", 'must be a JSON array of {"Key": ..., "Values": [...]}.')
    if len(parsed) > MAX_FILTERS:
        raise errors.InvalidParameter.named("Filters", f"at most {MAX_FILTERS} filters are allowed.")
    out: list[tuple[str, list[str]]] = []
    for item in parsed:
        key = item.get("Key") if isinstance(item, dict) else None
        values = item.get("Values") if isinstance(item, dict) else None
        if key not in FILTER_KEYS:
            raise errors.InvalidParameter.named("Filters", f"Key must be one of {', '.join(FILTER_KEYS)}.")
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise errors.InvalidParameter.named("Filters", "Values must be a non-empty array of strings.")
        if len(values) > MAX_FILTER_VALUES:
            raise errors.InvalidParameter.named("Filters", f"at most {MAX_FILTER_VALUES} values per filter.")
        out.append((str(key), values))
    return out
