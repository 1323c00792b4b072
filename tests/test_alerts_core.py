"""The alerts core on SQLite and PostgreSQL: one alert per (party, designation, content), history,
and the webhook event written in the same transaction."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from lists.store import Store
from service.alerts import AlertError, close_alert, get_alert, list_alerts, open_alert
from service.webhooks.tables import webhook_deliveries, webhook_events, webhooks


def _open(engine: Any, party: str = "P-1", digest: str = "a" * 64, **extra: Any) -> Any:
    values: dict[str, Any] = {
        "party_id": party,
        "subject": {"name": "YIN, Kecheng", "type": "person"},
        "entity_id": "ofac:52747",
        "list_code": "ofac",
        "designation_hash": digest,
        "matched_name": "YIN, Kecheng",
        "score": 0.97,
        "result": {"entity_id": "ofac:52747", "explanation": {"summary": "..."}},
        "list_versions": {"ofac": 2},
        "source": "rescreen",
    }
    values.update(extra)
    return open_alert(engine, **values)


@pytest.fixture
def store(db_url: str) -> Any:
    store = Store(db_url)
    yield store
    store.close()


def test_one_alert_per_party_designation_and_content(store: Store) -> None:
    first = _open(store.engine)
    assert first is not None and first.status == "open"
    assert _open(store.engine) is None  # same hit, same content: no second alert
    changed = _open(store.engine, digest="b" * 64)  # the designation changed: a new alert
    assert changed is not None and changed.alert_id != first.alert_id
    other_party = _open(store.engine, party="P-2")
    assert other_party is not None
    # Without a party (a one-off screening) nothing is a duplicate.
    assert _open(store.engine, party=None) is not None
    assert _open(store.engine, party=None) is not None
    page = list_alerts(store.engine, party_id="P-1")
    assert page.total == 2 and {a.designation_hash for a in page.items} == {"a" * 64, "b" * 64}


def test_close_writes_history_and_events(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            webhooks.insert().values(
                webhook_id="w1",
                url="http://127.0.0.1:1/x",
                events=["alert.created", "alert.closed"],
                secret="s",
                active=True,
                created_at=datetime.now(UTC),
            )
        )
    alert = _open(store.engine)
    closed = close_alert(store.engine, alert.alert_id, outcome="delisted", actor="system", note="removed")
    assert closed.status == "closed" and closed.outcome == "delisted"
    again = get_alert(store.engine, alert.alert_id)
    assert [e.action for e in again.history] == ["opened", "closed"]
    assert again.history[1].from_status == "open" and again.history[1].note == "removed"
    with pytest.raises(AlertError, match="already closed"):
        close_alert(store.engine, alert.alert_id, outcome="delisted", actor="system")
    with pytest.raises(AlertError, match="no alert"):
        close_alert(store.engine, "nope", outcome="delisted", actor="system")
    assert list_alerts(store.engine, status="open").total == 0
    with store.engine.connect() as conn:
        types = conn.execute(select(webhook_events.c.type).order_by(webhook_events.c.created_at)).scalars()
        assert list(types) == ["alert.created", "alert.closed"]
        assert conn.execute(select(func.count()).select_from(webhook_deliveries)).scalar() == 2


def test_alert_and_event_roll_back_together(store: Store) -> None:
    with pytest.raises(RuntimeError), store.engine.begin() as conn:
        _open(conn)
        raise RuntimeError("the caller's transaction fails")
    assert list_alerts(store.engine).total == 0
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(webhook_events)).scalar() == 0


def test_an_opener_that_waited_for_a_racing_one_gets_none(store: Store) -> None:
    """The second opener of a hit checks (nothing yet), then its insert waits for the first one's
    transaction. On PostgreSQL that insert then did nothing with rowcount -1 (true), so it read back
    an alert that was not there: an AssertionError, a 500 from PUT /v1/parties under load."""
    second: list[Any] = []

    def race() -> None:
        try:
            second.append(_open(store.engine))
        except Exception as exc:  # kept: the assertion shows it
            second.append(exc)

    with store.engine.connect() as first, first.begin():
        assert _open(first) is not None
        racer = threading.Thread(target=race)
        racer.start()
        time.sleep(1.0)  # the racer has checked and is waiting on the first one's row (or lock)
    racer.join(timeout=60)
    assert second == [None]
    assert list_alerts(store.engine).total == 1
