"""Logstore index configurations: the rules CreateIndex / UpdateIndex enforce, and the
:class:`~localcloud.sls.models._analysis.Schema` a stored configuration gives queries.

The body is what aliyun-log-python-sdk 0.9.52 ``IndexConfig.to_json()`` sends (and what
``GetIndexResponse`` reads back): ``line`` (full text: ``token``, ``caseSensitive``, ``chn``,
``include_keys`` / ``exclude_keys``), ``keys`` (field name -> ``type``, ``token``,
``caseSensitive``, ``chn``, ``alias``, ``doc_value``, json sub-keys), and optional
``all_keys``, ``log_reduce``, ``max_text_len``, ``log_reduce_white_list`` / ``_black_list``,
``scan_index``.

Rules and their sources (AlibabaCloudDocs/sls ``intl.en-US/Developer Guide/API Reference/
Logstore related APIs/CreateIndex.md`` and ``UpdateIndex.md``):
- ``line``, ``keys`` or both are required: ``IndexInfoInvalid`` "required fields line/keys are
  lacking or of error format";
- the full-text index needs ``token`` (a list of delimiters), and so does a ``text`` field:
  ``IndexInfoInvalid`` "required field token is lacking or of error format";
- a field configuration without ``type``: ``ParameterInvalid`` "key config must has type"
  (UpdateIndex.md; applied to CreateIndex as well, UNCONFIRMED);
- ``include_keys`` and ``exclude_keys`` cannot both be given (CreateIndex.md; the code,
  ``IndexInfoInvalid``, is UNCONFIRMED);
- types are ``text``, ``long``, ``double`` and ``json`` (the SDK's ``IndexKeyConfig`` and
  https://www.alibabacloud.com/help/en/doc-detail/90732.html); another type, a non-boolean
  flag or a token that is not a string answers ``IndexInfoInvalid`` (UNCONFIRMED code).

Stored configurations get the defaults GetIndex.md's example shows (``caseSensitive`` and
``chn`` false, ``alias`` "", ``doc_value`` false) and keep every other member as sent. The
number of fields and ``max_text_len`` are not limited here (no primary source found).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localcloud.sls import errors
from localcloud.sls.models._analysis import Analyzer, FieldIndex, Schema

TYPES = ("text", "long", "double", "json")
TEXT_TYPES = ("text", "json")
_LINES_OR_KEYS = "required fields line/keys are lacking or of error format"
_MISSING_DELIMITERS = "required field token is lacking or of error format"
_ECHOED_BY_GET = ("ttl", "lastModifyTime", "index_mode", "storage")
"""Members GetIndex adds; a body read back from GetIndex and sent again may carry them."""


def _flag(config: dict[str, Any], key: str, where: str) -> bool:
    value = config.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise errors.IndexInfoInvalid(f"{key} of {where} must be a boolean, not {value!r}")
    return value


def _tokens(config: dict[str, Any], where: str) -> list[str]:
    tokens = config.get("token")
    if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
        raise errors.IndexInfoInvalid(f"{_MISSING_DELIMITERS} ({where})")
    return tokens


def _names(config: dict[str, Any], key: str) -> list[str] | None:
    names = config.get(key)
    if names is None:
        return None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise errors.IndexInfoInvalid(f"{key} of line must be a list of field names")
    return names


def _line(line: Any) -> dict[str, Any]:
    if not isinstance(line, dict):
        raise errors.IndexInfoInvalid(_LINES_OR_KEYS)
    include, exclude = _names(line, "include_keys"), _names(line, "exclude_keys")
    if include and exclude:
        raise errors.IndexInfoInvalid("include_keys and exclude_keys cannot be specified at the same time")
    return {**line, "token": _tokens(line, "line"), "caseSensitive": _flag(line, "caseSensitive", "line"),
            "chn": _flag(line, "chn", "line")}


def _key(name: str, config: Any) -> dict[str, Any]:
    if not name:
        raise errors.IndexInfoInvalid("a field index needs a non-empty field name")  # UNCONFIRMED message
    if not isinstance(config, dict):
        raise errors.IndexInfoInvalid(f"the index config of key {name} is of error format")
    kind = config.get("type")
    if kind is None or kind == "":
        raise errors.ParameterInvalid("key config must has type")
    if kind not in TYPES:
        raise errors.IndexInfoInvalid(f"type {kind!r} of key {name} is not one of {', '.join(TYPES)}")
    alias = config.get("alias", "")
    if not isinstance(alias, str):
        raise errors.IndexInfoInvalid(f"alias of key {name} must be a string")
    out = {**config, "type": kind, "alias": alias or "", "doc_value": _flag(config, "doc_value", name)}
    if kind in TEXT_TYPES:
        out.update(token=_tokens(config, name), caseSensitive=_flag(config, "caseSensitive", name),
                   chn=_flag(config, "chn", name))
    return out


def normalize(body: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration to store for a CreateIndex / UpdateIndex body, or the cloud's error."""
    line, keys = body.get("line"), body.get("keys")
    if keys is not None and not isinstance(keys, dict):
        raise errors.IndexInfoInvalid(_LINES_OR_KEYS)
    if line is None and not keys:
        raise errors.IndexInfoInvalid(_LINES_OR_KEYS)
    stored = {k: v for k, v in body.items() if k not in ("line", "keys", *_ECHOED_BY_GET)}
    if line is not None:
        stored["line"] = _line(line)
    if keys:
        stored["keys"] = {str(name): _key(str(name), config) for name, config in keys.items()}
    if "all_keys" in body:
        stored["all_keys"] = _key("all_keys", body["all_keys"])
    for name in ("log_reduce", "scan_index"):
        if name in body and body[name] is not None and not isinstance(body[name], bool):
            raise errors.IndexInfoInvalid(f"{name} must be a boolean")
    max_text_len = body.get("max_text_len")
    if max_text_len is not None and (isinstance(max_text_len, bool) or not isinstance(max_text_len, int)
                                     or max_text_len < 0):
        raise errors.IndexInfoInvalid(f"max_text_len must be a non-negative integer, not {max_text_len!r}")
    return stored


def _analyzer(config: Mapping[str, Any]) -> Analyzer:
    # Each entry of the token list is a delimiter; the SDKs send one character each (the
    # Terraform provider splits its token string into characters).
    return Analyzer(frozenset("".join(config.get("token", []))), bool(config.get("caseSensitive", False)))


def schema(config: Mapping[str, Any]) -> Schema:
    """What a stored configuration lets a query search, and how."""
    line = config.get("line")
    keys = {
        name: FieldIndex(key["type"], _analyzer(key) if key["type"] in TEXT_TYPES else Analyzer())
        for name, key in (config.get("keys") or {}).items()
    }
    if line is None:
        return Schema(keys, None)
    include = line.get("include_keys")
    return Schema(keys, _analyzer(line), frozenset(include) if include else None,
                  frozenset(line.get("exclude_keys") or ()))
