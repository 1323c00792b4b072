"""The review room's part of a payment screening (issues #20 and #24).

A payment is audited as one decision with its hits; with a party reference its
designation hits (names, BICs, identifiers, names in free text) open alerts like
any other screening, after the audit record is committed: one alert per party
and designation content, ever. Before the audit record, accept entries mark
their hits suppressed and the decision is settled again without them (`pass`
when nothing else is left). Jurisdiction hits (a sanctioned country or region)
name no designation: they hold the payment but neither alert nor get suppressed.

The party reference: the caller's `party_id` when given (the customer the payment
is screened for, so the party's accept entries and true matches apply across its
payments), else the message id as `message:<id>` (GrpHdr/MsgId, the AppHdr's
BizMsgIdr or MT field 20): the alerts of a message then belong to it, the same
message screened again opens none, and the prefix keeps a message id from being
taken for a customer of the same id. A message with neither stays an audited
decision (SANCTIONS_ALERTS_WITHOUT_PARTY=on opens alerts for it too).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from service.review.accepts import applicable_accepts_many
from service.review.bulk import AlertWanted, designation_hashes, known_true_matches_many, open_alerts_all
from service.review.hits import UNKNOWN_HASH

SOURCE = "payment"
MESSAGE_PREFIX = "message:"


def payment_party(party_id: str | None, message_id: str | None) -> str | None:
    """The party reference of a payment's alerts: the caller's, else its message's."""
    if party_id:
        return party_id
    return f"{MESSAGE_PREFIX}{message_id}" if message_id else None


def _designation_hits(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [hit for hit in result["hits"] if hit["matched"].get("entity_id")]


def _subject(result: dict[str, Any], hit: dict[str, Any], party_id: str | None) -> dict[str, Any]:
    """What was screened for this hit: the field's value and where it was in which message."""
    message = result["message"]
    subject = {
        "name": hit["value"],
        "party_id": party_id,
        "message_id": message.get("id"),
        "message_type": message.get("type"),
        "uetr": message.get("uetr"),
        "field": hit["field"],
        "party": hit["party"],
        "check": hit["check"],
    }
    return {key: value for key, value in subject.items() if value is not None}


def wants_alerts(result: dict[str, Any], party_id: str | None, without_party: bool) -> bool:
    """Whether an audited payment opens alerts: a party reference (or the setting) and a live designation hit."""
    if not (party_id or without_party):
        return False
    return any(not hit.get("suppressed") for hit in _designation_hits(result))


def needs_review(result: dict[str, Any], party_id: str | None) -> bool:
    return bool(party_id or _designation_hits(result))


def review_payment(
    conn: Connection, result: dict[str, Any], party_id: str | None, version_ids: dict[str, int]
) -> dict[str, Any]:
    """Mark each designation hit with its content hash and accept entry, settle the decision again
    (in place; returns the result). Fail closed: a hit whose designation content cannot be found
    is never suppressed."""
    hits = _designation_hits(result)
    pairs = {(hit["matched"]["list"], hit["matched"]["entity_id"]) for hit in hits}
    hashes = designation_hashes(conn, version_ids, pairs) if pairs else {}
    wanted = []
    for hit in hits:
        entity_id = hit["matched"]["entity_id"]
        wanted.append(
            (party_id, _subject(result, hit, party_id), {entity_id: hashes.get(entity_id, UNKNOWN_HASH)})
        )
    covered = applicable_accepts_many(conn, wanted)
    for hit, accepted in zip(hits, covered, strict=True):
        entity_id = hit["matched"]["entity_id"]
        digest = hashes.get(entity_id, UNKNOWN_HASH)
        accept_id = accepted.get(entity_id) if digest != UNKNOWN_HASH else None
        hit["designation_hash"] = digest
        hit["suppressed"] = accept_id is not None
        hit["accept_id"] = accept_id
    known = known_true_matches_many(conn, [party_id]).get(party_id, []) if party_id else []
    live = [hit for hit in result["hits"] if not hit.get("suppressed")]
    if any(hit["action"] == "block" for hit in live):
        result["decision"] = "block"
    else:
        result["decision"] = "hold" if live or known else "pass"
    result["party_id"] = party_id
    result["known_true_match"] = bool(known)
    result["true_matches"] = known
    return result


def open_payment_alerts(
    conn: Connection,
    result: dict[str, Any],
    *,
    party_id: str | None,
    version_ids: dict[str, int],
    screening_id: str,
    actor: str,
) -> list[dict[str, Any]]:
    """One alert per live designation hit of an audited payment, in the caller's transaction."""
    refs: list[dict[str, Any]] = []
    wanted = [
        AlertWanted(
            party_id=party_id,
            subject=_subject(result, hit, party_id),
            match=hit,
            entity_id=hit["matched"]["entity_id"],
            list_code=hit["matched"]["list"],
            designation_hash=hit.get("designation_hash") or UNKNOWN_HASH,
            matched_name=hit["matched"].get("matched_name") or hit["matched"].get("name") or hit["value"],
            score=hit["score"],
            screening_id=screening_id,
            refs=refs,
        )
        for hit in _designation_hits(result)
        if not hit.get("suppressed")
    ]
    open_alerts_all(conn, wanted, version_ids=version_ids, source=SOURCE, actor=actor)
    unique: dict[str, dict[str, Any]] = {}
    for ref in refs:  # two fields hitting one designation are one case
        unique.setdefault(ref["alert_id"], ref)
    return list(unique.values())
