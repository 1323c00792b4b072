"""A full rescreen, and a delta rescreen, on the batch runner's worker pool open exactly the alerts one
process opens, on SQLite and PostgreSQL, with forked workers (the CLI) and forkserver ones (the
server); and a big import made on the pool stores exactly what one process stores."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from lists.store import Store
from service.alerts.tables import alert_events, alerts
from service.batch.dask import PackedTaskExecutor
from service.monitoring import cycle
from service.monitoring.context import build_context
from service.monitoring.cycle import Monitor, request_full_rescreen
from service.monitoring.importer import import_parties
from service.monitoring.jobs import get_job
from service.monitoring.parties import PartyIn, upsert_parties
from service.monitoring.pool import PoolSettings
from service.monitoring.tables import list_watermarks, parties
from tests.monitoring_support import faker_rows, write_parties_csv
from tests.test_monitoring_rescreen import NOVA, ORION, PETROV, PROVENANCE, load_watchlist

ORION_SA = {"id": "orion-sa", "type": "entity", "name": "Orion Shipping Holding SA", "provenance": PROVENANCE}
NAMED = [
    ("n-orion", PartyIn(name="Orion Shipping Holdings Limited", type="entity")),  # both Orions
    ("n-petrov", PartyIn(name="Ivan Petrov", type="person", dob="1970-03-02")),
    ("n-nova", PartyIn(name="Nova Maritime Logistics", type="entity", country="DE")),
]
NOISE = faker_rows(600, seed=7)


def near_noise() -> list[dict[str, Any]]:
    """Designations spelled like some of the noise parties (a letter dropped): fuzzy hits among them."""
    return [
        {
            "id": f"near-{i}",
            "type": NOISE[i][2],
            "name": NOISE[i][1][:-2] + NOISE[i][1][-1],
            "provenance": PROVENANCE,
        }
        for i in (10, 101, 202, 303, 404)
    ]


@pytest.fixture
def store(db_url: str) -> Any:
    store = Store(db_url)
    yield store
    store.close()


def full_rescreen(store: Store, pool: PoolSettings) -> dict[str, Any]:
    request_full_rescreen(store.engine, "test")
    job_ids = Monitor(store, lambda: build_context(store), pool=pool).run_once("test")
    assert job_ids is not None and len(job_ids) == 1
    job = get_job(store.engine, job_ids[0])
    assert job is not None and job["kind"] == "full" and job["state"] == "done", job
    return job


def snapshot_and_clear(store: Store) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """Every alert by (party, designation, content), with what it recorded; then none are left."""
    with store.engine.begin() as conn:
        rows = conn.execute(select(alerts)).all()
        conn.execute(delete(alert_events))
        conn.execute(delete(alerts))
    return {
        (r.party_id, r.entity_id, r.designation_hash): (
            r.subject,
            r.list_code,
            r.matched_name,
            r.score,
            r.result,
            r.list_versions,
            r.status,
            r.source,
        )
        for r in rows
    }


def spy_on_pool(monkeypatch: pytest.MonkeyPatch, name: str = "screening_pool") -> list[Any]:
    """What each rescreen got from the pool `name` (Workers, or None: screened in this process)."""
    used: list[Any] = []
    real_pool = getattr(cycle, name)

    class Spy:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.inner = real_pool(*args, **kwargs)

        def __enter__(self) -> Any:
            used.append(self.inner.__enter__())
            return used[-1]

        def __exit__(self, *exc: Any) -> Any:
            return self.inner.__exit__(*exc)

    monkeypatch.setattr(cycle, name, Spy)
    return used


def load_register(store: Store, tmp_path: Path) -> list[tuple[str, PartyIn]]:
    load_watchlist(store, tmp_path, [ORION, ORION_SA, PETROV, NOVA, *near_noise()], "2026-01-01")
    noise = [
        (pid, PartyIn(name=name, type=kind, dob=dob or None, country=country))  # type: ignore[arg-type]
        for pid, name, kind, dob, country in NOISE
    ]
    upsert_parties(store.engine, [*NAMED, *noise])
    return noise


@pytest.mark.parametrize("start_method", ["fork", "forkserver"])
def test_full_rescreen_on_the_pool_opens_the_alerts_one_process_opens(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start_method: str
) -> None:
    noise = load_register(store, tmp_path)

    one = full_rescreen(store, PoolSettings(workers=1))
    expected = snapshot_and_clear(store)
    assert {"n-orion", "n-petrov", "n-nova"} <= {k[0] for k in expected}
    assert len({k for k in expected if k[0] == "n-orion"}) >= 2  # one party, several designations
    assert len({k[0] for k in expected if not k[0].startswith("n-")}) >= 4  # fuzzy hits in the noise

    used = spy_on_pool(monkeypatch)
    monkeypatch.setattr(cycle, "CHUNK_PARTIES", 7)  # many chunks in flight, several pages settled
    monkeypatch.setattr(cycle, "PAGE_ROWS", 50)
    pooled = full_rescreen(store, PoolSettings(workers=2, start_method=start_method, min_parties=0))
    assert [w is not None for w in used] == [True]
    assert snapshot_and_clear(store) == expected
    keys = ("parties", "screened", "alerts_opened", "errors")
    assert {k: pooled["counts"][k] for k in keys} == {k: one["counts"][k] for k in keys}
    assert pooled["counts"]["parties"] == len(NAMED) + len(noise)
    with store.engine.connect() as conn:
        assert not conn.execute(select(parties.c.party_id).where(parties.c.needs_screen)).first()


@pytest.mark.parametrize("start_method", ["fork", "forkserver"])
def test_a_delta_on_the_pool_opens_the_alerts_one_process_opens(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start_method: str
) -> None:
    """Forkserver workers build the small index themselves, with the mapped full index's weights."""
    before = load_watchlist(store, tmp_path, [ORION, PETROV, NOVA], "2026-01-01")
    noise = [
        (pid, PartyIn(name=name, type=kind, dob=dob or None, country=country))  # type: ignore[arg-type]
        for pid, name, kind, dob, country in NOISE
    ]
    upsert_parties(store.engine, [*NAMED, *noise])
    one_process = Monitor(store, lambda: build_context(store), pool=PoolSettings(workers=1))
    assert one_process.run_once("test")
    snapshot_and_clear(store)
    load_watchlist(store, tmp_path, [ORION, PETROV, NOVA, ORION_SA, *near_noise()], "2026-02-01")

    def delta(pool: PoolSettings) -> dict[str, Any]:
        job_ids = Monitor(store, lambda: build_context(store), pool=pool).run_once("test")
        assert job_ids is not None and len(job_ids) == 1
        job = get_job(store.engine, job_ids[0])
        assert job is not None and job["kind"] == "delta" and job["state"] == "done", job
        with store.engine.begin() as conn:  # the next delta starts from the same version again
            conn.execute(update(list_watermarks).values(version_id=before))
        return job

    one = delta(PoolSettings(workers=1))
    expected = snapshot_and_clear(store)
    assert ("n-orion", "internal:orion-sa") in {k[:2] for k in expected}
    assert len({k[0] for k in expected if not k[0].startswith("n-")}) >= 4  # fuzzy hits in the noise

    used = spy_on_pool(monkeypatch, "delta_pool")
    monkeypatch.setattr(cycle, "CHUNK_PARTIES", 3)  # many chunks in flight, several pages settled
    monkeypatch.setattr(cycle, "PAGE_ROWS", 50)
    pooled = delta(PoolSettings(workers=2, start_method=start_method, delta_min_parties=0))
    assert [w is not None for w in used] == [True]
    assert snapshot_and_clear(store) == expected
    keys = ("parties", "screened", "alerts_opened", "errors")
    assert {k: pooled["counts"][k] for k in keys} == {k: one["counts"][k] for k in keys}
    assert pooled["counts"]["parties"] == len(NAMED) + len(noise)


