"""Running the `sanctions` command as a user does (a subprocess), against a database of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select

from service.review.users import create_user
from tests.api_server import REPO_ROOT, database, loaded_template


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m service.cli ARGS` with this environment (DATABASE_URL, SANCTIONS_DATA_DIR...)."""
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@contextmanager
def reviewers_env(kind: str, directory: Path) -> Iterator[dict[str, str]]:
    """A copy of the loaded lists database (sqlite or postgres) with analyst ana and approver appr,
    as the CLI's environment."""
    with database(kind, directory, template=loaded_template()) as url:
        engine = create_engine(url)
        try:
            create_user(engine, "ana", "analyst")
            create_user(engine, "appr", "approver")
        finally:
            engine.dispose()
        yield {**os.environ, "DATABASE_URL": url, "SANCTIONS_DATA_DIR": str(directory)}


def table_rows(env: dict[str, str], table: Any, *where: Any) -> list[Any]:
    """The rows of `table` matching `where` in the CLI environment's database."""
    engine = create_engine(env["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(table).where(*where)))
    finally:
        engine.dispose()
