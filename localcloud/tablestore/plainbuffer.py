"""PlainBuffer, Tablestore's row format: rows, primary keys and cell values inside the protobuf ``bytes`` fields.

Format (tablestore.md §1.7; sdk:tablestore/plainbuffer/plain_buffer_consts.py, ..._coded_stream.py,
..._crc8.py): little-endian integers; a stream starts with ``uint32 0x75``; a row is
``ROW_PK cell* [ROW_DATA cell*] [DELETE_ROW_MARKER] ROW_CHECKSUM crc8``; a cell is
``CELL CELL_NAME u32 len name [CELL_VALUE u32 len type payload] [CELL_TYPE op] [CELL_TIMESTAMP i64]
CELL_CHECKSUM crc8``. The cell checksum covers the name, the type byte and payload, then the
timestamp, then the op byte (the timestamp is hashed before the op although it follows it on the
wire); the row checksum covers each cell checksum and then one byte, 1 with a delete marker, else 0.

This is the emulator's own codec, strict on input: every length, tag and checksum is checked and
trailing bytes are refused, because the SDK's reader cannot parse CELL_TYPE (UpdateRow requests)
and a server must not accept what the real one would reject. Responses never carry CELL_TYPE
(the SDK's reader would crash on it, §1.7).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

HEADER = 0x75


class Tag(IntEnum):
    ROW_PK = 0x01
    ROW_DATA = 0x02
    CELL = 0x03
    CELL_NAME = 0x04
    CELL_VALUE = 0x05
    CELL_TYPE = 0x06
    CELL_TIMESTAMP = 0x07
    DELETE_ROW_MARKER = 0x08
    ROW_CHECKSUM = 0x09
    CELL_CHECKSUM = 0x0A


class VariantType(IntEnum):
    INTEGER = 0x0
    DOUBLE = 0x1
    BOOLEAN = 0x2
    STRING = 0x3
    NULL = 0x6
    BLOB = 0x7
    INF_MIN = 0x9
    INF_MAX = 0xA
    AUTO_INCREMENT = 0xB


class CellOp(IntEnum):
    """The CELL_TYPE byte of an UpdateRow cell; a plain PUT has none."""

    DELETE_ALL_VERSION = 0x1
    DELETE_ONE_VERSION = 0x3
    INCREMENT = 0x4


class PlainBufferError(ValueError):
    """Bytes that are not a valid PlainBuffer (the message says where and why)."""


ValueData = int | float | bool | str | bytes | None


@dataclass(frozen=True, slots=True)
class Value:
    type: VariantType
    data: ValueData = None
    """int for INTEGER, float for DOUBLE, bool for BOOLEAN, str for STRING, bytes for BLOB, else None."""

    def payload(self) -> bytes:
        """The bytes after the type byte (also what the checksum hashes after the type byte)."""
        kind, data = self.type, self.data
        if kind is VariantType.INTEGER:
            assert isinstance(data, int)
            return struct.pack("<q", data)
        if kind is VariantType.DOUBLE:
            assert isinstance(data, float)
            return struct.pack("<d", data)
        if kind is VariantType.BOOLEAN:
            return b"\x01" if data else b"\x00"
        if kind in (VariantType.STRING, VariantType.BLOB):
            raw = data.encode("utf-8") if isinstance(data, str) else data
            assert isinstance(raw, bytes)
            return struct.pack("<I", len(raw)) + raw
        return b""


@dataclass(frozen=True, slots=True)
class Cell:
    name: str
    value: Value | None = None
    op: CellOp | None = None
    timestamp: int | None = None


@dataclass(frozen=True, slots=True)
class PlainRow:
    primary_key: tuple[Cell, ...]
    cells: tuple[Cell, ...] = ()
    delete_marker: bool = False


# --- CRC-8, polynomial 0x07, initial value 0 (sdk:.../plain_buffer_crc8.py) ---------------------

def _table() -> tuple[int, ...]:
    out = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
        out.append(crc)
    return tuple(out)


_CRC8 = _table()


def crc8(crc: int, data: bytes) -> int:
    for byte in data:
        crc = _CRC8[(crc ^ byte) & 0xFF]
    return crc


def _cell_checksum(cell: Cell) -> int:
    crc = crc8(0, cell.name.encode("utf-8"))
    if cell.value is not None:
        crc = crc8(crc, bytes([cell.value.type]) + cell.value.payload())
    if cell.timestamp is not None:
        crc = crc8(crc, struct.pack("<q", cell.timestamp))
    if cell.op is not None:
        crc = crc8(crc, bytes([cell.op]))
    return crc


# --- decoding ---------------------------------------------------------------------------------

class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise PlainBufferError(f"truncated {what} at byte {self.pos} (need {n}, have {len(self.data) - self.pos})")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self, what: str) -> int:
        return self.take(1, what)[0]

    def u32(self, what: str) -> int:
        value: int = struct.unpack("<I", self.take(4, what))[0]
        return value

    def i64(self, what: str) -> int:
        value: int = struct.unpack("<q", self.take(8, what))[0]
        return value

    def peek(self) -> int | None:
        return self.data[self.pos] if self.pos < len(self.data) else None

    def expect(self, tag: Tag) -> None:
        got = self.peek()
        if got != tag:
            shown = "end of data" if got is None else f"0x{got:02x}"
            raise PlainBufferError(f"expected tag {tag.name} at byte {self.pos}, found {shown}")
        self.pos += 1

    def accept(self, tag: Tag) -> bool:
        if self.peek() == tag:
            self.pos += 1
            return True
        return False

    @property
    def done(self) -> bool:
        return self.pos >= len(self.data)


def _utf8(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlainBufferError(f"{what} is not valid UTF-8") from exc


def _read_value_body(reader: _Reader, size: int | None) -> Value:
    """The type byte and payload; ``size`` (the CELL_VALUE length) is checked when given."""
    start = reader.pos
    try:
        kind = VariantType(reader.u8("value type"))
    except ValueError as exc:
        raise PlainBufferError(f"unknown value type at byte {reader.pos - 1}") from exc
    data: ValueData = None
    if kind is VariantType.INTEGER:
        data = reader.i64("integer")
    elif kind is VariantType.DOUBLE:
        data = struct.unpack("<d", reader.take(8, "double"))[0]
    elif kind is VariantType.BOOLEAN:
        data = reader.u8("boolean") != 0
    elif kind in (VariantType.STRING, VariantType.BLOB):
        raw = reader.take(reader.u32("length"), "string or binary")
        data = _utf8(raw, "a STRING value") if kind is VariantType.STRING else raw
    if size is not None and reader.pos - start != size:
        raise PlainBufferError(f"cell value length {size} does not match its {kind.name} payload ({reader.pos - start})")
    return Value(kind, data)


def _read_cell(reader: _Reader) -> Cell:
    reader.expect(Tag.CELL)
    reader.expect(Tag.CELL_NAME)
    name = _utf8(reader.take(reader.u32("name length"), "cell name"), "a cell name")
    value = op = timestamp = None
    if reader.accept(Tag.CELL_VALUE):
        value = _read_value_body(reader, reader.u32("value length"))
    if reader.accept(Tag.CELL_TYPE):
        try:
            op = CellOp(reader.u8("cell type"))
        except ValueError as exc:
            raise PlainBufferError(f"unknown cell operation at byte {reader.pos - 1}") from exc
    if reader.accept(Tag.CELL_TIMESTAMP):
        timestamp = reader.i64("timestamp")
    cell = Cell(name, value, op, timestamp)
    reader.expect(Tag.CELL_CHECKSUM)
    if reader.u8("cell checksum") != _cell_checksum(cell):
        raise PlainBufferError(f"cell checksum mismatch for column {name!r}")
    return cell


def _read_row(reader: _Reader) -> PlainRow:
    reader.expect(Tag.ROW_PK)
    row_crc = 0
    primary_key: list[Cell] = []
    cells: list[Cell] = []
    while reader.peek() == Tag.CELL:
        cell = _read_cell(reader)
        if cell.value is None or cell.op is not None or cell.timestamp is not None:
            raise PlainBufferError(f"primary key column {cell.name!r} must have a value and nothing else")
        primary_key.append(cell)
        row_crc = crc8(row_crc, bytes([_cell_checksum(cell)]))
    if reader.accept(Tag.ROW_DATA):
        while reader.peek() == Tag.CELL:
            cell = _read_cell(reader)
            cells.append(cell)
            row_crc = crc8(row_crc, bytes([_cell_checksum(cell)]))
    marker = reader.accept(Tag.DELETE_ROW_MARKER)
    row_crc = crc8(row_crc, b"\x01" if marker else b"\x00")
    reader.expect(Tag.ROW_CHECKSUM)
    if reader.u8("row checksum") != row_crc:
        raise PlainBufferError("row checksum mismatch")
    return PlainRow(tuple(primary_key), tuple(cells), marker)


def _read_header(reader: _Reader) -> None:
    if reader.u32("header") != HEADER:
        raise PlainBufferError("the PlainBuffer header is not 0x75")


def decode_row(data: bytes) -> PlainRow:
    """Exactly one row with its header (a request's ``row``, ``row_change`` or ``primary_key``)."""
    reader = _Reader(data)
    _read_header(reader)
    row = _read_row(reader)
    if not reader.done:
        raise PlainBufferError(f"{len(data) - reader.pos} trailing bytes after the row")
    return row


def decode_rows(data: bytes) -> list[PlainRow]:
    """One header, then rows until the end (a GetRange ``rows`` field)."""
    reader = _Reader(data)
    _read_header(reader)
    rows = []
    while not reader.done:
        rows.append(_read_row(reader))
    return rows


def decode_value(data: bytes) -> Value:
    """A bare value: type byte and payload, no tag, length or checksum (condition and filter values)."""
    reader = _Reader(data)
    value = _read_value_body(reader, None)
    if not reader.done:
        raise PlainBufferError(f"{len(data) - reader.pos} trailing bytes after the value")
    return value


# --- encoding ---------------------------------------------------------------------------------

def encode_value(value: Value) -> bytes:
    return bytes([value.type]) + value.payload()


def _cell_bytes(cell: Cell) -> bytes:
    out = bytearray([Tag.CELL, Tag.CELL_NAME])
    name = cell.name.encode("utf-8")
    out += struct.pack("<I", len(name)) + name
    if cell.value is not None:
        body = encode_value(cell.value)
        out += bytes([Tag.CELL_VALUE]) + struct.pack("<I", len(body)) + body
    if cell.op is not None:
        out += bytes([Tag.CELL_TYPE, cell.op])
    if cell.timestamp is not None:
        out += bytes([Tag.CELL_TIMESTAMP]) + struct.pack("<q", cell.timestamp)
    out += bytes([Tag.CELL_CHECKSUM, _cell_checksum(cell)])
    return bytes(out)


def _row_bytes(row: PlainRow) -> bytes:
    out = bytearray([Tag.ROW_PK])
    crc = 0
    for cell in row.primary_key:
        out += _cell_bytes(cell)
        crc = crc8(crc, bytes([_cell_checksum(cell)]))
    if row.cells:
        out.append(Tag.ROW_DATA)
        for cell in row.cells:
            out += _cell_bytes(cell)
            crc = crc8(crc, bytes([_cell_checksum(cell)]))
    if row.delete_marker:
        out.append(Tag.DELETE_ROW_MARKER)
    crc = crc8(crc, b"\x01" if row.delete_marker else b"\x00")
    out += bytes([Tag.ROW_CHECKSUM, crc])
    return bytes(out)


def encode_row(row: PlainRow) -> bytes:
    """One row with its header (GetRow ``row``, a batch row, ``next_start_primary_key``)."""
    return struct.pack("<I", HEADER) + _row_bytes(row)


def encode_rows(rows: Sequence[PlainRow]) -> bytes:
    """One header followed by the rows (GetRange ``rows``); empty bytes for no rows."""
    if not rows:
        return b""
    return struct.pack("<I", HEADER) + b"".join(_row_bytes(row) for row in rows)
