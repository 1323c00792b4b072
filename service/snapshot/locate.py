"""Where the snapshot of a set of list versions lives, and its name.

In `SANCTIONS_SNAPSHOT_DIR` when set; else beside the SQLite database file (a folder
`index-snapshots` next to it); else (PostgreSQL) under the data directory. The file name is
a digest of the list versions (ids, load times, file digests), the algorithm version and the engine's parts layout, so
another set of versions, or another engine, never finds a file that is not its own.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

from lists.file_modes import make_private_dir, sqlite_path
from lists.store import VersionInfo
from screening.algorithms import BALANCED
from screening.index_parts import PARTS_LAYOUT
from service.snapshot.format import FORMAT_VERSION

ENV_SNAPSHOT_DIR = "SANCTIONS_SNAPSHOT_DIR"
FOLDER = "index-snapshots"


def snapshot_dir(database_url: str) -> Path:
    """The folder of the snapshots for this database (created 0700 if missing)."""
    configured = os.environ.get(ENV_SNAPSHOT_DIR)
    if configured:
        return make_private_dir(Path(configured))
    database = sqlite_path(database_url)
    if database is not None:
        return make_private_dir(database.resolve().parent / FOLDER)
    from service.config import data_dir

    return make_private_dir(data_dir() / FOLDER)


def identity(versions: Mapping[str, VersionInfo]) -> dict[str, object]:
    """What a snapshot must have been built from to serve these versions with this engine.

    A version is its id, load time and files' digests: two databases (say two test databases
    sharing a snapshot folder) both have a version 1, never loaded at the same microsecond.
    """
    return {
        "list_versions": {
            code: {
                "id": versions[code].id,
                "loaded_at": versions[code].loaded_at.isoformat(),
                "files": sorted(f.sha256 for f in versions[code].files),
            }
            for code in sorted(versions)
        },
        "algorithm": BALANCED.name,
        "algorithm_version": BALANCED.version,
        "layout": PARTS_LAYOUT,
        "format": FORMAT_VERSION,
    }


def snapshot_name(versions: Mapping[str, VersionInfo]) -> str:
    digest = hashlib.sha256(json.dumps(identity(versions), sort_keys=True).encode()).hexdigest()
    return f"index-{digest[:24]}.snap"


def snapshot_path(database_url: str, versions: Mapping[str, VersionInfo]) -> Path:
    return snapshot_dir(database_url) / snapshot_name(versions)