def test_full_rescreen_on_a_dask_cluster_opens_the_alerts_one_process_opens(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SANCTIONS_DASK_SCHEDULER=local: a real LocalCluster whose workers open the lists from the store."""
    noise = load_register(store, tmp_path)
    one = full_rescreen(store, PoolSettings(workers=1))
    expected = snapshot_and_clear(store)
    assert len(expected) >= 7

    monkeypatch.setenv("SANCTIONS_DASK_SCHEDULER", "local")
    monkeypatch.setenv("SANCTIONS_BATCH_WORKERS", "2")
    settings = PoolSettings.from_env()
    assert settings.dask_scheduler == "local" and settings.workers == 2
    monkeypatch.setattr(cycle, "CHUNK_PARTIES", 50)
    used = spy_on_pool(monkeypatch)
    on_dask = full_rescreen(store, dataclasses.replace(settings, min_parties=0))
    assert [w.count for w in used if w is not None] == [2] and len(used) == 1
    assert isinstance(used[0].executor, PackedTaskExecutor)  # a Dask client's executor, packed
    assert snapshot_and_clear(store) == expected
    keys = ("parties", "screened", "alerts_opened", "errors")
    assert {k: on_dask["counts"][k] for k in keys} == {k: one["counts"][k] for k in keys}
    assert on_dask["counts"]["parties"] == len(NAMED) + len(noise)


def test_an_import_made_on_the_pool_stores_what_one_process_stores(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.monitoring import importer

    path = write_parties_csv(tmp_path / "parties.csv", 1500, seed=3)
    with path.open("a", encoding="utf-8") as handle:  # refused rows, found on the pool's side too
        handle.write("F-0000001,Repeated Id Person,person,,DE,retail\n")
        handle.write("BAD-DOB,Someone Else,person,1990-13-45,DE,retail\n")
    monkeypatch.setattr(importer, "CHUNK_ROWS", 97)

    def stored() -> list[tuple[Any, ...]]:
        columns = [c for c in parties.c if c.name not in ("created_at", "updated_at", "screened_at")]
        with store.engine.begin() as conn:
            rows = [tuple(r) for r in conn.execute(select(*columns).order_by(parties.c.party_id))]
            conn.execute(delete(parties))
        return rows

    one = import_parties(store.engine, path, workers=1)
    expected = stored()
    monkeypatch.setattr(importer, "POOL_MIN_BYTES", 0)
    pooled = import_parties(store.engine, path, workers=2)
    assert pooled.counts() == one.counts() and pooled.problems == one.problems
    assert one.problem_count == 2 and "repeats row" in one.problems[0]["error"]
    assert stored() == expected and len(expected) == 1503
    again = import_parties(store.engine, path, workers=2)  # nothing stored now: all created again
    assert again.created == 1503
    unchanged = import_parties(store.engine, path, workers=2)
    assert (unchanged.created, unchanged.updated, unchanged.unchanged) == (0, 0, 1503)
