"""Examples for the OpenAPI docs (/docs), taken from real answers of a server loaded with the bundled lists.

Kept apart from the routes so each route reads as behaviour; tests/test_api_openapi.py
checks that every operation has an example and that request examples validate.

FastAPI renders the spec with `exclude_none`, which would drop every null field
from the examples (a revoked_at: null, an error: null): examples are registered
here as they are built and `restore_nulls` puts the originals back.
"""

from __future__ import annotations

from typing import Any

import orjson

from service.api.models import ErrorBody, InvalidRequest

_REGISTERED: dict[bytes, Any] = {}


def _without_nulls(value: Any) -> Any:
    """The value as FastAPI's spec encoder leaves it: None dropped from every mapping."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _key(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _register(value: Any) -> Any:
    _REGISTERED[_key(_without_nulls(value))] = value
    return value


def _restored(value: Any) -> Any:
    return _REGISTERED.get(_key(value), value)


def restore_nulls(spec: dict[str, Any]) -> dict[str, Any]:
    """Put the registered examples, nulls included, back into a generated spec (in place)."""
    stack: list[Any] = [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if "example" in node:
            node["example"] = _restored(node["example"])
        named = node.get("examples")
        if isinstance(named, dict):
            for entry in named.values():
                if isinstance(entry, dict) and "value" in entry:
                    entry["value"] = _restored(entry["value"])
        stack.extend(v for k, v in node.items() if k not in ("example", "examples"))
    return spec


def request_examples(examples: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Named request examples for `Body(openapi_examples=...)`."""
    for entry in examples.values():
        _register(entry["value"])
    return examples


LIST_VERSIONS = {
    "ofac": "ofac@1:2025-03-05",
    "ofac-nonsdn": "ofac-nonsdn@2:2025-12-01",
    "un": "un@3:2026-02-27",
    "internal": "internal@4:2026-11-23",
}
SICHUAN = "Sichuan Juxinhe Network Technology Company Limited"
SICHUAN_LISTED = "SICHUAN JUXINHE NETWORK TECHNOLOGY CO., LTD."
SCREENING_ID = "140de490-b8ff-496d-a615-f70b3e7a4071"
KEY_ID = "e63847be6cb6"
JOB_ID = "ffacd796-c000-4153-b179-e2b452dca90a"

# --- requests -----------------------------------------------------------------------------

SCREEN_ENTITY = {
    "name": SICHUAN,
    "type": "entity",
    "country": "China",
    "reference": "payment-2025-000123/beneficiary",
}
SCREEN_PERSON = {
    "name": "Aleksei Belan",
    "type": "person",
    "dob": "1987-06-27",
    "nationality": "Latvia",
    "reference": "customer-88412",
}
SCREEN_IDENTIFIER = {
    "name": "Juxinhe Network",
    "identifiers": [{"type": "uscc", "value": "91510600399136451Q", "country": "CN"}],
    "lists": ["ofac"],
    "reference": "onboarding-2025-0042",
}
SCREEN_CLEAR = {"name": "Maria Gonzalez", "type": "person", "reference": "payment-2025-000123/originator"}

SCREEN_REQUEST_EXAMPLES: dict[str, dict[str, Any]] = request_examples(
    {
        "entity_hit": {
            "summary": "A company on the OFAC SDN list (CYBER3)",
            "description": "Hits ofac:52749 SICHUAN JUXINHE NETWORK TECHNOLOGY CO., LTD.; the country adds evidence.",
            "value": SCREEN_ENTITY,
        },
        "person_with_dob": {
            "summary": "A person with date of birth and nationality",
            "description": "Hits ofac:21324 BELAN, Aleksey Alekseyevich (CYBER2) on the alias 'BELAN, Aleksei'; "
            "the exact date of birth and the listed nationality (LV) raise the score.",
            "value": SCREEN_PERSON,
        },
        "identifier": {
            "summary": "An identifier (Chinese USCC), screened against OFAC only",
            "description": "An exact identifier match is decisive even when the name is partial.",
            "value": SCREEN_IDENTIFIER,
        },
        "clear": {
            "summary": "An ordinary name: decision clear",
            "value": SCREEN_CLEAR,
        },
    }
)
BULK_REQUEST_EXAMPLES: dict[str, dict[str, Any]] = request_examples(
    {
        "payment_parties": {
            "summary": "Both parties of a payment",
            "description": "Up to 1,000 queries; the results come back in the same order.",
            "value": {"queries": [SCREEN_ENTITY, SCREEN_CLEAR]},
        },
    }
)
KEY_REQUEST_EXAMPLES: dict[str, dict[str, Any]] = request_examples(
    {
        "screen": {
            "summary": "A key for a payment system",
            "value": {"role": "screen", "name": "payments-gateway"},
        },
        "admin": {"summary": "A key for list operations", "value": {"role": "admin", "name": "list-ops"}},
    }
)

