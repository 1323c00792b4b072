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

`review_payments` reviews many at once (a message batch's flush) in the same few
queries as one; the single-payment functions call it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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


def _subject(
    result: dict[str, Any], hit: dict[str, Any], party_id: str | None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What was screened for this hit: the field's value and where it was in which message (and, for a
    message of a batch, which batch and file: `extra`)."""
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
        **(extra or {}),
    }
    return {key: value for key, value in subject.items() if value is not None}


def wants_alerts(result: dict[str, Any], party_id: str | None, without_party: bool) -> bool:
    """Whether an audited payment opens alerts: a party reference (or the setting) and a live designation hit."""
    if not (party_id or without_party):
        return False
    return any(not hit.get("suppressed") for hit in _designation_hits(result))


def needs_review(result: dict[str, Any], party_id: str | None) -> bool:
    return bool(party_id or _designation_hits(result))


@dataclass(slots=True)
class PaymentReview:
    """One screened payment to review: its result (changed in place) and party reference."""

    result: dict[str, Any]
    party_id: str | None
    subject_extra: dict[str, Any] | None = None  # a batch message's batch and file, for alerts and accepts


def review_payments(conn: Connection, reviews: Sequence[PaymentReview], version_ids: dict[str, int]) -> None:
    """Mark each designation hit with its content hash and accept entry, settle each decision again
    (in place), in a few queries for all of them. Fail closed: a hit whose designation content
    cannot be found is never suppressed."""
    found = [(review, _designation_hits(review.result)) for review in reviews]
    pairs = {(hit["matched"]["list"], hit["matched"]["entity_id"]) for _, hits in found for hit in hits}
    hashes = designation_hashes(conn, version_ids, pairs) if pairs else {}
    wanted = []
    for review, hits in found:
        for hit in hits:
            entity_id = hit["matched"]["entity_id"]
            subject = _subject(review.result, hit, review.party_id, review.subject_extra)
            wanted.append((review.party_id, subject, {entity_id: hashes.get(entity_id, UNKNOWN_HASH)}))
    covered = iter(applicable_accepts_many(conn, wanted))
    known_all = known_true_matches_many(conn, {r.party_id for r in reviews if r.party_id})
    for review, hits in found:
        for hit in hits:
            accepted = next(covered)
            entity_id = hit["matched"]["entity_id"]
            digest = hashes.get(entity_id, UNKNOWN_HASH)
            accept_id = accepted.get(entity_id) if digest != UNKNOWN_HASH else None
            hit["designation_hash"] = digest
            hit["suppressed"] = accept_id is not None
            hit["accept_id"] = accept_id
        result, party_id = review.result, review.party_id
        known = known_all.get(party_id, []) if party_id else []
        live = [hit for hit in result["hits"] if not hit.get("suppressed")]
        if any(hit["action"] == "block" for hit in live):
            result["decision"] = "block"
        else:
            result["decision"] = "hold" if live or known else "pass"
        result["party_id"] = party_id
        result["known_true_match"] = bool(known)
        result["true_matches"] = known


def review_payment(
    conn: Connection, result: dict[str, Any], party_id: str | None, version_ids: dict[str, int]
) -> dict[str, Any]:
    """`review_payments` for one payment (in place; returns the result)."""
    review_payments(conn, [PaymentReview(result, party_id)], version_ids)
    return result


def payment_alerts_wanted(
    review: PaymentReview, screening_id: str, refs: list[dict[str, Any]]
) -> list[AlertWanted]:
    """The alerts an audited payment wants: one per live designation hit, references into `refs`."""
    result, party_id = review.result, review.party_id
    return [
        AlertWanted(
            party_id=party_id,
            subject=_subject(result, hit, party_id, review.subject_extra),
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


def unique_refs(refs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two fields hitting one designation are one case: its first reference (the one that says `new`)."""
    unique: dict[str, dict[str, Any]] = {}
    for ref in refs:
        unique.setdefault(ref["alert_id"], ref)
    return list(unique.values())


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
    wanted = payment_alerts_wanted(PaymentReview(result, party_id), screening_id, refs)
    open_alerts_all(conn, wanted, version_ids=version_ids, source=SOURCE, actor=actor)
    return unique_refs(refs)
