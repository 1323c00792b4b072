"""HTTP plumbing around the API, as pure ASGI middlewares (one concern each).

`access_log`: request id and one JSON line per request; `body_limit`: request
body limits per route, enforced while the body is read; `early_auth`: the API
key checked before any body is read; `db_errors`: database outages answered
503 with a reason, and the readiness check of the database.
"""

from __future__ import annotations

from fastapi import FastAPI

from service.http.access_log import AccessLogMiddleware, configure_access_logger
from service.http.body_limit import BodyLimitMiddleware, BodyLimits
from service.http.db_errors import install_database_guard
from service.http.early_auth import EarlyAuthMiddleware
from service.settings import Settings


def add_request_gates(app: FastAPI, settings: Settings) -> None:
    """Inner gates (register before the metrics middleware, so refusals are counted): the key is
    checked before any body byte is read, then the body is limited while it is read."""
    limits = BodyLimits(
        screen=settings.body_limit_screen, bulk=settings.body_limit_bulk, upload=settings.body_limit_upload
    )
    app.add_middleware(EarlyAuthMiddleware)
    app.add_middleware(BodyLimitMiddleware, limits=limits)
    install_database_guard(app)


def add_access_log(app: FastAPI) -> None:
    """Outermost (register last): every answer, refusals included, gets its request id and log line."""
    configure_access_logger()
    app.add_middleware(AccessLogMiddleware)