# --- answers ------------------------------------------------------------------------------

SICHUAN_MATCH = {
    "entity_id": "ofac:52749",
    "list": "ofac",
    "type": "entity",
    "programs": ["CYBER3"],
    "name": SICHUAN_LISTED,
    "matched_name": SICHUAN_LISTED,
    "matched_name_kind": "primary",
    "score": 1.0,
    "explanation": {
        "summary": f"primary name '{SICHUAN_LISTED}' scored 1.00 against '{SICHUAN}'; "
        "country +0.02 (CN is listed) -> 1.00",
        "name": {
            "query": SICHUAN,
            "matched": SICHUAN_LISTED,
            "kind": "primary",
            "score": 1.0,
            "tokens": [
                {
                    "query_token": "sichuan",
                    "list_token": "sichuan",
                    "how": "exact",
                    "score": 1.0,
                    "weight": 1.0,
                },
                {
                    "query_token": "juxinhe",
                    "list_token": "juxinhe",
                    "how": "exact",
                    "score": 1.0,
                    "weight": 1.0,
                },
                {
                    "query_token": "network",
                    "list_token": "network",
                    "how": "exact",
                    "score": 1.0,
                    "weight": 0.627,
                },
                {
                    "query_token": "technology",
                    "list_token": "technology",
                    "how": "exact",
                    "score": 1.0,
                    "weight": 0.285,
                },
            ],
            "notes": [],
        },
        "evidence": [{"kind": "country", "effect": 0.02, "detail": "CN is listed"}],
    },
}


def _query_echo(request: dict[str, Any], limit: int = 10) -> dict[str, Any]:
    """The query as the engine read it (every field, defaults filled in)."""
    echo: dict[str, Any] = {
        "name": request["name"],
        "type": request.get("type", "any"),
        "dob": None,
        "country": None,
        "nationality": None,
        "gender": None,
        "identifiers": [],
        "lists": None,
        "threshold": None,
        "limit": limit,
        "truncated": None,
    }
    echo.update({k: v for k, v in request.items() if k in echo})
    return echo


SCREEN_HIT = {
    "query": _query_echo(SCREEN_ENTITY),
    "decision": "hit",
    "threshold": 0.84,
    "list_versions": LIST_VERSIONS,
    "matches": [SICHUAN_MATCH],
    "screening_id": SCREENING_ID,
    "reference": SCREEN_ENTITY["reference"],
    "took_ms": 10.627,
}
SCREEN_CLEAR_ANSWER = {
    "query": _query_echo(SCREEN_CLEAR),
    "decision": "clear",
    "threshold": 0.84,
    "list_versions": LIST_VERSIONS,
    "matches": [],
    "screening_id": "49e672e4-d706-4508-9431-e34a5f006e0a",
    "reference": SCREEN_CLEAR["reference"],
    "took_ms": 18.496,
}
BULK_ANSWER = {
    "bulk_id": "41a8d283-0c4e-425c-a8db-11c88d5c6fe1",
    "took_ms": 18.496,
    "results": [{**SCREEN_HIT, "took_ms": 18.496}, SCREEN_CLEAR_ANSWER],
}
SCREENING_RECORD = {
    "screening_id": SCREENING_ID,
    "created_at": "2026-11-23T17:39:49.918410+00:00",
    "endpoint": "screen",
    "bulk_id": None,
    "position": None,
    "api_key_id": KEY_ID,
    "reference": SCREEN_ENTITY["reference"],
    "decision": "hit",
    "threshold": 0.84,
    "list_versions": LIST_VERSIONS,
    "request": SCREEN_ENTITY,
    "result": {k: v for k, v in SCREEN_HIT.items() if k not in ("screening_id", "reference", "took_ms")},
    "screen_ms": 9.912,
}

