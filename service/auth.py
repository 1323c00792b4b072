"""API keys: created once (the secret is shown only then), stored as a SHA-256 hash, looked up by id.

A token reads `ssk_<key_id>_<secret>`: the key id is public (it goes into the
audit trail and logs), the secret is 256 random bits, so a plain SHA-256 of the
token is a safe verifier (no password stretching needed for high-entropy
secrets) and costs microseconds per request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, insert, select, update

from service.db_models import api_keys
from service.dbtx import write
from service.review.tables import users

TOKEN_PREFIX = "ssk"


class Role(StrEnum):
    SCREEN = "screen"  # screen, entities, lists (read)
    ANALYST = "analyst"  # a user's role: also proposes decisions on alerts, reads case reports
    APPROVER = "approver"  # a user's role: also approves or sends back another user's proposal
    ADMIN = "admin"  # also reload, keys, users, audit, accept list


ROLE_GRANTS: dict[Role, frozenset[Role]] = {
    Role.SCREEN: frozenset({Role.SCREEN}),
    Role.ANALYST: frozenset({Role.SCREEN, Role.ANALYST}),
    Role.APPROVER: frozenset({Role.SCREEN, Role.ANALYST, Role.APPROVER}),
    Role.ADMIN: frozenset(Role),
}
KEY_ROLES = (Role.SCREEN, Role.ADMIN)  # roles a key may carry without a user (the keys of before users)


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None
    user: str | None = None  # the named user the key belongs to (None: a role-only key)

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API key (of a named user or role-only), or nobody in particular when auth is off."""

    key_id: str | None
    role: Role
    user: str | None = None

    def allows(self, needed: Role) -> bool:
        return needed in ROLE_GRANTS[self.role]

    @property
    def actor(self) -> str:
        """The name recorded for this caller's actions: the user, else the role-only key, else anonymous."""
        if self.user:
            return self.user
        return f"key:{self.key_id}" if self.key_id else "anonymous"


ANONYMOUS_ADMIN = Principal(key_id=None, role=Role.ADMIN)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_key_id(token: str) -> str | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


class UnknownUser(LookupError):
    """A key was asked for a user that does not exist or is disabled."""


def create_key(
    engine: Engine, role: Role | str | None = None, name: str = "", user: str | None = None
) -> tuple[ApiKey, str]:
    """A new key; returns it with the full token, which is never stored and cannot be shown again.

    A user's key takes the user's role (looked up again on every authentication,
    so changing or disabling the user changes or stops all of its keys); a key
    without a user carries one of KEY_ROLES itself.
    """
    key_id = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    created = datetime.now(UTC)
    # A check then an insert: on SQLite a deferred transaction that reads first fails at once with
    # "database is locked" if another writer commits in between (no busy wait); write() begins
    # IMMEDIATE, so it queues for the write lock instead.
    with write(engine) as conn:
        if user is not None:
            row = conn.execute(
                select(users.c.role).where(users.c.name == user, users.c.disabled_at.is_(None))
            ).first()
            if row is None:
                raise UnknownUser(f"no active user {user!r}; create it with `sanctions users create`")
            role = Role(row.role)
        elif role is None or Role(role) not in KEY_ROLES:
            raise ValueError(f"a key without a user has role screen or admin, not {role!r}")
        role = Role(role)
        label = name or (f"{user}'s key" if user else f"{role.value} key")
        conn.execute(
            insert(api_keys).values(
                key_id=key_id,
                name=label,
                role=role.value,
                secret_hash=hash_token(token),
                created_at=created,
                revoked_at=None,
                user_name=user,
            )
        )
    return ApiKey(key_id, label, role, created, None, user), token


