"""The accept list (good-guy list): a reviewed false positive that later screenings do not alert on again.

An entry pairs a party (or, without a party id, a normalised name with its date
of birth and country) with a designation AS IT WAS: its content hash at the time.
It applies only while the designation's current content hash is the same one
(a new alias, date of birth or address makes the hit alert again) and until it
expires (a review period, 365 days by default). Entries are never deleted:
revoking sets revoked_at/by and appends to its history.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update

from lists.countries import country_code
from screening.normalize import normalize_latin
from service.review.tables import accept_events, accepts

DEFAULT_ACCEPT_DAYS = 365


class AcceptEvent(BaseModel):
    at: datetime
    actor: str
    action: str
    note: str | None = None


class Accept(BaseModel):
    accept_id: str
    party_id: str | None
    name_key: str | None
    dob: str | None
    country: str | None
    entity_id: str
    list_code: str
    designation_hash: str
    created_by: str
    approved_by: str | None
    alert_id: str | None
    note: str | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None
    active: bool = False  # neither revoked nor expired (whether the designation changed is per screening)
    history: list[AcceptEvent] = []


class AcceptPage(BaseModel):
    items: list[Accept]
    total: int


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def name_key(name: str) -> str:
    """The form names are compared in for accepts without a party: the engine's normalised text."""
    return normalize_latin(name)


def _optional_key(value: str | None) -> str | None:
    return value.strip().casefold() or None if value else None


def country_key(value: str | None) -> str | None:
    """An ISO code when the country is known, else the text as written (casefolded)."""
    return country_code(value) or _optional_key(value)


def accept_from_row(row: Any, now: datetime, history: list[AcceptEvent] | None = None) -> Accept:
    data = dict(row._mapping)
    for column in ("created_at", "expires_at", "revoked_at"):
        data[column] = _utc(data[column])
    active = data["revoked_at"] is None and data["expires_at"] > now
    return Accept(**data, active=active, history=history or [])


def create_accept(
    conn: Connection,
    *,
    party_id: str | None,
    subject: dict[str, Any],
    entity_id: str,
    list_code: str,
    designation_hash: str,
    created_by: str,
    approved_by: str | None,
    alert_id: str | None,
    note: str | None,
    days: int = DEFAULT_ACCEPT_DAYS,
    now: datetime | None = None,
) -> Accept:
    """Record an accept in the caller's transaction (so it commits with the approval that made it)."""
    now = now or datetime.now(UTC)
    values = {
        "accept_id": uuid.uuid4().hex,
        "party_id": party_id,
        "name_key": None if party_id else name_key(str(subject.get("name") or "")) or None,
        "dob": None if party_id else _optional_key(subject.get("dob")),
        "country": None if party_id else country_key(subject.get("country")),
        "entity_id": entity_id,
        "list_code": list_code,
        "designation_hash": designation_hash,
        "created_by": created_by,
        "approved_by": approved_by,
        "alert_id": alert_id,
        "note": note,
        "created_at": now,
        "expires_at": now + timedelta(days=days),
        "revoked_at": None,
        "revoked_by": None,
    }
    if values["party_id"] is None and values["name_key"] is None:
        raise ValueError("an accept needs a party id or a name")
    conn.execute(insert(accepts).values(**values))
    conn.execute(
        insert(accept_events).values(
            accept_id=values["accept_id"],
            at=now,
            actor=approved_by or created_by,
            action="created",
            note=note,
        )
    )
    created = AcceptEvent(at=now, actor=approved_by or created_by, action="created", note=note)
    return Accept.model_validate({**values, "active": True, "history": [created]})


def _history(conn: Connection, accept_id: str) -> list[AcceptEvent]:
    rows = conn.execute(
        select(accept_events).where(accept_events.c.accept_id == accept_id).order_by(accept_events.c.event_id)
    )
    return [AcceptEvent(at=_utc(r.at), actor=r.actor, action=r.action, note=r.note) for r in rows]  # type: ignore[arg-type]


def get_accept(engine: Engine, accept_id: str) -> Accept | None:
    with engine.connect() as conn:
        row = conn.execute(select(accepts).where(accepts.c.accept_id == accept_id)).first()
        return None if row is None else accept_from_row(row, datetime.now(UTC), _history(conn, accept_id))


