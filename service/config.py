"""Runtime configuration from environment variables (and an optional config file).

Kept in one place so the CLI, the server and the tests agree on where the
database lives.
"""

from __future__ import annotations

import os
from pathlib import Path

from lists.file_modes import make_private_dir


def data_dir() -> Path:
    """Directory for the embedded SQLite store and batch job files."""
    configured = os.environ.get("SANCTIONS_DATA_DIR")
    path = Path(configured) if configured else Path.home() / ".local" / "share" / "sanctions-screening"
    return make_private_dir(path)  # 0700: it holds the audit trail, key hashes and uploads


def database_url() -> str:
    """`DATABASE_URL` (PostgreSQL in production) or SQLite under the data directory."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{data_dir() / 'sanctions.db'}"
