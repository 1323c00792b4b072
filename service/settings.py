"""Settings of the HTTP service: environment variables over an optional config file over defaults.

The server may run several worker processes, each building its app from the
environment (uvicorn's factory mode), so everything a worker needs is readable
from environment variables; `sanctions serve` only sets them.

Config file (`SANCTIONS_CONFIG`, TOML or YAML), every key optional::

    database_url = "postgresql+psycopg://screening@db/screening"
    data_dir = "/var/lib/sanctions"
    default_threshold = 0.85
    auth = true
    refresh_seconds = 30
    [list_sources]            # list code -> files/folders; absent = the bundled lists
    ofac = ["/srv/lists/ofac"]
    un = ["/srv/lists/un/consolidated.xml"]
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from lists.file_modes import make_private_dir
from lists.model import ListCode

ENV_CONFIG = "SANCTIONS_CONFIG"
ENV_AUTH = "SANCTIONS_AUTH"
ENV_THRESHOLD = "SANCTIONS_THRESHOLD"
ENV_REFRESH = "SANCTIONS_REFRESH_SECONDS"
ENV_KEY_CACHE = "SANCTIONS_KEY_CACHE_SECONDS"
_FALSE = {"0", "false", "no", "off"}
_TRUE = {"1", "true", "yes", "on"}


class SettingsError(ValueError):
    """The configuration is unusable; the message names the setting."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    default_threshold: float | None = None  # None: the engine's documented DEFAULT_THRESHOLD
    auth_enabled: bool = True
    # list code -> paths for POST /v1/lists/reload; None means the bundled snapshots
    list_sources: dict[str, list[str]] | None = None
    # every N seconds a worker checks the store's active versions and rebuilds if they changed
    # (keeps every worker process in step after a reload or a CLI load); 0 disables
    refresh_seconds: float = 30.0
    key_cache_seconds: float = 5.0  # how long an API key lookup is trusted (revocation delay)
    audit_max_batch: int = 500
    # request body limits in bytes, enforced while reading (service.http.body_limit); env SANCTIONS_BODY_LIMIT_*
    body_limit_screen: int = 64 * 1024
    body_limit_bulk: int = 4 * 1024 * 1024
    body_limit_upload: int = 201 * 1024 * 1024  # batch uploads: 200 MB plus the multipart framing
    extra: dict[str, Any] = field(default_factory=dict)

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"{ENV_CONFIG}={path}: cannot read the config file: {exc}") from exc
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise SettingsError(f"{path}: not valid {path.suffix.lstrip('.') or 'YAML'}: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: the config file must be a mapping of settings")
    return data


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingsError(f"{name}: expected on/off (true/false), got {value!r}")


def _float(value: Any, name: str, low: float, high: float | None = None) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{name}: expected a number, got {value!r}") from None
    if number < low or (high is not None and number > high):
        raise SettingsError(f"{name}: {number} is outside [{low}, {high if high is not None else 'inf'}]")
    return number


def _list_sources(value: Any) -> dict[str, list[str]] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise SettingsError("list_sources: expected a mapping of list code -> paths")
    known = {code.value for code in ListCode}
    sources: dict[str, list[str]] = {}
    for code, paths in value.items():
        if code not in known:
            raise SettingsError(f"list_sources.{code}: unknown list code; known: {', '.join(sorted(known))}")
        items = [paths] if isinstance(paths, str) else paths
        if not isinstance(items, list) or not all(isinstance(p, str) for p in items):
            raise SettingsError(f"list_sources.{code}: expected a path or a list of paths")
        sources[code] = items
    return sources


def load_settings(config_path: str | Path | None = None) -> Settings:
    """Defaults, then the config file (argument or SANCTIONS_CONFIG), then environment variables."""
    path = config_path or os.environ.get(ENV_CONFIG)
    file = _read_config_file(Path(path)) if path else {}
    env = os.environ

    data_dir_value = env.get("SANCTIONS_DATA_DIR") or file.get("data_dir")
    if data_dir_value:
        directory = make_private_dir(Path(str(data_dir_value)))  # 0700 when created here
    else:
        from service.config import data_dir

        directory = data_dir()
    url = env.get("DATABASE_URL") or file.get("database_url") or f"sqlite:///{directory / 'sanctions.db'}"

    threshold_raw = env.get(ENV_THRESHOLD, file.get("default_threshold"))
    threshold = None if threshold_raw in (None, "") else _float(threshold_raw, "default_threshold", 0.0, 1.0)
    auth_raw = env.get(ENV_AUTH, file.get("auth", True))
    return Settings(
        database_url=str(url),
        data_dir=directory,
        default_threshold=threshold,
        auth_enabled=_bool(auth_raw, "auth"),
        list_sources=_list_sources(file.get("list_sources")),
        refresh_seconds=_float(env.get(ENV_REFRESH, file.get("refresh_seconds", 30)), "refresh_seconds", 0),
        key_cache_seconds=_float(
            env.get(ENV_KEY_CACHE, file.get("key_cache_seconds", 5)), "key_cache_seconds", 0
        ),
        **_body_limits(env, file),
    )


def _body_limits(env: Any, file: dict[str, Any]) -> dict[str, int]:
    """body_limit_screen|bulk|upload from SANCTIONS_BODY_LIMIT_<KIND> or the config file, in bytes."""
    limits = {}
    for kind in ("screen", "bulk", "upload"):
        name = f"body_limit_{kind}"
        raw = env.get(f"SANCTIONS_BODY_LIMIT_{kind.upper()}", file.get(name))
        if raw is not None:
            limits[name] = int(_float(raw, name, 1024))
    return limits
