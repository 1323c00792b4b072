"""One structured JSON line per request on the `service.access` logger, and the X-Request-ID header.

The line carries method, path, route, status, duration, request id and the API
key id (public; set once the key is checked): never names, bodies, query
strings or keys, because the access log is read by more people than the audit
trail. A path is logged only when it matched a route (its parameters are ids);
an unmatched path could hold anything, so only "unmatched" is logged.
A sane incoming X-Request-ID is echoed (callers correlate their own logs),
anything else is replaced by a generated id.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
import uuid
from collections.abc import MutableMapping
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOGGER = "service.access"
REQUEST_ID_HEADER = b"x-request-id"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}")

log = logging.getLogger(ACCESS_LOGGER)


def configure_access_logger() -> logging.Logger:
    """The access logger writes bare JSON lines to stderr (no prefix: each line parses on its own)."""
    if not any(getattr(h, "access_json", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.access_json = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    off = os.environ.get("SANCTIONS_ACCESS_LOG", "on").strip().lower() in {"0", "off", "false", "no"}
    log.setLevel(logging.WARNING if off else logging.INFO)
    log.propagate = False  # not again through the root handler's text format
    return log


def request_id_of(scope: Scope) -> str:
    """The caller's X-Request-ID if it is a plain token of at most 128 characters, else a new id."""
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER:
            text = value.decode("latin-1")
            if _SANE_REQUEST_ID.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


class AccessLogMiddleware:
    """Outermost middleware: names the request, stamps the id on the answer, logs the line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500  # the app ended without answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {
                    **message,
                    "headers": [*message.get("headers", ()), (REQUEST_ID_HEADER, request_id.encode())],
                }
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if log.isEnabledFor(logging.INFO):
                log.info(_line(scope, state, status, request_id, time.perf_counter() - started))


def _line(scope: Scope, state: MutableMapping[str, Any], status: int, request_id: str, seconds: float) -> str:
    route = getattr(scope.get("route"), "path", None)
    principal = state.get("principal")
    record = {
        "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "method": scope.get("method", ""),
        "path": scope.get("path", "") if route else None,
        "route": route or "unmatched",
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
        "request_id": request_id,
        "api_key_id": getattr(principal, "key_id", None),
    }
    return orjson.dumps(record).decode()
