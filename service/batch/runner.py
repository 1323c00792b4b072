"""Screening the rows of a customer file on every core, in order.

With "fork" (the CLI) the Screener is built once in the parent and inherited
by the workers; with "forkserver"/"spawn" (inside the threaded server) each
worker builds its own in the pool initializer. Workers then screen chunks of rows. Chunks are submitted through a bounded window so a
million-row file never sits in memory, and results come back in file order.
A row the engine cannot take (bad query, engine error) becomes an error row:
rows in equals rows out, always.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson
from pydantic import ValidationError

from lists.model import Designation
from screening import heap
from service.batch.io import InputRow, normalise_type
from service.snapshot.ref import SnapshotRef

DEFAULT_CHUNK_ROWS = 256
WORKER_GC_THRESHOLDS = (50_000, 20, 20)  # gen0 allocations, gen1 and gen2 collection counts


@dataclass(slots=True)
class RowOutcome:
    """What screening one row gave: decision "hit", "clear" or "error".

    The worker also prepares the row's audit record (id, time, JSON text), so
    the parent, which every row passes through, only writes it.
    """

    row_number: int
    decision: str
    matches: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    threshold: float | None = None
    screen_ms: float = 0.0
    audit: AuditPayload | None = None  # None for error rows: no decision to audit
    algorithm: str | None = None  # name and version of the algorithm that decided (screening.algorithms)
    algorithm_version: str | None = None
    known_true_match: bool = False  # the row's party has an approved true match (service.batch.review)


@dataclass(slots=True, frozen=True)
class AuditPayload:
    """The parts of a screened row's audit record that the worker knows, JSON already encoded."""

    screening_id: str
    created_at: datetime
    request_json: str  # the engine query as screened (validated)
    result_json: str  # query, decision, threshold, list versions and matches as answered


class BatchAborted(RuntimeError):
    """The batch could not continue (a worker died, or it was cancelled)."""


class NoActiveLists(RuntimeError):
    """Fail closed: without an active list version a batch would answer "clear" for everyone."""


def load_active_lists(
    url: str, warnings: list[dict[str, Any]] | None = None, assess: bool = True
) -> tuple[list[Designation], dict[str, str]]:
    """The active designations and their version labels, or NoActiveLists (also when a required list is missing).

    Stale-list warnings (service/freshness.py) are appended to `warnings` for the batch summary.
    `assess=False` skips the freshness policy: for workers of a job whose parent already chose the
    versions (a rescreen screens whatever is active, as the serving index does).
    """
    from lists.fetch.config import SourceConfigError
    from lists.store import Store
    from service.freshness import ListsNotUsable, assess_store

    store = Store(url)
    try:
        versions, designations = store.active_snapshot()
        if versions and assess:
            found = assess_store(store.engine, versions)
            if warnings is not None:
                warnings.extend(found)
    except (ListsNotUsable, SourceConfigError) as exc:
        raise NoActiveLists(f"{exc}; refusing to screen") from None
    finally:
        store.close()
    if not versions:
        raise NoActiveLists(
            "no active sanctions list version in the database: load lists first "
            "(`sanctions lists load`); refusing to screen"
        )
    if not designations:
        raise NoActiveLists("the active list versions hold no designations; refusing to screen")
    return designations, {code: info.label for code, info in versions.items()}


def active_list_versions(url: str, warnings: list[dict[str, Any]] | None = None) -> dict[str, str]:
    """The active version labels alone, checked as load_active_lists checks them (a Dask batch's
    workers read the designations themselves)."""
    from lists.fetch.config import SourceConfigError
    from lists.store import Store
    from service.freshness import ListsNotUsable, assess_store

    store = Store(url)
    try:
        versions = store.active_versions()
        if versions:
            found = assess_store(store.engine, versions)
            if warnings is not None:
                warnings.extend(found)
    except (ListsNotUsable, SourceConfigError) as exc:
        raise NoActiveLists(f"{exc}; refusing to screen") from None
    finally:
        store.close()
    if not versions:
        raise NoActiveLists(
            "no active sanctions list version in the database: load lists first "
            "(`sanctions lists load`); refusing to screen"
        )
    return {code: info.label for code, info in versions.items()}