OFAC_VERSION = {
    "id": 1,
    "list_code": "ofac",
    "label": "ofac@1:2025-03-05",
    "source": "bundled: data/ofac, data/ofac-delta-2025",
    "publish_date": "2025-03-05",
    "loaded_at": "2026-11-23T17:11:50.626758Z",
    "record_count": 15407,
    "counts_by_type": {"aircraft": 374, "entity": 7255, "person": 6917, "vessel": 861},
    "active": True,
    "state": "active",
    "warnings": ["alt.csv: 731 ent_nums have alias rows but are missing from sdn.csv"],
    "error": None,
    "serving": True,
}
UN_VERSION = {
    "id": 3,
    "list_code": "un",
    "label": "un@3:2026-02-27",
    "source": "bundled: data/un/consolidated.xml",
    "publish_date": "2026-02-27",
    "loaded_at": "2026-11-23T17:11:53.942433Z",
    "record_count": 1003,
    "counts_by_type": {"entity": 273, "person": 730},
    "active": True,
    "state": "active",
    "warnings": [],
    "error": None,
    "serving": True,
}
LISTS_ANSWER = {
    "lists": [OFAC_VERSION, UN_VERSION],
    "index": {
        "ready": True,
        "building": False,
        "designations": 16853,
        "names": 43317,
        "built_at": "2026-11-23T17:39:40.112233+00:00",
        "build_seconds": 17.57,
        "serving": LIST_VERSIONS,
    },
}
OFAC_VERSIONS_ANSWER = [
    {**OFAC_VERSION, "id": 5, "label": "ofac@5:2025-03-05", "loaded_at": "2026-11-24T06:00:02.481100Z"},
    {**OFAC_VERSION, "active": False, "state": "superseded", "serving": False},
]
RELOAD_OK = {
    "ok": True,
    "outcomes": [
        {"list_code": "ofac", "ok": True, "version": "ofac@5:2025-03-05", "error": None, "refused": False},
        {"list_code": "un", "ok": True, "version": "un@6:2026-02-27", "error": None, "refused": False},
    ],
    "serving": {"ofac": "ofac@5:2025-03-05", "un": "un@6:2026-02-27"},
    "message": "all lists reloaded",
}
RELOAD_FAILED = {
    "ok": False,
    "outcomes": [
        {
            "list_code": "un",
            "ok": False,
            "version": None,
            "error": "/srv/lists/un/consolidated.xml: line 1: not well-formed (invalid token)",
            "refused": False,
        }
    ],
    "serving": {"ofac": "ofac@5:2025-03-05", "un": "un@3:2026-02-27"},
    "message": "failed: un; their previous versions keep serving",
}
ENTITY_ANSWER = {
    "entity_id": "ofac:52749",
    "list": "ofac",
    "source_id": "52749",
    "type": "entity",
    "primary_name": SICHUAN_LISTED,
    "name_parts": None,
    "aliases": [],
    "title": None,
    "dates_of_birth": [],
    "places_of_birth": [],
    "nationalities": [],
    "citizenships": [],
    "addresses": [
        {
            "street": "Area 2-b, Building A, No. 2, Sports New Village, North Side of Minjiang West Road",
            "city": "Deyang, Sichuan 618000",
            "state_province": None,
            "postal_code": None,
            "country": "CN",
            "country_name": "China",
            "note": None,
        }
    ],
    "identifiers": [
        {
            "type": "uscc",
            "value": "91510600399136451Q",
            "country": "CN",
            "label": "Unified Social Credit Code (USCC)",
            "currency": None,
            "issued": None,
            "expires": None,
            "note": None,
        }
    ],
    "programs": ["CYBER3"],
    "gender": None,
    "remarks": [],
    "listed_date": None,
    "vessel": None,
    "links": [],
    "provenance": None,
    "extra": {
        "Organization Established Date": "23 May 2014",
        "Organization Type": "Other information technology and computer service activities",
    },
}
KEY = {
    "key_id": KEY_ID,
    "name": "payments-gateway",
    "role": "screen",
    "created_at": "2026-11-23T17:39:52.721562Z",
    "revoked_at": None,
}
KEYS_ANSWER = [
    KEY,
    {
        "key_id": "0b41c9d27a5e",
        "name": "list-ops",
        "role": "admin",
        "created_at": "2026-11-20T09:12:03.004411Z",
        "revoked_at": "2026-11-22T16:40:00.000000Z",
    },
]
KEY_CREATED = {**KEY, "token": f"ssk_{KEY_ID}_c0EJtF3jp1AL8n4st_RTSgqI-64CnwvskiXBPJe6jjc"}
KEY_REVOKED = {"key_id": KEY_ID, "revoked": True}