def revoke_key(engine: Engine, key_id: str) -> bool:
    """Revoke a key; False when no active key has this id."""
    with engine.begin() as conn:
        result = conn.execute(
            update(api_keys)
            .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
    return result.rowcount == 1


def key_actor(engine: Engine, key_id: str) -> str:
    """The name a key's actions are recorded under (`Principal.actor`), for work done later in its
    name (a queued batch job's alerts): its user, else the key itself, revoked since or not."""
    with engine.connect() as conn:
        user = conn.execute(select(api_keys.c.user_name).where(api_keys.c.key_id == key_id)).scalar()
    return user or f"key:{key_id}"


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def list_keys(engine: Engine) -> list[ApiKey]:
    with engine.connect() as conn:
        rows = conn.execute(select(api_keys).order_by(api_keys.c.created_at)).all()
    return [_api_key(row) for row in rows]


def _api_key(row: Any) -> ApiKey:
    created = _utc(row.created_at)
    assert created is not None  # the column is NOT NULL
    return ApiKey(row.key_id, row.name, Role(row.role), created, _utc(row.revoked_at), row.user_name)


_Found = tuple[str, Role, str | None]  # (secret hash, role, user name) of an active key


class Authenticator:
    """Checks tokens against the api_keys table, caching lookups for `cache_seconds`.

    The cache bounds how long a revoked key keeps working (default 5 s) and keeps
    the database out of the hot path of every screening request.
    """

    def __init__(self, engine: Engine, cache_seconds: float = 5.0) -> None:
        self._engine = engine
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, _Found | None]] = {}
        self._lock = threading.Lock()

    def _cached(self, key_id: str) -> tuple[bool, _Found | None]:
        """(fresh, entry): a fresh cache entry answers without the database."""
        cached = self._cache.get(key_id)
        if cached is None or time.monotonic() - cached[0] >= self._cache_seconds:
            return False, None
        return True, cached[1]

    def _fetch(self, key_id: str) -> _Found | None:
        """Blocking database look-up of an active key (and of its user: active, with the current role)."""
        now = time.monotonic()
        with self._engine.connect() as conn:
            row = conn.execute(
                select(
                    api_keys.c.secret_hash,
                    api_keys.c.role,
                    api_keys.c.user_name,
                    users.c.role.label("user_role"),
                    users.c.disabled_at,
                )
                .select_from(api_keys.outerjoin(users, users.c.name == api_keys.c.user_name))
                .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
            ).first()
        found: _Found | None = None
        if row is not None and row.user_name is None:
            found = (row.secret_hash, Role(row.role), None)
        elif row is not None and row.user_role is not None and row.disabled_at is None:
            found = (row.secret_hash, Role(row.user_role), row.user_name)
        with self._lock:
            if len(self._cache) > 10_000:  # unbounded guessing must not grow memory
                self._cache.clear()
            self._cache[key_id] = (now, found)
        return found

    @staticmethod
    def _verify(token: str, key_id: str, found: _Found | None) -> Principal | None:
        if found is None:
            return None
        stored_hash, role, user = found
        if not hmac.compare_digest(stored_hash, hash_token(token)):
            return None
        return Principal(key_id=key_id, role=role, user=user)

    def authenticate_cached(self, token: str) -> tuple[bool, Principal | None]:
        """(decided, principal) without touching the database; decided is False on a cache miss.

        Lets an async caller answer cache hits (and malformed tokens) on the event
        loop and send only a miss to `authenticate` in a worker thread.
        """
        key_id = parse_key_id(token)
        if key_id is None:
            return True, None
        fresh, found = self._cached(key_id)
        return (True, self._verify(token, key_id, found)) if fresh else (False, None)

    def authenticate(self, token: str) -> Principal | None:
        """The caller's principal, or None for a malformed, unknown, revoked or wrong token (may block)."""
        key_id = parse_key_id(token)
        if key_id is None:
            return None
        fresh, found = self._cached(key_id)
        return self._verify(token, key_id, found if fresh else self._fetch(key_id))

    def principal_for_key(self, key_id: str) -> Principal | None:
        """The principal of an active key by id, read now (blocking): for a web session, which proved
        the secret at sign-in and must end as soon as the key is revoked or its user disabled."""
        found = self._fetch(key_id)
        return None if found is None else Principal(key_id=key_id, role=found[1], user=found[2])
