"""The delivery worker: sends due webhook deliveries from the outbox, retrying with backoff.

At-least-once: a delivery is marked delivered only after the receiver answered
2xx; until then it is retried with exponential backoff (base doubling up to a cap,
with jitter) for at least 24 hours (SANCTIONS_WEBHOOK_GIVE_UP_HOURS, default 25)
after the event, then marked failed. The state lives in the database, so a
restart resumes where it stopped, and several server processes share the work:
a delivery is claimed by moving its next attempt past the send timeout in a
conditional UPDATE, so only one process sends it at a time. Redirects are never
followed (a 3xx is a failed attempt), only http(s) URLs are accepted, every
request has a timeout, and the worker is its own thread: a receiver that is down
or slow costs screening requests nothing.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, func, select, update

from service.dbtx import now, utc, write
from service.monitoring import metrics
from service.webhooks.signing import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
)
from service.webhooks.tables import webhook_deliveries, webhook_events, webhooks

log = logging.getLogger(__name__)

USER_AGENT = "sanctions-screening-webhooks/1"
CLAIM_BATCH = 20
ERROR_CHARS = 300


@dataclass(frozen=True)
class DeliveryOptions:
    timeout: float = 10.0  # seconds per request (connect, read, write, pool)
    backoff_base: float = 10.0  # first retry after about this many seconds, then doubling
    backoff_max: float = 3600.0  # ... up to this many seconds between attempts
    give_up_after: float = 25 * 3600.0  # seconds after the event: then the delivery is failed
    poll: float = 1.0
    concurrency: int = 4

    @classmethod
    def from_env(cls) -> DeliveryOptions:
        env = os.environ
        return cls(
            timeout=float(env.get("SANCTIONS_WEBHOOK_TIMEOUT_SECONDS", cls.timeout)),
            backoff_base=float(env.get("SANCTIONS_WEBHOOK_BACKOFF_SECONDS", cls.backoff_base)),
            backoff_max=float(env.get("SANCTIONS_WEBHOOK_BACKOFF_MAX_SECONDS", cls.backoff_max)),
            give_up_after=float(env.get("SANCTIONS_WEBHOOK_GIVE_UP_HOURS", cls.give_up_after / 3600)) * 3600,
            poll=float(env.get("SANCTIONS_WEBHOOK_POLL_SECONDS", cls.poll)),
        )

    def backoff(self, attempts: int) -> float:
        """Seconds before the next attempt after `attempts` failed ones (jitter: +-20%)."""
        delay = min(self.backoff_base * (2 ** max(attempts - 1, 0)), self.backoff_max)
        return delay * random.uniform(0.8, 1.2)


class DeliveryWorker:
    """Sends webhook deliveries in a daemon thread (one per server process)."""

    def __init__(self, engine: Engine, options: DeliveryOptions | None = None) -> None:
        self.engine = engine
        self.options = options or DeliveryOptions.from_env()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._client = httpx.Client(
            timeout=self.options.timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}
        )
        self._pool = ThreadPoolExecutor(self.options.concurrency, thread_name_prefix="webhook-send")

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="webhook-delivery", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                sent = self.run_due()
            except Exception:
                log.exception("webhook delivery round failed")
                sent = 0
            if not sent:
                self._wake.wait(self.options.poll)
                self._wake.clear()

    def run_due(self) -> int:
        """Claim and send the due deliveries; returns how many were attempted."""
        claimed = self._claim()
        if claimed:
            list(self._pool.map(self._send, claimed))
        with self.engine.connect() as conn:
            pending = conn.execute(
                select(func.count())
                .select_from(webhook_deliveries)
                .where(webhook_deliveries.c.state == "pending")
            ).scalar_one()
        metrics.WEBHOOK_PENDING.set(pending)
        return len(claimed)

    def _claim(self) -> list[int]:
        at = now()
        lease = at + timedelta(seconds=self.options.timeout + 30)
        with self.engine.connect() as conn:
            due = list(
                conn.execute(
                    select(webhook_deliveries.c.delivery_id)
                    .where(
                        webhook_deliveries.c.state == "pending", webhook_deliveries.c.next_attempt_at <= at
                    )
                    .order_by(webhook_deliveries.c.next_attempt_at, webhook_deliveries.c.delivery_id)
                    .limit(CLAIM_BATCH)
                ).scalars()
            )
        claimed = []
        for delivery_id in due:
            with write(self.engine) as conn:
                changed = conn.execute(
                    update(webhook_deliveries)
                    .where(
                        webhook_deliveries.c.delivery_id == delivery_id,
                        webhook_deliveries.c.state == "pending",
                        webhook_deliveries.c.next_attempt_at <= at,
                    )
                    .values(next_attempt_at=lease)
                ).rowcount
            if changed:
                claimed.append(delivery_id)
        return claimed

    def _send(self, delivery_id: int) -> None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(
                    webhook_deliveries,
                    webhook_events.c.type,
                    webhook_events.c.body,
                    webhooks.c.url,
                    webhooks.c.secret,
                    webhooks.c.active,
                )
                .join(webhook_events, webhook_events.c.event_id == webhook_deliveries.c.event_id)
                .join(webhooks, webhooks.c.webhook_id == webhook_deliveries.c.webhook_id)
                .where(webhook_deliveries.c.delivery_id == delivery_id)
            ).first()
        if row is None:
            return
        if not row.active:
            self._record(row, None, "the webhook was removed", final=True)
            return
        body = row.body.encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            EVENT_ID_HEADER: row.event_id,
            EVENT_TYPE_HEADER: row.type,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(row.secret, timestamp, body),
        }
        status: int | None = None
        error: str | None = None
        try:
            response = self._client.post(row.url, content=body, headers=headers)
            status = response.status_code
            if response.is_redirect:
                error = f"HTTP {status}: redirect to {response.headers.get('location', '?')!r} not followed"
            elif not response.is_success:
                error = f"HTTP {status}: {response.text[:ERROR_CHARS]}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {str(exc)[:ERROR_CHARS] or 'no detail'}"
        self._record(row, status, error)

    def _record(self, row: Any, status: int | None, error: str | None, final: bool = False) -> None:
        at = now()
        attempts = row.attempts + (0 if final else 1)
        values: dict[str, Any] = {"attempts": attempts, "last_status": status, "last_error": error}
        if not final:
            values["last_attempt_at"] = at
        if error is None:
            values.update(state="delivered", delivered_at=at)
            metrics.WEBHOOK_DELIVERIES.labels("delivered").inc()
        else:
            age = (at - utc(row.created_at)).total_seconds()  # type: ignore[operator]
            if final or age >= self.options.give_up_after:
                values.update(state="failed")
                log.warning("webhook delivery %s failed for good: %s", row.delivery_id, error)
            else:
                values.update(next_attempt_at=at + timedelta(seconds=self.options.backoff(attempts)))
            metrics.WEBHOOK_DELIVERIES.labels("failed").inc()
        with write(self.engine) as conn:
            conn.execute(
                update(webhook_deliveries)
                .where(
                    webhook_deliveries.c.delivery_id == row.delivery_id,
                    webhook_deliveries.c.state == "pending",
                )
                .values(**values)
            )
