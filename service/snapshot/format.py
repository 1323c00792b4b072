"""The snapshot file: a header naming what it holds, then the parts, each aligned, then nothing.

    b"SANCSNAP" | header length (uint64 little-endian) | header (JSON) | padding | parts...

The header names the list versions (code -> id and label), the algorithm and its version,
the engine's parts layout, each part's dtype, shape and offset, and a CRC-32 of the parts
(names and bytes): a corruption check, run on every open (0.1 s for 60 MB where BLAKE2b took
over 0.5 s on the loaded reference machine). `open_snapshot` maps the file copy-on-write (the
compiled ranking takes writable buffers; nothing writes, so every page stays shared between
processes) and refuses a file whose checksum, header or sizes do not hold up: `SnapshotCorrupt`.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"SANCSNAP"
FORMAT_VERSION = 1
ALIGN = 64
_LENGTH = struct.Struct("<Q")


class SnapshotCorrupt(ValueError):
    """The file is not a whole, unaltered snapshot (truncated, overwritten, another format)."""


@dataclass(frozen=True)
class Snapshot:
    """An opened snapshot: its header and its parts (views of the mapped file)."""

    path: Path
    header: dict[str, Any]
    parts: dict[str, np.ndarray]
    size: int


def _aligned(offset: int) -> int:
    return -(-offset // ALIGN) * ALIGN


def write_snapshot(path: Path, parts: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> int:
    """Write `parts` with `meta` in the header to `path`, atomically (a temporary file renamed). Returns bytes written."""
    table: list[dict[str, Any]] = []
    offset = 0
    for name, array in parts.items():
        array = np.ascontiguousarray(array)
        table.append(
            {
                "name": name,
                "dtype": array.dtype.str,
                "shape": list(array.shape),
                "offset": offset,
                "nbytes": array.nbytes,
            }
        )
        offset = _aligned(offset + array.nbytes)
    checksum = 0
    for name, array in parts.items():
        checksum = zlib.crc32(
            memoryview(np.ascontiguousarray(array)).cast("B"), zlib.crc32(name.encode(), checksum)
        )
    header = {
        **meta,
        "format": FORMAT_VERSION,
        "parts": table,
        "data_bytes": offset,
        "checksum": f"crc32:{checksum:08x}",
    }
    raw = json.dumps(header, sort_keys=True).encode()
    data_start = _aligned(len(MAGIC) + _LENGTH.size + len(raw))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as out:
            out.write(MAGIC + _LENGTH.pack(len(raw)) + raw)
            out.write(b"\0" * (data_start - out.tell()))
            for entry, array in zip(table, parts.values(), strict=True):
                out.seek(data_start + entry["offset"])
                out.write(memoryview(np.ascontiguousarray(array)).cast("B"))
            out.truncate(data_start + offset)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return data_start + offset


def read_header(path: Path) -> tuple[dict[str, Any], int]:
    """(header, offset of the parts) of a snapshot file, without mapping or checking its parts."""
    with open(path, "rb") as f:
        start = f.read(len(MAGIC) + _LENGTH.size)
        if len(start) < len(MAGIC) + _LENGTH.size or not start.startswith(MAGIC):
            raise SnapshotCorrupt(f"{path}: not an index snapshot (no {MAGIC.decode()} header)")
        (length,) = _LENGTH.unpack(start[len(MAGIC) :])
        if length > 1 << 24:
            raise SnapshotCorrupt(f"{path}: header length {length} is not plausible")
        raw = f.read(length)
    try:
        header = json.loads(raw)
    except ValueError as exc:
        raise SnapshotCorrupt(f"{path}: header is not JSON ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_VERSION:
        raise SnapshotCorrupt(
            f"{path}: snapshot format {header.get('format') if isinstance(header, dict) else '?'}, "
            f"expected {FORMAT_VERSION}"
        )
    return header, _aligned(len(MAGIC) + _LENGTH.size + length)


def open_snapshot(path: Path, verify: bool = True) -> Snapshot:
    """Map `path` and return its parts as arrays over the mapping (checksum checked unless `verify=False`)."""
    header, data_start = read_header(path)
    size = path.stat().st_size
    if size != data_start + int(header.get("data_bytes", -1)):
        raise SnapshotCorrupt(
            f"{path}: {size} bytes, the header says {data_start + int(header.get('data_bytes', 0))}"
        )
    with open(path, "rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
    parts: dict[str, np.ndarray] = {}
    checksum = 0
    try:
        for entry in header["parts"]:
            dtype = np.dtype(entry["dtype"])
            count = int(np.prod(entry["shape"], dtype=np.int64))
            if (
                count * dtype.itemsize != entry["nbytes"]
                or entry["offset"] + entry["nbytes"] > header["data_bytes"]
            ):
                raise SnapshotCorrupt(f"{path}: part {entry['name']} does not fit the file")
            array = np.frombuffer(mapped, dtype=dtype, count=count, offset=data_start + entry["offset"])
            parts[entry["name"]] = array.reshape(entry["shape"])
            if verify:
                start = data_start + entry["offset"]
                name_crc = zlib.crc32(entry["name"].encode(), checksum)
                checksum = zlib.crc32(memoryview(mapped)[start : start + entry["nbytes"]], name_crc)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, SnapshotCorrupt):
            raise
        raise SnapshotCorrupt(f"{path}: bad part table ({type(exc).__name__}: {exc})") from None
    if verify and f"crc32:{checksum:08x}" != header.get("checksum"):
        raise SnapshotCorrupt(f"{path}: checksum mismatch (the file was altered or cut short)")
    return Snapshot(path, header, parts, size)
