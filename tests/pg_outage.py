"""Test helper: make a test's own PostgreSQL database unreachable, then reachable again.

`ALTER DATABASE ... ALLOW_CONNECTIONS false` refuses new connections and
`pg_terminate_backend` cuts the open ones: to the server under test this is the
database going away (every query and connect fails), while the PostgreSQL
server itself, and every other test's database, carry on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def postgres_outage(database_url: str) -> Iterator[None]:
    name = make_url(database_url).database
    admin = create_engine(os.environ["TEST_POSTGRES_URL"], isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
