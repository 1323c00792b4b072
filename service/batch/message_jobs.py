"""An HTTP batch job over a zip of payment messages (POST /v1/batches with a .zip upload).

Run by the same runner thread, with the same state, heartbeat, cancel, restart and
publish-after-audit rules as a customer-file job (service.batch.jobs); only what is
screened differs: messages instead of rows, audited as POST /v1/screen/payment
audits one message (endpoint "payment-batch", bulk_id = job id, position = the
message's number in name order). The job's `hits` count held and blocked messages,
`errors` the messages that could not be read.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from service.batch.audit import AuditRow, insert_audit_rows
from service.batch.jobs import (
    BatchJobs,
    JobLost,
    _commit_all,
    _Progress,
    _remove_partials,
    _write,
)
from service.batch.message_output import MessageResultsWriter
from service.batch.message_sources import zip_messages
from service.batch.messages import ENDPOINT_HTTP, MessageOutcome, MessageRunner, message_audit_row
from service.batch.runner import BatchAborted, load_active_index
from service.db_outage import is_database_outage


class _MessageProgress(_Progress):
    """A message job's progress: its rows are audited as prepared (no customer-row review) and
    counted here; counters, heartbeat and audit rows are committed together about once a second."""

    def __init__(self, jobs: BatchJobs, job_id: str, list_versions: dict[str, str], api_key_id: str | None):
        super().__init__(jobs, job_id, list_versions, api_key_id)
        self._audit: list[AuditRow] = []

    def add_message(self, outcome: MessageOutcome) -> None:
        self.rows += 1
        self.hits += outcome.decision in ("hold", "block")
        self.errors += outcome.decision == "error"
        row = message_audit_row(
            outcome,
            endpoint=ENDPOINT_HTTP,
            bulk_id=self.job_id,
            list_versions_json=self._versions_json,
            api_key_id=self.api_key_id,
        )
        if row is not None:
            self._audit.append(row)
        self.flush()

    def flush(self, force: bool = False) -> None:
        if not force and time.monotonic() - self._last < 1.0 and len(self._audit) < 5_000:
            return
        self._last = time.monotonic()
        counts: dict[str, Any] = {"rows_done": self.rows, "hits": self.hits, "errors": self.errors}
        if self.total is None or self.rows > self.total:
            self.total = self.rows  # the count before the run was short
            counts["rows_total"] = self.rows
        self._update(**counts)

    def _update(self, **values: Any) -> None:
        self.jobs._retry(lambda: self._commit(values), f"batch job {self.job_id}: progress and audit rows")

    def _commit(self, values: dict[str, Any]) -> None:
        with _write(self.jobs.engine) as conn:
            if not self._beat(conn, values):
                return
            insert_audit_rows(conn, self._audit)
        self._audit = []


def screen_message_job(jobs: BatchJobs, job: Any) -> None:
    """Screen every message of the job's zip into its results; fails the job with the reason when the
    archive or the payment policy is unusable (a database outage is left to the caller: requeued)."""
    from service.payments.screen import PaymentPolicy

    url = str(jobs.engine.url.render_as_string(hide_password=False))
    archive = Path(job.input_path)
    try:
        PaymentPolicy.from_env()
        list_warnings: list[dict[str, Any]] = []
        designations, list_versions = jobs._retry(
            lambda: load_active_index(url, list_warnings),
            f"batch job {job.job_id}: loading the active lists",
        )
    except Exception as exc:
        if is_database_outage(exc):
            raise
        jobs._finish(job.job_id, "failed", str(exc))
        return
    progress = _MessageProgress(jobs, job.job_id, list_versions, job.api_key_id)
    stale = [str(w["message"]) for w in list_warnings]
    progress.save(total=job.rows_total, notes=[*(job.notes or []), *stale])
    runner = MessageRunner(designations, list_versions, workers=jobs.workers, start_method=jobs.start_method)
    del designations
    results_path = Path(job.results_path)
    _remove_partials(results_path)
    try:
        with MessageResultsWriter(results_path) as writer:
            for _item, outcome in runner.messages(zip_messages(archive), should_stop=progress.should_stop):
                writer.write_message(outcome)
                progress.add_message(outcome)
            writer.publish_after(lambda: _commit_all(progress))
    except BatchAborted as exc:
        if progress.lost:
            raise JobLost() from exc
        raise
    finally:
        runner.close(cancel=True)
    jobs.record_done(job.job_id, progress)
