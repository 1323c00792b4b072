"""Named users: who screens, proposes and approves. API keys belong to them (`sanctions keys create --user`).

A user is never deleted (the audit trail and case records name them); disabling
one stops every key of theirs at once (the key look-up joins the user).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert, select, update

from service.auth import Role
from service.dbtx import write
from service.review.tables import users

USER_ROLES = (Role.ANALYST, Role.APPROVER, Role.ADMIN)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class UserError(ValueError):
    """A user cannot be created or changed; the message says why."""


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    created_at: datetime
    created_by: str | None
    disabled_at: datetime | None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _user(row: object) -> User:
    return User(
        row.name,  # type: ignore[attr-defined]
        Role(row.role),  # type: ignore[attr-defined]
        _utc(row.created_at),  # type: ignore[attr-defined, arg-type]
        row.created_by,  # type: ignore[attr-defined]
        _utc(row.disabled_at),  # type: ignore[attr-defined]
    )


def check_role(role: str) -> Role:
    """The user role named `role`, or a UserError listing the allowed ones."""
    if role not in {r.value for r in USER_ROLES}:
        raise UserError(f"role must be one of {', '.join(r.value for r in USER_ROLES)}, not {role!r}")
    return Role(role)


def create_user(engine: Engine, name: str, role: str, created_by: str | None = None) -> User:
    """A new active user; the name is its identity in every record, so it must be new."""
    if not _NAME.match(name):
        raise UserError(
            f"user name {name!r}: 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit"
        )
    checked = check_role(role)
    # A check then an insert: on SQLite a deferred transaction that reads first fails at once with
    # "database is locked" if another writer commits in between (no busy wait); write() begins
    # IMMEDIATE, so it queues for the write lock instead.
    with write(engine) as conn:
        if conn.execute(select(users.c.name).where(users.c.name == name)).first() is not None:
            raise UserError(f"user {name!r} exists already")
        user = User(name, checked, datetime.now(UTC), created_by, None)
        conn.execute(
            insert(users).values(
                name=name, role=checked.value, created_at=user.created_at, created_by=created_by
            )
        )
    return user


def get_user(conn: Connection | Engine, name: str) -> User | None:
    if isinstance(conn, Engine):
        with conn.connect() as connection:
            return get_user(connection, name)
    row = conn.execute(select(users).where(users.c.name == name)).first()
    return None if row is None else _user(row)


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        return [_user(row) for row in conn.execute(select(users).order_by(users.c.name))]


def disable_user(engine: Engine, name: str, disabled_by: str | None = None) -> bool:
    """Disable a user (and so all their keys); False when no active user has this name."""
    with engine.begin() as conn:
        result = conn.execute(
            update(users)
            .where(users.c.name == name, users.c.disabled_at.is_(None))
            .values(disabled_at=datetime.now(UTC), disabled_by=disabled_by)
        )
    return result.rowcount == 1
