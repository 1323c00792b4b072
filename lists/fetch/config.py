"""Where each list is fetched from, how old it may get, and how downloads behave.

One documented place: lists/data/sources.yaml, with environment variables over
it (SANCTIONS_SOURCES, SANCTIONS_MIRROR, SANCTIONS_ENABLED_LISTS,
SANCTIONS_MAX_AGE_HOURS, SANCTIONS_EU_TOKEN, SANCTIONS_FETCH_*). A bad value is
refused with an error naming the variable or key, never silently ignored.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lists.model import ListCode

SOURCES_PATH = Path(__file__).resolve().parent.parent / "data" / "sources.yaml"
# The EU Financial Sanctions Files' public download token (the address the Commission publishes).
DEFAULT_EU_TOKEN = "dG9rZW4tMjAxNw"

ENV_SOURCES = "SANCTIONS_SOURCES"
ENV_MIRROR = "SANCTIONS_MIRROR"
ENV_ENABLED = "SANCTIONS_ENABLED_LISTS"
ENV_MAX_AGE = "SANCTIONS_MAX_AGE_HOURS"
ENV_EU_TOKEN = "SANCTIONS_EU_TOKEN"
ENV_TIMEOUT = "SANCTIONS_FETCH_TIMEOUT"
ENV_RETRIES = "SANCTIONS_FETCH_RETRIES"
ENV_MAX_BYTES = "SANCTIONS_FETCH_MAX_BYTES"


class SourceConfigError(ValueError):
    """The sources file or an override is unusable; the message names it."""


class SourceFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str  # the official file name, lower-case: also its name on a mirror
    url: str


class ListSource(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: str
    enabled: bool = True
    max_age_hours: float | None = Field(default=48.0, ge=0)
    files: tuple[SourceFile, ...] = ()


@dataclass(frozen=True)
class FetchOptions:
    """How downloads behave: generous for a 4 MB file on a slow link, bounded for a hung one."""

    timeout_seconds: float = 60.0
    retries: int = 3  # attempts after the first, on connection errors and 5xx/429
    backoff_seconds: float = 1.0  # doubled after each failed attempt
    max_bytes: int = 200 * 1024 * 1024  # no list comes near; a runaway response is cut off


@dataclass(frozen=True)
class SourcesConfig:
    lists: dict[ListCode, ListSource]
    mirror: str | None
    options: FetchOptions

    def enabled(self) -> list[ListCode]:
        """Lists with a source to fetch from, in ListCode order."""
        return [code for code in ListCode if code in self.lists and self.lists[code].enabled]

    def max_age_hours(self, code: ListCode | str) -> float | None:
        source = self.lists.get(ListCode(code))
        return source.max_age_hours if source is not None else None


def _read(path: Path) -> dict[ListCode, ListSource]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SourceConfigError(f"{path}: cannot read the list sources: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("lists"), dict):
        raise SourceConfigError(f"{path}: expected a mapping with a 'lists' key")
    known = {code.value for code in ListCode}
    result: dict[ListCode, ListSource] = {}
    for code, body in raw["lists"].items():
        if code not in known:
            raise SourceConfigError(
                f"{path}: lists.{code}: unknown list code; known: {', '.join(sorted(known))}"
            )
        try:
            result[ListCode(code)] = ListSource.model_validate(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise SourceConfigError(f"{path}: lists.{code}.{where}: {first.get('msg')}") from None
    return result


def _codes(value: str, variable: str) -> list[ListCode]:
    codes = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            codes.append(ListCode(item))
        except ValueError:
            known = ", ".join(code.value for code in ListCode)
            raise SourceConfigError(f"{variable}: unknown list code {item!r}; known: {known}") from None
    return codes


def parse_list_codes(value: str, variable: str) -> list[ListCode]:
    """A comma-separated list of list codes from an environment variable ("none" or "": none)."""
    return [] if value.strip().lower() in ("", "none") else _codes(value, variable)


def _max_ages(value: str) -> dict[ListCode, float | None]:
    ages: dict[ListCode, float | None] = {}
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        code_text, sep, hours_text = item.partition("=")
        if not sep:
            raise SourceConfigError(f"{ENV_MAX_AGE}: expected list=hours pairs, got {item!r}")
        (code,) = _codes(code_text, ENV_MAX_AGE)
        if hours_text.strip().lower() in ("none", "null", "never"):
            ages[code] = None
            continue
        try:
            hours = float(hours_text)
        except ValueError:
            raise SourceConfigError(
                f"{ENV_MAX_AGE}: {code.value}: expected hours or 'none', got {hours_text!r}"
            ) from None
        if hours < 0:
            raise SourceConfigError(f"{ENV_MAX_AGE}: {code.value}: hours must not be negative")
        ages[code] = hours
    return ages


def _number(env: Mapping[str, str], name: str, default: float, low: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SourceConfigError(f"{name}: expected a number, got {raw!r}") from None
    if value < low:
        raise SourceConfigError(f"{name}: {value} is below {low}")
    return value


def mirror_url(mirror: str, code: ListCode, name: str) -> str:
    return f"{mirror.rstrip('/')}/{code.value}/{name}"


def load_sources(env: Mapping[str, str] | None = None) -> SourcesConfig:
    """The sources file with the environment's overrides applied."""
    env = os.environ if env is None else env
    path = Path(env[ENV_SOURCES]) if env.get(ENV_SOURCES) else SOURCES_PATH
    lists = _cached_read(path) if path == SOURCES_PATH else _read(path)
    token = env.get(ENV_EU_TOKEN) or DEFAULT_EU_TOKEN
    mirror = (env.get(ENV_MIRROR) or "").strip() or None
    if mirror and not mirror.startswith(("http://", "https://")):
        raise SourceConfigError(f"{ENV_MIRROR}: expected an http(s) URL, got {mirror!r}")
    enabled = _codes(env[ENV_ENABLED], ENV_ENABLED) if env.get(ENV_ENABLED) is not None else None
    if enabled is not None:
        for code in enabled:
            if code not in lists or not lists[code].files:
                raise SourceConfigError(f"{ENV_ENABLED}: list {code.value} has no source to fetch from")
    ages = _max_ages(env.get(ENV_MAX_AGE, ""))
    result: dict[ListCode, ListSource] = {}
    for code, source in lists.items():
        files = tuple(
            SourceFile(
                name=f.name,
                url=mirror_url(mirror, code, f.name) if mirror else f.url.replace("{eu_token}", token),
            )
            for f in source.files
        )
        changes: dict[str, object] = {"files": files}
        if enabled is not None:
            changes["enabled"] = code in enabled
        if code in ages:
            changes["max_age_hours"] = ages[code]
        result[code] = source.model_copy(update=changes)
    options = replace(
        FetchOptions(),
        timeout_seconds=_number(env, ENV_TIMEOUT, FetchOptions.timeout_seconds, 0.1),
        retries=int(_number(env, ENV_RETRIES, FetchOptions.retries, 0)),
        max_bytes=int(_number(env, ENV_MAX_BYTES, FetchOptions.max_bytes, 1)),
    )
    return SourcesConfig(lists=result, mirror=mirror, options=options)


@lru_cache(maxsize=1)
def _cached_read(path: Path) -> dict[ListCode, ListSource]:
    return _read(path)
