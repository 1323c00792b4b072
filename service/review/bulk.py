"""The review of many screenings at once: a batch's flush, a payment's hits.

The same rules as `service.review.hits` (accept entries suppress, approved true
matches flag the party, one alert per party and designation content), with the
database read in a few queries per call rather than a few per screening: a
batch flush of 5,000 rows costs a handful of round trips, not 5,000.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from lists.store_models import DesignationRow
from service.alerts import CLOSED, alerts, open_alert
from service.review.accepts import applicable_accepts_many
from service.review.hits import (
    FALSE_POSITIVE,
    TRUE_MATCH,
    UNKNOWN_HASH,
    existing_case,
    mark_matches,
    settle,
)

CHUNK = 500  # values per IN list: far below every backend's bound-parameter limit


@dataclass(slots=True)
class Review:
    """One screening to review: its party, the query as screened, and its result (changed in place)."""

    party_id: str | None
    subject: dict[str, Any]
    result: dict[str, Any]  # the engine's answer: "matches" (each with entity_id and list), "decision"


@dataclass(slots=True)
class AlertWanted:
    """One live hit to open (or find) the alert of."""

    party_id: str | None
    subject: dict[str, Any]
    match: dict[str, Any]  # the hit as answered, with its explanation: the alert's `result`
    entity_id: str
    list_code: str
    designation_hash: str
    matched_name: str
    score: float
    screening_id: str
    refs: list[dict[str, Any]] = field(default_factory=list)  # where the alert reference goes


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def designation_hashes(
    conn: Connection, version_ids: dict[str, int], pairs: Iterable[tuple[str, str]]
) -> dict[str, str]:
    """entity id -> content hash in the version screened, for (list code, entity id) pairs.

    A designation whose version was purged meanwhile gets the newest content kept
    (as `hits.current_hashes`), one missing entirely UNKNOWN_HASH (it alerts; no
    accept can cover it).
    """
    wanted = {entity_id: version_ids[code] for code, entity_id in pairs if code in version_ids}
    table = DesignationRow.__table__
    found: dict[str, str] = {}
    versions = sorted(set(wanted.values()))
    for chunk in _chunks(sorted(wanted)):
        rows = conn.execute(
            select(table.c.entity_id, table.c.version_id, table.c.content_hash).where(
                table.c.version_id.in_(versions), table.c.entity_id.in_(chunk)
            )
        )
        for entity_id, version_id, digest in rows:
            if wanted[entity_id] == version_id:
                found[entity_id] = digest
    for entity_id in wanted.keys() - found.keys():  # rare: a purge between screening and review
        latest = conn.execute(
            select(table.c.content_hash)
            .where(table.c.entity_id == entity_id)
            .order_by(table.c.version_id.desc())
            .limit(1)
        ).scalar()
        found[entity_id] = latest or UNKNOWN_HASH
    return found


def known_true_matches_many(conn: Connection, party_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """party id -> its alerts closed as true_match (only the parties that have any)."""
    known: dict[str, list[dict[str, Any]]] = {}
    for chunk in _chunks(sorted(set(party_ids))):
        rows = conn.execute(
            select(
                alerts.c.party_id,
                alerts.c.alert_id,
                alerts.c.entity_id,
                alerts.c.matched_name,
                alerts.c.updated_at,
            )
            .where(alerts.c.party_id.in_(chunk), alerts.c.status == CLOSED, alerts.c.outcome == TRUE_MATCH)
            .order_by(alerts.c.updated_at)
        )
        for r in rows:
            known.setdefault(r.party_id, []).append(
                {
                    "alert_id": r.alert_id,
                    "entity_id": r.entity_id,
                    "matched_name": r.matched_name,
                    "closed_at": r.updated_at.isoformat() if r.updated_at is not None else None,
                }
            )
    return known


def review_all(
    conn: Connection,
    reviews: Sequence[Review],
    version_ids: dict[str, int],
    known: dict[str, list[dict[str, Any]]] | None = None,
) -> None:
    """`hits.review_hits` for every review: matches marked, decisions settled, in place.

    `known`: the parties' true matches when the caller has read them already.
    """
    pairs = {(m["list"], m["entity_id"]) for r in reviews for m in r.result["matches"]}
    hashes = designation_hashes(conn, version_ids, pairs) if pairs else {}
    wanted = [
        (
            r.party_id,
            r.subject,
            {m["entity_id"]: hashes.get(m["entity_id"], UNKNOWN_HASH) for m in r.result["matches"]},
        )
        for r in reviews
    ]
    covered = applicable_accepts_many(conn, wanted)
    if known is None:
        known = known_true_matches_many(conn, (r.party_id for r in reviews if r.party_id))
    for review, accepted in zip(reviews, covered, strict=True):
        mark_matches(review.result["matches"], hashes, accepted)
        settle(review.result, review.party_id, known.get(review.party_id, []) if review.party_id else [])


def _existing(
    conn: Connection, wanted: Sequence[AlertWanted]
) -> dict[tuple[str, str, str], tuple[str, str, str | None]]:
    """(party, entity, hash) -> (alert id, status, outcome) of the cases these hits already are."""
    parties = sorted({w.party_id for w in wanted if w.party_id is not None})
    entities = sorted({w.entity_id for w in wanted})
    found: dict[tuple[str, str, str], tuple[str, str, str | None]] = {}
    for chunk in _chunks(parties):
        rows = conn.execute(
            select(
                alerts.c.party_id,
                alerts.c.entity_id,
                alerts.c.designation_hash,
                alerts.c.alert_id,
                alerts.c.status,
                alerts.c.outcome,
            ).where(alerts.c.party_id.in_(chunk), alerts.c.entity_id.in_(entities))
        )
        for r in rows:
            found[(r.party_id, r.entity_id, r.designation_hash)] = (r.alert_id, r.status, r.outcome)
    return found


def open_alerts_all(
    conn: Connection,
    wanted: Sequence[AlertWanted],
    *,
    version_ids: dict[str, int],
    source: str,
    actor: str,
) -> None:
    """One alert per live hit, in the caller's transaction; each hit's reference is appended to its `refs`.

    The cases that exist already are read in one query per 500 parties: a batch
    run again opens nothing and costs no more. A case closed as a false positive
    whose accept entry lapsed is reopened (`hits.existing_case`), a new hit opened
    with its history and webhook event (`alerts.open_alert`).
    """
    if not wanted:
        return
    existing = _existing(conn, wanted)
    for hit in wanted:
        key = (hit.party_id, hit.entity_id, hit.designation_hash)
        case = existing.get(key) if hit.party_id is not None else None  # type: ignore[arg-type]
        if case is not None and not (case[1] == CLOSED and case[2] == FALSE_POSITIVE):
            hit.refs.append(
                {"alert_id": case[0], "entity_id": hit.entity_id, "status": case[1], "new": False}
            )
            continue
        if case is None:
            alert = open_alert(
                conn,
                party_id=hit.party_id,
                subject=hit.subject,
                entity_id=hit.entity_id,
                list_code=hit.list_code,
                designation_hash=hit.designation_hash,
                matched_name=hit.matched_name,
                score=hit.score,
                result=hit.match,
                list_versions=version_ids,
                source=source,
                screening_id=hit.screening_id,
                actor=actor,
            )
            if alert is not None:
                ref = {"alert_id": alert.alert_id, "entity_id": alert.entity_id, "status": alert.status}
                hit.refs.append({**ref, "new": True})
                if hit.party_id is not None:  # a second hit of this screening on the same case finds it
                    existing[key] = (alert.alert_id, alert.status, None)  # type: ignore[index]
                continue
        found = existing_case(
            conn,
            party_id=hit.party_id,
            entity_id=hit.entity_id,
            designation_hash=hit.designation_hash,
            actor=actor,
            screening_id=hit.screening_id,
        )
        if found is not None:
            hit.refs.append(
                {"alert_id": found[0], "entity_id": hit.entity_id, "status": found[1], "new": False}
            )
            if hit.party_id is not None:
                existing[key] = (found[0], found[1], None)  # type: ignore[index]