_JOB_LINKS = {
    "self": f"/v1/batches/{JOB_ID}",
    "results": f"/v1/batches/{JOB_ID}/results",
    "matches": f"/v1/batches/{JOB_ID}/results?file=matches",
}
JOB_QUEUED = {
    "job_id": JOB_ID,
    "state": "queued",
    "filename": "customers.csv",
    "rows_total": 2,
    "rows_done": 0,
    "hits": 0,
    "errors": 0,
    "eta_seconds": None,
    "error": None,
    "notes": [],
    "attempts": 0,
    "list_versions": None,
    "options": {
        "columns": {"name": "full_name", "id": "customer_id"},
        "threshold": None,
        "output_format": "csv",
    },
    "created_at": "2026-11-23T17:39:54.856487+00:00",
    "started_at": None,
    "finished_at": None,
    "links": _JOB_LINKS,
}
JOB_DONE = {
    **JOB_QUEUED,
    "state": "done",
    "rows_done": 2,
    "hits": 1,
    "eta_seconds": 0,
    "attempts": 1,
    "list_versions": LIST_VERSIONS,
    "started_at": "2026-11-23T17:39:54.870676+00:00",
    "finished_at": "2026-11-23T17:39:56.102514+00:00",
}
JOB_CANCELLED = {**JOB_DONE, "state": "cancelled", "rows_done": 0, "hits": 0, "eta_seconds": None}
BATCH_RESULTS_CSV = (
    "customer_id,full_name,birth_date,country,decision,match_count,top_entity_id,top_name,"
    "top_matched_name,top_list,top_programs,top_score,error\n"
    f'C-1001,Sichuan Juxinhe Network Technology Co Ltd,,CN,hit,1,ofac:52749,"{SICHUAN_LISTED}",'
    f'"{SICHUAN_LISTED}",ofac,CYBER3,1.0,\n'
    "C-1002,Maria Gonzalez,1984-02-11,ES,clear,0,,,,,,,\n"
)

METRICS_TEXT = """# HELP sanctions_http_requests_total HTTP requests by endpoint, method and status
# TYPE sanctions_http_requests_total counter
sanctions_http_requests_total{endpoint="/v1/screen",method="POST",status="200"} 18234.0
sanctions_http_requests_total{endpoint="/v1/screen",method="POST",status="401"} 3.0
# HELP sanctions_http_request_duration_seconds HTTP request latency by endpoint
# TYPE sanctions_http_request_duration_seconds histogram
sanctions_http_request_duration_seconds_bucket{endpoint="/v1/screen",le="0.005",method="POST"} 17010.0
sanctions_http_request_duration_seconds_bucket{endpoint="/v1/screen",le="0.01",method="POST"} 18101.0
sanctions_http_request_duration_seconds_bucket{endpoint="/v1/screen",le="+Inf",method="POST"} 18237.0
sanctions_http_request_duration_seconds_count{endpoint="/v1/screen",method="POST"} 18237.0
sanctions_http_request_duration_seconds_sum{endpoint="/v1/screen",method="POST"} 61.4
# HELP sanctions_decisions_total Screening decisions answered
# TYPE sanctions_decisions_total counter
sanctions_decisions_total{decision="hit",endpoint="screen"} 412.0
sanctions_decisions_total{decision="clear",endpoint="screen"} 17822.0
# HELP sanctions_index_designations Designations in the serving index
# TYPE sanctions_index_designations gauge
sanctions_index_designations 16853.0
# HELP sanctions_index_names Names (primary and aliases) in the serving index
# TYPE sanctions_index_names gauge
sanctions_index_names 43317.0
# HELP sanctions_list_age_seconds Seconds since the serving version of each list was published
# TYPE sanctions_list_age_seconds gauge
sanctions_list_age_seconds{list="ofac"} 5.43228e+07
sanctions_list_age_seconds{list="un"} 2.33052e+07
"""

