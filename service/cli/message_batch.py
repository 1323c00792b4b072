"""`sanctions batch FOLDER|ZIP -o results.csv`: screen a folder or zip of payment messages.

One results row per message (file, message id, type, decision, hits with field
paths) and one matches row per hit; a message that cannot be read is an error
row naming its file and the problem. Every decision is audited (endpoint
"payment-cli", one batch id, the message's position) before the files appear.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console

from service.batch.audit import BatchAuditSink
from service.batch.message_output import MessageResultsWriter
from service.batch.message_sources import MessageSourceError, check_source, source_messages
from service.batch.messages import ENDPOINT_CLI, MessageCounts, MessageRunner, message_audit_row
from service.batch.runner import BatchAborted, NoActiveLists, load_active_index
from service.config import database_url


class MessageBatchError(Exception):
    """Why the batch did not run or stopped (one line for the user)."""


def run_message_batch(console: Console, source: Path, output: Path, workers: int | None) -> None:
    """Screen every message of `source` (a folder or a zip) into `output` and its matches file."""
    from lists.store import Store
    from service.payments.screen import PaymentPolicy

    try:
        PaymentPolicy.from_env()  # a bad SANCTIONS_PAYMENT_* setting is named before the index build
        summary = check_source(source)
        list_warnings: list[dict[str, object]] = []
        designations, list_versions = load_active_index(database_url(), list_warnings)
    except (MessageSourceError, NoActiveLists, ValueError) as exc:
        raise MessageBatchError(str(exc)) from None
    kind = "folder" if source.is_dir() else "zip archive"
    console.print(f"{source}: {kind} of {summary.messages} messages", highlight=False)
    for name in summary.skipped:
        console.print(f"[yellow]skipped:[/yellow] {name} (hidden or system file)", highlight=False)
    console.print(f"lists: {', '.join(list_versions.values())}", highlight=False)
    for stale in list_warnings:
        console.print(f"[yellow]warning:[/yellow] {stale['message']}", highlight=False)

    store = Store(database_url())
    audit = BatchAuditSink(store.engine, list_versions, endpoint=ENDPOINT_CLI)
    counts = MessageCounts()
    runner = MessageRunner(designations, list_versions, workers=workers)
    del designations
    try:
        runner.start()
        started = time.monotonic()  # after the index build: the rate is the screening's
        with MessageResultsWriter(output) as writer:
            for _item, outcome in runner.messages(source_messages(source)):
                writer.write_message(outcome)
                audit.add_row(
                    message_audit_row(
                        outcome,
                        endpoint=ENDPOINT_CLI,
                        bulk_id=audit.bulk_id,
                        list_versions_json=audit.list_versions_json,
                    )
                )
                counts.add(outcome)
            writer.publish_after(audit.flush)
    except BatchAborted as exc:  # a worker died
        raise MessageBatchError(f"batch stopped after {counts.total} messages: {exc}") from None
    finally:
        runner.close()
        try:
            audit.flush()
        finally:
            store.close()
    elapsed = time.monotonic() - started
    console.print(
        f"[bold]{counts.total}[/bold] messages: {counts.summary()}, {elapsed:.1f} s "
        f"({counts.total / max(elapsed, 1e-9):,.0f} messages/s)",
        highlight=False,
    )
    console.print(f"results: {output}\nmatches: {writer.matches_path}", highlight=False)
    console.print(f"audit: {audit.recorded} decisions recorded as batch {audit.bulk_id}", highlight=False)
