"""How the key is read from the request headers, and how the spec documents the two ways to send it.

`service.api.deps` reads `X-API-Key` and `Authorization: Bearer` itself (not through
FastAPI's security dependencies, which cost a round of dependency solving per
request); these tests pin that it reads them exactly as those classes did.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request

from service.api.deps import _token
from service.app import create_app
from service.settings import Settings


def _request(*headers: tuple[str, str]) -> Request:
    raw = [(name.lower().encode(), value.encode()) for name, value in headers]
    return Request({"type": "http", "method": "POST", "path": "/v1/screen", "headers": raw})


@pytest.mark.parametrize(
    ("headers", "token"),
    [
        ((("Authorization", "Bearer ssk_a_b"),), "ssk_a_b"),
        ((("Authorization", "bearer   ssk_a_b  "),), "ssk_a_b"),  # scheme case-insensitive, spaces trimmed
        ((("X-API-Key", "ssk_a_b"),), "ssk_a_b"),
        ((("X-API-Key", "ssk_key"), ("Authorization", "Bearer ssk_bearer")), "ssk_key"),  # X-API-Key first
        ((("Authorization", "Basic dXNlcjpwYXNz"),), None),  # another scheme is no key
        ((("Authorization", "Bearer"),), None),
        ((("Authorization", "ssk_a_b"),), None),  # a bare token without the scheme
        ((("X-API-Key", "   "),), None),
        ((), None),
    ],
)
def test_the_key_is_read_from_x_api_key_or_a_bearer_authorization(
    headers: tuple[tuple[str, str], ...], token: str | None
) -> None:
    assert _token(_request(*headers)) == token


def test_the_spec_documents_both_key_schemes_on_every_authenticated_operation(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}", data_dir=tmp_path))
    spec: dict[str, Any] = app.openapi()
    assert spec["components"]["securitySchemes"] == {
        "HTTPBearer": {"type": "http", "description": "Authorization: Bearer <API key>", "scheme": "bearer"},
        "APIKeyHeader": {
            "type": "apiKey",
            "description": "X-API-Key: <API key>",
            "in": "header",
            "name": "X-API-Key",
        },
    }
    both = [{"HTTPBearer": []}, {"APIKeyHeader": []}]
    open_paths = {"/healthz", "/readyz", "/metrics"}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            expected = None if path in open_paths else both
            assert operation.get("security") == expected, (method, path)
