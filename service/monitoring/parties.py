"""The party register: the firm's customers and counterparties, kept for ongoing screening.

A party is the firm's own id, a name, a type and the optional facts screening
uses (date of birth, country, nationality, identifiers), plus free labels. Each
row carries a content hash of those facts: writing the same party again changes
nothing, a changed party is flagged `needs_screen` for the monitor, which screens
it against every active list (see service/monitoring/cycle.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import (
    ARRAY,
    Connection,
    Engine,
    String,
    any_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from screening.query import Query, QueryIdentifier, QueryType
from service.alerts import list_alerts
from service.dbtx import now, read, utc, write
from service.monitoring.keys import engine_fingerprint, name_keys
from service.monitoring.tables import parties
from service.validation import storable_problem

MAX_PARTY_ID = 200
MAX_LABELS = 50


class PartyIn(BaseModel):
    """A party as given by the firm (API body, one row of an import file)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=1000, examples=["YIN, Kecheng"])
    type: QueryType = "any"
    dob: str | None = Field(default=None, max_length=32, examples=["1986-12-08"])
    country: str | None = Field(default=None, max_length=64)
    nationality: str | None = Field(default=None, max_length=64)
    identifiers: list[QueryIdentifier] = Field(default_factory=list, max_length=50)
    labels: dict[str, str] = Field(default_factory=dict, examples=[{"segment": "retail"}])

    @field_validator("name")
    @classmethod
    def _name_has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name must contain at least one non-space character")
        return value.strip()

    @field_validator("labels")
    @classmethod
    def _few_labels(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > MAX_LABELS:
            raise ValueError(f"at most {MAX_LABELS} labels")
        return value

    @field_validator("name", "dob", "country", "nationality", "identifiers", "labels")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        """Every text the register stores: no NUL and no lone surrogate (a 500 from PostgreSQL before)."""
        texts = _texts(value)
        for text in texts:
            problem = storable_problem(text)
            if problem:
                raise ValueError(problem)
        return value

    def query(self, threshold: float | None = None, lists: list[str] | None = None) -> Query:
        """The screening query for this party (its type and facts as evidence)."""
        return Query(
            name=self.name,
            type=self.type,
            dob=self.dob,
            country=self.country,
            nationality=self.nationality,
            identifiers=self.identifiers,
            threshold=threshold,
            lists=lists,
        )

    def facts(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def content_hash(self) -> str:
        return facts_hash(self.facts())

    def keys(self) -> str:
        return name_keys(self.name, self.type, ((i.type, i.value) for i in self.identifiers))


def _texts(value: Any) -> list[str]:
    """The strings of a field value: itself, a label's key and value, an identifier's fields."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, dict):
        return [text for pair in value.items() for item in pair for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return []


def facts_hash(facts: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(facts, option=orjson.OPT_SORT_KEYS)).hexdigest()


@dataclass(slots=True, frozen=True)
class Prepared:
    """A party ready to be written: its facts, their hash and its lookup keys.

    Made where the CPU is (an import's worker processes: the keys are most of a
    row's cost), written by write_prepared in the process holding the database.
    The keys are left out (None) when the hash equals `stored`, the hash the
    register held when the row was read: an unchanged party is not written.
    """

    party_id: str
    facts: dict[str, Any]
    digest: str
    keys: str | None

    @classmethod
    def of(cls, party_id: str, party: PartyIn, stored: str | None = None) -> Prepared:
        facts = party.facts()
        digest = facts_hash(facts)
        return cls(party_id, facts, digest, None if digest == stored else party.keys())

    def lookup_keys(self) -> str:
        return self.keys if self.keys is not None else PartyIn.model_validate(self.facts).keys()


class Party(PartyIn):
    """A registered party, as the API shows it."""

    party_id: str
    created_at: datetime
    updated_at: datetime
    screened_at: datetime | None = None
    needs_screen: bool = False
    open_alerts: list[dict[str, Any]] | None = None


class PartyPut(Party):
    """The answer to a put: the party, what the put did, and whether it was screened at once."""

    outcome: Literal["created", "updated", "unchanged"]
    screened: bool = Field(
        description="screened against the serving index now (false: no index yet, or unchanged)"
    )


class PartyPage(BaseModel):
    items: list[Party]
    total: int
    limit: int
    offset: int


class PartyError(ValueError):
    """A party id or body cannot be stored; the message names the field."""


def check_party_id(party_id: str) -> str:
    value = party_id.strip()
    if not value:
        raise PartyError("party_id: must not be empty")
    problem = storable_problem(value)
    if problem:
        raise PartyError(f"party_id: {problem}")
    if len(value) > MAX_PARTY_ID:
        raise PartyError(f"party_id: at most {MAX_PARTY_ID} characters, got {len(value)}")
    return value


def party_from_row(row: Any) -> PartyIn:
    return PartyIn(
        name=row.name,
        type=row.type,
        dob=row.dob,
        country=row.country,
        nationality=row.nationality,
        identifiers=row.identifiers or [],
        labels=row.labels or {},
    )


def _party(row: Any, open_alerts: list[dict[str, Any]] | None = None) -> Party:
    base = party_from_row(row)
    return Party(
        **base.model_dump(),
        party_id=row.party_id,
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
        screened_at=utc(row.screened_at),
        needs_screen=bool(row.needs_screen),
        open_alerts=open_alerts,
    )


@dataclass
class WriteResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_ids: list[str] = field(default_factory=list)


def upsert_parties(bind: Engine | Connection, items: Sequence[tuple[str, PartyIn]]) -> WriteResult:
    """Insert new parties, update changed ones (flagged for screening), leave unchanged ones alone."""
    return write_prepared(bind, [Prepared.of(pid, party) for pid, party in items])


def write_prepared(bind: Engine | Connection, items: Sequence[Prepared]) -> WriteResult:
    """upsert_parties for parties already prepared: one look-up of the stored hashes, one
    insert and one update statement (executemany) for the whole chunk, in one transaction."""
    result = WriteResult()
    if not items:
        return result
    at = now()
    fingerprint = engine_fingerprint()
    with write(bind) as conn:
        existing = stored_hashes(conn, [item.party_id for item in items])
        new_rows: list[dict[str, Any]] = []
        changed_rows: list[dict[str, Any]] = []
        for item in items:
            old = existing.get(item.party_id)
            if old == item.digest:
                result.unchanged += 1
                continue
            values = {
                **item.facts,
                "content_hash": item.digest,
                "match_keys": item.lookup_keys(),  # made here only if it changed since it was read
                "keys_engine": fingerprint,
                "needs_screen": True,
                "updated_at": at,
            }
            if old is None:
                new_rows.append({"party_id": item.party_id, **values, "created_at": at, "screened_at": None})
                result.created += 1
            else:
                changed_rows.append({"pid": item.party_id, **values})
                result.updated += 1
            result.changed_ids.append(item.party_id)
        if new_rows:
            _insert(conn, new_rows)
        if changed_rows:  # the SET clause: every key of the rows but "pid"
            conn.execute(update(parties).where(parties.c.party_id == bindparam("pid")), changed_rows)
    return result


_JSON_COLUMNS = ("identifiers", "labels")


def _insert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert new parties: on PostgreSQL with COPY (one INSERT per row through the driver's
    pipeline cost about 45 s of CPU per million parties), elsewhere with executemany."""
    if conn.dialect.name != "postgresql":
        conn.execute(insert(parties), rows)
        return
    columns = [c.name for c in parties.c]
    raw = conn.connection.driver_connection  # the transaction's own connection
    assert raw is not None
    statement = f"COPY parties ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[attr-defined]
        for row in rows:
            copy.write_row([orjson.dumps(row[c]).decode() if c in _JSON_COLUMNS else row[c] for c in columns])


def stored_hashes(bind: Engine | Connection, party_ids: Sequence[str]) -> dict[str, str]:
    """The content hash of each of these parties that is registered.

    On PostgreSQL the ids go as one array (`= ANY`): an IN list of thousands of
    placeholders is parsed again by the driver on every call.
    """
    with read(bind) as conn:
        if conn.dialect.name == "postgresql":
            ids = bindparam("ids", list(party_ids), type_=ARRAY(String))
            condition = parties.c.party_id == any_(ids)
        else:
            condition = parties.c.party_id.in_(party_ids)
        query = select(parties.c.party_id, parties.c.content_hash).where(condition)
        return dict(conn.execute(query).all())  # type: ignore[arg-type]


def put_party(bind: Engine | Connection, party_id: str, party: PartyIn) -> tuple[Party, str]:
    """Create or update one party; returns it and "created" | "updated" | "unchanged"."""
    pid = check_party_id(party_id)
    result = upsert_parties(bind, [(pid, party)])
    outcome = "created" if result.created else "updated" if result.updated else "unchanged"
    found = get_party(bind, pid, with_alerts=False)
    assert found is not None
    return found, outcome


def get_party(bind: Engine | Connection, party_id: str, with_alerts: bool = True) -> Party | None:
    """One party; with its open alerts (newest first, at most 100) unless told otherwise."""
    with read(bind) as conn:
        row = conn.execute(select(parties).where(parties.c.party_id == party_id)).first()
        if row is None:
            return None
        alerts = None
        if with_alerts:
            page = list_alerts(conn, party_id=party_id, status="open", limit=100)
            alerts = [a.model_dump(mode="json", exclude={"history"}) for a in page.items]
    return _party(row, alerts)


def remove_party(bind: Engine | Connection, party_id: str) -> bool:
    """Remove a party from the register (its alerts stay, for the audit trail)."""
    with write(bind) as conn:
        return bool(conn.execute(delete(parties).where(parties.c.party_id == party_id)).rowcount)


def list_parties(
    bind: Engine | Connection,
    *,
    limit: int = 50,
    offset: int = 0,
    name_contains: str | None = None,
    type: str | None = None,
    needs_screen: bool | None = None,
) -> PartyPage:
    conditions: list[Any] = []
    if name_contains:
        conditions.append(func.lower(parties.c.name).contains(name_contains.lower(), autoescape=True))
    if type:
        conditions.append(parties.c.type == type)
    if needs_screen is not None:
        conditions.append(parties.c.needs_screen == needs_screen)
    with read(bind) as conn:
        total = conn.execute(select(func.count()).select_from(parties).where(*conditions)).scalar_one()
        rows = conn.execute(
            select(parties).where(*conditions).order_by(parties.c.party_id).limit(limit).offset(offset)
        ).all()
    return PartyPage(items=[_party(r) for r in rows], total=int(total), limit=limit, offset=offset)


def count_parties(bind: Engine | Connection) -> int:
    with read(bind) as conn:
        return int(conn.execute(select(func.count()).select_from(parties)).scalar_one())


def validation_problem(exc: ValidationError) -> str:
    """A pydantic error as one line naming each field."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors())


def party_ids(bind: Engine | Connection, ids: Iterable[str]) -> set[str]:
    """Which of `ids` are registered."""
    wanted = list(ids)
    with read(bind) as conn:
        return set(conn.execute(select(parties.c.party_id).where(parties.c.party_id.in_(wanted))).scalars())
