"""How fresh each active list is, and whether it is stale.

The rule (README, "Keeping the lists current"): a list's age is the time since
the last successful check against its source *that confirmed the active
version* (a fetch that loaded it, or found the source unchanged). A list whose
active version no check has confirmed (the bundled snapshots, files loaded by
hand) is aged from its publish date; without a publish date it is stale
whatever its load time, since nothing says how old its content is. A list is
stale when its age exceeds its maximum age; a list with no maximum age (the
internal watchlist) is never stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from lists.fetch.state import CheckState
from lists.store import VersionInfo

BASIS_CHECK = "last successful check against its source"
BASIS_PUBLISHED = "publish date (never confirmed by a check against its source)"
BASIS_UNKNOWN = "load time (no publish date, never confirmed by a check against its source)"


@dataclass(frozen=True)
class ListFreshness:
    list_code: str
    version_id: int
    label: str
    publish_date: date | None
    loaded_at: datetime
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_failure: str | None
    age_hours: float
    age_basis: str
    max_age_hours: float | None
    stale: bool

    def as_json(self) -> dict[str, object]:
        return {
            "version": self.label,
            "version_id": self.version_id,
            "publish_date": self.publish_date.isoformat() if self.publish_date else None,
            "loaded_at": self.loaded_at.isoformat(),
            "last_successful_check": self.last_success_at.isoformat() if self.last_success_at else None,
            "last_failure": (
                {"at": self.last_failure_at.isoformat(), "reason": self.last_failure}
                if self.last_failure_at
                else None
            ),
            "age_hours": round(self.age_hours, 2),
            "age_basis": self.age_basis,
            "max_age_hours": self.max_age_hours,
            "stale": self.stale,
        }

    def warning(self) -> dict[str, object]:
        """The entry a screening answer carries for a stale list."""
        limit = f"{self.max_age_hours:g} h" if self.max_age_hours is not None else "none"
        return {
            "list": self.list_code,
            "stale": True,
            "age_hours": round(self.age_hours, 1),
            "max_age_hours": self.max_age_hours,
            "message": f"list {self.list_code} ({self.label}) is stale: {self.age_hours:,.0f} h old by its "
            f"{self.age_basis}; maximum {limit}",
        }


def _hours(since: datetime, now: datetime) -> float:
    return max(0.0, (now - since).total_seconds() / 3600)


def list_freshness(
    info: VersionInfo, check: CheckState | None, max_age_hours: float | None, now: datetime | None = None
) -> ListFreshness:
    now = now or datetime.now(UTC)
    confirmed = check is not None and check.last_success_at is not None and check.version_id == info.id
    if confirmed:
        assert check is not None and check.last_success_at is not None
        age, basis, known = _hours(check.last_success_at, now), BASIS_CHECK, True
    elif info.publish_date is not None:
        published = datetime.combine(info.publish_date, time(0, 0), tzinfo=UTC)
        age, basis, known = _hours(published, now), BASIS_PUBLISHED, True
    else:
        age, basis, known = _hours(info.loaded_at, now), BASIS_UNKNOWN, False
    stale = max_age_hours is not None and (not known or age > max_age_hours)
    return ListFreshness(
        list_code=info.list_code,
        version_id=info.id,
        label=info.label,
        publish_date=info.publish_date,
        loaded_at=info.loaded_at,
        last_success_at=check.last_success_at if check else None,
        last_failure_at=check.last_failure_at if check else None,
        last_failure=check.last_failure if check else None,
        age_hours=age,
        age_basis=basis,
        max_age_hours=max_age_hours,
        stale=stale,
    )


def freshness(
    versions: Mapping[str, VersionInfo],
    checks: Mapping[str, CheckState],
    max_ages: Mapping[str, float | None],
    now: datetime | None = None,
) -> dict[str, ListFreshness]:
    """Freshness of each given version (the active ones, or those an index serves)."""
    now = now or datetime.now(UTC)
    return {
        code: list_freshness(info, checks.get(code), max_ages.get(code), now)
        for code, info in versions.items()
    }