def load_active_index(
    url: str, warnings: list[dict[str, Any]] | None = None, assess: bool = True
) -> tuple[Sequence[Designation] | SnapshotRef, dict[str, str]]:
    """The active lists as their index snapshot (made if missing) for workers to map, and their labels.

    Checked as load_active_lists checks them (`assess` as there). The designations themselves
    (load_active_lists) when snapshots are off or cannot be written, or the lists moved on meanwhile.
    """
    from lists.store import Store
    from service.snapshot.workers import snapshot_ref

    found: list[dict[str, Any]] = []
    store = Store(url)
    try:
        if assess:
            list_versions = active_list_versions(url, found)
        else:
            list_versions = {code: info.label for code, info in store.active_versions().items()}
        ref = snapshot_ref(store, list_versions) if list_versions else None
    except OSError:
        ref = None
    finally:
        store.close()
    if ref is None:
        return load_active_lists(url, warnings, assess=assess)
    if warnings is not None:
        warnings.extend(found)
    return ref, list_versions


# --- worker side -------------------------------------------------------------

_screener: Any = None
_threshold: float | None = None
_algorithm: str | None = None


def _init_worker(
    designations: Sequence[Designation] | SnapshotRef,
    list_versions: Mapping[str, str],
    threshold: float | None,
    algorithm: str | None = None,
) -> None:
    """Pool initializer: this process's Screener, mapped from an index snapshot or built once.

    `threshold` is also the Screener's default: a batch puts it in every query anyway, and a
    rescreen (service/monitoring/pool.py) screens with the default, as the serving index does.
    """
    from screening.screener import Screener

    global _screener, _threshold, _algorithm
    if isinstance(designations, SnapshotRef):
        if designations.labels != dict(list_versions):
            raise ValueError(f"snapshot of {designations.labels} given for {dict(list_versions)}")
        from service.snapshot.workers import open_ref

        _screener = open_ref(designations, threshold)
    elif threshold is None:
        _screener = Screener(designations, dict(list_versions))
    else:
        _screener = Screener(designations, dict(list_versions), default_threshold=threshold)
    _threshold = threshold
    _algorithm = algorithm


def init_pool_worker(*initargs: Any) -> None:
    """Pool initializer: ends with its parent, then `init_screening_worker`."""
    _exit_with_parent()
    init_screening_worker(*initargs)


def init_screening_worker(*initargs: Any) -> None:
    """A screening worker's set-up: the Screener (unless inherited through fork), then fewer garbage collections.

    Screening makes mostly acyclic garbage, freed by reference counting; with
    the default thresholds the collector still took about 4% of a worker's CPU
    (0.03 ms a row on Faker names), with these next to nothing and no more
    RSS. The index itself is frozen out of collection (gc.freeze), before the
    fork or after the build here. Local pool workers and Dask workers alike.
    """
    if initargs:
        _init_worker(*initargs)
        heap.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLDS)


def install_screener(screener: Any) -> None:
    """Make an already built Screener this process's, for workers forked next to inherit.

    Frozen out of garbage collection (gc.freeze) so the collector does not touch, and
    un-share, the inherited pages; release_screener() undoes both.
    """
    global _screener, _threshold, _algorithm
    _screener, _threshold, _algorithm = screener, None, None
    heap.freeze()


def release_screener() -> None:
    global _screener
    _screener = None
    heap.unfreeze()


def worker_screener() -> Any:
    """This worker's Screener (built by the pool initializer, or inherited through fork)."""
    if _screener is None:
        raise RuntimeError("no Screener in this process: start the pool with one (see start_pool)")
    return _screener


