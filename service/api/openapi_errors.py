"""The error answers every operation can give, put into the OpenAPI spec where a route did not list them.

A route documents its own errors with examples (service/api/openapi_examples.py);
these are the ones that come from the layers around it: 400 for a JSON body that is
not UTF-8 or nests too deep (service/api/json_body.py) or broken multipart data, 413 for a body over its
limit, 422 for invalid parameters, 401/403 from the key check, 404 for an unknown
id in the path and 503 when the database or the index cannot serve. All share the
error body `{"error", "detail"}` (422: `detail` lists `{field, message, type}`).
"""

from __future__ import annotations

from typing import Any

from service.api.openapi_examples import ERROR_EXAMPLES

_EXTRA_EXAMPLES: dict[int, tuple[str, dict[str, Any]]] = {
    400: (
        "the body is not valid UTF-8, its JSON nests too deep, or its multipart data is broken",
        {"error": "invalid_body", "detail": "body is not valid UTF-8 at byte 10 (invalid start byte)"},
    ),
    413: (
        "the request body is larger than this endpoint accepts",
        {"error": "body_too_large", "detail": "the request body is larger than this endpoint accepts"},
    ),
    503: (
        "the service cannot answer now (database unreachable, no active list, index being built)",
        {"error": "unavailable", "detail": "the database is unreachable; retry shortly"},
    ),
}
_NO_503 = {"/healthz"}  # liveness only: it answers whenever the process does


def _entry(code: int) -> dict[str, Any]:
    description, example = ERROR_EXAMPLES[code] if code in ERROR_EXAMPLES else _EXTRA_EXAMPLES[code]
    if code == 503:
        description, example = _EXTRA_EXAMPLES[503]
    schema = "InvalidRequest" if code == 422 else "ErrorBody"
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": f"#/components/schemas/{schema}"},
                "example": example,
            }
        },
    }


def codes_for(path: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer from outside its own code."""
    codes = set()
    content = operation.get("requestBody", {}).get("content", {})
    if content:
        codes |= {400, 413, 422}  # 400: not UTF-8, nested too deep, or broken multipart
    parameters = operation.get("parameters", [])
    if parameters:
        codes.add(422)
    if any(p.get("in") == "path" for p in parameters):
        codes.add(404)
    if operation.get("security"):
        codes |= {401, 403}
    if path not in _NO_503:
        codes.add(503)
    return codes


def document_errors(spec: dict[str, Any]) -> dict[str, Any]:
    """Add the missing error responses to every operation of `spec` (in place); returns it."""
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code in sorted(codes_for(path, operation)):
                responses.setdefault(str(code), _entry(code))
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorBody" not in schemas or "InvalidRequest" not in schemas:
        from service.api.models import ErrorBody, FieldError, InvalidRequest

        ref = "#/components/schemas/{model}"
        schemas.setdefault("ErrorBody", ErrorBody.model_json_schema(ref_template=ref))
        schemas.setdefault("FieldError", FieldError.model_json_schema(ref_template=ref))
        schemas.setdefault("InvalidRequest", InvalidRequest.model_json_schema(ref_template=ref))
    return spec
