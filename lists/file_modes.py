"""Owner-only permissions for the data folder and the SQLite files in it.

The SQLite database holds the audit trail (every screened name) and the API
key hashes: other local users must not read it. The folder is created 0700 and
the database 0600 before SQLite first opens it; SQLite gives its -wal, -shm and
-journal files the database file's permissions, and the connect hook below
tightens any left by an older version.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal", "-audit.lock")


def make_private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) owner-only; an existing folder is left as its owner set it."""
    if not path.is_dir():
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _restrict(path: Path) -> None:
    """Take away group and other bits; never add any (a file made unreadable on purpose stays so)."""
    try:
        mode = path.stat().st_mode & 0o777 if path.exists() else FILE_MODE
        if mode & ~FILE_MODE:
            os.chmod(path, mode & FILE_MODE)
    except OSError as exc:  # not ours (e.g. a shared read-only copy): say so, do not fail the start
        log.warning("cannot make %s owner-only: %s", path, exc)


def secure_sqlite_files(database: Path) -> None:
    """Create the database file 0600 if it is missing, and make it and its side files owner-only."""
    if not database.exists():
        database.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    for path in (database, *(Path(f"{database}{suffix}") for suffix in SQLITE_SIDE_FILES)):
        _restrict(path)