def start_pool(
    workers: int,
    start_method: str,
    initargs: tuple[Any, ...] = (),
    initializer: Callable[..., None] | None = None,
) -> ProcessPoolExecutor:
    """`workers` processes that end with their parent and collect garbage rarely.

    With "fork" they inherit this process as it is (a Screener built by _init_worker or
    set by install_screener); with "forkserver"/"spawn" each builds its own Screener
    from `initargs` (as _init_worker takes them, or as `initializer` does, which must
    call init_pool_worker() itself), or none if there are none.
    """
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(start_method),
        initializer=initializer or init_pool_worker,
        initargs=() if start_method == "fork" else initargs,
    )


PARENT_CHECK_SECONDS = 1.0


def _exit_with_parent() -> None:
    """End this worker soon after its parent dies.

    A CLI run or server killed outright (SIGKILL, OOM) otherwise leaves its workers
    waiting forever on the task queue, each holding a whole index in memory. (Not
    PR_SET_PDEATHSIG: it fires when the parent *thread* that forked exits.)
    """
    parent_pid = os.getppid()  # the process that forked this one (the forkserver, with that method)

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def build_query(fields: Mapping[str, str], threshold: float | None, algorithm: str | None = None) -> Any:
    """A row's mapped fields as an engine Query (raises ValidationError for bad values)."""
    from screening.query import Query

    return Query(
        name=fields["name"],
        type=normalise_type(fields.get("type", "")),
        dob=fields.get("dob") or None,
        country=fields.get("country") or None,
        nationality=fields.get("nationality") or None,
        threshold=threshold,
        algorithm=algorithm,
    )


def screen_fields(row_number: int, fields: Mapping[str, str]) -> RowOutcome:
    """Screen one row with this process's Screener; problems become an error outcome."""
    try:
        query = build_query(fields, _threshold, _algorithm)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return RowOutcome(row_number, "error", error=f"invalid row: {problems}")
    started = time.perf_counter()
    try:
        result = _screener.screen(query)
    except Exception as exc:  # one odd name must not stop a million-row batch
        return RowOutcome(row_number, "error", error=f"screening failed: {type(exc).__name__}: {exc}")
    took = (time.perf_counter() - started) * 1000
    matches = [m.model_dump(mode="json") for m in result.matches]
    request = query.model_dump(mode="json", exclude_defaults=True)
    audit = AuditPayload(
        screening_id=str(uuid.uuid4()),
        created_at=datetime.now(UTC),
        request_json=orjson.dumps(request).decode(),
        result_json=orjson.dumps(
            {
                "query": request,
                "decision": result.decision,
                "threshold": result.threshold,
                "list_versions": result.list_versions,
                "matches": matches,
                "algorithm": result.algorithm,
                "algorithm_version": result.algorithm_version,
            }
        ).decode(),
    )
    return RowOutcome(
        row_number,
        result.decision,
        matches,
        threshold=result.threshold,
        screen_ms=round(took, 3),
        audit=audit,
        algorithm=result.algorithm,
        algorithm_version=result.algorithm_version,
    )


def _screen_chunk(items: list[tuple[int, dict[str, str]]]) -> list[RowOutcome]:
    return [screen_fields(row_number, fields) for row_number, fields in items]


# --- parent side -------------------------------------------------------------


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


