"""Prometheus metrics of monitoring: rescreen jobs, parties screened, alerts, webhook deliveries."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

RESCREEN_JOBS = Counter(
    "sanctions_rescreen_jobs_total", "Monitoring jobs finished, by kind and state", ["kind", "state"]
)
RESCREEN_PARTIES = Counter(
    "sanctions_rescreen_parties_total",
    "Parties gone through by rescreens (screened or ruled out by keys)",
    ["kind"],
)
RESCREEN_SCREENED = Counter(
    "sanctions_rescreen_screened_total", "Parties actually screened by rescreens", ["kind"]
)
ALERTS_OPENED = Counter("sanctions_alerts_opened_total", "Alerts opened by rescreens", ["kind"])
ALERTS_CLOSED = Counter("sanctions_alerts_closed_total", "Alerts closed as delisted by rescreens")
RESCREEN_SECONDS = Gauge(
    "sanctions_rescreen_last_seconds",
    "Duration of the last finished rescreen",
    ["kind"],
    multiprocess_mode="livemax",
)
RESCREEN_RUNNING = Gauge(
    "sanctions_rescreen_running", "1 while this process runs a rescreen", multiprocess_mode="livemax"
)
RESCREEN_DONE = Gauge(
    "sanctions_rescreen_progress_parties",
    "Parties done by the running rescreen",
    multiprocess_mode="livemax",
)
WEBHOOK_DELIVERIES = Counter(
    "sanctions_webhook_delivery_attempts_total", "Webhook delivery attempts by result", ["result"]
)
WEBHOOK_PENDING = Gauge(
    "sanctions_webhook_deliveries_pending",
    "Webhook deliveries waiting to be sent",
    multiprocess_mode="livemax",
)
