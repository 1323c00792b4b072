"""End to end against a real server loaded with every bundled list, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from service.db_models import screenings
from tests.api_server import ApiServer, create_key, database, loaded_template

SICHUAN = "Sichuan Juxinhe Network Technology Company Limited"


@dataclass
class Loaded:
    server: ApiServer
    database_url: str
    screen_token: str
    screen_key_id: str
    admin_token: str


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    directory: Path = tmp_path_factory.mktemp(f"api-{request.param}")
    with database(request.param, directory, template=loaded_template()) as url:
        screen_id, screen_token = create_key(url, "screen")
        _, admin_token = create_key(url, "admin")
        with ApiServer(url, directory) as server:
            server.wait_ready()
            yield Loaded(server, url, screen_token, screen_id, admin_token)


def _audit_count(database_url: str, **where: object) -> int:
    engine = create_engine(database_url)
    try:
        query = select(func.count()).select_from(screenings)
        for column, value in where.items():
            query = query.where(screenings.c[column] == value)
        with engine.connect() as conn:
            return int(conn.execute(query).scalar_one())
    finally:
        engine.dispose()


def test_screen_hits_sichuan_juxinhe_and_the_decision_is_audited(loaded: Loaded) -> None:
    with loaded.server.client(loaded.screen_token) as client:
        response = client.post("/v1/screen", json={"name": SICHUAN, "reference": "pay-1/beneficiary"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["decision"] == "hit"
    assert body["matches"][0]["entity_id"] == "ofac:52749"
    assert uuid.UUID(body["screening_id"])
    assert body["took_ms"] > 0
    assert body["reference"] == "pay-1/beneficiary"
    assert set(body["list_versions"]) == {"ofac", "ofac-nonsdn", "un", "internal"}

    with loaded.server.client(loaded.admin_token) as admin:
        record = admin.get(f"/v1/screenings/{body['screening_id']}")
    assert record.status_code == 200, record.text
    audited = record.json()
    assert audited["decision"] == "hit"
    assert audited["api_key_id"] == loaded.screen_key_id
    assert audited["reference"] == "pay-1/beneficiary"
    assert audited["list_versions"] == body["list_versions"]
    assert audited["result"]["matches"][0]["entity_id"] == "ofac:52749"
    assert audited["request"]["name"] == SICHUAN


def test_screenings_need_the_admin_role_and_unknown_ids_are_404(loaded: Loaded) -> None:
    with loaded.server.client(loaded.screen_token) as client:
        screening_id = client.post("/v1/screen", json={"name": SICHUAN}).json()["screening_id"]
        assert client.get(f"/v1/screenings/{screening_id}").status_code == 403
    with loaded.server.client(loaded.admin_token) as admin:
        missing = admin.get(f"/v1/screenings/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"


def test_requests_without_a_valid_key_get_401(loaded: Loaded) -> None:
    with loaded.server.client() as anonymous:
        assert anonymous.post("/v1/screen", json={"name": SICHUAN}).status_code == 401
        wrong = anonymous.post("/v1/screen", json={"name": SICHUAN}, headers={"X-API-Key": "ssk_nope_nope"})
        assert wrong.status_code == 401
        forged = loaded.screen_token[:-4] + "AAAA"
        assert (
            anonymous.post("/v1/screen", json={"name": SICHUAN}, headers={"X-API-Key": forged}).status_code
            == 401
        )
        assert anonymous.get("/v1/lists").status_code == 401
        accepted = anonymous.post(
            "/v1/screen", json={"name": SICHUAN}, headers={"X-API-Key": loaded.screen_token}
        )
        assert accepted.status_code == 200


def test_bulk_answers_in_order_with_one_audit_row_per_query(loaded: Loaded) -> None:
    names = [SICHUAN, "Zxqvbn Plorkwidget Nobody", "SHANGHAI ANXUN INFORMATION TECHNOLOGY CO., LTD."]
    with loaded.server.client(loaded.screen_token) as client:
        response = client.post("/v1/screen/bulk", json={"queries": [{"name": n} for n in names]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["query"]["name"] for r in body["results"]] == names
    assert body["results"][0]["decision"] == "hit"
    assert body["results"][1]["decision"] == "clear"
    assert len({r["screening_id"] for r in body["results"]}) == 3
    assert _audit_count(loaded.database_url, bulk_id=body["bulk_id"]) == 3


def test_entities_and_lists(loaded: Loaded) -> None:
    with loaded.server.client(loaded.screen_token) as client:
        entity = client.get("/v1/entities/ofac:52749")
        missing = client.get("/v1/entities/ofac:0")
        lists = client.get("/v1/lists")
        versions = client.get("/v1/lists/ofac/versions")
        unknown = client.get("/v1/lists/nope/versions")
    assert entity.status_code == 200
    assert entity.json()["primary_name"] == "SICHUAN JUXINHE NETWORK TECHNOLOGY CO., LTD."
    assert missing.status_code == 404
    served = {item["list_code"]: item for item in lists.json()["lists"]}
    assert set(served) == {"ofac", "ofac-nonsdn", "un", "internal"}
    assert all(item["serving"] and item["active"] for item in served.values())
    assert served["ofac"]["record_count"] > 15_000
    assert lists.json()["index"]["designations"] == sum(i["record_count"] for i in served.values())
    assert versions.json()[0]["label"] == served["ofac"]["label"]
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["field"] == "path.list_code"


def _sample(text: str, name: str, **labels: str) -> float:
    label_text = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(label_text) + r"\}" if labels else "") + r" ([0-9.e+-]+)"
    found = re.search(pattern, text)
    assert found, f"{name}{{{label_text}}} missing from /metrics"
    return float(found.group(1))


def test_metrics_expose_requests_latency_decisions_index_and_list_age(loaded: Loaded) -> None:
    with loaded.server.client(loaded.screen_token) as client:
        before = client.get("/metrics").text
        hits_before = (
            _sample(before, "sanctions_decisions_total", decision="hit", endpoint="screen")
            if 'decision="hit",endpoint="screen"' in before
            else 0.0
        )
        assert client.post("/v1/screen", json={"name": SICHUAN}).status_code == 200
        text = client.get("/metrics").text
    assert _sample(text, "sanctions_decisions_total", decision="hit", endpoint="screen") == hits_before + 1
    assert (
        _sample(text, "sanctions_http_requests_total", endpoint="/v1/screen", method="POST", status="200")
        >= 1
    )
    assert (
        _sample(text, "sanctions_http_request_duration_seconds_count", endpoint="/v1/screen", method="POST")
        >= 1
    )
    assert _sample(text, "sanctions_index_designations") > 16_000
    assert _sample(text, "sanctions_list_age_seconds", list="ofac") > 0
    assert _sample(text, "sanctions_audit_batch_rows_count") >= 1


def test_every_200_decision_has_an_audit_row(loaded: Loaded) -> None:
    before = _audit_count(loaded.database_url)
    with loaded.server.client(loaded.screen_token) as client:
        statuses = [
            client.post("/v1/screen", json={"name": f"Test Person {i}"}).status_code for i in range(20)
        ]
    assert statuses == [200] * 20
    assert _audit_count(loaded.database_url) == before + 20


def test_a_name_cut_by_a_payment_field_is_found_unless_the_caller_says_it_is_whole(loaded: Loaded) -> None:
    cut = "MINGZHENG INTERNATIONAL TRADING LIM"  # "... LIMITED" in a 35-character name line
    with loaded.server.client(loaded.screen_token) as client:
        found = client.post("/v1/screen", json={"name": cut})
        whole = client.post("/v1/screen", json={"name": cut, "truncated": False})
    assert found.status_code == 200 and whole.status_code == 200, (found.text, whole.text)
    match = found.json()["matches"][0]
    assert (found.json()["decision"], match["entity_id"]) == ("hit", "ofac:22583")
    assert match["explanation"]["name"]["cut"]["compared_with"] == cut
    assert whole.json()["decision"] == "clear"
    assert whole.json()["query"]["truncated"] is False
