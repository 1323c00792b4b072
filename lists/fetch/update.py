"""`sanctions lists update`: fetch each configured source, verify it, load it only when its content changed.

Per list: download every file into a fresh temporary folder (conditional
requests when the active version is the one the last check confirmed, so an
unchanged publication is not downloaded again), compare the files' hashes with
the active version's, parse (the parsers refuse truncated or inconsistent files),
and store a new version through the store's all-or-nothing load with its shrink
guard. Each list ends as one outcome: `loaded`, `unchanged` or `failed` naming
the URL or file and the reason; a failed list keeps its active version.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

from lists import sources as list_sources
from lists.fetch import state
from lists.fetch.config import ListSource, SourcesConfig, load_sources
from lists.fetch.http import Download, FetchError, Validators, download, new_client
from lists.model import ListCode
from lists.parsed import ListFormatError, ParsedList
from lists.store import LoadRefused, Store, StoreError, VersionInfo

log = logging.getLogger(__name__)

LOADED = "loaded"
UNCHANGED = "unchanged"
FAILED = "failed"


@dataclass
class UpdateOutcome:
    list_code: str
    status: str  # loaded | unchanged | failed
    version: VersionInfo | None = None
    error: str | None = None
    where: str | None = None  # the URL or file the failure is about
    urls: list[str] = field(default_factory=list)
    downloaded_bytes: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status != FAILED


class UpdateBusy(RuntimeError):
    """Another process holds the update lock."""


def _content_key(hashes: Iterable[str | None]) -> list[str]:
    """A version's content as the sorted sha256 of its files (names differ: paths, URLs, mirror names)."""
    return sorted(h or "" for h in hashes)


def _publish_date_from(download_: Download) -> str | None:
    header = download_.validators.last_modified
    if not header:
        return None
    try:
        return parsedate_to_datetime(header).date().isoformat()
    except (TypeError, ValueError):
        return None


def _fetch_all(
    client: httpx.Client,
    source: ListSource,
    folder: Path,
    options_validators: dict[str, dict[str, str | None]] | None,
    config: SourcesConfig,
) -> list[Download]:
    """Every file of the list; a 304 for some but not all files re-fetches those in full."""
    results: list[Download] = []
    for file in source.files:
        known = (options_validators or {}).get(file.name)
        validators = Validators(known.get("etag"), known.get("last_modified")) if known else None
        results.append(download(client, file.url, folder / file.name, config.options, validators))
    if any(r.not_modified for r in results) and not all(r.not_modified for r in results):
        results = [
            download(client, r.url, folder / f.name, config.options) if r.not_modified else r
            for r, f in zip(results, source.files, strict=True)
        ]
    return results


def _with_urls(parsed: ParsedList, downloads: list[Download], folder: Path) -> ParsedList:
    """Record where each file came from (its URL), not the temporary path it was parsed from."""
    by_name = {Path(d.path).name: d.url for d in downloads if d.path is not None}
    files = [
        dataclasses.replace(f, path=by_name.get(Path(f.path).name, f.path))
        if Path(f.path).parent == folder
        else f
        for f in parsed.source_files
    ]
    return dataclasses.replace(parsed, source_files=files)


def update_list(
    store: Store, code: ListCode, source: ListSource, config: SourcesConfig, client: httpx.Client
) -> UpdateOutcome:
    """Fetch, verify and (if changed) load one list; never raises for a bad source."""
    started = time.perf_counter()
    outcome = UpdateOutcome(list_code=code.value, status=FAILED, urls=[f.url for f in source.files])
    source_label = ", ".join(outcome.urls)
    folder = Path(tempfile.mkdtemp(prefix=f"sanctions-{code.value}-"))
    try:
        active = store.active_versions().get(code.value)
        check = state.read_checks(store.engine).get(code.value)
        conditional = (
            check.validators
            if check and active and check.version_id == active.id and check.validators
            else None
        )
        downloads = _fetch_all(client, source, folder, conditional, config)
        outcome.downloaded_bytes = sum(d.size for d in downloads)
        validators = {
            f.name: dataclasses.asdict(d.validators) for f, d in zip(source.files, downloads, strict=True)
        }
        if all(d.not_modified for d in downloads) and active is not None:
            outcome.status, outcome.version = UNCHANGED, active
            state.record_success(store.engine, code.value, UNCHANGED, active.id, validators, source_label)
            return outcome
        if active is not None and _content_key(f.sha256 for f in active.files) == _content_key(
            d.sha256 for d in downloads
        ):
            outcome.status, outcome.version = UNCHANGED, active
            state.record_success(store.engine, code.value, UNCHANGED, active.id, validators, source_label)
            return outcome
        parsed = list_sources.parse_list(
            code, [folder] if len(downloads) > 1 else [folder / source.files[0].name]
        )
        parsed = _with_urls(parsed, downloads, folder)
        if parsed.publish_date is None:
            dated = _publish_date_from(downloads[0])
            if dated:
                parsed = dataclasses.replace(
                    parsed,
                    publish_date=dated,
                    warnings=[
                        *parsed.warnings,
                        f"publish date {dated} taken from the server's Last-Modified header "
                        f"({source.files[0].name} carries no date)",
                    ],
                )
        version = store.load(parsed, source=f"fetched: {source_label}")
        outcome.status, outcome.version = LOADED, version
        state.record_success(store.engine, code.value, LOADED, version.id, validators, source_label)
    except FetchError as exc:
        outcome.error, outcome.where = f"{exc.url}: {exc.reason}", exc.url
    except ListFormatError as exc:
        shown = exc.path.replace(str(folder) + "/", "")
        where = f"{shown}:{exc.line}" if exc.line is not None else shown
        outcome.error, outcome.where = f"{where}: {exc.message}", shown
    except (LoadRefused, StoreError, OSError) as exc:
        outcome.error = str(exc)
    except Exception as exc:  # a parser bug must not take the other lists down
        log.exception("updating %s failed unexpectedly", code.value)
        outcome.error = f"unexpected {type(exc).__name__}: {exc}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        outcome.seconds = time.perf_counter() - started
    if outcome.status == FAILED:
        log.warning("list %s not updated: %s", code.value, outcome.error)
        try:
            state.record_failure(store.engine, code.value, outcome.error or "unknown", source_label)
        except Exception:  # the database may be what failed; the outcome still says why
            log.exception("could not record the failed check of %s", code.value)
    return outcome


def update_lists(
    store: Store,
    list_codes: Iterable[ListCode | str] | None = None,
    config: SourcesConfig | None = None,
    wait_seconds: float = 0.0,
) -> list[UpdateOutcome]:
    """Update the given lists (default: every enabled source) under the update lock.

    Raises UpdateBusy when another process holds the lock for longer than `wait_seconds`.
    """
    config = config or load_sources()
    codes = [ListCode(c) for c in list_codes] if list_codes is not None else config.enabled()
    missing = [c.value for c in codes if c not in config.lists or not config.lists[c].files]
    if missing:
        raise ValueError(f"no source configured for list(s): {', '.join(missing)}")
    deadline = time.monotonic() + wait_seconds
    while True:
        with state.update_lock(store.engine) as held:
            if held:
                with new_client(config.options) as client:
                    return [update_list(store, code, config.lists[code], config, client) for code in codes]
        if time.monotonic() >= deadline:
            raise UpdateBusy("another list update is running (the update lock is held); try again shortly")
        time.sleep(0.5)
