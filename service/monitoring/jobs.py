"""Monitoring jobs (rescreens and imports) as rows: progress, counts, duration, state.

A rescreen only runs while its process holds the monitor lock (service/monitoring/lock.py),
so a rescreen row still "running" when another process gets the lock belongs to a
process that died: it is marked failed with that reason, and the work is redone
by the next job (the watermark only moves when a job finishes).
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from service.dbtx import now, read, utc, write
from service.monitoring.tables import monitoring_jobs

RESCREEN_KINDS = ("delta", "full", "parties")
RUNNER_ID = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"


def job_view(row: Any) -> dict[str, Any]:
    """The public view of a job (GET /v1/rescreens/{id}, GET /v1/parties/imports/{id})."""
    started, finished = utc(row.started_at), utc(row.finished_at)
    view = {
        "job_id": row.job_id,
        "kind": row.kind,
        "state": row.state,
        "list": row.list_code,
        "from_version": row.from_version,
        "to_version": row.to_version,
        "trigger": row.trigger,
        "total": row.total,
        "done": row.done,
        "counts": dict(row.counts or {}),
        "error": row.error,
        "notes": list(row.notes or []),
        "attempts": row.attempts,
        "created_at": utc(row.created_at).isoformat(),  # type: ignore[union-attr]
        "started_at": started.isoformat() if started else None,
        "finished_at": finished.isoformat() if finished else None,
        "seconds": row.seconds,
    }
    if row.kind == "import":
        view["filename"] = row.filename
        view["problems"] = list(row.problems or [])
    return view


def create_job(bind: Engine | Connection, kind: str, *, state: str = "running", **values: Any) -> str:
    job_id = str(uuid.uuid4())
    at = now()
    row = {
        "job_id": job_id,
        "kind": kind,
        "state": state,
        "done": 0,
        "counts": {},
        "problems": [],
        "options": {},
        "notes": [],
        "attempts": 1 if state == "running" else 0,
        "runner_id": RUNNER_ID if state == "running" else None,
        "created_at": at,
        "started_at": at if state == "running" else None,
        "heartbeat_at": at if state == "running" else None,
        **values,
    }
    with write(bind) as conn:
        conn.execute(insert(monitoring_jobs).values(**row))
    return job_id


def update_job(bind: Engine | Connection, job_id: str, **values: Any) -> None:
    with write(bind) as conn:
        conn.execute(
            update(monitoring_jobs)
            .where(monitoring_jobs.c.job_id == job_id)
            .values(heartbeat_at=now(), **values)
        )


def finish_job(
    bind: Engine | Connection,
    job_id: str,
    state: str,
    started: float,
    error: str | None = None,
    **values: Any,
) -> None:
    at = now()
    update_job(
        bind,
        job_id,
        state=state,
        error=error,
        finished_at=at,
        seconds=round(time.perf_counter() - started, 3),
        **values,
    )


def get_job(
    bind: Engine | Connection, job_id: str, kinds: tuple[str, ...] = RESCREEN_KINDS
) -> dict[str, Any] | None:
    with read(bind) as conn:
        row = conn.execute(
            select(monitoring_jobs).where(
                monitoring_jobs.c.job_id == job_id, monitoring_jobs.c.kind.in_(kinds)
            )
        ).first()
    return None if row is None else job_view(row)


def list_jobs(
    bind: Engine | Connection,
    kinds: tuple[str, ...] = RESCREEN_KINDS,
    state: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    conditions = [monitoring_jobs.c.kind.in_(kinds)]
    if state:
        conditions.append(monitoring_jobs.c.state == state)
    with read(bind) as conn:
        total = conn.execute(
            select(func.count()).select_from(monitoring_jobs).where(*conditions)
        ).scalar_one()
        rows = conn.execute(
            select(monitoring_jobs)
            .where(*conditions)
            .order_by(monitoring_jobs.c.created_at.desc())
            .limit(limit)
            .offset(offset)
        ).all()
    return [job_view(r) for r in rows], int(total)


def fail_orphaned_rescreens(bind: Engine | Connection) -> list[str]:
    """Rescreens left "running" by a dead process (call holding the monitor lock): failed, with why."""
    failed = []
    with write(bind) as conn:
        rows = conn.execute(
            select(monitoring_jobs).where(
                monitoring_jobs.c.state == "running", monitoring_jobs.c.kind.in_(RESCREEN_KINDS)
            )
        ).all()
        for row in rows:
            reason = (
                f"interrupted at {row.done} of {row.total if row.total is not None else '?'} parties: the process "
                f"running it ({row.runner_id}) stopped (restart or crash); the next rescreen redoes its work"
            )
            conn.execute(
                update(monitoring_jobs)
                .where(monitoring_jobs.c.job_id == row.job_id, monitoring_jobs.c.state == "running")
                .values(state="failed", error=reason, finished_at=now())
            )
            failed.append(row.job_id)
    return failed
