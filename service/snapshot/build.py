"""Make the snapshot of the active list versions, and open a Screener from it.

Who builds: whoever activates list versions (`sanctions lists load|update`, the server's list
refresh) calls `ensure_snapshot` right after; and a process that finds no usable snapshot for
the versions it is about to serve (missing, corrupt, or made from other versions or another
engine) builds the index itself and writes it, under a file lock, so that of several workers
starting together one builds and the others map its file. A process only ever serves a
snapshot whose header names exactly the version ids it reports.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from lists.store import Store, VersionInfo
from screening.index_parts import DEFAULT_CACHE_NAMES, PARTS_LAYOUT, screener_from_parts, screener_parts
from screening.screener import Screener
from screening.thresholds import DEFAULT_THRESHOLD
from service.snapshot.format import Snapshot, SnapshotCorrupt, open_snapshot, read_header, write_snapshot
from service.snapshot.kanwa import ensure_kanwa, map_kanwa
from service.snapshot.locate import identity, snapshot_path
from service.snapshot.lock import build_lock

log = logging.getLogger(__name__)

ENV_SNAPSHOT = "SANCTIONS_INDEX_SNAPSHOT"
ENV_CACHE_NAMES = "SANCTIONS_INDEX_CACHE_NAMES"


def names_kept_decoded() -> int:
    """List names a process keeps decoded from its mapped snapshot (SANCTIONS_INDEX_CACHE_NAMES).

    Memory against latency: each name kept costs about 4.2 KB; one decoded again costs 20-30 µs.
    The default (16,384) holds the names common queries meet; 50,000 holds every bundled list name.
    """
    raw = os.environ.get(ENV_CACHE_NAMES, "").strip()
    if not raw:
        return DEFAULT_CACHE_NAMES
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{ENV_CACHE_NAMES} must be a whole number of names, at least 1 (got {raw!r})")
    return int(raw)


def snapshots_enabled() -> bool:
    """Whether processes share index snapshots (default on; SANCTIONS_INDEX_SNAPSHOT=off builds in each process)."""
    return os.environ.get(ENV_SNAPSHOT, "on").strip().lower() not in ("off", "0", "no", "false")


# Snapshots kept per folder (the newest): a process may still serve an older one (an unlinked
# file stays mapped), and a rollback finds its own again.
KEEP = 3


class SnapshotStale(ValueError):
    """The snapshot was made from other list versions, or by another engine, than asked for."""


class NoActiveVersions(RuntimeError):
    """No list version is active: nothing to snapshot or serve."""


@dataclass(frozen=True)
class Loaded:
    """A Screener ready to serve, the versions it answers for, and where it came from."""

    screener: Screener
    versions: dict[str, VersionInfo]
    source: str  # "snapshot": mapped from an existing file; "built": built here (and written)
    seconds: float  # to open (or build, write and open) it
    path: Path | None


def open_screener(
    path: Path, versions: Mapping[str, VersionInfo], default_threshold: float | None = None
) -> Screener:
    """The Screener over the snapshot at `path`, which must have been made from exactly `versions`.

    Raises FileNotFoundError, SnapshotCorrupt or SnapshotStale.
    """
    started = time.perf_counter()
    snapshot = open_snapshot(path)
    wanted = identity(versions)
    found = {key: snapshot.header.get(key) for key in wanted}
    if found != wanted:
        raise SnapshotStale(f"{path}: made from {found}, wanted {wanted}")
    return screener_of(
        snapshot,
        {code: info.label for code, info in versions.items()},
        default_threshold,
        build_seconds=time.perf_counter() - started,
    )


def screener_of(
    snapshot: Snapshot, labels: Mapping[str, str], threshold: float | None, build_seconds: float = 0.0
) -> Screener:
    """The Screener over an opened snapshot, as every process serves one: names kept decoded as
    configured, and pykakasi's dictionary mapped from beside it."""
    screener = screener_from_parts(
        snapshot.parts,
        labels,
        DEFAULT_THRESHOLD if threshold is None else threshold,
        cache_names=names_kept_decoded(),
        build_seconds=build_seconds,
    )
    map_kanwa(snapshot.path.parent)
    return screener


def write_for(store_url: str, screener: Screener, versions: Mapping[str, VersionInfo]) -> Path:
    """Write `screener` (built from exactly `versions`) as their snapshot; returns its path."""
    path = snapshot_path(store_url, versions)
    meta = {
        **identity(versions),
        "labels": {code: info.label for code, info in versions.items()},
        "created_at": datetime.now(UTC).isoformat(),
        "designations": screener.stats.designations,
        "names": screener.stats.names,
        "store": store_key(store_url),
    }
    size = write_snapshot(path, screener_parts(screener), meta)
    log.info(
        "index snapshot %s written (%.1f MB, %s)", path, size / 2**20, ", ".join(meta["labels"].values())
    )
    prune(path.parent, keep=path, store=meta["store"])
    try:  # beside it, so that the processes about to map the index only map this too
        ensure_kanwa(path.parent)
    except (OSError, ValueError) as exc:
        log.warning("pykakasi's dictionary file not written (%s)", exc)
    return path


