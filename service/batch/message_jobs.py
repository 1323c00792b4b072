"""An HTTP batch job over a zip of payment messages (POST /v1/batches with a .zip upload).

Run by the same runner thread, with the same state, heartbeat, cancel, restart and
publish-after-audit rules as a customer-file job (service.batch.jobs); only what is
screened differs: messages instead of rows, audited as POST /v1/screen/payment
audits one message (endpoint "payment-batch", bulk_id = job id, position = the
message's number in name order), each message reviewed and its designation hits
opening alerts as one payment's do (service.batch.message_review). The job's `hits`
count held and blocked messages (after accept entries), `errors` the messages that
could not be read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from service.batch.jobs import (
    BatchJobs,
    JobLost,
    _commit_all,
    _Progress,
    _remove_partials,
)
from service.batch.message_output import MessageResultsWriter
from service.batch.message_review import MessageReview, record_messages
from service.batch.message_sources import zip_messages
from service.batch.messages import ENDPOINT_HTTP, MessageOutcome, MessageRunner
from service.batch.runner import BatchAborted, load_active_index
from service.db_outage import is_database_outage
from service.review.config import load_review_settings


class _MessageProgress(_Progress):
    """A message job's progress: about once a second its buffered messages are reviewed, audited and
    their alerts opened (service.batch.message_review) in the transaction that moves the counters and
    the heartbeat; only then are they written to the results files, as reviewed."""

    HIT_DECISIONS = frozenset({"hold", "block"})

    def __init__(
        self,
        jobs: BatchJobs,
        job_id: str,
        list_versions: dict[str, str],
        api_key_id: str | None,
        review: MessageReview,
    ):
        super().__init__(jobs, job_id, list_versions, api_key_id)
        self.message_review = review
        self.message_writer: MessageResultsWriter | None = None

    def add_message(self, outcome: MessageOutcome) -> None:
        self._pending.append(outcome)
        self.flush()

    @staticmethod
    def _decision(item: Any) -> str:
        return item.decision

    def _record(self, conn: Connection, pending: list[Any]) -> None:
        record_messages(
            conn,
            pending,
            endpoint=ENDPOINT_HTTP,
            bulk_id=self.job_id,
            list_versions_json=self._versions_json,
            review=self.message_review,
            api_key_id=self.api_key_id,
        )

    def _write_results(self, rows: list[Any]) -> None:
        for outcome in rows:  # none before the writer is set (the first save)
            assert self.message_writer is not None
            self.message_writer.write_message(outcome)


def screen_message_job(jobs: BatchJobs, job: Any) -> None:
    """Screen every message of the job's zip into its results; fails the job with the reason when the
    archive or the payment policy is unusable (a database outage is left to the caller: requeued)."""
    from service.payments.screen import PaymentPolicy

    url = str(jobs.engine.url.render_as_string(hide_password=False))
    archive = Path(job.input_path)
    try:
        PaymentPolicy.from_env()
        settings = load_review_settings()
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
    review = MessageReview(list_versions, settings, jobs._actor(job.api_key_id))
    progress = _MessageProgress(jobs, job.job_id, list_versions, job.api_key_id, review)
    stale = [str(w["message"]) for w in list_warnings]
    progress.save(total=job.rows_total, notes=[*(job.notes or []), *stale])
    runner = MessageRunner(designations, list_versions, workers=jobs.workers, start_method=jobs.start_method)
    del designations
    results_path = Path(job.results_path)
    _remove_partials(results_path)
    try:
        with MessageResultsWriter(results_path) as writer:
            progress.message_writer = writer
            for _item, outcome in runner.messages(zip_messages(archive), should_stop=progress.should_stop):
                progress.add_message(outcome)
            _commit_all(progress)  # the last messages reviewed, audited and written; then published
            writer.publish()
    except BatchAborted as exc:
        if progress.lost:
            raise JobLost() from exc
        raise
    finally:
        runner.close(cancel=True)
    jobs.record_done(job.job_id, progress)
