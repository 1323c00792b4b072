"""Runtime configuration from environment variables (and an optional config file).

Kept in one place so the CLI, the server and the tests agree on where the
database lives.
"""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """Directory for the embedded SQLite store and batch job files."""
    configured = os.environ.get("SANCTIONS_DATA_DIR")
    path = Path(configured) if configured else Path.home() / ".local" / "share" / "sanctions-screening"
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """`DATABASE_URL` (PostgreSQL in production) or SQLite under the data directory."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{data_dir() / 'sanctions.db'}"