class BatchRunner:
    """Screens InputRows with `workers` processes (1 = in this process) and yields them in order.

    `start_method`: "fork" for the CLI (workers inherit the designations for
    free); "forkserver" or "spawn" inside a threaded server. `designations` may be the
    lists' index snapshot (`load_active_index`): every worker maps that file.
    """

    def __init__(
        self,
        designations: Sequence[Designation] | SnapshotRef,
        list_versions: Mapping[str, str],
        threshold: float | None = None,
        workers: int | None = None,
        algorithm: str | None = None,
        chunk_rows: int = DEFAULT_CHUNK_ROWS,
        start_method: str = "fork",
    ) -> None:
        self.workers = workers or default_workers()
        self.chunk_rows = chunk_rows
        self.list_versions = dict(list_versions)
        self._initargs = (designations, self.list_versions, threshold, algorithm)
        self._start_method = start_method
        self._executor: ProcessPoolExecutor | None = None
        self._started = False

    def __enter__(self) -> BatchRunner:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the workers (or build the in-process Screener) before any progress display starts."""
        if self._started:
            return
        if self.workers == 1:
            _init_worker(*self._initargs)
        elif self._start_method == "fork":
            # Build the index once here; forked workers inherit it instead of each
            # rebuilding it (one build's CPU, not one per core, before the first row).
            _init_worker(*self._initargs)
            heap.freeze()  # keep the collector from touching (and un-sharing) the inherited pages
            self._executor = start_pool(self.workers, "fork")
        else:
            self._executor = start_pool(self.workers, self._start_method, self._initargs)
        self._started = True

    def close(self, cancel: bool = False) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=cancel)
            self._executor = None
        if self._started and (self.workers == 1 or self._start_method == "fork"):
            release_screener()  # the index built in this process is no longer needed

    def run(
        self, rows: Iterable[InputRow], should_stop: Callable[[], bool] | None = None
    ) -> Iterator[tuple[InputRow, RowOutcome]]:
        """Yield (row, outcome) for every input row, in input order."""
        self.start()
        chunks = (
            (chunk, [(row.row_number, row.fields) for row in chunk if row.error is None])
            for chunk in chunked(rows, self.chunk_rows)
        )
        for chunk, screened in in_order(self._executor, _screen_chunk, chunks, self.workers * 4, should_stop):
            yield from self._collect(chunk, screened)

    def _collect(
        self, chunk: list[InputRow], screened: list[RowOutcome]
    ) -> Iterator[tuple[InputRow, RowOutcome]]:
        by_row = {outcome.row_number: outcome for outcome in screened}
        for row in chunk:
            outcome = by_row.get(row.row_number) or RowOutcome(
                row.row_number, "error", error=row.error or "not screened"
            )
            yield row, outcome


K = TypeVar("K")
A = TypeVar("A")
R = TypeVar("R")


def in_order(
    executor: Executor | None,
    fn: Callable[[A], R],
    chunks: Iterable[tuple[K, A]],
    max_in_flight: int,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[tuple[K, R]]:
    """(key, fn(arg)) for each (key, arg) of `chunks`, in their order, computed on the workers.

    At most `max_in_flight` chunks are submitted and not yet yielded, so a million rows
    never sit in memory; the key stays in this process (only `arg` goes to a worker).
    Without an executor, fn runs here. BatchAborted if `should_stop` says so or a worker fails.
    """
    window: deque[tuple[K, Future[R] | R]] = deque()

    def stop() -> None:
        if should_stop is not None and should_stop():
            raise BatchAborted("cancelled")

    for key, arg in chunks:
        stop()
        window.append((key, fn(arg) if executor is None else executor.submit(fn, arg)))
        while len(window) >= max_in_flight:
            key, pending = window.popleft()
            yield key, _result(pending, should_stop)
    while window:
        stop()
        key, pending = window.popleft()
        yield key, _result(pending, should_stop)


def _result(pending: Future[R] | R, should_stop: Callable[[], bool] | None) -> R:
    return _wait(pending, should_stop) if isinstance(pending, Future) else pending


def _wait(pending: Future[R], should_stop: Callable[[], bool] | None) -> R:
    """A chunk's result; `should_stop` is asked about once a second meanwhile.

    Workers that build their own index take many seconds before the first
    chunk comes back: the HTTP jobs' `should_stop` writes the job's heartbeat,
    so a job starting up is not taken for one whose server died.
    """
    while True:
        try:
            return pending.result(timeout=1.0)
        except TimeoutError:
            if should_stop is not None and should_stop():
                raise BatchAborted("cancelled") from None
        except Exception as exc:
            raise BatchAborted(f"a screening worker failed: {type(exc).__name__}: {exc}") from exc


def chunked(items: Iterable[A], size: int) -> Iterator[list[A]]:
    """Lists of `size` items (the last one shorter), read lazily."""
    chunk: list[A] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
