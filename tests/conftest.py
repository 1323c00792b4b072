"""Shared fixtures: real databases (a SQLite file and a throwaway PostgreSQL database)."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DATA = REPO_ROOT / "lists" / "data"

# One index-snapshot folder per test process, shared by its databases: copies of one template
# database hold the same list versions (ids, load times, file digests), so the snapshot written
# for the first copy serves every later one instead of each server writing its own (5-10 s each).
# A snapshot's identity names its versions, so two databases never share a wrong one; the tests of
# the default location (beside the SQLite file) unset this themselves.
# Set in every process, not inherited: pytest-xdist's workers start with the controller's
# environment, and two workers sharing one folder pruned each other's snapshots while a batch
# was about to map one (its job failed; CI stop 28).
os.environ["SANCTIONS_SNAPSHOT_DIR"] = tempfile.mkdtemp(
    prefix=f"sanctions-test-snapshots-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-"
)


def _postgres_admin_url() -> str | None:
    return os.environ.get("TEST_POSTGRES_URL")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards.

    Each test gets its own database so parallel runs never see each other's rows.
    Without TEST_POSTGRES_URL the test is skipped, unless REQUIRE_POSTGRES=1 (CI),
    where a missing server is a failure.
    """
    admin_url = _postgres_admin_url()
    if not admin_url:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set")
        pytest.skip("TEST_POSTGRES_URL not set")
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Run a test once against SQLite and once against PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    """Keep each phase's report on the item (item.rep_call...), so a fixture can act on a failure
    (the browser tests save a screenshot as a CI artifact)."""
    report: pytest.TestReport = yield
    setattr(item, f"rep_{report.when}", report)
    return report
