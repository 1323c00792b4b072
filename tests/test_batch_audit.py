"""Batch audit rows: prepared in the workers, bulk-inserted, read back exactly as a Core insert would store them."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import insert, select

from lists.store import Store
from service.audit import get_screening
from service.batch.audit import AUDIT_COLUMNS, BatchAuditSink
from service.batch.io import InputRow
from service.batch.runner import BatchRunner, RowOutcome
from service.db_models import screenings
from tests.test_batch_support import SMALL_VERSIONS, small_designations

VERSIONS = SMALL_VERSIONS


def _rows() -> list[InputRow]:
    fields = [
        {"name": "Yin Kecheng", "type": "Individual", "dob": "1986-12-08", "id": "C1"},
        {"name": "Maria Gonzalez", "id": "C2"},
        {"name": "", "id": "C3"},
        {"name": "Zhou Enlai Trading Co", "country": "CN", "id": "C4"},
    ]
    return [
        InputRow(n, n + 1, list(f.values()), f, None if f["name"] else "empty name")
        for n, f in enumerate(fields, start=1)
    ]


@pytest.fixture(scope="module")
def outcomes() -> list[RowOutcome]:
    with BatchRunner(small_designations(), VERSIONS, workers=1) as runner:
        return [outcome for _, outcome in runner.run(_rows())]


def test_workers_prepare_the_audit_record(outcomes: list[RowOutcome]) -> None:
    hit, clear, error, company = outcomes
    assert [o.decision for o in outcomes] == ["hit", "clear", "error", "hit"]
    assert error.audit is None  # nothing was decided, nothing to audit
    assert hit.audit is not None and clear.audit is not None
    assert hit.audit.screening_id != clear.audit.screening_id
    request = orjson.loads(hit.audit.request_json)
    assert request["name"] == "Yin Kecheng" and request["type"] == "person" and request["dob"] == "1986-12-08"
    result = orjson.loads(hit.audit.result_json)
    assert list(result) == [
        "query",
        "decision",
        "threshold",
        "list_versions",
        "matches",
        "algorithm",
        "algorithm_version",
    ]
    assert result["query"] == request
    assert result["decision"] == "hit" and result["list_versions"] == VERSIONS
    assert result["matches"] == hit.matches and hit.matches[0]["entity_id"] == "ofac:52747"
    assert orjson.loads(company.audit.result_json)["matches"][0]["programs"] == ["=CMD"]  # stored as-is


def _core_row(outcome: RowOutcome, screening_id: str, bulk_id: str, reference: str) -> dict[str, Any]:
    """The same decision as the pre-bulk code path wrote it: decoded JSON through insert(screenings)."""
    assert outcome.audit is not None
    return {
        "screening_id": screening_id,
        "created_at": outcome.audit.created_at,
        "endpoint": "batch-cli",
        "bulk_id": bulk_id,
        "position": outcome.row_number,
        "api_key_id": None,
        "reference": reference,
        "decision": outcome.decision,
        "threshold": outcome.threshold,
        "list_versions": VERSIONS,
        "request": orjson.loads(outcome.audit.request_json),
        "result": orjson.loads(outcome.audit.result_json),
        "screen_ms": outcome.screen_ms,
        "algorithm": outcome.algorithm,
        "algorithm_version": outcome.algorithm_version,
    }


def test_bulk_insert_stores_what_a_core_insert_stores(outcomes: list[RowOutcome], db_url: str) -> None:
    store = Store(db_url)
    try:
        sink = BatchAuditSink(store.engine, VERSIONS)
        references = ["C1", "C2", "C3", "C4"]
        for outcome, reference in zip(outcomes, references, strict=True):
            sink.add(outcome, reference)
        sink.flush()
        assert sink.recorded == 3
        with store.engine.begin() as conn:
            conn.execute(
                insert(screenings),
                [
                    _core_row(o, f"00000000-0000-4000-8000-00000000000{i}", sink.bulk_id, r)
                    for i, (o, r) in enumerate(zip(outcomes, references, strict=True))
                    if o.audit is not None
                ],
            )
        with store.engine.connect() as conn:
            positions = conn.execute(
                select(screenings.c.position, screenings.c.endpoint)
                .where(screenings.c.bulk_id == sink.bulk_id)
                .order_by(screenings.c.position)
            ).all()
        assert positions == [(1, "batch-cli")] * 2 + [(2, "batch-cli")] * 2 + [(4, "batch-cli")] * 2
        for i, outcome in enumerate(outcomes):
            if outcome.audit is None:
                continue
            bulk = get_screening(store.engine, outcome.audit.screening_id)
            core = get_screening(store.engine, f"00000000-0000-4000-8000-00000000000{i}")
            assert bulk is not None and core is not None
            assert set(bulk) == set(AUDIT_COLUMNS)
            bulk.pop("screening_id"), core.pop("screening_id")
            assert bulk == core
            assert bulk["created_at"] == outcome.audit.created_at.isoformat()
            assert bulk["reference"] == references[i] and bulk["request"]["name"] == _rows()[i].fields["name"]
    finally:
        store.close()
