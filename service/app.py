"""The FastAPI application: `create_app(settings)`; uvicorn runs `service.app:app_from_env` as a factory.

Every worker process opens the store (applying migrations), starts the audit
writer and builds its own index in the background; until that index exists,
/readyz and the screening endpoints answer 503 (fail closed).
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.telemetry import TelemetryConfig
from starlette.exceptions import HTTPException as StarletteHTTPException

from lists.store import Store
from service import web
from service.api import accepts as accepts_api
from service.api import (
    alerts,
    batches,
    health,
    keys,
    lists,
    lists_refresh,
    parties,
    payments,
    rescreens,
    screen,
    webhooks,
)
from service.api import algorithms as algorithms_api
from service.api import users as users_api
from service.api.allow import allowed_methods
from service.api.deps import Services, document_security
from service.api.openapi_errors import document_errors
from service.api.openapi_examples import restore_nulls
from service.api.params import document_parameters, storable_parameters
from service.api.responses import ApiError, OrjsonResponse, error_response
from service.audit import SQLITE_SYNCHRONOUS, AuditWriter
from service.auth import Authenticator
from service.http import add_access_log, add_request_gates
from service.index_holder import IndexHolder
from service.metrics import MetricsMiddleware
from service.review.config import load_review_settings
from service.settings import Settings, SettingsError, load_settings

log = logging.getLogger("service.app")

ENV_AUDIT_GATHER_MS = "SANCTIONS_AUDIT_GATHER_MS"  # how long the audit writer waits for more rows
ENV_AUDIT_SYNCHRONOUS = "SANCTIONS_AUDIT_SYNCHRONOUS"  # SQLite only: FULL (default) or NORMAL

# FastAPI's built-in OpenTelemetry hooks check for providers on every request; the service reports
# through Prometheus (/metrics) instead, so they are off.
NO_OPENTELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}

DESCRIPTION = """Sanctions screening for payment systems.

