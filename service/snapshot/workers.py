"""Worker processes (batch pool, monitoring pool, Dask) opening the index snapshot instead of building.

The parent names the snapshot file and the list version labels its batch was started with
(`SnapshotRef`, a few bytes to send rather than 17k designations); each worker maps the file
and refuses it unless its header names exactly those versions.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from lists.store import Store
from screening.screener import Screener
from service.snapshot.build import SnapshotStale, ensure_snapshot, screener_of, snapshots_enabled
from service.snapshot.format import open_snapshot
from service.snapshot.ref import SnapshotRef


def snapshot_ref(store: Store, labels: Mapping[str, str]) -> SnapshotRef | None:
    """The snapshot of the active versions (made if missing) when they are exactly `labels`; else None.

    None also with snapshots off: the caller then hands its workers the designations.
    """
    if not snapshots_enabled():
        return None
    active = {code: info.label for code, info in store.active_versions().items()}
    if active != dict(labels):
        return None
    path = ensure_snapshot(store)
    if path is None:
        return None
    return SnapshotRef(str(path), dict(labels))


def open_ref(ref: SnapshotRef, threshold: float | None = None) -> Screener:
    """The Screener over `ref`'s file (SnapshotCorrupt, SnapshotStale if it holds other versions)."""
    snapshot = open_snapshot(Path(ref.path))
    if snapshot.header.get("labels") != ref.labels:
        raise SnapshotStale(f"{ref.path}: holds {snapshot.header.get('labels')}, wanted {ref.labels}")
    return screener_of(snapshot, ref.labels, threshold)
