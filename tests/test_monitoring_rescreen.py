"""Rescreens on SQLite and PostgreSQL, with small internal watchlists so each list change is quick:
added, changed and removed designations, one alert per (party, designation, content), the key
prefilter, the monitor lock and jobs interrupted by a dead process."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from lists.loader import load_lists
from lists.store import Store
from service.alerts import list_alerts
from service.dbtx import now
from service.monitoring.context import build_context
from service.monitoring.cycle import Monitor, request_full_rescreen
from service.monitoring.jobs import get_job
from service.monitoring.lock import monitor_lock
from service.monitoring.parties import PartyIn, get_party, put_party, upsert_parties
from service.monitoring.tables import monitoring_jobs
from service.webhooks.tables import webhook_events

PROVENANCE = {"source": "test", "date_added": "2026-01-01", "reason": "test"}
ORION = {"id": "orion", "type": "entity", "name": "Orion Shipping Holdings Ltd", "provenance": PROVENANCE}
PETROV = {
    "id": "petrov",
    "type": "person",
    "name": "Ivan Sergeyevich Petrov",
    "dates_of_birth": ["1970-03-02"],
    "provenance": PROVENANCE,
}
PETROV_CHANGED = {**PETROV, "aliases": ["Ivan Petroff"]}
NOVA = {"id": "nova", "type": "entity", "name": "Nova Maritime Logistics GmbH", "provenance": PROVENANCE}


def load_watchlist(store: Store, folder: Path, entries: list[dict[str, Any]], updated: str) -> int:
    path = folder / f"watchlist-{updated}.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "updated": updated, "entries": entries}))
    (outcome,) = load_lists(store, ["internal"], paths=[path], force=True)
    assert outcome.ok, outcome.error
    assert outcome.version is not None
    return outcome.version.id


@pytest.fixture
def store(db_url: str) -> Any:
    store = Store(db_url)
    yield store
    store.close()


def monitor_for(store: Store) -> Monitor:
    return Monitor(store, lambda: build_context(store))


def alerts_of(store: Store, party_id: str, status: str | None = "open") -> dict[str, Any]:
    return {a.entity_id: a for a in list_alerts(store.engine, party_id=party_id, status=status).items}


def test_list_changes_open_and_close_alerts(store: Store, tmp_path: Path) -> None:
    load_watchlist(store, tmp_path, [ORION, PETROV], "2026-01-01")
    upsert_parties(
        store.engine,
        [
            ("p-orion", PartyIn(name="Orion Shipping Holdings Limited", type="entity")),
            ("p-petrov", PartyIn(name="Ivan Petrov", type="person", dob="1970-03-02")),
            ("p-nova", PartyIn(name="Nova Maritime Logistics GmbH", type="entity")),
            ("p-smith", PartyIn(name="Jane Smith", type="person", dob="1980-01-01")),
        ],
    )
    monitor = monitor_for(store)
    (first,) = monitor.run_once("test")
    job = get_job(store.engine, first)
    assert job["kind"] == "parties" and job["state"] == "done" and job["counts"]["screened"] == 4
    assert set(alerts_of(store, "p-orion")) == {"internal:orion"}
    assert set(alerts_of(store, "p-petrov")) == {"internal:petrov"}
    assert alerts_of(store, "p-nova") == {} and alerts_of(store, "p-smith") == {}
    old_petrov = alerts_of(store, "p-petrov")["internal:petrov"]
    assert monitor.run_once("test") == []  # nothing changed: no job

    # v2: Orion removed, Petrov changed (an alias), Nova added.
    v2 = load_watchlist(store, tmp_path, [PETROV_CHANGED, NOVA], "2026-02-01")
    (delta,) = monitor_for(store).run_once("test")
    job = get_job(store.engine, delta)
    assert job["kind"] == "delta" and job["to_version"] == v2 and job["state"] == "done", job
    assert {
        k: job["counts"][k] for k in ("added", "changed", "removed", "alerts_opened", "alerts_closed")
    } == {
        "added": 1,
        "changed": 1,
        "removed": 1,
        "alerts_opened": 2,
        "alerts_closed": 1,
    }
    assert job["counts"]["screened"] < job["counts"]["parties"] == 4  # the key prefilter left some out
    closed = alerts_of(store, "p-orion", status="closed")["internal:orion"]
    assert closed.outcome == "delisted" and alerts_of(store, "p-orion") == {}
    petrov = list_alerts(store.engine, party_id="p-petrov").items  # the changed content: a new alert
    assert len(petrov) == 2 and len({a.designation_hash for a in petrov}) == 2
    assert old_petrov.designation_hash in {a.designation_hash for a in petrov}
    assert set(alerts_of(store, "p-nova")) == {"internal:nova"}
    assert alerts_of(store, "p-smith") == {}

    # The same list again: a new version, a job, no alert.
    load_watchlist(store, tmp_path, [PETROV_CHANGED, NOVA], "2026-02-02")
    (again,) = monitor_for(store).run_once("test")
    assert get_job(store.engine, again)["counts"]["alerts_opened"] == 0
    with store.engine.connect() as conn:
        types = list(conn.execute(select(webhook_events.c.type)).scalars())
    assert types.count("list.updated") == 2 and types.count("rescreen.finished") == 3
    assert types.count("alert.created") == 4 and types.count("alert.closed") == 1


def test_party_changes_are_screened_once_and_full_rescreens_open_nothing_twice(
    store: Store, tmp_path: Path
) -> None:
    load_watchlist(store, tmp_path, [ORION], "2026-01-01")
    party, outcome = put_party(store.engine, "p1", PartyIn(name="Jane Smith", type="person"))
    assert outcome == "created" and party.needs_screen
    monitor = monitor_for(store)
    monitor.run_once("test")
    assert not get_party(store.engine, "p1").needs_screen
    assert put_party(store.engine, "p1", PartyIn(name="Jane Smith", type="person"))[1] == "unchanged"
    assert not get_party(store.engine, "p1").needs_screen
    assert (
        put_party(store.engine, "p1", PartyIn(name="Orion Shipping Holdings", type="entity"))[1] == "updated"
    )
    assert get_party(store.engine, "p1").needs_screen
    monitor.run_once("test")
    found = get_party(store.engine, "p1")
    assert not found.needs_screen and [a["entity_id"] for a in found.open_alerts] == ["internal:orion"]
    queued = request_full_rescreen(store.engine, "test")
    assert get_job(store.engine, queued)["state"] == "queued"
    assert monitor.run_once("test") == [queued]
    job = get_job(store.engine, queued)
    assert job["state"] == "done" and job["counts"]["screened"] == 1 and job["counts"]["alerts_opened"] == 0


def test_one_rescreen_at_a_time_and_dead_jobs_are_failed(store: Store, tmp_path: Path) -> None:
    load_watchlist(store, tmp_path, [ORION], "2026-01-01")
    upsert_parties(store.engine, [("p1", PartyIn(name="Orion Shipping Holdings", type="entity"))])
    monitor = monitor_for(store)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with monitor_lock(store.engine) as got:
            assert got
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    try:
        assert monitor.run_once("test", wait_seconds=0.5) is None  # busy: nothing ran
    finally:
        release.set()
        holder.join()
    # A job a killed process left running: failed, with the reason; its work is redone.
    with store.engine.begin() as conn:
        conn.execute(
            monitoring_jobs.insert().values(
                job_id="dead-job",
                kind="delta",
                state="running",
                list_code="internal",
                done=0,
                total=1,
                counts={},
                problems=[],
                options={},
                notes=[],
                attempts=1,
                runner_id="123-gone",
                created_at=now(),
            )
        )
    (job_id,) = monitor.run_once("test")
    dead = get_job(store.engine, "dead-job")
    assert dead["state"] == "failed" and "interrupted" in dead["error"] and "123-gone" in dead["error"]
    assert get_job(store.engine, job_id)["counts"]["alerts_opened"] == 1


def test_the_servers_delta_scores_with_the_new_versions_weights(store: Store, tmp_path: Path) -> None:
    """The watcher lends a delta the index of the new active versions, not the one still serving:
    a delta scored with the previous version's word weights missed a hit (BENCHMARKS.md)."""
    from service.index_holder import IndexHolder
    from service.monitoring.watcher import Watcher

    load_watchlist(store, tmp_path, [ORION], "2026-01-01")
    holder = IndexHolder(store, refresh_seconds=0)
    first = holder.rebuild()
    assert first is not None
    load_watchlist(store, tmp_path, [ORION, NOVA], "2026-02-01")
    active = store.active_versions()["internal"].label
    assert first.screener.list_versions["internal"] != active  # the holder still serves the old one

    weights = Watcher(store, holder)._weights()
    assert weights is not None and weights.list_versions["internal"] == active
    assert holder.serving is not None and holder.serving.screener is weights  # rebuilt once, served
