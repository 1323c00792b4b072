"""OpenAPI examples of the monitoring endpoints (parties, alerts, rescreens, webhooks)."""

from __future__ import annotations

from typing import Any

from service.api.openapi_examples import request_examples

PARTY_ID = "C-000042"
ALERT_ID = "5b0c1f9e-2a8d-4d51-9d0a-1c7c1a0b3e21"
RESCREEN_ID = "0d6f3a57-7a59-4b7e-8c43-5e2b1f7f9a10"
IMPORT_ID = "a3c1e2d4-5b6f-4a7b-8c9d-0e1f2a3b4c5d"
WEBHOOK_ID = "9c8e7d6f-5a4b-4c3d-9e2f-1a0b9c8d7e6f"
EVENT_ID = "6f1d2c3b-4a59-4e8f-9d7c-6b5a4f3e2d1c"
AT = "2026-12-05T19:02:11.482311+00:00"

PARTY_BODY = {
    "name": "YIN, Kecheng",
    "type": "person",
    "dob": "1986-12-08",
    "nationality": "China",
    "identifiers": [],
    "labels": {"segment": "retail", "source_file": "crm-2026-12.csv"},
}
PARTY_REQUEST_EXAMPLES = request_examples(
    {
        "person": {"summary": "A person with a date of birth", "value": PARTY_BODY},
        "entity": {
            "summary": "A company with its registration code",
            "value": {
                "name": "Sichuan Juxinhe Network Tech Co Ltd",
                "type": "entity",
                "country": "CN",
                "identifiers": [{"type": "uscc", "value": "91510600399136451Q"}],
                "labels": {"segment": "counterparty"},
            },
        },
    }
)

ALERT = {
    "alert_id": ALERT_ID,
    "party_id": PARTY_ID,
    "subject": {"name": "YIN, Kecheng", "type": "person", "dob": "1986-12-08", "nationality": "China"},
    "entity_id": "ofac:52747",
    "list_code": "ofac",
    "designation_hash": "3f0a9c1b7e52d6a4f8c2b1e0d9a7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9",
    "matched_name": "YIN, Kecheng",
    "score": 1.0,
    "result": {
        "entity_id": "ofac:52747",
        "list": "ofac",
        "type": "person",
        "programs": ["CYBER3"],
        "name": "YIN, Kecheng",
        "matched_name": "YIN, Kecheng",
        "matched_name_kind": "primary",
        "score": 1.0,
        "explanation": {
            "summary": "primary name 'YIN, Kecheng' scored 1.00 against 'YIN, Kecheng'; dob +0.05 -> 1.00"
        },
    },
    "list_versions": {"ofac": 5, "ofac-nonsdn": 2, "un": 3, "internal": 4},
    "source": "rescreen",
    "screening_id": None,
    "status": "open",
    "outcome": None,
    "assigned_to": None,
    "created_at": AT,
    "updated_at": AT,
}
ALERT_WITH_HISTORY = {
    **ALERT,
    "history": [
        {
            "event_id": 1,
            "alert_id": ALERT_ID,
            "at": AT,
            "actor": "system",
            "action": "opened",
            "from_status": None,
            "to_status": "open",
            "note": None,
            "data": {"score": 1.0},
        }
    ],
}
ALERTS_PAGE = {"items": [{**ALERT, "history": []}], "total": 1, "limit": 50, "offset": 0}

PARTY = {
    "party_id": PARTY_ID,
    **PARTY_BODY,
    "created_at": AT,
    "updated_at": AT,
    "screened_at": AT,
    "needs_screen": False,
    "open_alerts": [ALERT],
}
PARTY_PUT_ANSWER = {**PARTY, "outcome": "created", "screened": True}
PARTIES_PAGE = {"items": [{**PARTY, "open_alerts": None}], "total": 1, "limit": 50, "offset": 0}

RESCREEN = {
    "job_id": RESCREEN_ID,
    "kind": "delta",
    "state": "done",
    "list": "ofac",
    "from_version": 1,
    "to_version": 5,
    "trigger": "watcher",
    "total": 2003,
    "done": 2003,
    "counts": {
        "parties": 2003,
        "screened": 41,
        "alerts_opened": 3,
        "alerts_closed": 0,
        "errors": 0,
        "added": 5,
        "changed": 0,
        "removed": 0,
    },
    "error": None,
    "notes": [],
    "attempts": 1,
    "created_at": AT,
    "started_at": AT,
    "finished_at": "2026-12-05T19:02:11.902311+00:00",
    "seconds": 0.42,
}
RESCREENS_PAGE = {"items": [RESCREEN], "total": 1, "limit": 50, "offset": 0}
FULL_QUEUED = {
    **RESCREEN,
    "kind": "full",
    "state": "queued",
    "list": None,
    "from_version": None,
    "to_version": None,
    "trigger": "api",
    "total": None,
    "done": 0,
    "counts": {},
    "attempts": 0,
    "started_at": None,
    "finished_at": None,
    "seconds": None,
}
IMPORT_QUEUED: dict[str, Any] = {
    **FULL_QUEUED,
    "job_id": IMPORT_ID,
    "kind": "import",
    "trigger": None,
    "filename": "customers.csv",
    "problems": [],
}
IMPORT_DONE: dict[str, Any] = {
    **IMPORT_QUEUED,
    "state": "done",
    "total": 2004,
    "done": 2004,
    "counts": {"rows": 2004, "created": 2003, "updated": 0, "unchanged": 0, "problems": 1},
    "problems": [{"row": 17, "line": 18, "party_id": "C-000017", "error": "empty name"}],
    "started_at": AT,
    "finished_at": "2026-12-05T19:02:14.102311+00:00",
    "seconds": 2.62,
}

WEBHOOK_BODY = {
    "url": "https://hooks.example.com/sanctions",
    "events": ["alert.created", "alert.closed", "list.updated", "rescreen.finished"],
    "secret": "whsec-7f3a9c1b2d4e6f80",
    "description": "case management",
}
WEBHOOK_REQUEST_EXAMPLES = request_examples(
    {"all_events": {"summary": "Every event type", "value": WEBHOOK_BODY}}
)
WEBHOOK = {
    "webhook_id": WEBHOOK_ID,
    "url": WEBHOOK_BODY["url"],
    "events": WEBHOOK_BODY["events"],
    "description": "case management",
    "active": True,
    "created_at": AT,
    "removed_at": None,
    "pending": 0,
    "delivered": 12,
    "failed": 0,
}
DELIVERIES = {
    "items": [
        {
            "delivery_id": 12,
            "webhook_id": WEBHOOK_ID,
            "event_id": EVENT_ID,
            "event_type": "alert.created",
            "state": "delivered",
            "attempts": 3,
            "last_status": 200,
            "last_error": None,
            "next_attempt_at": None,
            "last_attempt_at": AT,
            "delivered_at": AT,
            "created_at": "2026-12-05T18:58:40.000000+00:00",
        }
    ],
    "total": 1,
    "limit": 50,
    "offset": 0,
    "counts": {"delivered": 12},
}
