"""POST /v1/batches with a zip of payment messages, against a real server on SQLite and PostgreSQL:
the job's results give one row per message with the decisions POST /v1/screen/payment gives each,
every decision is audited under the job, and archives over the limits are refused whole."""

from __future__ import annotations

import csv
import io
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from lists.store import Store
from screening.algorithms import BALANCED
from service.auth import create_key as make_key
from service.review.users import create_user
from tests.api_server import ApiServer, create_key, database, loaded_template

FIXTURES = Path(__file__).parent / "fixtures" / "payments"
SCREENED = (
    "mt103_clean.txt",
    "mt103_cut_name.txt",
    "mt202cov.txt",
    "pacs008_clean.xml",
    "pacs008_creditor_iran.xml",
    "pacs008_listed_bic.xml",
    "pacs008_sichuan.xml",
    "pacs009_cov.xml",
    "pain001.xml",
)
UNREADABLE = ("camt053.xml", "malformed.xml", "mt103_unclosed_block4.txt", "xml_bomb.xml")


@dataclass
class Served:
    server: ApiServer
    token: str
    key_id: str
    admin: str


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    directory: Path = tmp_path_factory.mktemp(f"message-jobs-{request.param}")
    with database(request.param, directory, template=loaded_template()) as url:
        key_id, token = create_key(url, "screen")
        _, admin = create_key(url, "admin")
        # one batch worker: the job screens in the server process, no second index is built
        with ApiServer(url, directory, env={"SANCTIONS_BATCH_WORKERS": "1"}) as server:
            server.wait_ready()
            yield Served(server, token, key_id, admin)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _upload(client: httpx.Client, data: bytes, name: str = "inbox.zip", **form: str) -> httpx.Response:
    return client.post("/v1/batches", files={"file": (name, data, "application/zip")}, data=form)