# --- errors -------------------------------------------------------------------------------

ERROR_EXAMPLES: dict[int, tuple[str, dict[str, Any]]] = {
    401: (
        "missing, unknown or revoked API key",
        {"error": "unauthenticated", "detail": "an API key is required (Authorization: Bearer or X-API-Key)"},
    ),
    403: (
        "the key's role does not allow this",
        {"error": "forbidden", "detail": "this endpoint needs the admin role; the key has screen"},
    ),
    404: (
        "not found",
        {"error": "not_found", "detail": "no entity 'ofac:99999999' in the active list versions"},
    ),
    409: (
        "conflict with the current state",
        {"error": "reload_running", "detail": "a list reload is already running; retry when it has finished"},
    ),
    422: (
        "invalid request; each error names its field",
        {
            "error": "invalid_request",
            "detail": [
                {
                    "field": "body.name",
                    "message": "String should have at least 1 character",
                    "type": "string_too_short",
                },
                {
                    "field": "body.lists.0",
                    "message": "Input should be 'ofac', 'ofac-nonsdn', 'un', 'eu', 'uk' or 'internal'",
                    "type": "enum",
                },
            ],
        },
    ),
    503: (
        "fail closed: no active list version, a required list missing (SANCTIONS_REQUIRED_LISTS) or stale "
        "(SANCTIONS_FAIL_ON_STALE), index not built yet, or audit trail unavailable",
        {
            "error": "no_active_list",
            "detail": "no sanctions list version is active, so nothing can be screened (no active list versions); "
            "load lists with `sanctions lists load` or POST /v1/lists/reload",
        },
    ),
}


# A screening whose `lists` names a list with no active version (EU and UK are not bundled).
LIST_NOT_ACTIVE = {
    "error": "list_not_active",
    "detail": [
        {
            "field": "body.lists",
            "message": "no active version of eu, so it cannot be screened against "
            "(active: internal, ofac, ofac-nonsdn, un)",
            "type": "list_not_active",
        }
    ],
}


def ok(example: Any, description: str = "Successful Response", media_type: str = "application/json") -> dict:
    """A 2xx response entry with one example."""
    return {"description": description, "content": {media_type: {"example": _register(example)}}}


def ok_examples(examples: dict[str, tuple[str, Any]], description: str = "Successful Response") -> dict:
    """A 2xx response entry with named examples: name -> (summary, value)."""
    named = {
        name: {"summary": summary, "value": _register(value)} for name, (summary, value) in examples.items()
    }
    return {"description": description, "content": {"application/json": {"examples": named}}}


def errors(*codes: int, **overrides: tuple[str, Any]) -> dict[int | str, dict[str, Any]]:
    """Error response entries with the shared error body and an example each.

    `overrides` replaces the (description, example) of a code: `errors(401, e404=("...", {...}))`.
    """
    entries: dict[int | str, dict[str, Any]] = {}
    for code in sorted({*codes, *(int(name[1:]) for name in overrides)}):
        description, example = overrides[f"e{code}"] if f"e{code}" in overrides else ERROR_EXAMPLES[code]
        model = InvalidRequest if code == 422 and isinstance(example.get("detail"), list) else ErrorBody
        entries[code] = {
            "model": model,
            "description": description,
            "content": {"application/json": {"example": _register(example)}},
        }
    return entries


def error_examples(code: int, description: str, examples: dict[str, tuple[str, Any]]) -> dict[int, dict]:
    """One error response entry with named examples (name -> (summary, value)), in the shared error body."""
    values = [value for _, value in examples.values()]
    model = InvalidRequest if all(isinstance(v.get("detail"), list) for v in values) else ErrorBody
    named = {
        name: {"summary": summary, "value": _register(value)} for name, (summary, value) in examples.items()
    }
    return {
        code: {
            "model": model,
            "description": description,
            "content": {"application/json": {"examples": named}},
        }
    }
