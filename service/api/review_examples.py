"""OpenAPI examples of the review endpoints (users, alerts' decisions, accept list, case reports)."""

from __future__ import annotations

from typing import Any

from service.api.openapi_examples import LIST_VERSIONS, SCREENING_ID, SICHUAN, SICHUAN_LISTED

ALERT_ID = "5f0c2c3a9b7e4c1d8e2f6a7b9c0d1e2f"
ACCEPT_ID = "8d3e1f0a2b4c4d6e9f8a7b6c5d4e3f2a"
DESIGNATION_HASH = "3b1f6e0c9d2a4b7e8f1c0d3a6b9e2f5c8d1a4b7e0f3c6d9a2b5e8f1c4d7a0b3e"

USER = {
    "name": "ana",
    "role": "analyst",
    "created_at": "2026-12-05T18:40:00.000000Z",
    "created_by": "admin",
    "disabled_at": None,
}
USERS_ANSWER = [USER, {**USER, "name": "appr", "role": "approver"}]
USER_REQUEST_EXAMPLES: dict[str, dict[str, Any]] = {
    "analyst": {"summary": "an analyst", "value": {"name": "ana", "role": "analyst"}},
    "approver": {"summary": "an approver", "value": {"name": "appr", "role": "approver"}},
}
USER_DISABLED = {**USER, "disabled_at": "2026-12-06T09:00:00.000000Z"}
USER_KEY_CREATED = {
    "key_id": "e63847be6cb6",
    "name": "ana's key",
    "role": "analyst",
    "created_at": "2026-12-05T18:41:00.000000Z",
    "revoked_at": None,
    "user": "ana",
    "token": "ssk_e63847be6cb6_c0EJtF3jp1AL8n4st_RTSgqI-64CnwvskiXBPJe6jjc",
}

_ACCEPT_CREATED: dict[str, Any] = {
    "at": "2026-12-05T18:45:00.000000Z",
    "actor": "appr",
    "action": "created",
    "note": "customer is a Chengdu bakery registered 2011; different USCC",
}
ACCEPT = {
    "accept_id": ACCEPT_ID,
    "party_id": "P-1",
    "name_key": None,
    "dob": None,
    "country": None,
    "entity_id": "ofac:52749",
    "list_code": "ofac",
    "designation_hash": DESIGNATION_HASH,
    "created_by": "ana",
    "approved_by": "appr",
    "alert_id": ALERT_ID,
    "note": "customer is a Chengdu bakery registered 2011; different USCC",
    "created_at": "2026-12-05T18:45:00.000000Z",
    "expires_at": "2027-12-05T18:45:00.000000Z",
    "revoked_at": None,
    "revoked_by": None,
    "active": True,
    "history": [_ACCEPT_CREATED],
}
ACCEPTS_ANSWER = {"items": [ACCEPT], "total": 1, "limit": 50, "offset": 0}
ACCEPT_REVOKED = {
    **ACCEPT,
    "revoked_at": "2026-12-06T10:00:00.000000Z",
    "revoked_by": "admin",
    "active": False,
    "history": [
        _ACCEPT_CREATED,
        {"at": "2026-12-06T10:00:00.000000Z", "actor": "admin", "action": "revoked", "note": "new facts"},
    ],
}