def _wait_done(client: httpx.Client, job_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/batches/{job_id}").json()
        if job["state"] not in ("queued", "running"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_a_zip_of_messages_gives_one_row_per_message_as_the_single_endpoint(served: Served) -> None:
    members = {f"in/{name}": (FIXTURES / name).read_bytes() for name in (*SCREENED, *UNREADABLE)}
    members["in/../../slip.xml"] = (FIXTURES / "pacs008_sichuan.xml").read_bytes()
    with served.server.client(served.token) as client:
        response = _upload(client, _zip(members), output_format="csv")
        assert response.status_code == 202, response.text
        queued = response.json()
        assert queued["rows_total"] == len(members)
        assert queued["options"]["kind"] == "messages"
        job = _wait_done(client, queued["job_id"])
        assert job["state"] == "done", job
        assert (job["rows_done"], job["errors"]) == (len(members), len(UNREADABLE) + 1)
        results = client.get(f"/v1/batches/{job['job_id']}/results")
        assert results.status_code == 200
        assert results.headers["content-disposition"].endswith('inbox_results.csv"')
        matches = _csv(client.get(f"/v1/batches/{job['job_id']}/results", params={"file": "matches"}).text)
        singles = {}
        for name in SCREENED:
            content_type = "application/xml" if name.endswith(".xml") else "text/plain"
            alone = client.post(
                "/v1/screen/payment",
                content=(FIXTURES / name).read_bytes(),
                headers={"Content-Type": content_type},
            )
            singles[f"in/{name}"] = alone.json()
    rows = _csv(results.text)
    assert [row["file"] for row in rows] == sorted(members)
    by_file = {row["file"]: row for row in rows}
    for name, single in singles.items():
        row = by_file[name]
        assert row["decision"] == single["decision"], name
        assert row["message_id"] == (single["message"]["id"] or ""), name
        assert row["hits"].split("; ") == [
            f"{h['field']} {h['check']} {h['matched'].get('entity_id') or h['matched']['jurisdiction']['id']} "
            f"{h['score']:.2f} {h['action']}"
            for h in single["hits"]
        ] or (row["hits"], single["hits"]) == ("", [])
    assert job["hits"] == sum(1 for s in singles.values() if s["decision"] != "pass")
    assert by_file["in/../../slip.xml"]["problem"] == "unsafe_path"
    assert by_file["in/xml_bomb.xml"]["problem"] == "xml_doctype"
    assert by_file["in/camt053.xml"]["error"].startswith("message type camt.053.001.08 is not screened")
    assert {(m["file"], m["field"], m["entity_id"]) for m in matches} >= {
        ("in/pacs008_listed_bic.xml", "CdtrAgt/FinInstnId/BICFI", "ofac:12028"),
        ("in/mt103_cut_name.txt", ":59: line 2", "ofac:20564"),
    }

    with served.server.client(served.admin) as admin:
        screened = [row for row in rows if row["decision"] != "error"]
        for row in screened:
            record = admin.get(f"/v1/screenings/{row['screening_id']}").json()
            assert record["endpoint"] == "payment-batch"
            assert record["bulk_id"] == job["job_id"]
            assert record["position"] == sorted(members).index(row["file"]) + 1
            assert record["api_key_id"] == served.key_id
            assert record["decision"] == row["decision"]
            assert record["request"]["file"] == row["file"]
        assert len(screened) == len(SCREENED)


def test_archives_over_the_limits_or_not_zips_are_refused_whole(served: Served) -> None:
    with served.server.client(served.token) as client:
        broken = _upload(client, b"PK\x03\x04 this is no archive")
        assert broken.status_code == 422, broken.text
        assert broken.json()["error"] == "invalid_archive"
        assert "inbox.zip" in broken.json()["detail"]
        empty = _upload(client, _zip({".hidden": b"x"}))
        assert (empty.status_code, empty.json()["error"]) == (422, "empty_archive")
        # 50,001 empty members: refused from the archive's directory, nothing inflated
        many = _upload(client, _zip({f"m{i}.xml": b"" for i in range(50_001)}))
        assert many.status_code == 413, many.text
        assert many.json()["error"] == "too_many_messages"
        wrong = _upload(client, _zip({"a.xml": b"<a/>"}), name_column="name", threshold="0.9")
        assert wrong.status_code == 422
        assert wrong.json()["detail"] == "name_column, threshold: not used for a zip of payment messages"
        listed = client.get("/v1/batches/00000000-0000-0000-0000-000000000000")
        assert listed.status_code == 404


def test_a_job_opens_each_messages_alerts_once_and_honours_accepts(served: Served) -> None:
    """Each message of a job is reviewed as POST /v1/screen/payment reviews one: its designation hits
    open alerts under `message:<id>` (once, however often it comes), an accept entry suppresses."""
    message_id = f"PAY-JOB-{uuid.uuid4().hex[:12]}"  # a message no other test has screened
    listed = (FIXTURES / "pacs008_sichuan.xml").read_bytes().replace(b"PAY-2026-000417", message_id.encode())
    members = {
        "a.xml": listed,
        "b_again.xml": listed,
        "c_clean.xml": (FIXTURES / "pacs008_clean.xml").read_bytes(),
    }
    store = Store(served.server.database_url)
    try:
        for name, role in ((f"ana-{message_id}", "analyst"), (f"appr-{message_id}", "approver")):
            create_user(store.engine, name.lower(), role)
        ana = make_key(store.engine, user=f"ana-{message_id}".lower())[1]
        appr = make_key(store.engine, user=f"appr-{message_id}".lower())[1]
    finally:
        store.close()

    def run() -> tuple[dict, dict[str, dict[str, str]], list[dict[str, str]]]:
        with served.server.client(served.token) as client:
            response = _upload(client, _zip(members), output_format="csv")
            assert response.status_code == 202, response.text
            job = _wait_done(client, response.json()["job_id"])
            assert job["state"] == "done", job
            rows = _csv(client.get(f"/v1/batches/{job['job_id']}/results").text)
            matches = _csv(
                client.get(f"/v1/batches/{job['job_id']}/results", params={"file": "matches"}).text
            )
        return job, {row["file"]: row for row in rows}, matches

    job, rows, matches = run()
    assert job["hits"] == 2
    first, again = rows["a.xml"], rows["b_again.xml"]
    assert first["decision"] == again["decision"] == "hold"
    assert first["alerts"] and again["alerts"] == first["alerts"]
    assert rows["c_clean.xml"]["alerts"] == ""
    assert [m["alert_id"] for m in matches if m["file"] == "a.xml"] == [first["alerts"]]
    with served.server.client(ana) as analyst:
        [alert] = analyst.get("/v1/alerts", params={"party_id": f"message:{message_id}"}).json()["items"]
        assert (alert["alert_id"], alert["entity_id"], alert["source"]) == (
            first["alerts"],
            "ofac:52749",
            "payment",
        )
        assert alert["subject"]["batch_id"] == job["job_id"] and alert["subject"]["file"] == "a.xml"
        assert alert["screening_id"] == first["screening_id"]
        decision = {"outcome": "false_positive", "note": "another Sichuan company"}
        assert analyst.post(f"/v1/alerts/{alert['alert_id']}/decision", json=decision).status_code == 200
    with served.server.client(appr) as approver:
        approved = approver.post(f"/v1/alerts/{alert['alert_id']}/approve", json={"action": "approve"})
        assert approved.status_code == 200, approved.text

    job, rows, matches = run()
    assert job["hits"] == 0
    for name in ("a.xml", "b_again.xml"):
        assert (rows[name]["decision"], rows[name]["suppressed"], rows[name]["alerts"]) == ("pass", "1", "")
    assert [(m["suppressed"], m["alert_id"]) for m in matches if m["file"] == "a.xml"] == [("yes", "")]
    with served.server.client(served.admin) as admin:
        record = admin.get(f"/v1/screenings/{rows['a.xml']['screening_id']}").json()
        assert record["decision"] == "pass" and record["result"]["hits"][0]["suppressed"] is True
        assert record["result"]["algorithm_version"] == BALANCED.version
    with served.server.client(ana) as analyst:
        listed_alerts = analyst.get("/v1/alerts", params={"party_id": f"message:{message_id}"}).json()
    assert listed_alerts["total"] == 1