def store_key(store_url: str) -> str:
    """Which store a snapshot was made for (a digest of its URL, password hidden)."""
    shown = make_url(store_url).render_as_string(hide_password=True)
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def prune(folder: Path, keep: Path, store: str) -> None:
    """Remove this store's older snapshots beyond the newest KEEP (`keep` among them).

    Only the store's own: several databases may share one folder (SANCTIONS_SNAPSHOT_DIR), and
    pruning by count across them removed a snapshot another store's processes were about to map.
    Files of an older parts layout that name no store (made before snapshots did) are removed too:
    no process of this engine can serve them. A file that cannot be read is left alone.
    """
    own: list[Path] = []
    for path in folder.glob("index-*.snap"):
        if path == keep:
            continue
        try:
            header = read_header(path)[0]
        except (OSError, SnapshotCorrupt):
            continue
        if header.get("store") == store:
            own.append(path)
        elif "store" not in header and header.get("layout") != PARTS_LAYOUT:
            _remove(path)
    for old in sorted(own, key=_modified, reverse=True)[KEEP - 1 :]:
        _remove(old)


def _remove(path: Path) -> None:
    """A process that maps it keeps its pages; the lock file goes with it."""
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".lock").unlink(missing_ok=True)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed meanwhile
        return 0.0


def _usable(path: Path, versions: Mapping[str, VersionInfo], threshold: float | None) -> Screener | None:
    try:
        return open_screener(path, versions, threshold)
    except FileNotFoundError:
        return None
    except (SnapshotCorrupt, SnapshotStale) as exc:
        log.warning("index snapshot not usable, rebuilding it: %s", exc)
        return None


# The Screener a server parent opened before forking its workers (service/http/prefork.py), with
# its snapshot's path and threshold: a worker asked for the same snapshot serves this one, whose
# tables are then the parent's pages, shared by all workers, instead of a private copy each.
_opened_for_children: tuple[Path, float | None, Screener] | None = None


def _active_snapshot_path(store: Store) -> tuple[dict[str, VersionInfo], Path]:
    """The store's active versions and their snapshot's path (NoActiveVersions when none)."""
    versions = store.active_versions()
    if not versions:
        raise NoActiveVersions("no list version is active in the store")
    return versions, snapshot_path(store.url, versions)


def open_for_children(store: Store, default_threshold: float | None = None) -> Loaded | None:
    """The active versions' snapshot opened and kept for processes forked next (`_opened_for_children`).

    None when that snapshot is missing or unusable: building it is left to the children, which
    do so under the build lock while already answering health checks.
    """
    global _opened_for_children
    started = time.perf_counter()
    versions, path = _active_snapshot_path(store)
    screener = _usable(path, versions, default_threshold)
    if screener is None:
        return None
    _opened_for_children = (path, default_threshold, screener)
    return Loaded(screener, versions, "snapshot", time.perf_counter() - started, path)


def load_screener(store: Store, default_threshold: float | None = None) -> Loaded:
    """A Screener for the store's active versions: from their snapshot, made here first if need be."""
    started = time.perf_counter()
    versions, path = _active_snapshot_path(store)
    inherited = _opened_for_children
    if inherited is not None and inherited[:2] == (path, default_threshold):
        return Loaded(inherited[2], versions, "snapshot", time.perf_counter() - started, path)
    screener = _usable(path, versions, default_threshold)
    if screener is not None:
        return Loaded(screener, versions, "snapshot", time.perf_counter() - started, path)
    with build_lock(path):
        screener = _usable(path, versions, default_threshold)  # another process may have made it meanwhile
        if screener is not None:
            return Loaded(screener, versions, "snapshot", time.perf_counter() - started, path)
        built_versions, path = _build(store)
    # Served from the file just written, as every other process serves it.
    screener = open_screener(path, built_versions, default_threshold)
    return Loaded(screener, built_versions, "built", time.perf_counter() - started, path)


def _build(store: Store) -> tuple[dict[str, VersionInfo], Path]:
    versions, designations = store.active_snapshot()  # the versions and exactly their designations
    if not versions:
        raise NoActiveVersions("no list version is active in the store")
    screener = Screener(designations, {code: info.label for code, info in versions.items()})
    del designations
    return versions, write_for(store.url, screener, versions)


def ensure_snapshot(store: Store) -> Path | None:
    """Make the snapshot of the active versions unless a sound one exists (after activating versions).

    None when no version is active.
    """
    versions = store.active_versions()
    if not versions:
        return None
    path = snapshot_path(store.url, versions)
    if _usable(path, versions, None) is not None:
        return path
    with build_lock(path):
        if _usable(path, versions, None) is not None:
            return path
        return _build(store)[1]


def snapshot_after_activation(store: Store) -> Path | None:
    """`ensure_snapshot` after a load or update activated versions; a failure is logged, never raised.

    The load itself succeeded: a process that finds no snapshot builds it anyway.
    """
    if not snapshots_enabled():
        return None
    try:
        return ensure_snapshot(store)
    except Exception:
        log.exception("writing the index snapshot failed; the serving processes will build it")
        return None
