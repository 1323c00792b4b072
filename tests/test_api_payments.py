"""POST /v1/screen/payment end to end: a real server loaded with every bundled list, SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lists.store import Store
from service.auth import create_key as make_key
from service.review.users import create_user
from tests.api_server import ApiServer, create_key, database, loaded_template

FIXTURES = Path(__file__).parent / "fixtures" / "payments"
XML = {"Content-Type": "application/xml"}
MT = {"Content-Type": "text/plain"}


@dataclass
class Loaded:
    server: ApiServer
    screen_token: str
    screen_key_id: str
    admin_token: str
    ana: str
    appr: str


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    directory: Path = tmp_path_factory.mktemp(f"payments-{request.param}")
    with database(request.param, directory, template=loaded_template()) as url:
        screen_id, screen_token = create_key(url, "screen")
        _, admin_token = create_key(url, "admin")
        store = Store(url)
        try:
            create_user(store.engine, "ana", "analyst")
            create_user(store.engine, "appr", "approver")
            ana, appr = make_key(store.engine, user="ana")[1], make_key(store.engine, user="appr")[1]
        finally:
            store.close()
        with ApiServer(url, directory) as server:
            server.wait_ready()
            yield Loaded(server, screen_token, screen_id, admin_token, ana, appr)


def _post(loaded: Loaded, fixture: str, headers: dict[str, str], **params: str) -> dict:
    with loaded.server.client(loaded.screen_token) as client:
        response = client.post(
            "/v1/screen/payment", content=(FIXTURES / fixture).read_bytes(), headers=headers, params=params
        )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_listed_creditor_holds_and_is_audited_as_one_decision(loaded: Loaded) -> None:
    body = _post(loaded, "pacs008_sichuan.xml", XML)
    assert body["decision"] == "hold"
    assert body["message"]["type"] == "pacs.008.001.08"
    assert body["message"]["id"] == "PAY-2026-000417"
    assert body["message"]["business_header"] is True
    [hit] = body["hits"]
    assert (hit["field"], hit["matched"]["entity_id"], hit["check"]) == ("Cdtr/Nm", "ofac:52749", "name")
    assert hit["score"] >= 0.95 and hit["explanation"]["summary"]
    assert set(body["list_versions"]) == {"ofac", "ofac-nonsdn", "un", "internal"}

    with loaded.server.client(loaded.admin_token) as admin:
        record = admin.get(f"/v1/screenings/{body['screening_id']}").json()
    assert record["endpoint"] == "payment"
    assert record["decision"] == "hold"
    assert record["reference"] == "PAY-2026-000417"
    assert record["api_key_id"] == loaded.screen_key_id
    assert record["list_versions"] == body["list_versions"]
    assert record["result"]["hits"][0]["field"] == "Cdtr/Nm"
    assert "SICHUAN JUXINHE" in record["request"]["message"]
    assert record["request"]["message_type"] == "pacs.008.001.08"


def test_a_listed_creditor_opens_an_alert_referencing_the_message_once(loaded: Loaded) -> None:
    first = _post(loaded, "pacs008_sichuan.xml", XML)
    [ref] = first["alerts"]
    assert ref["entity_id"] == "ofac:52749" and ref["status"] == "open"
    assert first["party_id"] == "message:PAY-2026-000417"
    with loaded.server.client(loaded.ana) as ana:
        alert = ana.get(f"/v1/alerts/{ref['alert_id']}").json()
        again = _post(loaded, "pacs008_sichuan.xml", XML)  # the same message screened again: the same case
        listed = ana.get("/v1/alerts", params={"party_id": "message:PAY-2026-000417"}).json()
    assert (alert["source"], alert["party_id"], alert["entity_id"]) == (
        "payment",
        "message:PAY-2026-000417",
        "ofac:52749",
    )
    assert alert["subject"]["message_id"] == "PAY-2026-000417" and alert["subject"]["field"] == "Cdtr/Nm"
    assert alert["subject"]["name"] == "SICHUAN JUXINHE NETWORK TECHNOLOGY CO LTD"
    assert alert["result"]["field"] == "Cdtr/Nm" and alert["result"]["explanation"]["summary"]
    with loaded.server.client(loaded.admin_token) as admin:  # the first screening of this message opened it
        opened_by = admin.get(f"/v1/screenings/{alert['screening_id']}").json()
    assert (opened_by["endpoint"], opened_by["reference"]) == ("payment", "PAY-2026-000417")
    assert again["alerts"] == [{**ref, "new": False}]
    assert listed["total"] == 1


def test_a_party_reference_alerts_and_its_accepted_false_positive_passes(loaded: Loaded) -> None:
    first = _post(loaded, "pacs008_sichuan.xml", XML, party_id="CUST-24")
    [ref] = first["alerts"]
    assert first["party_id"] == "CUST-24" and ref["new"] is True
    [hit] = first["hits"]
    assert hit["suppressed"] is False and len(hit["designation_hash"]) == 64
    with loaded.server.client(loaded.ana) as ana, loaded.server.client(loaded.appr) as appr:
        decision = {"outcome": "false_positive", "note": "our creditor is another Sichuan company"}
        assert ana.post(f"/v1/alerts/{ref['alert_id']}/decision", json=decision).status_code == 200
        approved = appr.post(f"/v1/alerts/{ref['alert_id']}/approve", json={"action": "approve"})
        assert approved.status_code == 200, approved.text
        [entry] = ana.get("/v1/accepts", params={"party_id": "CUST-24"}).json()["items"]
    accepted = _post(loaded, "pacs008_sichuan.xml", XML, party_id="CUST-24")
    assert accepted["decision"] == "pass" and accepted["alerts"] == []
    [hit] = accepted["hits"]
    assert hit["suppressed"] is True and hit["accept_id"] == entry["accept_id"]
    with loaded.server.client(loaded.admin_token) as admin:
        record = admin.get(f"/v1/screenings/{accepted['screening_id']}").json()
    assert record["decision"] == "pass" and record["result"]["hits"][0]["suppressed"] is True
    # another party paying the same creditor is not covered
    other = _post(loaded, "pacs008_sichuan.xml", XML, party_id="CUST-25")
    assert other["decision"] == "hold" and other["alerts"][0]["new"] is True


def test_a_bad_party_reference_is_a_422_naming_it(loaded: Loaded) -> None:
    with loaded.server.client(loaded.screen_token) as client:
        response = client.post(
            "/v1/screen/payment",
            content=(FIXTURES / "pacs008_clean.xml").read_bytes(),
            headers=XML,
            params={"party_id": "x" * 129},
        )
    assert response.status_code == 422, response.text
    assert "party_id" in response.text


def test_the_same_message_with_a_clean_creditor_passes(loaded: Loaded) -> None:
    body = _post(loaded, "pacs008_clean.xml", XML)
    assert (body["decision"], body["hits"]) == ("pass", [])
    assert body["message"]["fields_screened"] >= 10


def test_an_mt103_with_a_name_cut_at_35_characters_holds_naming_field_and_line(loaded: Loaded) -> None:
    body = _post(loaded, "mt103_cut_name.txt", MT)
    assert body["decision"] == "hold"
    assert body["message"]["type"] == "MT103"
    [hit] = body["hits"]
    assert hit["field"] == ":59: line 2"
    assert hit["matched"]["entity_id"] == "ofac:20564"


def test_a_creditor_agent_bic_listed_on_the_sdn_blocks(loaded: Loaded) -> None:
    body = _post(loaded, "pacs008_listed_bic.xml", XML)
    assert body["decision"] == "block"
    [hit] = body["hits"]
    assert (hit["field"], hit["action"], hit["matched"]["entity_id"]) == (
        "CdtrAgt/FinInstnId/BICFI",
        "block",
        "ofac:12028",
    )


def test_a_creditor_in_a_sanctioned_country_holds_naming_the_country_field(loaded: Loaded) -> None:
    body = _post(loaded, "pacs008_creditor_iran.xml", XML)
    assert body["decision"] == "hold"
    [hit] = body["hits"]
    assert (hit["field"], hit["check"], hit["matched"]["jurisdiction"]["code"]) == (
        "Cdtr/PstlAdr/Ctry",
        "country",
        "IR",
    )


@pytest.mark.parametrize(
    ("fixture", "headers", "problem", "names"),
    [
        ("malformed.xml", XML, "malformed_xml", "malformed XML"),
        ("xml_bomb.xml", XML, "xml_doctype", "DOCTYPE"),
        ("camt053.xml", XML, "unsupported_message", "camt.053.001.08"),
        ("mt103_unclosed_block4.txt", MT, "mt_block_structure", "block 4"),
    ],
)
def test_unreadable_messages_get_422_naming_the_problem(
    loaded: Loaded, fixture: str, headers: dict[str, str], problem: str, names: str
) -> None:
    started = time.perf_counter()
    with loaded.server.client(loaded.screen_token) as client:
        response = client.post(
            "/v1/screen/payment", content=(FIXTURES / fixture).read_bytes(), headers=headers
        )
    assert time.perf_counter() - started < 2.0
    assert response.status_code == 422, response.text
    assert response.json()["error"] == problem
    assert names in response.json()["detail"]


def test_other_media_types_get_415_and_no_key_gets_401(loaded: Loaded) -> None:
    with loaded.server.client(loaded.screen_token) as client:
        response = client.post(
            "/v1/screen/payment", content=b"{}", headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    with loaded.server.client() as anonymous:
        assert anonymous.post("/v1/screen/payment", content=b"<a/>", headers=XML).status_code == 401


def test_without_an_active_list_it_fails_closed(tmp_path: Path) -> None:
    with database("sqlite", tmp_path) as url:
        _, token = create_key(url, "screen")
        with ApiServer(url, tmp_path) as server, server.client(token) as client:
            response = client.post(
                "/v1/screen/payment", content=(FIXTURES / "pacs008_clean.xml").read_bytes(), headers=XML
            )
    assert response.status_code == 503, response.text
    assert response.json()["error"] in {"no_active_list", "index_building"}