MATCH = {
    "entity_id": "ofac:52749",
    "list": "ofac",
    "type": "entity",
    "programs": ["CYBER2"],
    "name": SICHUAN_LISTED,
    "matched_name": SICHUAN_LISTED,
    "matched_name_kind": "primary",
    "score": 0.97,
    "explanation": {"name_score": 0.97, "matched_tokens": [["sichuan", "sichuan"]]},
    "designation_hash": DESIGNATION_HASH,
    "suppressed": False,
    "accept_id": None,
}
_OPENED = {
    "at": "2026-12-05T18:42:00.000000Z",
    "actor": "ana",
    "action": "opened",
    "from_status": None,
    "to_status": "open",
    "note": None,
    "data": None,
}
_PROPOSED = {
    "at": "2026-12-05T18:43:00.000000Z",
    "actor": "ana",
    "action": "proposed",
    "from_status": "open",
    "to_status": "proposed",
    "note": "different company: USCC and address differ",
    "data": {"outcome": "false_positive"},
}
_APPROVED = {
    "at": "2026-12-05T18:45:00.000000Z",
    "actor": "appr",
    "action": "approved",
    "from_status": "proposed",
    "to_status": "closed",
    "note": None,
    "data": {"outcome": "false_positive", "accept_id": ACCEPT_ID},
}
ALERT = {
    "alert_id": ALERT_ID,
    "party_id": "P-1",
    "subject": {"name": SICHUAN, "party_id": "P-1"},
    "entity_id": "ofac:52749",
    "list_code": "ofac",
    "designation_hash": DESIGNATION_HASH,
    "matched_name": SICHUAN_LISTED,
    "score": 0.97,
    "result": MATCH,
    "list_versions": {"ofac": 1, "ofac-nonsdn": 2, "un": 3, "internal": 4},
    "source": "screen",
    "screening_id": SCREENING_ID,
    "status": "open",
    "outcome": None,
    "assigned_to": None,
    "created_at": "2026-12-05T18:42:00.000000Z",
    "updated_at": "2026-12-05T18:42:00.000000Z",
    "proposal": None,
    "history": [_OPENED],
}
ALERT_PROPOSED = {
    **ALERT,
    "status": "proposed",
    "updated_at": "2026-12-05T18:43:00.000000Z",
    "proposal": {
        "outcome": "false_positive",
        "by": "ana",
        "at": "2026-12-05T18:43:00.000000Z",
        "note": _PROPOSED["note"],
    },
    "history": [_OPENED, _PROPOSED],
}
ALERT_CLOSED = {
    **ALERT,
    "status": "closed",
    "outcome": "false_positive",
    "updated_at": "2026-12-05T18:45:00.000000Z",
    "history": [_OPENED, _PROPOSED, _APPROVED],
}
ALERT_ASSIGNED = {
    **ALERT,
    "assigned_to": "ana",
    "history": [
        _OPENED,
        {
            **_OPENED,
            "action": "assigned",
            "actor": "appr",
            "from_status": "open",
            "data": {"assigned_to": "ana"},
        },
    ],
}
ALERTS_ANSWER = {"items": [ALERT], "total": 1, "limit": 50, "offset": 0}
DECISION_REQUEST_EXAMPLES: dict[str, dict[str, Any]] = {
    "false_positive": {
        "summary": "not the listed party",
        "value": {"outcome": "false_positive", "note": "different company: USCC and address differ"},
    },
    "true_match": {
        "summary": "it is the listed party",
        "value": {"outcome": "true_match", "note": "same USCC 91510100MA61RQXH0J"},
    },
    "escalated": {
        "summary": "needs a senior reviewer",
        "value": {"outcome": "escalated", "note": "cannot tell from the payment data; ask the customer team"},
    },
}
APPROVAL_REQUEST_EXAMPLES: dict[str, dict[str, Any]] = {
    "approve": {"summary": "approve the proposal", "value": {"action": "approve"}},
    "send_back": {
        "summary": "send it back to the analyst",
        "value": {"action": "send_back", "note": "check the registration number first"},
    },
}
ASSIGN_REQUEST_EXAMPLES: dict[str, dict[str, Any]] = {
    "assign": {"summary": "assign to a user", "value": {"assigned_to": "ana"}},
}
REPORT = {
    "alert": {k: v for k, v in ALERT_CLOSED.items() if k not in ("history", "result", "subject", "proposal")},
    "query": ALERT["subject"],
    "match": MATCH,
    "designation_hash": DESIGNATION_HASH,
    "list_versions": [
        {
            "list_code": "ofac",
            "version_id": 1,
            "label": LIST_VERSIONS["ofac"],
            "loaded_at": "2026-12-05T18:00:00Z",
        }
    ],
    "designation": {"entity_id": "ofac:52749", "primary_name": SICHUAN_LISTED},
    "designation_source": "ofac version 1",
    "screening": {"screening_id": SCREENING_ID, "decision": "hit", "created_at": "2026-12-05T18:42:00Z"},
    "decisions": [_OPENED, _PROPOSED, _APPROVED],
    "users": ["ana", "appr"],
    "accepts": [ACCEPT],
    "generated_at": "2026-12-05T19:00:00.000000Z",
    "generated_by": "appr",
}
