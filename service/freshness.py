"""Which lists must be active, which are stale, and what every screening answer says about it.

Policy from the environment: SANCTIONS_REQUIRED_LISTS (default: every list with
an enabled source: ofac, ofac-nonsdn, un), per-list maximum ages from the
sources file / SANCTIONS_MAX_AGE_HOURS, and SANCTIONS_FAIL_ON_STALE=1 to refuse
(503 / non-zero exit) instead of answering with a warning. The API, the CLI
and batch jobs all ask this module, so they agree.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter, Gauge
from sqlalchemy import Engine

from lists.fetch.config import SourceConfigError, SourcesConfig, load_sources, parse_list_codes
from lists.fetch.state import CheckState, read_checks
from lists.freshness import ListFreshness, freshness
from lists.store import VersionInfo

ENV_REQUIRED = "SANCTIONS_REQUIRED_LISTS"
ENV_FAIL_ON_STALE = "SANCTIONS_FAIL_ON_STALE"

LIST_AGE_HOURS = Gauge(
    "sanctions_list_freshness_age_hours",
    "Age of each serving list by the freshness rule (since the last successful check confirming it, "
    "else since publication)",
    ["list"],
    multiprocess_mode="livemax",
)
LIST_STALE = Gauge(
    "sanctions_list_stale",
    "1 when the serving version of the list is stale",
    ["list"],
    multiprocess_mode="livemax",
)
LIST_LAST_SUCCESS = Gauge(
    "sanctions_list_last_success_timestamp_seconds",
    "Unix time of the last successful check of each list against its source",
    ["list"],
    multiprocess_mode="livemax",
)
FETCH_FAILURES = Counter("sanctions_list_fetch_failures_total", "List updates that failed", ["list"])
FETCH_OUTCOMES = Counter("sanctions_list_fetch_outcomes_total", "List update outcomes", ["list", "outcome"])


class ListsNotUsable(Exception):
    """Screening must not answer: a required list is missing, or (with fail-on-stale) a list is stale."""

    def __init__(self, error: str, detail: str) -> None:
        self.error = error
        self.detail = detail
        super().__init__(detail)


@dataclass(frozen=True)
class FreshnessPolicy:
    required: tuple[str, ...]
    max_ages: dict[str, float | None]
    fail_on_stale: bool
    sources: SourcesConfig

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> FreshnessPolicy:
        """Raises SourceConfigError naming the variable when a value is unusable."""
        env = os.environ if env is None else env
        sources = load_sources(env)
        raw_required = env.get(ENV_REQUIRED)
        required = (
            [code.value for code in parse_list_codes(raw_required, ENV_REQUIRED)]
            if raw_required is not None
            else [code.value for code in sources.enabled()]
        )
        flag = env.get(ENV_FAIL_ON_STALE, "0").strip().lower()
        if flag not in ("0", "1", "true", "false", "yes", "no", "on", "off", ""):
            raise SourceConfigError(f"{ENV_FAIL_ON_STALE}: expected 1 or 0, got {flag!r}")
        return cls(
            required=tuple(required),
            max_ages={code.value: source.max_age_hours for code, source in sources.lists.items()},
            fail_on_stale=flag in ("1", "true", "yes", "on"),
            sources=sources,
        )

    def missing(self, versions: Mapping[str, Any]) -> list[str]:
        return [code for code in self.required if code not in versions]


def missing_message(missing: list[str]) -> str:
    return (
        f"required list(s) not loaded: {', '.join(missing)} ({ENV_REQUIRED}); nothing is screened without "
        "them. Load them with `sanctions lists update` (or `sanctions lists load`), or change "
        f"{ENV_REQUIRED}"
    )


def not_active(asked: list[str] | None, versions: Mapping[str, Any]) -> list[str]:
    """The lists a query names that have no active version (the caller's filter, not the policy).

    Asking for such a list is asking for something the service does not have: a 4xx naming the
    lists, never an answer against nothing. A *required* list that is missing is the service's
    fault and stays a 503 (`assess`), checked first.
    """
    return sorted({code for code in asked or () if code not in versions})


def not_active_message(missing: list[str], versions: Mapping[str, Any]) -> str:
    active = ", ".join(sorted(versions)) or "none"
    return f"no active version of {', '.join(missing)}, so it cannot be screened against (active: {active})"


def stale_message(stale: list[ListFreshness]) -> str:
    named = "; ".join(
        f"{f.list_code} {f.age_hours:,.0f} h old (maximum {f.max_age_hours:g} h)" for f in stale
    )
    return f"stale list(s) and {ENV_FAIL_ON_STALE}=1: {named}; run `sanctions lists update`"


def assess(
    policy: FreshnessPolicy, versions: Mapping[str, VersionInfo], checks: Mapping[str, CheckState]
) -> tuple[dict[str, ListFreshness], list[dict[str, object]]]:
    """(freshness per list, warnings for the answer); raises ListsNotUsable when screening must refuse."""
    missing = policy.missing(versions)
    if missing:
        raise ListsNotUsable("required_list_missing", missing_message(missing))
    report = freshness(versions, checks, policy.max_ages)
    stale = [item for item in report.values() if item.stale]
    if stale and policy.fail_on_stale:
        raise ListsNotUsable("stale_list", stale_message(stale))
    return report, [item.warning() for item in stale]


def assess_store(engine: Engine, versions: Mapping[str, VersionInfo]) -> list[dict[str, object]]:
    """For the CLI and batch jobs: the warnings, or ListsNotUsable (policy read from the environment)."""
    _, warnings = assess(FreshnessPolicy.from_env(), versions, read_checks(engine))
    return warnings


class ListStatus:
    """A worker's view of the fetch state, re-read by the keeper thread every few seconds (off the hot path)."""

    def __init__(self, engine: Engine, policy: FreshnessPolicy) -> None:
        self.engine = engine
        self.policy = policy
        self._checks: dict[str, CheckState] = {}
        self._assessed: tuple[Any, Any] | None = None

    def reload(self) -> None:
        checks = read_checks(self.engine)
        self._checks = checks
        for code, check in checks.items():
            if check.last_success_at is not None:
                LIST_LAST_SUCCESS.labels(code).set(check.last_success_at.timestamp())

    def checks(self) -> dict[str, CheckState]:
        """The last copy read (the keeper thread re-reads it every tick): never a database read on a request."""
        return self._checks

    def assess(
        self, versions: Mapping[str, VersionInfo]
    ) -> tuple[dict[str, ListFreshness], list[dict[str, object]]]:
        """Per request: cached for a second per set of serving versions (ages move in hours, not µs)."""
        checks = self.checks()
        key = (tuple((code, info.id) for code, info in versions.items()), int(time.monotonic()), id(checks))
        cached = self._assessed
        if cached is not None and cached[0] == key:
            if isinstance(cached[1], ListsNotUsable):
                raise cached[1]
            return cached[1]
        try:
            result = assess(self.policy, versions, checks)
        except ListsNotUsable as exc:
            self._assessed = (key, exc)
            raise
        self._assessed = (key, result)
        return result

    def report(self, versions: Mapping[str, VersionInfo]) -> dict[str, ListFreshness]:
        result = freshness(versions, self.checks(), self.policy.max_ages)
        publish_gauges(result)
        return result


def publish_gauges(report: Mapping[str, ListFreshness]) -> None:
    for code, item in report.items():
        LIST_AGE_HOURS.labels(code).set(item.age_hours)
        LIST_STALE.labels(code).set(1 if item.stale else 0)
