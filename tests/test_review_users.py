"""Named users and their keys: the CLI creates them, the key takes the user's role, disabling stops it.

Runs the real `sanctions` command as a subprocess and checks tokens through the
Authenticator the server uses, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from lists.store import Store
from service.auth import Authenticator, Role, UnknownUser, create_key
from service.review.users import UserError, create_user, disable_user

SANCTIONS = [sys.executable, "-m", "service.cli"]


def sanctions(*args: str, data_dir: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SANCTIONS_DATA_DIR": str(data_dir), "DATABASE_URL": database_url}
    return subprocess.run(
        [*SANCTIONS, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_cli_users_and_their_keys(db_url: str, tmp_path: Path) -> None:
    created = sanctions("users", "create", "ana", "--role", "analyst", data_dir=tmp_path, database_url=db_url)
    assert created.returncode == 0, created.stderr
    assert (
        sanctions(
            "users", "create", "appr", "--role", "approver", data_dir=tmp_path, database_url=db_url
        ).returncode
        == 0
    )

    again = sanctions("users", "create", "ana", "--role", "analyst", data_dir=tmp_path, database_url=db_url)
    assert again.returncode == 2 and "exists already" in again.stderr
    bad_role = sanctions("users", "create", "bob", "--role", "screen", data_dir=tmp_path, database_url=db_url)
    assert bad_role.returncode == 2 and "analyst, approver, admin" in bad_role.stderr

    key = sanctions("keys", "create", "--user", "ana", data_dir=tmp_path, database_url=db_url)
    assert key.returncode == 0, key.stderr
    token = key.stdout.strip()
    assert "user: ana" in key.stderr and "role: analyst" in key.stderr
    unknown = sanctions("keys", "create", "--user", "nobody", data_dir=tmp_path, database_url=db_url)
    assert unknown.returncode == 1 and "no active user 'nobody'" in unknown.stderr
    both = sanctions(
        "keys", "create", "--user", "ana", "--role", "admin", data_dir=tmp_path, database_url=db_url
    )
    assert both.returncode == 2

    listed = sanctions("users", "list", data_dir=tmp_path, database_url=db_url)
    assert [line.split()[:3] for line in listed.stdout.splitlines()] == [
        ["ana", "analyst", "active"],
        ["appr", "approver", "active"],
    ]

    store = Store(db_url)
    try:
        auth = Authenticator(store.engine, cache_seconds=0)
        principal = auth.authenticate(token)
        assert principal is not None
        assert (principal.user, principal.role, principal.actor) == ("ana", Role.ANALYST, "ana")
        assert principal.allows(Role.SCREEN) and principal.allows(Role.ANALYST)
        assert not principal.allows(Role.APPROVER) and not principal.allows(Role.ADMIN)

        disabled = sanctions("users", "disable", "ana", data_dir=tmp_path, database_url=db_url)
        assert disabled.returncode == 0, disabled.stderr
        assert auth.authenticate(token) is None  # every key of a disabled user stops
    finally:
        store.close()


def test_role_only_keys_keep_working_and_roles_grant_as_documented(db_url: str) -> None:
    store = Store(db_url)
    try:
        auth = Authenticator(store.engine, cache_seconds=0)
        _, screen_token = create_key(store.engine, "screen", "gateway")
        screen = auth.authenticate(screen_token)
        assert screen is not None and screen.user is None and screen.role is Role.SCREEN
        assert screen.actor.startswith("key:")
        assert screen.allows(Role.SCREEN) and not screen.allows(Role.ANALYST)  # screens, never decides

        create_user(store.engine, "appr", "approver")
        _, approver_token = create_key(store.engine, user="appr")
        approver = auth.authenticate(approver_token)
        assert approver is not None and approver.allows(Role.APPROVER) and not approver.allows(Role.ADMIN)

        create_user(store.engine, "boss", "admin")
        _, admin_token = create_key(store.engine, user="boss")
        admin = auth.authenticate(admin_token)
        assert admin is not None and all(admin.allows(role) for role in Role)

        with pytest.raises(ValueError, match="screen or admin"):
            create_key(store.engine, "analyst")  # an analyst is a person: keys for analysts belong to users
        with pytest.raises(UserError, match="exists already"):
            create_user(store.engine, "appr", "analyst")
        with pytest.raises(UserError, match="role must be"):
            create_user(store.engine, "eve", "screen")
        with pytest.raises(UserError, match="user name"):
            create_user(store.engine, "no spaces", "analyst")
        assert disable_user(store.engine, "appr")
        assert not disable_user(store.engine, "appr")
        with pytest.raises(UnknownUser):
            create_key(store.engine, user="appr")
    finally:
        store.close()


def test_concurrent_user_and_key_creation_never_fails_on_a_locked_database(db_url: str) -> None:
    """Each creation checks, then inserts: on SQLite a deferred transaction failed at once with
    "database is locked" when another writer committed in between (schemathesis met it as a 503)."""
    store = Store(db_url)
    errors: list[str] = []

    def create(i: int) -> None:
        try:
            create_user(store.engine, f"u{i}", "analyst")
            create_key(store.engine, user=f"u{i}")
        except Exception as exc:  # collected: the assertion names them
            errors.append(repr(exc)[:200])

    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(create, range(80)))
    finally:
        store.close()
    assert errors == []
