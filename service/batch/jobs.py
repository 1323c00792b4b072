"""Batch jobs of the HTTP API: state in the database, files on disk, one runner thread per server.

A job is a row of `batch_jobs` (Alembic revision 0003_batches) plus a folder
under `<data dir>/batches/<job id>/` with the upload and the results. The
runner claims queued jobs with a conditional UPDATE (so several server
processes never run one job twice), screens with worker processes, and writes
progress and a heartbeat about once a second. A job whose heartbeat stops
(the server was killed) is taken up again from the start, or, when its upload
is gone or it was interrupted too often, marked failed with the reason: never
lost silently. Every screened row is written to the audit trail (`screenings`,
endpoint "batch", bulk_id = job id, position = row number). A row with an id is
reviewed first and its live hits open alerts in the same transaction
(service/batch/review.py); the results files are written after that commit.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)

from lists.file_modes import make_private_dir
from service.auth import key_actor
from service.batch.audit import record_rows, versions_json
from service.batch.io import ColumnOverrides, InputRow, count_rows, open_input
from service.batch.output import ResultsWriter, partial_files
from service.batch.review import BatchReview, ScreenedRow
from service.batch.runner import BatchAborted, BatchRunner, RowOutcome, load_active_index
from service.db_outage import describe, is_database_outage, retry_on_outage
from service.review.config import load_review_settings
from service.settings import SettingsError

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_ROWS = 1_000_000
MAX_BYTES = 200 * 1024 * 1024
MAX_ATTEMPTS = 3
DB_RETRY_SECONDS = 120.0
MAX_IDLE_BACKOFF = 10.0
ORPHAN_GRACE_SECONDS = 15 * 60  # an upload folder without a job row older than this is debris
ACTIVE_STATES = ("queued", "running")

metadata = MetaData()
batch_jobs = Table(
    "batch_jobs",
    metadata,
    Column("job_id", String(36), primary_key=True),
    Column("state", String(16), nullable=False),  # queued | running | done | failed | cancelled
    Column("filename", Text, nullable=False),  # as uploaded
    Column("input_path", Text, nullable=False),
    Column("results_path", Text, nullable=False),
    Column("options", JSON, nullable=False),  # columns, threshold
    Column("api_key_id", String(32), nullable=True),
    Column("rows_total", Integer, nullable=True),
    Column("rows_done", Integer, nullable=False),
    Column("hits", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("list_versions", JSON, nullable=True),
    Column("error", Text, nullable=True),  # why it failed
    Column("notes", JSON, nullable=False),  # warnings and resume history
    Column("attempts", Integer, nullable=False),
    Column("runner_id", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("heartbeat_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
)


@contextmanager
def _write(engine: Engine) -> Iterator[Connection]:
    """A write transaction; on SQLite BEGIN IMMEDIATE so concurrent writers queue instead of failing."""
    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


def _is_job_id(name: str) -> bool:
    try:
        return str(uuid.UUID(name)) == name
    except ValueError:
        return False


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class JobOptions:
    """What the uploader chose: column overrides, threshold, results format."""

    columns: dict[str, str]
    threshold: float | None = None
    output_format: str = "csv"
    algorithm: str | None = None  # screening.algorithms name; None: the default
    kind: str = "rows"  # "rows": a customer file; "messages": a zip of payment messages

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "columns": self.columns,
            "threshold": self.threshold,
            "output_format": self.output_format,
            "algorithm": self.algorithm,
        }
        if self.kind != "rows":
            data["kind"] = self.kind
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobOptions:
        return cls(
            dict(data.get("columns") or {}),
            data.get("threshold"),
            data.get("output_format", "csv"),
            data.get("algorithm"),
            data.get("kind", "rows"),
        )

    def overrides(self) -> ColumnOverrides:
        return ColumnOverrides(**self.columns)


def job_status(row: Any) -> dict[str, Any]:
    """The public view of a job (GET /v1/batches/{id})."""
    started, finished = _utc(row.started_at), _utc(row.finished_at)
    eta = None
    if row.state == "running" and started and row.rows_total and row.rows_done:
        elapsed = (_now() - started).total_seconds()
        eta = round((row.rows_total - row.rows_done) * elapsed / row.rows_done, 1)
    return {
        "job_id": row.job_id,
        "state": row.state,
        "filename": row.filename,
        "rows_total": row.rows_total,
        "rows_done": row.rows_done,
        "hits": row.hits,
        "errors": row.errors,
        "eta_seconds": eta,
        "error": row.error,
        "notes": list(row.notes or []),
        "attempts": row.attempts,
        "api_key_id": row.api_key_id,
        "list_versions": row.list_versions,
        "options": row.options,
        "created_at": _utc(row.created_at).isoformat(),  # type: ignore[union-attr]
        "started_at": started.isoformat() if started else None,
        "finished_at": finished.isoformat() if finished else None,
    }


class JobLost(RuntimeError):
    """This runner no longer owns the job (cancelled, or taken over after a stale heartbeat)."""


class BatchJobs:
    """Creates, reports, cancels and runs batch jobs stored in `engine`'s database."""

    def __init__(
        self,
        engine: Engine,
        data_dir: Path,
        workers: int | None = None,
        start_method: str = "forkserver",
        stale_seconds: float | None = None,
        poll_seconds: float = 0.5,
        db_retry_seconds: float | None = None,
    ) -> None:
        self.engine = engine
        self.jobs_dir = data_dir / "batches"
        make_private_dir(self.jobs_dir)  # uploads are customer data
        self.workers = workers
        self.start_method = start_method
        self.stale_seconds = stale_seconds or float(os.environ.get("SANCTIONS_BATCH_STALE_SECONDS", "30"))
        self.poll_seconds = poll_seconds
        # how long a running job waits out a database outage before it is put back in the queue
        self.db_retry_seconds = db_retry_seconds or float(
            os.environ.get("SANCTIONS_BATCH_DB_RETRY_SECONDS", str(DB_RETRY_SECONDS))
        )
        self.runner_id = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # --- requests ------------------------------------------------------------

    def new_job_dir(self) -> tuple[str, Path]:
        job_id = str(uuid.uuid4())
        folder = self.jobs_dir / job_id
        folder.mkdir(parents=True)
        return job_id, folder

    def discard(self, job_id: str) -> None:
        """Remove the folder of an upload that was refused before it became a job."""
        shutil.rmtree(self.jobs_dir / job_id, ignore_errors=True)

    def create(
        self,
        job_id: str,
        filename: str,
        input_path: Path,
        options: JobOptions,
        rows_total: int,
        api_key_id: str | None,
        notes: list[str] | None = None,
    ) -> dict[str, Any]:
        results = input_path.parent / f"results.{options.output_format}"
        with _write(self.engine) as conn:
            conn.execute(
                insert(batch_jobs).values(
                    job_id=job_id,
                    state="queued",
                    filename=filename,
                    input_path=str(input_path),
                    results_path=str(results),
                    options=options.to_json(),
                    api_key_id=api_key_id,
                    rows_total=rows_total,
                    rows_done=0,
                    hits=0,
                    errors=0,
                    notes=notes or [],
                    attempts=0,
                    created_at=_now(),
                )
            )
        self._wake.set()
        return self.get(job_id)  # type: ignore[return-value]

    def _row(self, job_id: str) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(select(batch_jobs).where(batch_jobs.c.job_id == job_id)).first()

    def get(self, job_id: str) -> dict[str, Any] | None:
        row = self._row(job_id)
        return None if row is None else job_status(row)

    def cancel(self, job_id: str) -> dict[str, Any] | None:
        """Cancel a queued or running job (the runner notices within a second)."""
        with _write(self.engine) as conn:
            conn.execute(
                update(batch_jobs)
                .where(batch_jobs.c.job_id == job_id, batch_jobs.c.state.in_(ACTIVE_STATES))
                .values(state="cancelled", finished_at=_now(), runner_id=None)
            )
        return self.get(job_id)

    def results_file(self, job_id: str, matches: bool = False) -> Path | None:
        row = self._row(job_id)
        if row is None or row.state != "done":
            return None
        path = Path(row.results_path)
        if matches:
            path = path.with_name(f"{path.stem}_matches{path.suffix}")
        return path if path.is_file() else None

    # --- the runner ------------------------------------------------------------

    def start(self) -> None:
        """Recover jobs a previous server left behind, then run queued jobs in a thread."""
        self.remove_orphans()
        self.recover()
        self._thread = threading.Thread(target=self._loop, name="batch-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def recover(self) -> list[tuple[str, str]]:
        """Running jobs without a recent heartbeat: queue them again, or fail them with the reason."""
        cutoff = _now() - timedelta(seconds=self.stale_seconds)
        actions: list[tuple[str, str]] = []
        with _write(self.engine) as conn:
            rows = conn.execute(select(batch_jobs).where(batch_jobs.c.state == "running")).all()
            for row in rows:
                beat = _utc(row.heartbeat_at) or _utc(row.started_at) or _utc(row.created_at)
                if beat is not None and beat > cutoff:
                    continue  # another live server process is running it
                note = f"interrupted at {row.rows_done} of {row.rows_total} rows (server stopped); "
                if not Path(row.input_path).is_file():
                    values = {"state": "failed", "error": note + "the uploaded file is gone, cannot resume"}
                elif row.attempts >= MAX_ATTEMPTS:
                    values = {"state": "failed", "error": note + f"gave up after {row.attempts} attempts"}
                else:
                    values = {"state": "queued"}
                changed = conn.execute(
                    update(batch_jobs)
                    .where(
                        batch_jobs.c.job_id == row.job_id,
                        batch_jobs.c.state == "running",
                        batch_jobs.c.runner_id == row.runner_id,
                    )
                    .values(
                        **values,
                        runner_id=None,
                        notes=[
                            *(row.notes or []),
                            note
                            + ("restarted from the beginning" if values["state"] == "queued" else "failed"),
                        ],
                        finished_at=_now() if values["state"] == "failed" else None,
                    )
                )
                if changed.rowcount:
                    actions.append((row.job_id, values["state"]))
                    log.warning("batch job %s: %s -> %s", row.job_id, note, values["state"])
        return actions

    def remove_orphans(self, grace_seconds: float = ORPHAN_GRACE_SECONDS) -> list[str]:
        """Delete job folders that no job row refers to, once untouched for `grace_seconds`.

        An upload refused or cut off by a crash (or a kill during its checks) can
        leave a folder with a customer file and no job. The grace period spares
        uploads still being received or checked by another server process.
        """
        with self.engine.connect() as conn:
            known = set(conn.execute(select(batch_jobs.c.job_id)).scalars())
        cutoff = time.time() - grace_seconds
        removed = []
        for folder in self.jobs_dir.iterdir():
            if folder.name in known or not folder.is_dir() or not _is_job_id(folder.name):
                continue
            touched = max([folder.stat().st_mtime, *(f.stat().st_mtime for f in folder.iterdir())])
            if touched > cutoff:
                continue
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
        if removed:
            log.warning(
                "removed %d orphaned batch folders (no job row): %s", len(removed), ", ".join(removed)
            )
        return removed

    def _loop(self) -> None:
        """Runs until stopped: a database error is logged and retried with backoff, never the end of it."""
        last_recover = time.monotonic()
        backoff = self.poll_seconds
        while not self._stop.is_set():
            try:
                if time.monotonic() - last_recover > self.stale_seconds:
                    self.recover()
                    self.remove_orphans()
                    last_recover = time.monotonic()
                job = self._claim()
            except Exception as exc:
                if is_database_outage(exc):
                    log.warning(
                        "batch runner: database unreachable (%s); retry in %.1f s", describe(exc), backoff
                    )
                else:
                    log.exception("batch runner: unexpected error; retry in %.1f s", backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, MAX_IDLE_BACKOFF)
                continue
            backoff = self.poll_seconds
            if job is None:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()
                continue
            self._run(job)

    def _claim(self) -> Any:
        with self.engine.connect() as conn:
            candidate = conn.execute(
                select(batch_jobs.c.job_id)
                .where(batch_jobs.c.state == "queued")
                .order_by(batch_jobs.c.created_at)
                .limit(1)
            ).scalar()
        if candidate is None:
            return None
        now = _now()
        with _write(self.engine) as conn:
            claimed = conn.execute(
                update(batch_jobs)
                .where(batch_jobs.c.job_id == candidate, batch_jobs.c.state == "queued")
                .values(
                    state="running",
                    runner_id=self.runner_id,
                    started_at=now,
                    heartbeat_at=now,
                    rows_done=0,
                    hits=0,
                    errors=0,
                    attempts=batch_jobs.c.attempts + 1,
                )
            )
        if not claimed.rowcount:
            return None
        return self._retry(lambda: self._row(candidate), f"batch job {candidate}: reading the claimed job")

    def _retry(self, action: Callable[[], T], what: str) -> T:
        """`action()`, waiting out a database outage of up to db_retry_seconds (DatabaseUnavailable after)."""
        return retry_on_outage(action, what, self._stop, self.db_retry_seconds)

    def _finish(self, job_id: str, state: str, error: str | None = None, **values: Any) -> None:
        with _write(self.engine) as conn:
            conn.execute(
                update(batch_jobs)
                .where(
                    batch_jobs.c.job_id == job_id,
                    batch_jobs.c.state == "running",
                    batch_jobs.c.runner_id == self.runner_id,
                )
                .values(state=state, error=error, finished_at=_now(), heartbeat_at=_now(), **values)
            )

    def _run(self, job: Any) -> None:
        try:
            self._screen(job)
        except JobLost:
            log.info("batch job %s stopped: no longer ours (cancelled or taken over)", job.job_id)
        except Exception as exc:
            reason = describe(exc)
            if is_database_outage(exc):
                log.warning("batch job %s interrupted: %s", job.job_id, reason)
                self._settle(lambda: self._requeue_after_outage(job.job_id, reason), job.job_id)
                return
            log.exception("batch job %s failed", job.job_id)
            message = f"{type(exc).__name__}: {exc}"
            self._settle(lambda: self._finish(job.job_id, "failed", message), job.job_id)

    def _settle(self, action: Callable[[], None], job_id: str) -> None:
        """Record how a job ended, waiting for the database as long as it takes (nothing else can run
        meanwhile); stopped before that, the job keeps its stale heartbeat and the next start's
        `recover` queues it again."""
        try:
            retry_on_outage(action, f"batch job {job_id}: recording its end", self._stop, float("inf"))
        except Exception as exc:
            log.warning(
                "batch job %s: its end could not be recorded (%s); recovery will take it up", job_id, exc
            )

    def _requeue_after_outage(self, job_id: str, reason: str) -> None:
        """The database was away longer than a job waits: queue it again (from the start), or after
        MAX_ATTEMPTS fail it, saying why."""
        with _write(self.engine) as conn:
            row = conn.execute(select(batch_jobs).where(batch_jobs.c.job_id == job_id)).first()
            if row is None or row.state != "running" or row.runner_id != self.runner_id:
                return
            note = f"interrupted at {row.rows_done} of {row.rows_total} rows: {reason}"[:500]
            give_up = row.attempts >= MAX_ATTEMPTS
            conn.execute(
                update(batch_jobs)
                .where(batch_jobs.c.job_id == job_id, batch_jobs.c.runner_id == self.runner_id)
                .values(
                    state="failed" if give_up else "queued",
                    error=f"{note}; gave up after {row.attempts} attempts" if give_up else None,
                    runner_id=None,
                    finished_at=_now() if give_up else None,
                    notes=[
                        *(row.notes or []),
                        note + ("; failed" if give_up else "; restarted from the beginning"),
                    ],
                )
            )

    def _screen(self, job: Any) -> None:
        options = JobOptions.from_json(job.options)
        if options.kind == "messages":
            from service.batch.message_jobs import screen_message_job

            screen_message_job(self, job)
            return
        url = str(self.engine.url.render_as_string(hide_password=False))
        try:
            source = open_input(Path(job.input_path), options.overrides(), style="api")
            list_warnings: list[dict[str, Any]] = []
            designations, list_versions = self._retry(
                lambda: load_active_index(url, list_warnings),
                f"batch job {job.job_id}: loading the active lists",
            )
        except Exception as exc:
            if is_database_outage(exc):
                raise  # not the job's fault: queued again (see _run)
            self._finish(job.job_id, "failed", str(exc))
            return
        total = job.rows_total if job.rows_total is not None else count_rows(source)
        try:
            review = BatchReview(list_versions, load_review_settings(), self._actor(job.api_key_id))
        except SettingsError as exc:
            self._finish(job.job_id, "failed", f"review settings: {exc}")
            return
        progress = _Progress(self, job.job_id, list_versions, job.api_key_id, review)
        stale = [str(w["message"]) for w in list_warnings]  # the batch summary names each stale list
        progress.save(total=total, notes=[*(job.notes or []), *source.warnings, *stale])
        runner = BatchRunner(
            designations,
            list_versions,
            threshold=options.threshold,
            algorithm=options.algorithm,
            workers=self.workers,
            start_method=self.start_method,
        )
        del designations
        id_index = source.columns.get("id")
        results_path = Path(job.results_path)
        _remove_partials(results_path)
        try:
            with ResultsWriter(results_path, source.header) as writer:
                progress.writer = writer
                for row, outcome in runner.run(source.rows(), should_stop=progress.should_stop):
                    progress.add(row, outcome, row.cells[id_index] if id_index is not None else None)
                _commit_all(progress)  # the last rows reviewed, audited and written; then published
                writer.publish()
        except BatchAborted as exc:
            if progress.lost:
                raise JobLost() from exc
            raise
        finally:
            runner.close(cancel=True)
        self.record_done(job.job_id, progress)

    def record_done(self, job_id: str, progress: _Progress) -> None:
        """The job done, with the rows actually read (whatever the count before the run said)."""
        self._retry(
            lambda: self._finish(
                job_id,
                "done",
                rows_total=progress.rows,
                rows_done=progress.rows,
                hits=progress.hits,
                errors=progress.errors,
            ),
            f"batch job {job_id}: recording it done",
        )

    def _actor(self, api_key_id: str | None) -> str:
        """Who the job's alerts are opened by: the uploading key's user, else the key (as /v1/screen)."""
        if api_key_id is None:
            return "anonymous"
        return self._retry(
            lambda: key_actor(self.engine, api_key_id), f"batch job: the uploader of key {api_key_id}"
        )


def _remove_partials(results_path: Path) -> None:
    """Temporary results of an earlier attempt killed outright (this attempt starts over)."""
    for partial in partial_files(results_path):
        partial.unlink(missing_ok=True)


def _commit_all(progress: _Progress) -> None:
    """The job's last rows, audit records and counters; a job cancelled or taken over meanwhile
    commits nothing more, so its results are not published either."""
    progress.flush(force=True)
    if progress.lost:
        raise JobLost()


class _Progress:
    """Buffers screened rows and, about once a second, commits them with the counters and heartbeat.

    Each commit reviews the buffered rows (service.batch.review), inserts their
    audit records and opens their alerts in the transaction that moves the
    counters; only then are the rows written to the results files, with their
    reviewed decisions and alert ids.
    """

    def __init__(
        self,
        jobs: BatchJobs,
        job_id: str,
        list_versions: dict[str, str],
        api_key_id: str | None,
        review: BatchReview | None = None,
    ):
        self.jobs = jobs
        self.job_id = job_id
        self.list_versions = list_versions
        self.api_key_id = api_key_id
        self.review = review
        self.writer: ResultsWriter | None = None
        self.rows = self.hits = self.errors = self.alerts = 0
        self.total: int | None = None
        self.lost = False
        self._versions_json = versions_json(list_versions)
        self._pending: list[Any] = []  # ScreenedRow here; MessageOutcome in a message job
        self._last = time.monotonic()

    def save(self, **values: Any) -> None:
        self.total = values.get("total")
        self._update(
            list_versions=self.list_versions,
            rows_total=values.get("total"),
            notes=values.get("notes", []),
        )

    def add(self, row: InputRow, outcome: RowOutcome, reference: str | None) -> None:
        self._pending.append(ScreenedRow(row, outcome, reference))
        self.flush()

    def flush(self, force: bool = False) -> None:
        if not force and time.monotonic() - self._last < 1.0 and len(self._pending) < 5_000:
            return
        self._last = time.monotonic()
        self._update()

    def _update(self, **values: Any) -> None:
        """Rows, counters and heartbeat in one transaction; a database outage is waited out here
        (screening pauses meanwhile), and the rows stay buffered until they are committed."""
        self.jobs._retry(lambda: self._commit(values), f"batch job {self.job_id}: progress and audit rows")
        if self.lost:
            return
        rows, self._pending = self._pending, []
        self._write_results(rows)

    # What a kind of job buffers (customer rows here, messages in service.batch.message_jobs):
    # how it is recorded, counted and written out. The commit loop around them is shared.
    HIT_DECISIONS: frozenset[str] = frozenset({"hit"})

    @staticmethod
    def _decision(item: Any) -> str:
        return item.outcome.decision

    def _record(self, conn: Connection, pending: list[Any]) -> None:
        record_rows(
            conn,
            pending,
            endpoint="batch",
            bulk_id=self.job_id,
            list_versions_json=self._versions_json,
            api_key_id=self.api_key_id,
            review=self.review,
        )

    def _write_results(self, rows: list[Any]) -> None:
        for screened in rows:
            assert self.writer is not None and screened.row is not None
            self.writer.write(
                screened.row.cells,
                screened.outcome,
                screened.reference or "",
                screened.row.fields.get("name", ""),
                screened.alerts,
            )

    def _beat(self, conn: Connection, values: dict[str, Any]) -> bool:
        """Heartbeat and counters, if this runner still owns the running job; else marks it lost."""
        changed = conn.execute(
            update(batch_jobs)
            .where(
                batch_jobs.c.job_id == self.job_id,
                batch_jobs.c.state == "running",
                batch_jobs.c.runner_id == self.jobs.runner_id,
            )
            .values(heartbeat_at=_now(), **values)
        )
        if not changed.rowcount:
            self.lost = True  # cancelled or taken over: write nothing more
        return not self.lost

    def _commit(self, values: dict[str, Any]) -> None:
        pending = self._pending
        with _write(self.jobs.engine) as conn:
            if not self._beat(conn, values):
                return
            if not pending:
                return
            self._record(conn, pending)
            rows = self.rows + len(pending)
            hits = self.hits + sum(self._decision(p) in self.HIT_DECISIONS for p in pending)
            errors = self.errors + sum(self._decision(p) == "error" for p in pending)
            counts: dict[str, Any] = {"rows_done": rows, "hits": hits, "errors": errors}
            total = self.total
            if total is None or rows > total:
                # The count before the run was short: never report more rows done than in total.
                total = counts["rows_total"] = rows
            conn.execute(update(batch_jobs).where(batch_jobs.c.job_id == self.job_id).values(**counts))
        # committed: only now do the counters move (a rolled-back attempt is simply redone)
        self.rows, self.hits, self.errors, self.total = rows, hits, errors, total
        self.alerts += sum(ref["new"] for p in pending for ref in p.alerts)

    def should_stop(self) -> bool:
        self.flush()  # the heartbeat goes on while workers start up or a chunk takes long
        return self.lost
