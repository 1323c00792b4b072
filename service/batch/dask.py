"""Batch rows screened on a Dask cluster instead of this machine's processes.

Each Dask worker opens the active lists once, in a worker plugin (mapping their index snapshot), and keeps its
Screener for every partition it is sent; the parent only streams rows and writes
results and audit records, in input order, exactly as the local runner does.
A worker that finds other list versions active than the ones the batch started
with refuses to screen (the answer would not match its audit record).
`--dask local` starts a LocalCluster: for tests, and for one big machine.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future
from typing import Any

import dask
from distributed import Client, LocalCluster, WorkerPlugin

from service.batch.runner import BatchRunner, default_workers, init_screening_worker, load_active_index

LOCAL = "local"
PLUGIN_NAME = "sanctions-screener"


class ListVersionsChanged(RuntimeError):
    """The lists changed between the start of the batch and a worker opening them."""


# A Dask worker samples its task thread's stack every 10 ms by default (the dashboard's profile).
# On screening, pure Python on the GIL, 100,000 names took 67-70 s with it against 50 s without it;
# at 1,000,000 the LocalCluster went from 0.70 to 0.85 of the local pool's rate (BENCHMARKS.md,
# "Batch on Dask"). Workers read it from their environment when importing `distributed`, then
# from the configuration their nanny hands them: both are set.
PROFILE_ENV = "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED"


class ScreenerPlugin(WorkerPlugin):
    """Builds the worker process's Screener from the store, once, before its first partition."""

    name = PLUGIN_NAME

    def __init__(
        self,
        database_url: str,
        list_versions: Mapping[str, str],
        threshold: float | None,
        algorithm: str | None = None,
        assess: bool = True,
    ) -> None:
        self.database_url = database_url
        self.list_versions = dict(list_versions)
        self.threshold = threshold
        self.algorithm = algorithm
        self.assess = assess  # the freshness policy; off for a rescreen, whose versions are chosen

    def setup(self, worker: Any) -> None:
        # The lists' index snapshot on this worker's host (made by the first worker there that
        # lacks it), or, with snapshots off, the designations.
        designations, versions = load_active_index(self.database_url, assess=self.assess)
        if versions != self.list_versions:
            raise ListVersionsChanged(
                f"the worker found list versions {versions}, the batch started with {self.list_versions}"
            )
        # As the local pool's workers: the index frozen out of collection, and rare collections
        # (Dask leaves the interpreter's thresholds as they are).
        init_screening_worker(designations, versions, self.threshold, self.algorithm)


def open_client(scheduler: str, workers: int | None = None) -> Client:
    """A client of the named scheduler, or of a new LocalCluster with one single-threaded process per core.

    One thread per worker process: screening holds the GIL, so threads would only queue. The
    local workers run without Dask's statistical profiler (`PROFILE_ENV`, unless set otherwise);
    the workers of a cluster of one's own should too (README).
    """
    if scheduler == LOCAL:
        if PROFILE_ENV not in os.environ:
            # Both: the workers read their environment when importing `distributed`, then take
            # the configuration their nanny hands them, this process's.
            os.environ[PROFILE_ENV] = "False"
            dask.config.set({"distributed.worker.profile.enabled": False})
        cluster = LocalCluster(
            n_workers=workers or default_workers(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        return Client(cluster)
    return Client(scheduler)


class WholeList(list[Any]):
    """A task's list of results, shipped back by Dask as one pickle.

    Dask serialises a task result that is a list or tuple item by item, each item with its own
    header, type dispatch and pickle: on a chunk of 256 outcomes that took about 8% of a worker's
    CPU, against about 1% for the local pool's pickle of the same list. A subclass goes whole.
    """


def _run_packed(fn: Callable[..., Any], packed_args: bytes) -> Any:
    result = fn(*pickle.loads(packed_args))
    return WholeList(result) if type(result) is list else result


class PackedTaskExecutor(Executor):
    """A Dask client's executor whose tasks travel as one pickle each way.

    Dask walks a task's arguments, every tuple and dict of a 256-row chunk, looking for futures
    and graph nodes, and serialises list results item by item (WholeList). Measured on 30,000
    rows with both: the Dask workers' task threads spent 21% more CPU than the local pool's workers
    on the same rows, and each worker's event loop thread another 15% of a core. Arguments go as
    bytes, which Dask neither walks nor pickles again.
    """

    def __init__(self, client: Client) -> None:
        self._inner = client.get_executor(pure=False)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if kwargs:
            raise TypeError("keyword arguments are not passed to Dask tasks here")
        return self._inner.submit(_run_packed, fn, pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait)


class DaskBatchRunner(BatchRunner):
    """BatchRunner whose chunks go to a Dask cluster's workers rather than a local process pool."""

    def __init__(
        self,
        client: Client,
        database_url: str,
        list_versions: Mapping[str, str],
        threshold: float | None = None,
        chunk_rows: int = 256,
        algorithm: str | None = None,
    ) -> None:
        workers = max(1, sum(client.nthreads().values()))
        super().__init__([], list_versions, threshold=threshold, workers=workers, chunk_rows=chunk_rows)
        self._client = client
        self._plugin = ScreenerPlugin(database_url, list_versions, threshold, algorithm)

    def start(self) -> None:
        if self._started:
            return
        self._client.register_plugin(self._plugin)
        self._executor = PackedTaskExecutor(self._client)  # type: ignore[assignment]
        self._started = True

    def close(self, cancel: bool = False) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=not cancel)
            self._executor = None
        self._started = False
