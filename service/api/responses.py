"""JSON responses rendered by orjson, and the error shape every non-2xx answer shares."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse


class OrjsonResponse(JSONResponse):
    """A JSONResponse (so the OpenAPI spec shows each route's response model) rendered by orjson."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


class ApiError(Exception):
    """An answer other than 2xx: `error` is a stable code, `detail` says why for people."""

    def __init__(self, status: int, error: str, detail: Any, headers: dict[str, str] | None = None):
        super().__init__(f"{status} {error}: {detail}")
        self.status = status
        self.error = error
        self.detail = detail
        self.headers = headers


def error_response(
    status: int, error: str, detail: Any, headers: dict[str, str] | None = None
) -> OrjsonResponse:
    return OrjsonResponse({"error": error, "detail": detail}, status_code=status, headers=headers)


# Paging offsets past this are refused (422) rather than overflowing the database's 64-bit integers.
MAX_OFFSET = 1_000_000_000
