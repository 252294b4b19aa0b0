"""Framing for the three hops: worker -> zygote -> child, and back.

A frame is a 4-byte big-endian length, a JSON header of that length, then an optional
binary payload whose length the header states. Readers enforce size limits before they
allocate, and the trusted side never lets the untrusted header decide how much float data
to expect: it computes the expected payload size from its own plan.
"""

import json
import os
import struct
from typing import Any

MAX_HEADER_BYTES = 4 * 1024 * 1024
# The largest plan (JSON: the source and its cases) the zygote accepts; the client checks it first,
# so an oversized submission is refused as such instead of breaking the stream to the zygote.
MAX_PLAN_BYTES = 16 * 1024 * 1024
_LENGTH = struct.Struct(">I")


class ProtocolError(Exception):
    """The other side sent something that is not a well-formed frame."""


def encode_frame(header: dict[str, Any], payload: bytes = b"") -> bytes:
    header = dict(header, payload_bytes=len(payload))
    raw = json.dumps(header, separators=(",", ":"), allow_nan=True).encode()
    return _LENGTH.pack(len(raw)) + raw + payload


def decode_frame(data: bytes, *, max_payload: int) -> tuple[dict[str, Any], bytes]:
    """Parse one complete frame held in memory (untrusted input: every failure is ProtocolError)."""
    if len(data) < _LENGTH.size:
        raise ProtocolError("frame shorter than its length prefix")
    (header_len,) = _LENGTH.unpack_from(data)
    if header_len > MAX_HEADER_BYTES or _LENGTH.size + header_len > len(data):
        raise ProtocolError("frame header length out of range")
    raw_header = data[_LENGTH.size : _LENGTH.size + header_len]
    try:
        header = json.loads(raw_header)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"frame header is not JSON: {exc}") from None
    if not isinstance(header, dict):
        raise ProtocolError("frame header is not an object")
    payload = data[_LENGTH.size + header_len :]
    declared = header.get("payload_bytes")
    if type(declared) is not int or declared != len(payload) or declared > max_payload:
        raise ProtocolError("frame payload length does not match its header")
    return header, payload


def read_exact(fd: int, count: int) -> bytes:
    chunks = []
    remaining = count
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("stream closed mid-frame")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_header(fd: int, *, max_payload: int) -> dict[str, Any]:
    """Read only a frame's header from a trusted stream, leaving its payload (of
    `header["payload_bytes"]` bytes) unread, for whoever should hold it."""
    (header_len,) = _LENGTH.unpack(read_exact(fd, _LENGTH.size))
    if header_len > MAX_HEADER_BYTES:
        raise ProtocolError("frame header too large")
    header = json.loads(read_exact(fd, header_len))
    payload_len = header.get("payload_bytes", 0)
    if type(payload_len) is not int or not 0 <= payload_len <= max_payload:
        raise ProtocolError("frame payload too large")
    header["payload_bytes"] = payload_len
    return header


def read_frame(fd: int, *, max_payload: int) -> tuple[dict[str, Any], bytes]:
    """Read one frame from a trusted stream (worker <-> zygote)."""
    header = read_header(fd, max_payload=max_payload)
    return header, read_exact(fd, header["payload_bytes"])


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