* Authenticate with `Authorization: Bearer <key>` or `X-API-Key: <key>` (keys: `sanctions keys create`).
* Fails closed: without an active list version the screening endpoints answer 503, never "clear".
* Every decision is committed to the audit trail before it is answered (`screening_id`).
"""


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def _message(err: dict[str, Any]) -> str:
    """pydantic's message; for broken JSON with the parser's reason ("JSON decode error: ...")."""
    message = str(err.get("msg", "invalid"))
    reason = (err.get("ctx") or {}).get("error") if err.get("type") == "json_invalid" else None
    return f"{message}: {reason}" if reason else message


def _validation_response(_: Request, exc: Exception) -> OrjsonResponse:
    assert isinstance(exc, RequestValidationError)
    detail = [
        {
            "field": _field(err.get("loc", ())),
            "message": _message(err),
            "type": str(err.get("type", "")),
        }
        for err in exc.errors()
    ]
    return OrjsonResponse({"error": "invalid_request", "detail": detail}, status_code=422)


def _api_error_response(_: Request, exc: Exception) -> OrjsonResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.error, exc.detail, exc.headers)


def _http_error_response(request: Request, exc: Exception) -> OrjsonResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = getattr(exc, "error", None) or {404: "not_found", 405: "method_not_allowed"}.get(
        exc.status_code, "http_error"
    )
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": allowed_methods(request)}
    return error_response(exc.status_code, code, exc.detail, headers)


def _unexpected_response(_: Request, exc: Exception) -> OrjsonResponse:
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "internal_error", f"unexpected {type(exc).__name__}; see the server log")


def _audit_options() -> tuple[float, str]:
    """(gather seconds, SQLite synchronous mode) from the environment, or an error naming the variable."""
    gather_raw = os.environ.get(ENV_AUDIT_GATHER_MS, "1")
    try:
        gather_ms = float(gather_raw)
    except ValueError:
        gather_ms = -1.0
    if not 0 <= gather_ms <= 100:
        raise SettingsError(f"{ENV_AUDIT_GATHER_MS}: expected milliseconds in [0, 100], got {gather_raw!r}")
    synchronous = os.environ.get(ENV_AUDIT_SYNCHRONOUS, "FULL").strip().upper()
    if synchronous not in SQLITE_SYNCHRONOUS:
        raise SettingsError(
            f"{ENV_AUDIT_SYNCHRONOUS}: expected one of {', '.join(SQLITE_SYNCHRONOUS)}, got {synchronous!r}"
        )
    return gather_ms / 1000, synchronous


def _open_services(settings: Settings) -> Services:
    store = Store(settings.database_url)
    holder = IndexHolder(store, settings.default_threshold, settings.refresh_seconds)
    audit = AuditWriter(store.engine, settings.audit_max_batch, *_audit_options())
    parts = Services(settings, store, holder, audit, Authenticator(store.engine, settings.key_cache_seconds))
    _add_list_keeping(parts)
    return parts


def _add_list_keeping(parts: Services) -> None:
    """Freshness, required lists and the scheduled refresh (SANCTIONS_REFRESH_EVERY); see service/lists_keeper.py."""
    from service.freshness import FreshnessPolicy, ListStatus
    from service.lists_keeper import ListsKeeper, refresh_every_from_env

    try:
        policy, every = FreshnessPolicy.from_env(), refresh_every_from_env()
    except ValueError as exc:
        raise SettingsError(str(exc)) from exc
    parts.lists_status = ListStatus(parts.store.engine, policy)
    parts.keeper = ListsKeeper(parts.store, parts.holder, parts.lists_status, every)


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        parts = _open_services(settings)
        app.state.review_settings = load_review_settings()  # a bad review setting stops the start
        if not settings.auth_enabled:
            log.warning(
                "AUTHENTICATION IS OFF (--no-auth): every caller is admin; for local development only"
            )
        payments.attach_payment_screener(app, parts.holder)  # before the first index is built
        parts.audit.start()
        parts.holder.start()
        if parts.keeper is not None:
            parts.keeper.start()
        app.state.services = parts
        try:
            yield
        finally:
            if parts.keeper is not None:
                parts.keeper.stop()
            parts.holder.stop()
            parts.audit.close()
            parts.store.close()

    app = FastAPI(
        title="Sanctions screening API",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        default_response_class=OrjsonResponse,
        telemetry=NO_OPENTELEMETRY,
        docs_url=None,  # /docs and /redoc are served offline by service.web
        redoc_url=None,
    )
    add_request_gates(app, settings)  # key before body, body limits, database outages -> 503
    app.add_middleware(MetricsMiddleware)
    add_access_log(app)  # outermost: request id and one JSON line per request
    app.add_exception_handler(RequestValidationError, _validation_response)
    app.add_exception_handler(ApiError, _api_error_response)
    app.add_exception_handler(StarletteHTTPException, _http_error_response)
    app.add_exception_handler(Exception, _unexpected_response)
    routers = [
        module.router
        for module in (
            health,
            screen,
            lists,
            keys,
            batches,
            lists_refresh,
            rescreens,
            parties,
            alerts,
            webhooks,
            payments,
        )
    ]
    routers += [users_api.router, accepts_api.router, algorithms_api.router]
    for router in routers:
        app.include_router(router, dependencies=[Depends(storable_parameters)])
    web.install(app, settings)

    def openapi() -> dict[str, Any]:
        """FastAPI's spec with the examples' null fields put back (its encoder drops them) and the key schemes."""
        if app.openapi_schema is None:
            app.openapi_schema = document_parameters(
                document_errors(
                    document_security(
                        restore_nulls(FastAPI.openapi(app)), [r for router in routers for r in router.routes]
                    )
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def app_from_env() -> FastAPI:
    """uvicorn factory: each worker process builds the app from the environment."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return create_app(load_settings())
