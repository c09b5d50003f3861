"""PutLogs bodies: decompression and the protobuf LogGroup, with SLS's error codes.

The wire format is documented in wire-protocol.md §3.2 and alibaba-platform.md §C.1/§C.3:
a protobuf ``LogGroup`` (proto2), compressed per ``x-log-compresstype`` -- ``lz4`` as a raw
LZ4 *block* without the 4-byte size prefix (the size travels in ``x-log-bodyrawsize``),
``deflate`` (the header doc cites RFC 1951 and points to RFC 1950/zlib; the SDK's own
response decoder uses ``zlib.decompress``, so zlib is tried first, then raw deflate), or
no header for an uncompressed body. ``protobuf`` and ``lz4`` are hard import dependencies of
``aliyun.log``, so using them here adds nothing to install.

This module decodes only; the limits and time rules, and the decoded group's type, are the
model's (:mod:`localcloud.sls.models`).
"""

from __future__ import annotations

import zlib

import lz4.block
from google.protobuf.message import DecodeError

from localcloud.sls import errors
from localcloud.sls.models import MAX_RAW_SIZE, DecodedGroup, DecodedLog


def _raw_size(header: str, *, required: bool) -> int | None:
    if not header:
        if required:
            raise errors.MissingBodyRawSize()
        return None
    try:
        size = int(header)
    except ValueError as exc:
        raise errors.InvalidBodyRawSize(f"x-log-bodyrawsize {header!r} is invalid.") from exc
    if size < 0:
        raise errors.InvalidBodyRawSize(f"x-log-bodyrawsize {header!r} is invalid.")
    return size


def decompress(body: bytes, compress_type: str, raw_size_header: str) -> bytes:
    """The raw protobuf bytes of a PutLogs body; refuses oversized bodies before inflating them."""
    kind = compress_type.strip().lower()
    if kind not in ("", "lz4", "deflate"):
        # zstd is accepted by the real service, but the zstd module the SDK would need is not
        # installed here, so localcloud cannot decode it (UNCONFIRMED divergence, see README).
        raise errors.InvalidCompressType(f"x-log-compresstype {compress_type} is unsupported.")
    raw_size = _raw_size(raw_size_header, required=bool(kind))
    if raw_size is not None and raw_size > MAX_RAW_SIZE:
        raise errors.PostBodyTooLarge()
    if not kind:
        return body
    assert raw_size is not None
    if kind == "lz4":
        try:
            data: bytes = lz4.block.decompress(body, uncompressed_size=raw_size)
        except (lz4.block.LZ4BlockError, ValueError) as exc:
            raise errors.PostBodyUncompressError() from exc
    else:
        data = _inflate(body, raw_size)
    if len(data) != raw_size:
        raise errors.PostBodyUncompressError(
            f"Failed to decompress logs: got {len(data)} bytes, x-log-bodyrawsize says {raw_size}."
        )
    return data


def _inflate(body: bytes, raw_size: int) -> bytes:
    for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):
        inflater = zlib.decompressobj(wbits)
        try:
            data = inflater.decompress(body, raw_size + 1)
        except zlib.error:
            continue
        if inflater.eof:
            return data
    raise errors.PostBodyUncompressError()


def decode_group(raw: bytes) -> DecodedGroup:
    """Parse a LogGroup; values stay bytes here (the Raw variant) so non-UTF-8 is the model's call."""
    # Imported here: importing aliyun.log costs ~0.1 s, which localcloud need not pay at start-up.
    from aliyun.log.log_logs_raw_pb2 import LogGroupRaw  # type: ignore[attr-defined]  # generated, untyped

    group = LogGroupRaw()
    try:
        group.ParseFromString(raw)
    except (DecodeError, UnicodeDecodeError, ValueError) as exc:
        raise errors.PostBodyInvalid("Protobuffer content cannot be parsed.") from exc
    if not group.IsInitialized():  # proto2 required fields (Log.Time, Content.Key/Value ...)
        missing = ", ".join(group.FindInitializationErrors())
        raise errors.PostBodyInvalid(f"Protobuffer content cannot be parsed: missing {missing}.")
    logs = tuple(
        DecodedLog(
            time=int(log.Time),
            time_ns=int(log.Time_ns) if log.HasField("Time_ns") else 0,
            contents=tuple((c.Key, bytes(c.Value)) for c in log.Contents),
        )
        for log in group.Logs
    )
    return DecodedGroup(
        topic=group.Topic,
        source=group.Source,
        tags=tuple((t.Key, t.Value) for t in group.LogTags),
        logs=logs,
        raw_size=len(raw),
    )
