"""Several API workers forked from one parent that has already imported the service.

uvicorn's own `--workers` starts each worker as a fresh interpreter ("spawn"): every worker
imports the service again and opens its own index, about 250-280 MB private each
(BENCHMARKS.md, "Index snapshot"). Here gunicorn's arbiter forks the workers instead, from a
parent that has imported the service, opened the index snapshot of the active list versions
(with the payment word tables and the reading tables) and frozen it all out of the cyclic
collector (`gc.freeze`), so that collections in the workers do not write to, and so un-share,
those pages. Each worker then builds its own app (`load` runs after the fork): threads,
database connections and the event loop all start in the worker. Workers run uvicorn
(uvicorn-worker's UvicornWorker) with the settings a single worker has.
"""

from __future__ import annotations

import gc
import importlib.util
import logging
import os
from typing import Any, ClassVar

from gunicorn.app.base import BaseApplication
from uvicorn_worker import UvicornWorker

from screening.heap import freeze_for_children
from service.settings import Settings
from service.snapshot.build import snapshots_enabled

log = logging.getLogger("service.serve")

# Seconds a worker may go without telling the parent it is alive before it is restarted (its
# event loop tells it every half of this); the app's start-up, which on PostgreSQL can include
# the store's migrations, must fit in it too.
WORKER_SILENCE_SECONDS = 120
# Seconds a stopping worker has to finish its requests (SIGTERM), as uvicorn gives by default.
GRACEFUL_STOP_SECONDS = 30


def preload(settings: Settings) -> None:
    """Import what every worker needs, open the index of the active lists, then freeze it all.

    Called in the parent before any thread starts, and leaving no connection open: a forked
    child inherits neither safely. The workers serve the index opened here (and the payment
    word tables built from it) for as long as those list versions are the active ones; the
    index of the next versions each opens itself. Whatever fails here is only logged: each
    worker then does it itself, as a single worker does.
    """
    import service.app  # noqa: F401  (the imports are the point: FastAPI, SQLAlchemy, the engine...)
    from screening.index_parts import warm_up

    if snapshots_enabled():  # else each worker builds its own index
        _open_index(settings)
    warm_up()
    freeze_for_children()


def _open_index(settings: Settings) -> None:
    from lists.store import Store
    from service.payments.freetext import scanner_of
    from service.snapshot.build import NoActiveVersions, open_for_children

    try:
        store = Store(settings.database_url)
    except Exception as exc:  # a database not there yet: the workers wait for it as usual
        log.warning("index not opened before forking the workers (%s); each opens its own", exc)
        return
    try:
        loaded = open_for_children(store, settings.default_threshold)
        if loaded is None:
            log.info("no usable index snapshot of the active lists yet: the first worker makes it")
            return
        scanner_of(loaded.screener)  # the payment word tables, as each worker would build them
        log.info("index of the active lists opened for the workers in %.2f s", loaded.seconds)
    except NoActiveVersions:
        log.info("no list version is active yet: each worker opens the index of the first")
    except Exception as exc:
        log.warning("index not opened before forking the workers (%s); each opens its own", exc)
    finally:
        store.close()  # no connection may cross the fork


def loop_and_parser() -> dict[str, str]:
    """uvicorn's C event loop and HTTP parser (uvicorn[standard]) when installed, else the pure-Python ones."""

    def best(module: str, fallback: str) -> str:
        return module if importlib.util.find_spec(module) is not None else fallback

    return {"loop": best("uvloop", "asyncio"), "http": best("httptools", "h11")}


class ServiceWorker(UvicornWorker):
    """uvicorn in a forked worker, configured as `sanctions serve` configures a single one."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {
        **loop_and_parser(),
        "access_log": False,  # service.http.access_log writes one JSON line per request
    }


class PreforkServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn's arbiter over `workers` forked ServiceWorkers, each building the app from the environment."""

    def __init__(self, host: str, port: int, workers: int, keep_alive_seconds: int) -> None:
        self._options: dict[str, Any] = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": ServiceWorker,
            "keepalive": keep_alive_seconds,
            "timeout": WORKER_SILENCE_SECONDS,
            "graceful_timeout": GRACEFUL_STOP_SECONDS,
            "preload_app": False,  # the app (and all it starts) is made in each worker
            "control_socket_disable": True,  # no gunicornc socket in $HOME
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            "proc_name": "sanctions-serve",
            "child_exit": _child_exited,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from service.app import app_from_env

        app = app_from_env()
        gc.collect()
        gc.freeze()  # the app lives as long as the worker; the index comes later, and stays collectable
        return app


def _child_exited(server: Any, worker: Any) -> None:
    """A dead worker's live gauges leave /metrics (prometheus-client's multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
