"""Settings of the review room, from environment variables or the `review:` section of the config file.

    SANCTIONS_ALERTS_WITHOUT_PARTY=on          also open alerts for screenings without a party id (default off)
    SANCTIONS_ACCEPT_DAYS=365                  how long an accept entry applies before it must be reviewed again
    SANCTIONS_APPROVAL_REQUIRED=true_match,false_positive
                                               outcomes that need a second user's approval ("" for none)

Kept apart from service.settings so the review room's options stay in one place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.settings import ENV_CONFIG, SettingsError, _bool, _read_config_file

ENV_WITHOUT_PARTY = "SANCTIONS_ALERTS_WITHOUT_PARTY"
ENV_ACCEPT_DAYS = "SANCTIONS_ACCEPT_DAYS"
ENV_APPROVAL = "SANCTIONS_APPROVAL_REQUIRED"
OUTCOMES = ("true_match", "false_positive")


@dataclass(frozen=True)
class ReviewSettings:
    alerts_without_party: bool = False
    accept_days: int = 365
    approval_required: frozenset[str] = frozenset(OUTCOMES)


def _outcomes(value: Any) -> frozenset[str]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise SettingsError("approval_required: expected a comma-separated list of outcomes")
    chosen = frozenset(str(item).strip() for item in items if str(item).strip())
    unknown = chosen - set(OUTCOMES)
    if unknown:
        raise SettingsError(
            f"approval_required: unknown outcome {sorted(unknown)[0]!r}; known: {', '.join(OUTCOMES)}"
        )
    return chosen


def _days(value: Any) -> int:
    try:
        days = int(str(value).strip())
    except ValueError:
        raise SettingsError(f"accept_days: expected a whole number of days, got {value!r}") from None
    if not 1 <= days <= 3650:
        raise SettingsError(f"accept_days: {days} is outside [1, 3650]")
    return days


def load_review_settings(config_path: str | Path | None = None) -> ReviewSettings:
    """Defaults, then the config file's `review:` mapping, then the environment."""
    path = config_path or os.environ.get(ENV_CONFIG)
    section = (_read_config_file(Path(path)) if path else {}).get("review") or {}
    if not isinstance(section, dict):
        raise SettingsError("review: expected a mapping of review settings")
    env = os.environ
    defaults = ReviewSettings()
    return ReviewSettings(
        alerts_without_party=_bool(
            env.get(ENV_WITHOUT_PARTY, section.get("alerts_without_party", False)), "alerts_without_party"
        ),
        accept_days=_days(env.get(ENV_ACCEPT_DAYS, section.get("accept_days", defaults.accept_days))),
        approval_required=_outcomes(
            env.get(ENV_APPROVAL, section.get("approval_required", ",".join(OUTCOMES)))
        ),
    )