def list_accepts(
    engine: Engine,
    *,
    active: bool | None = None,
    party_id: str | None = None,
    entity_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> AcceptPage:
    """Accepts, newest first; `active` True keeps those neither revoked nor expired, False the others."""
    now = datetime.now(UTC)
    conditions = []
    live = and_(accepts.c.revoked_at.is_(None), accepts.c.expires_at > now)
    if active is True:
        conditions.append(live)
    elif active is False:
        conditions.append(~live)
    if party_id is not None:
        conditions.append(accepts.c.party_id == party_id)
    if entity_id is not None:
        conditions.append(accepts.c.entity_id == entity_id)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(accepts).where(*conditions)).scalar_one()
        rows = conn.execute(
            select(accepts)
            .where(*conditions)
            .order_by(accepts.c.created_at.desc(), accepts.c.accept_id)
            .limit(limit)
            .offset(offset)
        ).all()
        items = [accept_from_row(row, now, _history(conn, row.accept_id)) for row in rows]
    return AcceptPage(items=items, total=int(total))


def revoke_accept(engine: Engine, accept_id: str, actor: str, note: str | None = None) -> Accept | None:
    """Revoke an active entry (later hits alert again); None when no unrevoked entry has this id."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        done = conn.execute(
            update(accepts)
            .where(accepts.c.accept_id == accept_id, accepts.c.revoked_at.is_(None))
            .values(revoked_at=now, revoked_by=actor)
        )
        if done.rowcount != 1:
            return None
        conn.execute(
            insert(accept_events).values(
                accept_id=accept_id, at=now, actor=actor, action="revoked", note=note
            )
        )
    return get_accept(engine, accept_id)


def applicable_accepts(
    conn: Connection,
    *,
    party_id: str | None,
    subject: dict[str, Any],
    current_hashes: dict[str, str],
    now: datetime | None = None,
) -> dict[str, str]:
    """entity id -> accept id of the live entries covering these hits as the designations are now.

    An entry covers a hit when it names this party (or, for entries without a
    party, this normalised name, date of birth and country), this entity, and
    this entity's current content hash, and is neither revoked nor expired.
    """
    return applicable_accepts_many(conn, [(party_id, subject, current_hashes)], now=now)[0]


AcceptWanted = tuple[str | None, dict[str, Any], dict[str, str]]  # party id, subject, entity id -> hash


def applicable_accepts_many(
    conn: Connection, wanted: list[AcceptWanted], now: datetime | None = None, chunk: int = 500
) -> list[dict[str, str]]:
    """`applicable_accepts` for many screenings at once (a batch's flush): one query per `chunk`
    screenings instead of one per screening; the rule is checked again here for each screening."""
    found: list[dict[str, str]] = [{} for _ in wanted]
    todo = [i for i, (_, _, hashes) in enumerate(wanted) if hashes]
    now = now or datetime.now(UTC)
    for start in range(0, len(todo), chunk):
        part = todo[start : start + chunk]
        who = {
            i: (
                wanted[i][0] or None,
                name_key(str(wanted[i][1].get("name") or "")),
                _optional_key(wanted[i][1].get("dob")),
                country_key(wanted[i][1].get("country")),
            )
            for i in part
        }
        party_ids = sorted({p for p, _, _, _ in who.values() if p})
        names = sorted({n for _, n, _, _ in who.values()})
        entities = sorted({e for i in part for e in wanted[i][2]})
        conditions = [and_(accepts.c.party_id.is_(None), accepts.c.name_key.in_(names))]
        if party_ids:
            conditions.append(accepts.c.party_id.in_(party_ids))
        rows = conn.execute(
            select(
                accepts.c.accept_id,
                accepts.c.party_id,
                accepts.c.name_key,
                accepts.c.dob,
                accepts.c.country,
                accepts.c.entity_id,
                accepts.c.designation_hash,
            )
            .where(
                or_(*conditions),
                accepts.c.entity_id.in_(entities),
                accepts.c.revoked_at.is_(None),
                accepts.c.expires_at > now,
            )
            .order_by(accepts.c.created_at, accepts.c.accept_id)
        ).all()
        by_entity: dict[str, list[Any]] = {}
        for row in rows:
            by_entity.setdefault(row.entity_id, []).append(row)
        for i in part:
            party_id, key, dob, country = who[i]
            for entity_id, digest in wanted[i][2].items():
                for row in by_entity.get(entity_id, ()):  # oldest first: the newest entry is kept
                    if row.designation_hash != digest:
                        continue
                    if (party_id is not None and row.party_id == party_id) or (
                        row.party_id is None and (row.name_key, row.dob, row.country) == (key, dob, country)
                    ):
                        found[i][entity_id] = row.accept_id
    return found


def accepted(
    conn: Connection, *, party_id: str | None, subject: dict[str, Any], entity_id: str, designation_hash: str
) -> str | None:
    """The id of the live accept entry covering this one hit, if any (for callers that open alerts
    themselves, such as monitoring's rescreens)."""
    found = applicable_accepts(
        conn, party_id=party_id, subject=subject, current_hashes={entity_id: designation_hash}
    )
    return found.get(entity_id)
