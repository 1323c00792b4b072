"""A payment's audit row has every `screenings` column, so the API's group-commit writer can insert it in one
executemany with /v1/screen rows (whose rows name their algorithm) without losing or refusing either."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from lists.store import Store
from screening.algorithms import BALANCED
from service.audit import AuditWriter
from service.db_models import screenings
from service.payments.audit import audit_row
from service.payments.screen import PaymentScreening, parse_message
from tests.test_api_audit import _row as screen_audit_row

FIXTURES = Path(__file__).parent / "fixtures" / "payments"
VERSIONS = {"ofac": "ofac@1:2025-03-05"}


def _payment_row() -> dict[str, Any]:
    raw = (FIXTURES / "pacs008_clean.xml").read_bytes()
    screening = PaymentScreening(
        message=parse_message(raw),
        decision="pass",
        hits=[],
        list_versions=VERSIONS,
        threshold=0.85,
        text_threshold=0.9,
        screen_ms=1.0,
    )
    return audit_row(screening, raw, "application/xml", None)


def _screen_row() -> dict[str, Any]:
    """A row as POST /v1/screen writes it (service.api.screen._audit_row), with its algorithm."""
    return screen_audit_row(list_versions=VERSIONS, algorithm="ofac-sls", algorithm_version="1.0.0")


def test_a_payment_row_names_every_audit_column_and_its_algorithm() -> None:
    row = _payment_row()
    assert set(row) == {column.name for column in screenings.columns}
    assert (row["algorithm"], row["algorithm_version"]) == (BALANCED.name, BALANCED.version)
    assert (row["result"]["algorithm"], row["result"]["algorithm_version"]) == (
        BALANCED.name,
        BALANCED.version,
    )


def test_payment_and_screen_rows_in_one_group_commit_keep_their_algorithms(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    writer = AuditWriter(store.engine)
    writer.start()
    try:
        screen, payment = _screen_row(), _payment_row()
        writer.submit([screen, payment]).result(timeout=30)  # one batch: one executemany
        writer.submit([_payment_row(), _screen_row()]).result(timeout=30)  # and the other way round
        with store.engine.connect() as conn:
            stored = {
                r.screening_id: (r.endpoint, r.algorithm, r.algorithm_version)
                for r in conn.execute(select(screenings))
            }
    finally:
        writer.close()
        store.close()
    assert len(stored) == 4
    assert stored[screen["screening_id"]] == ("screen", "ofac-sls", "1.0.0")
    assert stored[payment["screening_id"]] == ("payment", BALANCED.name, BALANCED.version)
    assert sorted(v for v in stored.values()) == sorted(
        [("screen", "ofac-sls", "1.0.0")] * 2 + [("payment", BALANCED.name, BALANCED.version)] * 2
    )
