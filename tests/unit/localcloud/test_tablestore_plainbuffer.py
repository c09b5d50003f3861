"""localcloud's PlainBuffer codec against the SDK's own builder and reader (tablestore.md §1.7)."""

from __future__ import annotations

import struct

import pytest
from tablestore.metadata import INF_MAX, INF_MIN, PK_AUTO_INCR
from tablestore.plainbuffer.plain_buffer_builder import PlainBufferBuilder
from tablestore.plainbuffer.plain_buffer_coded_stream import PlainBufferCodedInputStream
from tablestore.plainbuffer.plain_buffer_stream import PlainBufferInputStream

from localcloud.tablestore.plainbuffer import (
    Cell,
    CellOp,
    PlainBufferError,
    PlainRow,
    Value,
    VariantType,
    crc8,
    decode_row,
    decode_rows,
    decode_value,
    encode_row,
    encode_rows,
    encode_value,
)

REFERENCE_GET_ROW_KEY = bytes.fromhex("7500000001030402000000706b05060000000301000000610ad409ee")
"""The reference's GetRow primary key for [('pk', 'a')] (§1.7)."""


def _sdk_read(data: bytes) -> tuple[list, list]:  # type: ignore[type-arg]
    return PlainBufferCodedInputStream(PlainBufferInputStream(data)).read_row()  # type: ignore[no-any-return]


def test_the_reference_example_decodes_and_encodes_byte_for_byte() -> None:
    row = decode_row(REFERENCE_GET_ROW_KEY)
    assert row == PlainRow((Cell("pk", Value(VariantType.STRING, "a")),))
    assert encode_row(row) == REFERENCE_GET_ROW_KEY
    assert bytes(PlainBufferBuilder.serialize_primary_key([("pk", "a")])) == REFERENCE_GET_ROW_KEY


def test_an_sdk_update_row_decodes_with_every_operation_and_reencodes_identically() -> None:
    sdk = bytes(PlainBufferBuilder.serialize_for_update_row(
        [("pk", "k"), ("n", -7), ("b", bytearray(b"\x00\xff"))],
        {"put": [("f", 1.25, 1000), ("t", True), ("s", "héllo")], "delete": [("d", None, 5)],
         "delete_all": ["gone"], "increment": [("c", 3)]},
    ))
    row = decode_row(sdk)
    assert [c.value for c in row.primary_key] == [
        Value(VariantType.STRING, "k"), Value(VariantType.INTEGER, -7), Value(VariantType.BLOB, b"\x00\xff")]
    by_name = {c.name: c for c in row.cells}
    assert by_name["f"] == Cell("f", Value(VariantType.DOUBLE, 1.25), None, 1000)
    assert by_name["t"].value == Value(VariantType.BOOLEAN, True)
    assert by_name["s"].value == Value(VariantType.STRING, "héllo")
    assert by_name["d"] == Cell("d", None, CellOp.DELETE_ONE_VERSION, 5)
    assert by_name["gone"] == Cell("gone", None, CellOp.DELETE_ALL_VERSION, None)
    assert by_name["c"] == Cell("c", Value(VariantType.INTEGER, 3), CellOp.INCREMENT, None)
    assert encode_row(row) == sdk


def test_delete_markers_and_range_sentinels_round_trip() -> None:
    delete = bytes(PlainBufferBuilder.serialize_for_delete_row([("pk", "a")]))
    assert decode_row(delete).delete_marker is True
    assert encode_row(decode_row(delete)) == delete
    bounds = bytes(PlainBufferBuilder.serialize_primary_key([("a", INF_MIN), ("b", INF_MAX), ("c", PK_AUTO_INCR)]))
    assert [c.value.type for c in decode_row(bounds).primary_key if c.value] == [
        VariantType.INF_MIN, VariantType.INF_MAX, VariantType.AUTO_INCREMENT]


def test_the_sdk_reads_what_localcloud_writes() -> None:
    row = PlainRow(
        (Cell("pk", Value(VariantType.STRING, "a")), Cell("n", Value(VariantType.INTEGER, 2**63 - 1))),
        (Cell("x", Value(VariantType.INTEGER, -1), None, 10), Cell("y", Value(VariantType.BLOB, b"\x01"), None, 11),
         Cell("z", Value(VariantType.DOUBLE, -0.5), None, 12), Cell("w", Value(VariantType.BOOLEAN, False), None, 13)),
    )
    primary_key, attributes = _sdk_read(encode_row(row))
    assert primary_key == [("pk", "a"), ("n", 2**63 - 1)]
    assert attributes == [("x", -1, 10), ("y", bytearray(b"\x01"), 11), ("z", -0.5, 12), ("w", False, 13)]
    both = encode_rows([row, row])
    assert decode_rows(both) == [row, row]
    assert both.count(struct.pack("<I", 0x75)) == 1  # one header for all rows
    assert encode_rows([]) == b""


def test_bare_condition_values_match_the_reference() -> None:
    assert encode_value(Value(VariantType.INTEGER, 100)) == bytes.fromhex("006400000000000000")
    assert encode_value(Value(VariantType.STRING, "me")) == bytes.fromhex("0302000000" + "6d65")
    assert decode_value(bytes(PlainBufferBuilder.serialize_column_value("me"))) == Value(VariantType.STRING, "me")
    with pytest.raises(PlainBufferError, match="trailing"):
        decode_value(bytes.fromhex("00640000000000000000"))


def test_crc8_is_polynomial_7_from_zero() -> None:
    assert crc8(0, b"") == 0
    assert crc8(0, b"\x01") == 0x07
    assert crc8(0, b"123456789") == 0xF4  # the CRC-8 (poly 0x07, init 0) check value


@pytest.mark.parametrize("offset", [len(REFERENCE_GET_ROW_KEY) - 1, len(REFERENCE_GET_ROW_KEY) - 3])
def test_a_wrong_checksum_is_refused(offset: int) -> None:
    broken = bytearray(REFERENCE_GET_ROW_KEY)
    broken[offset] ^= 0xFF
    with pytest.raises(PlainBufferError, match="checksum"):
        decode_row(bytes(broken))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "truncated"),
        (b"\x74\x00\x00\x00\x01\x09\x00", "header"),
        (REFERENCE_GET_ROW_KEY[:-2], "expected tag ROW_CHECKSUM"),
        (REFERENCE_GET_ROW_KEY + b"\x00", "trailing"),
        (REFERENCE_GET_ROW_KEY.replace(b"\x05\x06\x00\x00\x00\x03", b"\x05\x07\x00\x00\x00\x03"), "length"),
        (REFERENCE_GET_ROW_KEY.replace(b"\x03\x01\x00\x00\x00\x61", b"\x0e\x01\x00\x00\x00\x61"), "unknown value type"),
        (REFERENCE_GET_ROW_KEY.replace(b"\x01\x00\x00\x00\x61", b"\xff\x00\x00\x00\x61"), "truncated"),
    ],
)
def test_malformed_buffers_are_refused_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(PlainBufferError, match=reason):
        decode_row(data)


def test_invalid_utf8_in_a_string_is_refused() -> None:
    row = PlainRow((Cell("pk", Value(VariantType.BLOB, b"\xff")),))
    data = bytearray(encode_row(row))
    data[data.index(b"\x07\x01\x00\x00\x00\xff")] = VariantType.STRING  # same bytes, now claimed UTF-8
    with pytest.raises(PlainBufferError, match="UTF-8"):
        decode_row(bytes(data))
