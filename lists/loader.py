"""Load lists into the store, each independently: one bad list never blocks the others.

Used by `sanctions lists load` and at service start-up. Every failure becomes an
outcome with a message for people (file and line from the parser, the sanity
check's reason, the database error); the failed list's previous version stays active.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lists import sources
from lists.model import ListCode
from lists.parsed import ListFormatError, ParsedList
from lists.store import LoadRefused, Store, StoreError, VersionInfo

log = logging.getLogger(__name__)

UNKNOWN_LIST = "unknown"


@dataclass
class LoadOutcome:
    list_code: str
    ok: bool
    version: VersionInfo | None = None
    error: str | None = None
    refused: bool = False  # the sanity check refused it (may be retried with force)
    seconds: float = 0.0


def _source_label(paths: Sequence[Path], bundled: bool) -> str:
    if bundled:
        return "bundled: " + ", ".join(str(p.relative_to(sources.DATA_DIR.parent)) for p in paths)
    return "files: " + ", ".join(str(p) for p in paths)


def load_one(
    store: Store, list_code: ListCode, paths: Sequence[Path] | None = None, force: bool = False
) -> LoadOutcome:
    """Parse and store one list (bundled files when `paths` is None); never raises for bad input."""
    started = time.perf_counter()
    outcome = LoadOutcome(list_code=list_code.value, ok=False)
    try:
        bundled = paths is None
        chosen = sources.bundled_sources().get(list_code, []) if bundled else list(paths or [])
        parsed: ParsedList = sources.parse_list(list_code, chosen)
        outcome.version = store.load(parsed, force=force, source=_source_label(chosen, bundled))
        outcome.ok = True
    except LoadRefused as exc:
        outcome.error, outcome.refused = str(exc), True
    except (ListFormatError, StoreError, OSError) as exc:
        outcome.error = str(exc)
    except Exception as exc:  # a parser bug must not take the other lists down
        log.exception("loading %s failed unexpectedly", list_code.value)
        outcome.error = f"{list_code.value}: unexpected {type(exc).__name__}: {exc}"
    outcome.seconds = time.perf_counter() - started
    return outcome


def load_lists(
    store: Store,
    list_codes: Iterable[ListCode | str] | None = None,
    paths: Sequence[Path | str] | None = None,
    force: bool = False,
) -> list[LoadOutcome]:
    """Load the bundled lists (no paths) or the given files, one outcome per list.

    With paths and no list code, each path's list is detected from its files;
    with paths and one list code, all paths belong to that list.
    """
    codes = [ListCode(code) for code in list_codes] if list_codes is not None else None
    if not paths:
        wanted = codes if codes is not None else list(sources.bundled_sources())
        return [load_one(store, code, None, force) for code in wanted]

    user_paths = [Path(p) for p in paths]
    if codes is not None and len(codes) > 1:
        raise ValueError("give at most one list code together with paths")
    if codes:
        return [load_one(store, codes[0], user_paths, force)]
    try:
        grouped = sources.paths_by_list(user_paths)
    except (ListFormatError, OSError) as exc:
        return [LoadOutcome(list_code=UNKNOWN_LIST, ok=False, error=str(exc))]
    return [load_one(store, code, group, force) for code, group in grouped.items()]
