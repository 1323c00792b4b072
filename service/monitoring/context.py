"""The screening context of a process without a serving index (the CLI, benchmarks)."""

from __future__ import annotations

from lists.store import Store
from screening.screener import Screener
from screening.thresholds import DEFAULT_THRESHOLD
from service.monitoring.cycle import Context


def build_context(store: Store, threshold: float | None = None) -> Context | None:
    """A Screener of the active versions (exactly those), as the server builds it; None if no list."""
    versions, designations = store.active_snapshot()
    if not versions or not designations:
        return None
    labels = {code: info.label for code, info in versions.items()}
    screener = Screener(designations, labels, default_threshold=threshold or DEFAULT_THRESHOLD)
    return Context(screener, versions)


def service_threshold() -> float | None:
    """The server's default threshold (SANCTIONS_THRESHOLD or the config file), if one is set."""
    from service.settings import load_settings

    return load_settings().default_threshold
