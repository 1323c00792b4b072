"""What a worker is handed to open the index snapshot: kept free of engine imports (cheap to import and pickle)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SnapshotRef:
    """A snapshot file and the list version labels a worker must find in its header."""

    path: str
    labels: dict[str, str]
