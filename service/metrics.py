"""Prometheus metrics: requests and latency per endpoint, decisions, index size, list age, audit.

With several worker processes (`sanctions serve --workers N`) the CLI sets
PROMETHEUS_MULTIPROC_DIR before the workers start; prometheus-client then keeps
each process's samples in that directory and /metrics aggregates them (gauges
use "livemax"/"livesum" so dead workers drop out).
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

REQUESTS = Counter(
    "sanctions_http_requests_total",
    "HTTP requests by endpoint, method and status",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "sanctions_http_request_duration_seconds",
    "HTTP request latency by endpoint",
    ["endpoint", "method"],
    buckets=LATENCY_BUCKETS,
)
DECISIONS = Counter("sanctions_decisions_total", "Screening decisions answered", ["decision", "endpoint"])
INDEX_DESIGNATIONS = Gauge(
    "sanctions_index_designations", "Designations in the serving index", multiprocess_mode="livemax"
)
INDEX_NAMES = Gauge(
    "sanctions_index_names", "Names (primary and aliases) in the serving index", multiprocess_mode="livemax"
)
INDEX_BUILD_SECONDS = Gauge(
    "sanctions_index_build_seconds", "Seconds the last index build took", multiprocess_mode="livemax"
)
LIST_AGE = Gauge(
    "sanctions_list_age_seconds",
    "Seconds since the serving version of each list was published (loaded, if no publish date)",
    ["list"],
    multiprocess_mode="livemax",
)
LIST_LOADED_AGE = Gauge(
    "sanctions_list_loaded_age_seconds",
    "Seconds since the serving version of each list was loaded into the store",
    ["list"],
    multiprocess_mode="livemax",
)
LIST_RECORDS = Gauge(
    "sanctions_list_records",
    "Records in the serving version of each list",
    ["list"],
    multiprocess_mode="livemax",
)
READY = Gauge(
    "sanctions_ready",
    "1 when this worker has an index built from an active list version",
    multiprocess_mode="livemin",
)
AUDIT_COMMIT_SECONDS = Histogram(
    "sanctions_audit_commit_seconds", "Time of one audit group commit", buckets=LATENCY_BUCKETS
)
AUDIT_BATCH_ROWS = Histogram(
    "sanctions_audit_batch_rows",
    "Audit rows per group commit",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
)
AUDIT_FAILURES = Counter("sanctions_audit_failures_total", "Audit rows that could not be committed")
RELOADS = Counter("sanctions_list_reloads_total", "List reloads through the API", ["outcome"])


def set_list_ages(published: dict[str, float | None], loaded: dict[str, float]) -> None:
    """Refresh the age gauges from the serving versions' timestamps (epoch seconds)."""
    now = time.time()
    for code, loaded_at in loaded.items():
        published_at = published.get(code)
        LIST_AGE.labels(code).set(now - (published_at if published_at is not None else loaded_at))
        LIST_LOADED_AGE.labels(code).set(now - loaded_at)


def render() -> tuple[bytes, str]:
    """The exposition text for /metrics (aggregated over worker processes in multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(DEFAULT_REGISTRY), CONTENT_TYPE_LATEST


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class MetricsMiddleware:
    """Pure ASGI middleware (cheaper than BaseHTTPMiddleware): counts and times every request.

    The endpoint label is the route's path template ("/v1/entities/{entity_id}"),
    or "unmatched", so arbitrary URLs cannot blow up label cardinality.
    """

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app
        # labelled children looked up once: `labels()` takes a lock and builds a key on every call
        self._latency: dict[tuple[str, str], Any] = {}
        self._requests: dict[tuple[str, str, int], Any] = {}

    def _record(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        latency = self._latency.get((endpoint, method))
        if latency is None:
            latency = self._latency[endpoint, method] = LATENCY.labels(endpoint, method)
        requests = self._requests.get((endpoint, method, status))
        if requests is None:
            requests = self._requests[endpoint, method, status] = REQUESTS.labels(
                endpoint, method, str(status)
            )
        latency.observe(seconds)
        requests.inc()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            endpoint = getattr(route, "path", None) or "unmatched"
            self._record(endpoint, scope.get("method", ""), status, time.perf_counter() - started)
