"""pykakasi's kanji dictionary as a file beside the index snapshots, mapped by every process.

A process that maps an index snapshot maps this file too (`map_kanwa`), so the Japanese
readings cost it only the first characters its names use (screening/kanwa.py), not a private
100 MB copy of pykakasi's dictionary each. The file is made once per host and pykakasi version,
by the first process that needs it (under a file lock), in the same format as the index
snapshot; a corrupt one is rebuilt. Any failure leaves pykakasi loading its own file as before.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from screening.kanwa import (
    KANWA_LAYOUT,
    kanwa_in_use,
    kanwa_parts,
    pykakasi_table,
    pykakasi_version,
    use_kanwa,
)
from service.snapshot.format import Snapshot, SnapshotCorrupt, open_snapshot, write_snapshot
from service.snapshot.lock import build_lock

log = logging.getLogger(__name__)


def kanwa_path(folder: Path) -> Path:
    return folder / f"kanwa-pykakasi-{pykakasi_version()}-layout{KANWA_LAYOUT}.snap"


def map_kanwa(folder: Path) -> bool:
    """Make this process's pykakasi read the mapped dictionary in `folder` (written first if need be).

    True when it does; False (logged) when it cannot, and pykakasi reads its own file.
    """
    if kanwa_in_use() is not None:
        return True
    try:
        snapshot = ensure_kanwa(folder)
    except (OSError, ValueError) as exc:  # ValueError: SnapshotCorrupt of a file written just now
        log.warning("pykakasi's dictionary not mapped (%s): each process loads its own", exc)
        return False
    if not use_kanwa(snapshot.parts):
        log.info("pykakasi had already loaded its own dictionary in this process")
        return False
    return True


def ensure_kanwa(folder: Path) -> Snapshot:
    """The dictionary file in `folder`, opened; written first when missing, stale or corrupt (OSError)."""
    path = kanwa_path(folder)
    snapshot = _open(path)
    if snapshot is None:
        with build_lock(path):
            snapshot = _open(path) or _write(path)
    return snapshot


def _open(path: Path) -> Snapshot | None:
    try:
        snapshot = open_snapshot(path)
    except FileNotFoundError:
        return None
    except SnapshotCorrupt as exc:
        log.warning("pykakasi dictionary file not usable, rebuilding it: %s", exc)
        return None
    if snapshot.header.get("pykakasi") != pykakasi_version() or snapshot.header.get("layout") != KANWA_LAYOUT:
        return None
    return snapshot


def _write(path: Path) -> Snapshot:
    meta = {
        "pykakasi": pykakasi_version(),
        "layout": KANWA_LAYOUT,
        "created_at": datetime.now(UTC).isoformat(),
    }
    size = write_snapshot(path, kanwa_parts(pykakasi_table()), meta)
    log.info("pykakasi dictionary %s written (%.1f MB)", path, size / 2**20)
    return open_snapshot(path)
