"""Request body limits per route, enforced while the body is read (never after buffering it).

A Content-Length over the route's limit is refused before one byte of the body
is read; a body without one (chunked) is counted message by message and
refused the moment it passes the limit. Either way the answer is 413 naming
the limit, and the connection is closed so the rest is never read. (FastAPI's
own per-route `max_body_size` answers a bare "Content Too Large" and is fixed
when the routes are declared; these limits come from the settings.)
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.http.responses import drain, refuse, send_error

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class BodyLimits:
    """Bytes allowed per kind of route (settings `body_limit_*`)."""

    screen: int = 64 * KIB  # one party: a few hundred bytes in practice
    bulk: int = 4 * MIB  # up to 1,000 parties
    upload: int = 201 * MIB  # batch files: 200 MB (service.batch.jobs.MAX_BYTES) plus the multipart framing
    other: int = 64 * KIB  # every other route (keys, reload): small JSON or nothing
    upload_prefixes: tuple[str, ...] = ("/v1/batches", "/v1/parties")

    def for_path(self, path: str) -> int:
        if path == "/v1/screen":
            return self.screen
        if path == "/v1/screen/bulk":
            return self.bulk
        if any(path == prefix or path.startswith(prefix + "/") for prefix in self.upload_prefixes):
            return self.upload
        return self.other


def _human(size: int) -> str:
    if size >= MIB and size % MIB == 0:
        return f"{size // MIB} MB"
    if size >= KIB and size % KIB == 0:
        return f"{size // KIB} KB"
    return f"{size} bytes"


class _BodyTooLarge(Exception):
    """Raised into the app from `receive` once the 413 is sent: the app stops reading."""


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.for_path(scope.get("path", ""))
        detail = f"the request body exceeds this endpoint's limit of {_human(limit)} ({limit} bytes)"
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await refuse(receive, send, 413, "body_too_large", detail)
            return
        received = 0
        started = refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if not started and not refused:
                        refused = True
                        complete = not message.get("more_body", False) or await drain(receive)
                        await send_error(send, 413, "body_too_large", detail, close=not complete)
                    raise _BodyTooLarge(detail)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 went out; whatever the app answers after the error is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLarge:
            if not refused:
                raise
        except Exception:
            if not refused:  # the app's error handling turned our signal into another error
                raise
