"""The OpenAPI docs: every operation shows examples, and the examples are true.

The spec checks build the app without serving it (the spec needs no database);
the last test serves /docs from a real server loaded with the bundled lists and
sends the documented screening examples to it, so the docs cannot drift from
what the engine answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from lists.model import Designation
from service.api import openapi_examples as ex
from service.api.lists_refresh import RefreshOut
from service.api.models import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    BulkScreenRequest,
    BulkScreenResponse,
    ErrorBody,
    InvalidRequest,
    ListsOut,
    ListVersionOut,
    ReloadOut,
    ScreenRequest,
    ScreenResponse,
)
from service.api.review_models import (
    AcceptOut,
    AcceptPageOut,
    ApprovalIn,
    AssignIn,
    DecisionIn,
    ReviewedAlertOut,
    UserCreate,
    UserKeyCreate,
    UserOut,
)
from service.api.webhooks import WebhookCreate
from service.app import create_app
from service.monitoring.parties import PartyIn, PartyPut
from service.settings import Settings
from tests.api_server import ApiServer, database, loaded_template

METHODS = {"get", "post", "put", "patch", "delete"}
REQUEST_MODELS: dict[tuple[str, str], Any] = {
    ("post", "/v1/screen"): ScreenRequest,
    ("post", "/v1/screen/bulk"): BulkScreenRequest,
    ("post", "/v1/keys"): ApiKeyCreate,
    ("post", "/v1/users"): UserCreate,
    ("post", "/v1/users/{name}/keys"): UserKeyCreate,
    ("post", "/v1/alerts/{alert_id}/decision"): DecisionIn,
    ("post", "/v1/alerts/{alert_id}/approve"): ApprovalIn,
    ("post", "/v1/alerts/{alert_id}/assign"): AssignIn,
    ("put", "/v1/parties/{party_id}"): PartyIn,
    ("post", "/v1/webhooks"): WebhookCreate,
}
RESPONSE_MODELS: dict[tuple[str, str], Any] = {
    ("post", "/v1/screen"): ScreenResponse,
    ("post", "/v1/screen/bulk"): BulkScreenResponse,
    ("get", "/v1/lists"): ListsOut,
    ("get", "/v1/lists/{list_code}/versions"): list[ListVersionOut],
    ("post", "/v1/lists/reload"): ReloadOut,
    ("post", "/v1/lists/refresh"): RefreshOut,
    ("get", "/v1/entities/{entity_id}"): Designation,
    ("get", "/v1/keys"): list[ApiKeyOut],
    ("post", "/v1/keys"): ApiKeyCreated,
    ("get", "/v1/users"): list[UserOut],
    ("get", "/v1/accepts"): AcceptPageOut,
    ("delete", "/v1/accepts/{accept_id}"): AcceptOut,
    ("get", "/v1/alerts/{alert_id}"): ReviewedAlertOut,
    ("post", "/v1/alerts/{alert_id}/approve"): ReviewedAlertOut,
    ("put", "/v1/parties/{party_id}"): PartyPut,
}


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("openapi")
    app = create_app(Settings(database_url=f"sqlite:///{directory / 'store.db'}", data_dir=directory))
    return app.openapi()


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def _examples(media: dict[str, Any]) -> list[Any]:
    """Every example value of one media type (`example` or named `examples`)."""
    found = [media["example"]] if "example" in media else []
    return found + [named["value"] for named in media.get("examples", {}).values()]


def test_the_spec_covers_every_endpoint_of_the_issue(spec: dict[str, Any]) -> None:
    operations = {(method, path) for method, path, _ in _operations(spec)}
    expected = {
        ("post", "/v1/screen"),
        ("post", "/v1/screen/bulk"),
        ("get", "/v1/lists"),
        ("get", "/v1/lists/{list_code}/versions"),
        ("post", "/v1/lists/reload"),
        ("get", "/v1/entities/{entity_id}"),
        ("get", "/v1/screenings/{screening_id}"),
        ("get", "/healthz"),
        ("get", "/readyz"),
        ("get", "/metrics"),
        ("get", "/v1/keys"),
        ("post", "/v1/keys"),
        ("delete", "/v1/keys/{key_id}"),
        ("post", "/v1/batches"),
    }
    assert expected <= operations, expected - operations


def test_every_operation_has_a_success_example(spec: dict[str, Any]) -> None:
    missing = []
    for method, path, operation in _operations(spec):
        success = [r for code, r in operation["responses"].items() if code.startswith("2")]
        if not any(_examples(media) for r in success for media in r.get("content", {}).values()):
            missing.append(f"{method.upper()} {path}")
    assert not missing, f"no 2xx response example: {missing}"


def test_success_examples_match_the_response_models(spec: dict[str, Any]) -> None:
    checked = set()
    for method, path, operation in _operations(spec):
        model = RESPONSE_MODELS.get((method, path))
        if model is None:
            continue
        adapter = TypeAdapter(model)
        for code, response in operation["responses"].items():
            if code.startswith("2"):
                for example in _examples(response["content"]["application/json"]):
                    adapter.validate_python(example)
                    checked.add((method, path))
    assert checked == set(RESPONSE_MODELS)


def test_every_error_has_an_example_in_the_shared_error_shape(spec: dict[str, Any]) -> None:
    for method, path, operation in _operations(spec):
        for code, response in operation["responses"].items():
            if code[0] not in "45":
                continue
            where = f"{method.upper()} {path} {code}"
            media = response.get("content", {}).get("application/json")
            assert media is not None, f"{where}: no JSON error body documented"
            examples = _examples(media)
            assert examples, f"{where}: no error example"
            for example in examples:
                if (method, path, code) == ("post", "/v1/lists/reload", "422"):
                    ReloadOut.model_validate(example)  # a failed reload answers with every outcome
                elif (method, path, code) == ("post", "/v1/lists/refresh", "422"):
                    assert (
                        RefreshOut.model_validate(example).error == "list_update_failed"
                    )  # and every outcome
                elif example.get("error") == "invalid_request":
                    assert InvalidRequest.model_validate(example).detail[0].field, where
                else:
                    assert ErrorBody.model_validate(example).error, where


def test_every_json_request_body_has_examples_that_validate(spec: dict[str, Any]) -> None:
    with_json_bodies = set()
    for method, path, operation in _operations(spec):
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            continue
        with_json_bodies.add((method, path))
        examples = _examples(content["application/json"])
        assert examples, f"{method.upper()} {path}: no request example"
        for example in examples:
            REQUEST_MODELS[(method, path)].model_validate(example)
    assert with_json_bodies == set(REQUEST_MODELS)


def test_screen_request_examples_show_a_hit_a_person_and_an_identifier(spec: dict[str, Any]) -> None:
    media = spec["paths"]["/v1/screen"]["post"]["requestBody"]["content"]["application/json"]
    requests = [ScreenRequest.model_validate(value) for value in _examples(media)]
    assert any(r.name == "Sichuan Juxinhe Network Technology Company Limited" for r in requests)
    assert any(r.type == "person" and r.dob and r.nationality for r in requests)
    assert any(r.identifiers for r in requests)


def test_batch_upload_fields_are_described(spec: dict[str, Any]) -> None:
    content = spec["paths"]["/v1/batches"]["post"]["requestBody"]["content"]["multipart/form-data"]
    reference = content["schema"]["$ref"].rsplit("/", 1)[-1]
    properties = spec["components"]["schemas"][reference]["properties"]
    assert {"file", "name_column", "id_column", "threshold", "output_format"} <= set(properties)
    undescribed = [name for name, field in properties.items() if not field.get("description")]
    assert not undescribed, f"multipart fields without a description: {undescribed}"


def test_metrics_are_documented_as_prometheus_text(spec: dict[str, Any]) -> None:
    content = spec["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert "sanctions_decisions_total" in content["text/plain"]["example"]


# Which designation each documented screening request finds on the bundled lists.
EXPECTED_TOP_MATCH = {
    "entity_hit": "ofac:52749",
    "person_with_dob": "ofac:21324",
    "identifier": "ofac:52749",
    "clear": None,
}


def test_the_served_docs_and_examples_hold_against_the_bundled_lists(tmp_path: Path) -> None:
    assert set(EXPECTED_TOP_MATCH) == set(ex.SCREEN_REQUEST_EXAMPLES)
    with (
        database("sqlite", tmp_path, template=loaded_template()) as url,
        ApiServer(url, tmp_path, env={"SANCTIONS_AUTH": "off"}) as server,
        server.client() as client,
    ):
        docs = client.get("/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        served = client.get("/openapi.json").json()
        media = served["paths"]["/v1/screen"]["post"]["requestBody"]["content"]["application/json"]
        assert {name: e["value"] for name, e in media["examples"].items()} == {
            name: e["value"] for name, e in ex.SCREEN_REQUEST_EXAMPLES.items()
        }
        server.wait_ready()
        for name, example in ex.SCREEN_REQUEST_EXAMPLES.items():
            answer = client.post("/v1/screen", json=example["value"])
            assert answer.status_code == 200, answer.text
            top = answer.json()["matches"][0]["entity_id"] if answer.json()["matches"] else None
            assert top == EXPECTED_TOP_MATCH[name], (name, answer.json()["decision"])
        hit = client.post("/v1/screen", json=ex.SCREEN_ENTITY).json()
        documented = ex.SCREEN_HIT["matches"][0]
        assert (hit["decision"], hit["matches"][0]["name"], hit["matches"][0]["programs"]) == (
            ex.SCREEN_HIT["decision"],
            documented["name"],
            documented["programs"],
        )
        entity = client.get("/v1/entities/ofac:52749").json()
        assert entity == ex.ENTITY_ANSWER
