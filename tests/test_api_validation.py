"""Bad input gets a 4xx naming the field, never a 500: fixed cases plus random bodies (hypothesis)
driven at a running server screening against the real UN list and the internal watchlist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api_server import ApiServer, create_key, load_bundled


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    directory = tmp_path_factory.mktemp("api-validation")
    url = f"sqlite:///{directory / 'store.db'}"
    load_bundled(url, ["un", "internal"])
    _, token = create_key(url, "screen")
    with ApiServer(
        url, directory, env={"SANCTIONS_REQUIRED_LISTS": "un,internal"}
    ) as server:  # the lists loaded
        server.wait_ready(timeout=120)
        with server.client(token) as http:
            yield http


def _fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_request"
    return [item["field"] for item in body["detail"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body.name"),
        ({"name": ""}, "body.name"),
        ({"name": "   "}, "body.name"),
        ({"name": "x" * 513}, "body.name"),
        ({"name": "Bad\x00Name"}, "body.name"),
        ({"name": "Line\nbreak"}, "body.name"),
        ({"name": 42}, "body.name"),
        ({"name": "A", "lists": ["ofac", "nope"]}, "body.lists.1"),
        ({"name": "A", "lists": []}, "body.lists"),
        ({"name": "A", "type": "robot"}, "body.type"),
        ({"name": "A", "threshold": 1.5}, "body.threshold"),
        ({"name": "A", "limit": 0}, "body.limit"),
        ({"name": "A", "identifiers": [{"type": "passport"}]}, "body.identifiers.0.value"),
        ({"name": "A", "reference": "r\x07"}, "body.reference"),
        ({"name": "A", "colour": "red"}, "body.colour"),
    ],
)
def test_bad_single_bodies_name_the_field(client: httpx.Client, body: dict[str, Any], field: str) -> None:
    assert field in _fields(client.post("/v1/screen", json=body))


def test_bulk_limits_name_the_field(client: httpx.Client) -> None:
    assert "body.queries" in _fields(client.post("/v1/screen/bulk", json={"queries": [{"name": "A"}] * 1001}))
    assert "body.queries" in _fields(client.post("/v1/screen/bulk", json={"queries": []}))
    assert "body.queries.1.name" in _fields(
        client.post("/v1/screen/bulk", json={"queries": [{"name": "A"}, {"name": ""}]})
    )


def test_invalid_json_and_wrong_types(client: httpx.Client) -> None:
    broken = client.post("/v1/screen", content=b'{"name": ', headers={"content-type": "application/json"})
    assert _fields(broken)[0].startswith("body")
    assert _fields(client.post("/v1/screen", json=["name"])) == ["body"]
    not_json = client.post("/v1/screen", content=b"name=x", headers={"content-type": "text/plain"})
    assert not_json.status_code == 422
    nan = client.post(
        "/v1/screen", content=b'{"name": "A", "threshold": NaN}', headers={"content-type": "application/json"}
    )
    assert "body.threshold" in _fields(nan)


def test_a_list_with_no_active_version_is_a_422_naming_the_field(client: httpx.Client) -> None:
    single = client.post("/v1/screen", json={"name": "Eric Badege", "lists": ["un", "ofac", "eu"]})
    assert single.status_code == 422, single.text
    assert single.json()["error"] == "list_not_active"
    (problem,) = single.json()["detail"]
    assert problem["field"] == "body.lists" and problem["type"] == "list_not_active"
    assert (
        "no active version of eu, ofac" in problem["message"] and "active: internal, un" in problem["message"]
    )
    bulk = client.post(
        "/v1/screen/bulk", json={"queries": [{"name": "Eric Badege"}, {"name": "A", "lists": ["uk"]}]}
    )
    assert bulk.status_code == 422, bulk.text
    assert [p["field"] for p in bulk.json()["detail"]] == ["body.queries.1.lists"]
    assert "decision" not in bulk.text  # refused whole, nothing answered "clear"
    served = client.post("/v1/screen", json={"name": "Eric Badege", "lists": ["un"]})
    assert served.status_code == 200 and served.json()["decision"] == "hit", served.text


def test_1000_bulk_items_are_accepted(client: httpx.Client) -> None:
    response = client.post(
        "/v1/screen/bulk", json={"queries": [{"name": f"Person {i}"} for i in range(1000)]}
    )
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1000


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
query_like = st.fixed_dictionaries(
    {"name": st.text(max_size=600)},
    optional={
        "type": st.sampled_from(["person", "entity", "vessel", "aircraft", "any", "x"]),
        "dob": st.text(max_size=20),
        "country": st.text(max_size=20),
        "nationality": st.text(max_size=20),
        "identifiers": st.lists(
            st.fixed_dictionaries({"value": st.text(max_size=20)}, optional={"type": st.text(max_size=10)}),
            max_size=3,
        ),
        "lists": st.lists(st.sampled_from(["ofac", "un", "internal", "zz"]), max_size=3),
        "threshold": st.floats(allow_nan=False, min_value=-1, max_value=2),
        "limit": st.integers(-5, 200),
        "reference": st.text(max_size=20),
        "extra": json_values,
    },
)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def _check(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text  # a list asked for but not active is a 422 too
    if response.status_code == 422:
        assert all(item["field"] for item in response.json()["detail"])
    if response.status_code == 200:
        assert response.json()["decision"] in {"hit", "clear"}


@FUZZ
@given(body=query_like)
def test_random_queries_never_500(client: httpx.Client, body: dict[str, Any]) -> None:
    _check(client.post("/v1/screen", json=body))


@FUZZ
@given(body=json_values)
def test_random_json_never_500(client: httpx.Client, body: Any) -> None:
    _check(client.post("/v1/screen", json=body))
    _check(client.post("/v1/screen/bulk", json=body))


@FUZZ
@given(raw=st.binary(max_size=200))
def test_random_bytes_never_500(client: httpx.Client, raw: bytes) -> None:
    _check(client.post("/v1/screen", content=raw, headers={"content-type": "application/json"}))
