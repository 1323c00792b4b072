"""What a screening's hits become: suppressed by an accept entry, flagged as a known true match, or alerts.

`review_hits` runs before the audit record is written, so the record holds the
final answer: each match with its designation's content hash and whether an
accept entry covers it, the decision (`clear` when every hit is covered and the
party is no known true match) and the party's approved true matches.
`open_alerts` runs after that record is committed and opens one alert per hit
that is not covered, with the screening id; the alerts core keeps it to one
alert per (party, designation, content), ever.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from service.alerts import CLOSED, OPEN, alert_events, alerts, open_alert
from service.dbtx import now
from service.review.accepts import applicable_accepts

TRUE_MATCH = "true_match"
FALSE_POSITIVE = "false_positive"
UNKNOWN_HASH = "unknown"  # no stored content for the hit: it alerts (fail closed) and no accept can cover it


def current_hashes(
    conn: Connection, version_ids: dict[str, int], matches: list[dict[str, Any]]
) -> dict[str, str]:
    """entity id -> content hash of the designation each match was found in, at the version screened."""
    from service.review.bulk import designation_hashes  # bulk builds on this module

    return designation_hashes(conn, version_ids, ((m.get("list"), m["entity_id"]) for m in matches))


def known_true_matches(conn: Connection, party_id: str) -> list[dict[str, Any]]:
    """The party's alerts closed as true_match (approved, or decided where no approval is required)."""
    from service.review.bulk import known_true_matches_many

    return known_true_matches_many(conn, [party_id]).get(party_id, [])


def review_hits(
    conn: Connection,
    *,
    party_id: str | None,
    subject: dict[str, Any],
    result: dict[str, Any],
    version_ids: dict[str, int],
) -> dict[str, Any]:
    """Mark the result's matches (in place) and settle its decision; returns the result.

    Fail closed: a match whose designation's content cannot be found gets
    UNKNOWN_HASH, which no accept entry holds, so it is never suppressed.
    """
    matches: list[dict[str, Any]] = result["matches"]
    hashes = current_hashes(conn, version_ids, matches) if matches else {}
    covered = applicable_accepts(conn, party_id=party_id, subject=subject, current_hashes=hashes)
    mark_matches(matches, hashes, covered)
    known = known_true_matches(conn, party_id) if party_id else []
    return settle(result, party_id, known)


def mark_matches(matches: list[dict[str, Any]], hashes: dict[str, str], covered: dict[str, str]) -> None:
    """Give each match its designation's content hash and, if an accept entry covers it, that entry."""
    for match in matches:
        digest = hashes.get(match["entity_id"], UNKNOWN_HASH)
        accept_id = covered.get(match["entity_id"]) if digest != UNKNOWN_HASH else None
        match["designation_hash"] = digest
        match["suppressed"] = accept_id is not None
        match["accept_id"] = accept_id


def settle(result: dict[str, Any], party_id: str | None, known: list[dict[str, Any]]) -> dict[str, Any]:
    """The decision once accepts are marked: hit while a match is live or the party is a known true match."""
    live = [m for m in result["matches"] if not m["suppressed"]]
    result["decision"] = "hit" if live or known else "clear"
    result["party_id"] = party_id
    result["known_true_match"] = bool(known)
    result["true_matches"] = known
    return result


def existing_case(
    conn: Connection,
    *,
    party_id: str | None,
    entity_id: str,
    designation_hash: str,
    actor: str,
    screening_id: str | None = None,
) -> tuple[str, str] | None:
    """(alert id, status) of the case this hit already is; a closed false positive is reopened.

    The hit reaches here only when no accept entry covers it, so a case closed as
    a false positive means its entry expired or was revoked: the alerts core keeps
    one alert per (party, designation content) ever, so the same case is reviewed
    again, with a 'reopened' step. Used by screenings and by monitoring's rescreens.
    """
    row = conn.execute(
        select(alerts.c.alert_id, alerts.c.status, alerts.c.outcome).where(
            alerts.c.party_id == party_id,
            alerts.c.entity_id == entity_id,
            alerts.c.designation_hash == designation_hash,
        )
    ).first()
    if row is None:
        return None
    if row.status != CLOSED or row.outcome != FALSE_POSITIVE:
        return row.alert_id, row.status
    at = now()
    moved = conn.execute(
        update(alerts)
        .where(alerts.c.alert_id == row.alert_id, alerts.c.status == CLOSED)
        .values(status=OPEN, outcome=None, updated_at=at)
    )
    if moved.rowcount == 1:
        conn.execute(
            insert(alert_events).values(
                alert_id=row.alert_id,
                at=at,
                actor=actor,
                action="reopened",
                from_status=CLOSED,
                to_status=OPEN,
                note="the hit came back: its accept entry expired or was revoked",
                data={"previous_outcome": FALSE_POSITIVE, "screening_id": screening_id},
            )
        )
    return row.alert_id, OPEN


def open_alerts(
    conn: Connection,
    *,
    party_id: str | None,
    subject: dict[str, Any],
    result: dict[str, Any],
    version_ids: dict[str, int],
    source: str,
    screening_id: str,
    actor: str,
) -> list[dict[str, Any]]:
    """One alert per live hit (new, or the one that exists for the same party and designation content)."""
    refs: list[dict[str, Any]] = []
    for match in result["matches"]:
        if match.get("suppressed"):
            continue
        alert = open_alert(
            conn,
            party_id=party_id,
            subject=subject,
            entity_id=match["entity_id"],
            list_code=match["list"],
            designation_hash=match.get("designation_hash") or UNKNOWN_HASH,
            matched_name=match["matched_name"],
            score=match["score"],
            result=match,
            list_versions=version_ids,
            source=source,
            screening_id=screening_id,
            actor=actor,
        )
        if alert is not None:
            refs.append(
                {
                    "alert_id": alert.alert_id,
                    "entity_id": alert.entity_id,
                    "status": alert.status,
                    "new": True,
                }
            )
            continue
        case = existing_case(
            conn,
            party_id=party_id,
            entity_id=match["entity_id"],
            designation_hash=match.get("designation_hash") or UNKNOWN_HASH,
            actor=actor,
            screening_id=screening_id,
        )
        if case is not None:
            refs.append(
                {"alert_id": case[0], "entity_id": match["entity_id"], "status": case[1], "new": False}
            )
    return refs
