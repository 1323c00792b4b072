"""Party imports over HTTP as jobs: the upload is saved, queued, and imported by the watcher thread.

Importing is idempotent (unchanged parties are left alone), so an import whose
server died half-way is simply run again from the start, up to MAX_ATTEMPTS; after
that, or when its upload is gone, it is marked failed with the reason.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update

from service.batch.io import BatchInputError, ColumnOverrides
from service.dbtx import now, utc, write
from service.monitoring.importer import ImportReport, import_parties
from service.monitoring.jobs import RUNNER_ID, create_job, finish_job, update_job
from service.monitoring.pool import PoolSettings
from service.monitoring.tables import monitoring_jobs

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
STALE_SECONDS = 60.0
PROGRESS_SECONDS = 1.0


def queue_import(
    engine: Engine,
    job_id: str,
    filename: str,
    input_path: Path,
    columns: dict[str, str],
    labels: dict[str, str],
) -> str:
    return create_job(
        engine,
        "import",
        state="queued",
        job_id=job_id,
        filename=filename,
        input_path=str(input_path),
        options={"columns": columns, "labels": labels},
        attempts=0,
    )


def recover_imports(engine: Engine, stale_seconds: float = STALE_SECONDS) -> None:
    """Imports left running by a dead server: queued again, or failed with the reason."""
    cutoff = now() - timedelta(seconds=stale_seconds)
    with write(engine) as conn:
        rows = conn.execute(
            select(monitoring_jobs).where(
                monitoring_jobs.c.kind == "import", monitoring_jobs.c.state == "running"
            )
        ).all()
        for row in rows:
            beat = utc(row.heartbeat_at) or utc(row.created_at)
            if beat is not None and beat > cutoff:
                continue
            note = f"interrupted at row {row.done} (server stopped); "
            if not Path(row.input_path or "").is_file():
                values = {
                    "state": "failed",
                    "error": note + "the uploaded file is gone",
                    "finished_at": now(),
                }
            elif row.attempts >= MAX_ATTEMPTS:
                values = {
                    "state": "failed",
                    "error": note + f"gave up after {row.attempts} attempts",
                    "finished_at": now(),
                }
            else:
                values = {"state": "queued"}
            conn.execute(
                update(monitoring_jobs)
                .where(monitoring_jobs.c.job_id == row.job_id, monitoring_jobs.c.state == "running")
                .values(
                    **values,
                    notes=[
                        *(row.notes or []),
                        note + ("run again" if values["state"] == "queued" else "failed"),
                    ],
                )
            )


def run_queued_imports(engine: Engine, pool: PoolSettings | None = None) -> int:
    """Import every queued upload (claimed one at a time, so two servers never run one twice).

    A big file's parties are made on `pool`'s workers (service/monitoring/importer.py).
    """
    pool = pool or PoolSettings(start_method="forkserver")
    ran = 0
    while (job := _claim(engine)) is not None:
        _run(engine, job, pool)
        ran += 1
    return ran


def _claim(engine: Engine) -> Any:
    with engine.connect() as conn:
        candidate = conn.execute(
            select(monitoring_jobs.c.job_id)
            .where(monitoring_jobs.c.kind == "import", monitoring_jobs.c.state == "queued")
            .order_by(monitoring_jobs.c.created_at)
            .limit(1)
        ).scalar()
    if candidate is None:
        return None
    at = now()
    with write(engine) as conn:
        claimed = conn.execute(
            update(monitoring_jobs)
            .where(monitoring_jobs.c.job_id == candidate, monitoring_jobs.c.state == "queued")
            .values(
                state="running",
                runner_id=RUNNER_ID,
                started_at=at,
                heartbeat_at=at,
                attempts=monitoring_jobs.c.attempts + 1,
            )
        ).rowcount
        if not claimed:
            return None
        return conn.execute(select(monitoring_jobs).where(monitoring_jobs.c.job_id == candidate)).first()


def _run(engine: Engine, job: Any, pool: PoolSettings) -> None:
    started = time.perf_counter()
    options = job.options or {}
    last = [time.monotonic()]

    def progress(report: ImportReport) -> None:
        if time.monotonic() - last[0] >= PROGRESS_SECONDS:
            last[0] = time.monotonic()
            update_job(engine, job.job_id, done=report.rows, counts=report.counts())

    try:
        report = import_parties(
            engine,
            Path(job.input_path),
            ColumnOverrides(**(options.get("columns") or {})),
            labels=options.get("labels") or {},
            progress=progress,
            workers=pool.workers,
            start_method=pool.start_method,
        )
    except BatchInputError as exc:
        finish_job(engine, job.job_id, "failed", started, f"{job.filename}: {str(exc).split(': ', 1)[-1]}")
        return
    except Exception as exc:
        log.exception("party import %s failed", job.job_id)
        finish_job(engine, job.job_id, "failed", started, f"{type(exc).__name__}: {exc}")
        return
    finish_job(
        engine,
        job.job_id,
        "done",
        started,
        done=report.rows,
        total=report.rows,
        counts=report.counts(),
        problems=report.problems,
        notes=[*(job.notes or []), *report.warnings],
    )
