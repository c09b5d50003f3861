"""Inbound event sources: HR systems (``sources.hr``) and ticketing tools (``sources.ticket``),
each verified on the raw body and normalised to ``rampart.model.LifecycleEvent``.

Public modules: ``base`` (the contract every source implements), ``configured`` (each source
built from its KMS secret), ``signing`` (HMAC-SHA256 request signatures), ``crypto`` (the AES
of the sources that encrypt their bodies). Reading untrusted JSON bodies into events is
shared here with the FC envelopes (``rampart.fc.envelopes``). Pure: no I/O, no SDK.
"""

from __future__ import annotations

from rampart.sources._payloads import (
    build_event,
    check_size,
    decode_base64,
    decode_json,
    decode_json_object,
    epoch_millis,
    grant_duration,
    json_type,
    stable_id,
)

__all__ = [
    "build_event",
    "check_size",
    "decode_base64",
    "decode_json",
    "decode_json_object",
    "epoch_millis",
    "grant_duration",
    "json_type",
    "stable_id",
]
