"""Earlier batch jobs, newest first: the batch page lists them (a screen key sees only its own)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from service.batch.jobs import batch_jobs, job_status


def recent_jobs(engine: Engine, api_key_id: str | None = None, limit: int = 25) -> list[dict[str, Any]]:
    """The newest `limit` jobs (of one key when `api_key_id` is given), as GET /v1/batches/{id} shows them."""
    query = select(batch_jobs).order_by(batch_jobs.c.created_at.desc()).limit(limit)
    if api_key_id is not None:
        query = query.where(batch_jobs.c.api_key_id == api_key_id)
    with engine.connect() as conn:
        return [job_status(row) for row in conn.execute(query)]
