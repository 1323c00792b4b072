"""Four-eyes review of an alert: an analyst proposes, a different user approves or sends back.

States: open -> (propose true_match | false_positive) -> proposed -> (approve) -> closed
                                                                   -> (send back) -> open
        open -> (escalate) -> escalated -> (an approver proposes, or sends back) -> proposed | open
An outcome that needs no approval (configurable) closes at once. Every step is a
row appended to alert_events; the alert row itself only carries the current
status, outcome and assignee. A step is a compare-and-set on the status inside
one transaction, so two reviewers acting at once cannot both succeed. Approving
a false positive writes the accept entry in the same transaction; closing goes
through the alerts core, which writes the `alert.closed` webhook event with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, update

from service.alerts import CLOSED, OPEN, Alert, alert_events, alerts, close_alert, get_alert
from service.auth import Principal, Role
from service.dbtx import now, write
from service.review.accepts import create_accept
from service.review.config import ReviewSettings
from service.review.users import get_user

PROPOSED = "proposed"
ESCALATED = "escalated"
TRUE_MATCH = "true_match"
FALSE_POSITIVE = "false_positive"
DECISIONS = (TRUE_MATCH, FALSE_POSITIVE, ESCALATED)
STATUSES = (OPEN, PROPOSED, ESCALATED, CLOSED)


class ReviewError(Exception):
    """A review step is refused; `status` and `error` are what the API answers."""

    def __init__(self, status: int, error: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail, self.field = status, error, detail, field


def _not_found(alert_id: str) -> ReviewError:
    return ReviewError(404, "not_found", f"no alert {alert_id!r}")


@dataclass(frozen=True)
class Proposal:
    outcome: str
    by: str | None
    at: Any
    note: str | None

    def as_dict(self) -> dict[str, Any]:
        at = self.at.isoformat() if hasattr(self.at, "isoformat") else self.at
        return {"outcome": self.outcome, "by": self.by, "at": at, "note": self.note}


def pending_proposal(alert: Alert) -> Proposal | None:
    """The proposal an approver is asked to approve: the last 'proposed' step, while the alert is proposed."""
    if alert.status != PROPOSED:
        return None
    for event in reversed(alert.history):
        if event.action == "proposed":
            return Proposal((event.data or {}).get("outcome", ""), event.actor, event.at, event.note)
    return None


def _escalated_by(alert: Alert) -> str | None:
    for event in reversed(alert.history):
        if event.action == "escalated":
            return event.actor
    return None


def _claim(conn: Connection, alert: Alert, to_status: str) -> Any:
    """Compare-and-set the status from the one read (locks the row); the time of the step."""
    at = now()
    moved = conn.execute(
        update(alerts)
        .where(alerts.c.alert_id == alert.alert_id, alerts.c.status == alert.status)
        .values(status=to_status, updated_at=at)
    )
    if moved.rowcount != 1:
        raise ReviewError(409, "conflict", f"alert {alert.alert_id} changed meanwhile; reload it and retry")
    return at


def _event(
    conn: Connection,
    alert: Alert,
    at: Any,
    *,
    action: str,
    to_status: str,
    actor: str,
    note: str | None,
    data: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        insert(alert_events).values(
            alert_id=alert.alert_id,
            at=at,
            actor=actor,
            action=action,
            from_status=alert.status,
            to_status=to_status,
            note=note,
            data=data,
        )
    )


def _step(
    conn: Connection,
    alert: Alert,
    *,
    to_status: str,
    action: str,
    actor: str,
    note: str | None,
    data: dict[str, Any] | None = None,
) -> None:
    """Move the alert to `to_status` and append the step to its history."""
    at = _claim(conn, alert, to_status)
    _event(conn, alert, at, action=action, to_status=to_status, actor=actor, note=note, data=data)


def _load(conn: Connection, alert_id: str) -> Alert:
    alert = get_alert(conn, alert_id)
    if alert is None:
        raise _not_found(alert_id)
    return alert


def _close(
    conn: Connection,
    alert: Alert,
    *,
    action: str,
    outcome: str,
    proposed_by: str,
    approved_by: str | None,
    note: str | None,
    reason: str | None,
    settings: ReviewSettings,
) -> None:
    """The final step (`approved`, or `decided` without approval), then the close.

    A false positive first goes on the accept list against the designation as it
    was (the step records the entry's id); the alerts core then closes the alert
    with its history row and the `alert.closed` webhook event, all in this transaction.
    """
    at = _claim(conn, alert, alert.status)  # locks the row; close_alert sets the status
    data: dict[str, Any] = {"outcome": outcome, "proposed_by": proposed_by, "approved_by": approved_by}
    if outcome == FALSE_POSITIVE:
        accept = create_accept(
            conn,
            party_id=alert.party_id,
            subject=alert.subject,
            entity_id=alert.entity_id,
            list_code=alert.list_code,
            designation_hash=alert.designation_hash,
            created_by=proposed_by,
            approved_by=approved_by,
            alert_id=alert.alert_id,
            note=reason,
            days=settings.accept_days,
            now=at,
        )
        data["accept_id"] = accept.accept_id
    actor = approved_by or proposed_by
    _event(conn, alert, at, action=action, to_status=CLOSED, actor=actor, note=note, data=data)
    close_alert(conn, alert.alert_id, outcome=outcome, actor=actor, note=note)


def decide(
    engine: Engine, alert_id: str, *, outcome: str, note: str, principal: Principal, settings: ReviewSettings
) -> Alert:
    """An analyst's (or approver's) decision on an open or escalated alert."""
    if outcome not in DECISIONS:
        raise ReviewError(422, "invalid_request", f"must be one of {', '.join(DECISIONS)}", "body.outcome")
    if not note.strip():
        raise ReviewError(422, "invalid_request", "a decision needs a note saying why", "body.note")
    actor = principal.actor
    with write(engine) as conn:
        alert = _load(conn, alert_id)
        if alert.status in (CLOSED, PROPOSED):
            raise ReviewError(
                409,
                "conflict",
                f"alert {alert_id} is {alert.status}"
                + (
                    "; an approver approves or sends back the proposal first"
                    if alert.status == PROPOSED
                    else ""
                ),
            )
        if alert.status == ESCALATED:
            if outcome == ESCALATED:
                raise ReviewError(409, "conflict", f"alert {alert_id} is escalated already")
            if not principal.allows(Role.APPROVER):
                raise ReviewError(403, "forbidden", "an escalated alert is decided by an approver")
        if outcome == ESCALATED:
            _step(conn, alert, to_status=ESCALATED, action="escalated", actor=actor, note=note)
        elif outcome in settings.approval_required:
            _step(
                conn,
                alert,
                to_status=PROPOSED,
                action="proposed",
                actor=actor,
                note=note,
                data={"outcome": outcome},
            )
        else:  # this outcome needs no second pair of eyes: decided and closed in one go
            _close(
                conn,
                alert,
                action="decided",
                outcome=outcome,
                proposed_by=actor,
                approved_by=None,
                note=note,
                reason=note,
                settings=settings,
            )
    return _reload(engine, alert_id)


def approve(
    engine: Engine,
    alert_id: str,
    *,
    action: str,
    note: str | None,
    principal: Principal,
    settings: ReviewSettings,
) -> Alert:
    """An approver approves the pending proposal (closing the alert) or sends it back (open again).

    Four eyes: the user who proposed (or escalated) cannot approve or send back their own step.
    """
    if action not in ("approve", "send_back"):
        raise ReviewError(422, "invalid_request", "must be approve or send_back", "body.action")
    if action == "send_back" and not (note and note.strip()):
        raise ReviewError(
            422, "invalid_request", "sending back needs a note saying what to look at", "body.note"
        )
    actor = principal.actor
    with write(engine) as conn:
        alert = _load(conn, alert_id)
        proposal = pending_proposal(alert)
        if action == "approve" and proposal is None:
            raise ReviewError(
                409, "conflict", f"alert {alert_id} is {alert.status}: there is no proposal to approve"
            )
        if action == "send_back" and alert.status not in (PROPOSED, ESCALATED):
            raise ReviewError(409, "conflict", f"alert {alert_id} is {alert.status}: nothing to send back")
        author = proposal.by if proposal is not None else _escalated_by(alert)
        if author == actor:
            raise ReviewError(
                403, "four_eyes", f"{actor} made this {alert.status} step; a different user must review it"
            )
        if action == "send_back":
            _step(conn, alert, to_status=OPEN, action="sent_back", actor=actor, note=note)
        else:
            assert proposal is not None
            _close(
                conn,
                alert,
                action="approved",
                outcome=proposal.outcome,
                proposed_by=proposal.by or "unknown",
                approved_by=actor,
                note=note,
                reason=proposal.note,
                settings=settings,
            )
    return _reload(engine, alert_id)


def assign(
    engine: Engine, alert_id: str, *, assigned_to: str | None, note: str | None, principal: Principal
) -> Alert:
    """Give the alert to a user (an active one with a reviewing role), or to nobody."""
    with write(engine) as conn:
        alert = _load(conn, alert_id)
        if alert.status == CLOSED:
            raise ReviewError(409, "conflict", f"alert {alert_id} is closed")
        if assigned_to is not None:
            user = get_user(conn, assigned_to)
            if user is None or not user.active:
                raise ReviewError(
                    422, "invalid_request", f"no active user {assigned_to!r}", "body.assigned_to"
                )
        at = now()
        conn.execute(
            update(alerts).where(alerts.c.alert_id == alert_id).values(assigned_to=assigned_to, updated_at=at)
        )
        conn.execute(
            insert(alert_events).values(
                alert_id=alert_id,
                at=at,
                actor=principal.actor,
                action="assigned",
                from_status=alert.status,
                to_status=alert.status,
                note=note,
                data={"assigned_to": assigned_to, "previous": alert.assigned_to},
            )
        )
    return _reload(engine, alert_id)


def _reload(engine: Engine, alert_id: str) -> Alert:
    alert = get_alert(engine, alert_id)
    if alert is None:  # pragma: no cover - alerts are never deleted
        raise _not_found(alert_id)
    return alert
