"""Bad input over HTTP (issue 22, items 5-8 and 12), against a real server on SQLite and PostgreSQL.

Each check sends what the outside probe sent: a CSV header field over the csv
module's 131,072-character limit, dates that are not dates, names with no
letter or digit, a 10 MB cell, invalid UTF-8 and 50,000-deep JSON. The answer
must be a 4xx naming the field or line (never a 500, never a "clear"), error
messages must quote only a short prefix of the input, and a batch job's
counts must agree with its results file.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api_server import ApiServer, create_key, database, load_bundled

CUT = 32_767  # service.batch.io.MAX_CELL_CHARS, spelt out: the test states the contract


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """A server with the internal watchlist only (a small index: these checks are about input)."""
    directory = tmp_path_factory.mktemp(f"input-{request.param}")
    with database(request.param, directory) as url:
        load_bundled(url, ["internal"])
        _, token = create_key(url, "admin", "input validation")
        env = {"SANCTIONS_BATCH_WORKERS": "1", "SANCTIONS_REQUIRED_LISTS": "internal"}
        with ApiServer(url, directory, env=env) as running:
            running.wait_ready()
            running.token = token  # type: ignore[attr-defined]
            yield running


def client(server: ApiServer) -> httpx.Client:
    return server.client(server.token)  # type: ignore[attr-defined]


def fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    return [error["field"] for error in response.json()["detail"]]


def upload(http: httpx.Client, name: str, content: bytes, **form: str) -> httpx.Response:
    return http.post("/v1/batches", files={"file": (name, content, "text/csv")}, data=form)


def wait_done(http: httpx.Client, job_id: str, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = http.get(f"/v1/batches/{job_id}").json()
        assert job["rows_total"] is None or job["rows_done"] <= job["rows_total"], job
        if job["state"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not finish: {job}")


# --- item 6: dates and names ----------------------------------------------------------------------


@pytest.mark.parametrize("dob", ["9999-99-99", "not-a-date", "1986-13-01", "31/02/1990"])
def test_a_date_of_birth_that_is_not_a_date_is_refused_naming_dob(server: ApiServer, dob: str) -> None:
    with client(server) as http:
        assert fields(http.post("/v1/screen", json={"name": "Maria Gonzalez", "dob": dob})) == ["body.dob"]
        bulk = http.post("/v1/screen/bulk", json={"queries": [{"name": "A B"}, {"name": "C D", "dob": dob}]})
        assert fields(bulk) == ["body.queries.1.dob"]


@pytest.mark.parametrize(
    "name", ["\u200b\u200e\u202e", "!!!---...", "\U0001f600\U0001f642", "- . -", "\u202e\u2066()\u2069"]
)
def test_a_name_without_letters_or_digits_is_refused_not_cleared(server: ApiServer, name: str) -> None:
    with client(server) as http:
        refused = http.post("/v1/screen", json={"name": name})
        assert fields(refused) == ["body.name"]
        assert "no letter or digit" in refused.json()["detail"][0]["message"]


def test_real_names_and_dates_are_still_screened(server: ApiServer) -> None:
    with client(server) as http:
        for body in (
            {"name": "Maria Gonzalez", "dob": "1984-02-11"},
            {"name": "李小龍", "dob": "1940"},
            {"name": "O'Brien-Smith & Co. 2", "dob": "08/12/1986"},
        ):
            answer = http.post("/v1/screen", json=body)
            assert answer.status_code == 200, answer.text
            assert answer.json()["decision"] in ("hit", "clear")


# --- item 8: bodies that are not JSON --------------------------------------------------------------


def test_invalid_utf8_says_so_with_the_byte_offset(server: ApiServer) -> None:
    with client(server) as http:
        answer = http.post(
            "/v1/screen",
            content=b'{"name": "Jos\xe9 Garc\xeda"}',
            headers={"content-type": "application/json"},
        )
    assert answer.status_code == 400, answer.text
    assert answer.json() == {
        "error": "invalid_body",
        "detail": "body is not valid UTF-8 at byte 13 (invalid continuation byte); send JSON encoded as UTF-8",
    }


@pytest.mark.parametrize("depth", [65, 20_000])
def test_deep_nesting_says_how_deep_is_allowed(server: ApiServer, depth: int) -> None:
    """20,000 levels (40 KB) stay under the screen body limit; 50,000 are refused by size first (413)."""
    body = b'{"name": "A", "x": ' + b"[" * depth + b"]" * depth + b"}"
    with client(server) as http:
        answer = http.post("/v1/screen", content=body, headers={"content-type": "application/json"})
        assert answer.status_code == 400, answer.text
        assert answer.json() == {"error": "invalid_body", "detail": "JSON nested deeper than 64 levels"}
        shallow = http.post("/v1/screen", json={"name": "A", "x": [[[]]]})
        assert fields(shallow) == ["body.x"]  # not too deep: the unknown field is named instead


def test_broken_json_and_lone_surrogates_name_what_is_wrong(server: ApiServer) -> None:
    headers = {"content-type": "application/json"}
    with client(server) as http:
        cut = http.post("/v1/screen", content=b'{"name": ', headers=headers)
        assert cut.status_code == 422
        assert cut.json()["detail"][0]["message"].startswith("JSON decode error: ")
        surrogate = http.post("/v1/screen", content=b'{"name": "A\\ud800B"}', headers=headers)
        assert fields(surrogate) == ["body.name"]
        assert "unicode" in surrogate.json()["detail"][0]["message"]  # pydantic's own check


# --- items 5 and 12: files that cannot be read, and what errors call the column choice ------------


@pytest.mark.parametrize("length", [131_072, 131_073, 300_000])
def test_a_huge_header_field_is_a_422_quoting_a_short_prefix(server: ApiServer, length: int) -> None:
    content = ("name," + "h" * length + "\nMaria Gonzalez,x\n").encode()
    with client(server) as http:
        answer = upload(http, "customers.csv", content)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert detail.startswith("customers.csv: line 1 (header): column 2 is ")
    assert f"{length:,} characters long" in detail
    assert len(detail) < 300


def test_batch_errors_name_the_api_field_not_the_cli_flag(server: ApiServer) -> None:
    content = b"customer_id,birth_date\nC1,1980-01-01\n"
    with client(server) as http:
        missing = upload(http, "customers.csv", content)
        chosen = upload(http, "customers.csv", b"nom,dob\nA B,1980\n", name_column="full name")
    assert missing.status_code == 422
    assert missing.json()["detail"].endswith("or choose one with name_column")
    assert "--" not in missing.json()["detail"]
    assert chosen.status_code == 422
    assert (
        chosen.json()["detail"] == "customers.csv: name_column 'full name' is not a column of ['nom', 'dob']"
    )


# --- items 6 and 7: rows a batch cannot screen, and a 10 MB cell ----------------------------------


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_bad_rows_are_row_errors_and_a_10mb_cell_is_cut(server: ApiServer) -> None:
    huge = "n" * (10 * 1024 * 1024)
    content = (
        "name,dob,notes\n"
        "Maria Gonzalez,1984-02-11,first\n"
        "Pedro Alvarez,9999-99-99,bad date\n"
        "!!!---...,,no letters\n"
        f"Ana Lopez,,{huge}\n"
        "Juan Perez,,last\n"
    ).encode()
    with client(server) as http:
        created = upload(http, "customers.csv", content)
        assert created.status_code == 202, created.text[:500]
        job = wait_done(http, created.json()["job_id"])
        assert job["state"] == "done", job
        assert (job["rows_total"], job["rows_done"], job["errors"]) == (5, 5, 3)
        results = http.get(f"/v1/batches/{job['job_id']}/results")
    rows = _rows(results.text)
    decisions = [r["decision"] for r in rows]
    assert decisions[1:4] == ["error", "error", "error"]
    assert decisions[0] in ("clear", "hit") and decisions[4] in ("clear", "hit")
    assert rows[1]["error"].startswith("dob '9999-99-99' is not a date")
    assert rows[2]["error"].startswith("name has no letter or digit")
    assert (
        rows[3]["error"] == f"column 'notes' is {len(huge):,} characters long; cut to 32,767 in the results"
    )
    assert rows[3]["notes"] == "n" * CUT
    assert rows[3]["name"] == "Ana Lopez"  # the row's other cells are kept


def _xlsx_with_cell(path: Path, value_length: int) -> bytes:
    """An XLSX whose second row holds a cell longer than Excel allows (openpyxl would cut it on write)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("customers")
    sheet.append(["name", "notes"])
    sheet.append(["Maria Gonzalez", "PLACEHOLDER"])
    book.save(path)
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, data.replace(b"PLACEHOLDER", b"x" * value_length))
    return out.getvalue()


def test_an_xlsx_cell_longer_than_excel_allows_is_cut_in_the_results(
    server: ApiServer, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    content = _xlsx_with_cell(tmp_path / "plain.xlsx", 2_000_000)
    with client(server) as http:
        created = http.post(
            "/v1/batches",
            files={"file": ("customers.xlsx", content, "application/octet-stream")},
            data={"output_format": "xlsx"},
        )
        assert created.status_code == 202, created.text[:500]
        job = wait_done(http, created.json()["job_id"])
        assert (job["state"], job["rows_total"], job["rows_done"]) == ("done", 1, 1), job
        results = http.get(f"/v1/batches/{job['job_id']}/results")
    (tmp_path / "results.xlsx").write_bytes(results.content)
    sheet = load_workbook(tmp_path / "results.xlsx", read_only=True).worksheets[0]
    header, row = [list(r) for r in sheet.iter_rows(max_row=2, values_only=True)]
    record = dict(zip(header, row, strict=True))
    assert record["notes"] == "x" * CUT
    assert record["error"] == "column 'notes' is 2,000,000 characters long; cut to 32,767 in the results"


# --- item 15: a 405 lists every method of the path ------------------------------------------------


def test_options_on_a_job_lists_delete_too(server: ApiServer) -> None:
    with client(server) as http:
        answer = http.options("/v1/batches/4b0f6a52-0000-4000-8000-000000000000")
    assert answer.status_code == 405
    assert {m.strip() for m in answer.headers["allow"].split(",")} == {"GET", "DELETE"}


def test_a_concrete_path_is_not_its_templated_neighbour(server: ApiServer) -> None:
    """`/v1/parties/import` is the import (POST only), not the party "import", as OpenAPI matches paths."""
    with client(server) as http:
        for method in ("OPTIONS", "GET", "PUT", "DELETE"):
            answer = http.request(method, "/v1/parties/import", json={"name": "Anyone"})
            assert answer.status_code == 405, (method, answer.text)
            assert answer.headers["allow"] == "POST", method
        assert http.get("/v1/parties/imports").status_code == 404  # a party id like any other
        options = http.options("/v1/parties/C-1")
    assert {m.strip() for m in options.headers["allow"].split(",")} == {"GET", "PUT", "DELETE"}


# --- a NUL in a path, a query or a party: PostgreSQL refuses it in text, so it was a 500 there -------------


@pytest.mark.parametrize(
    ("method", "target", "field"),
    [
        ("GET", "/v1/parties/%00", "path.party_id"),
        ("DELETE", "/v1/parties/C%001", "path.party_id"),
        ("GET", "/v1/parties?name=%00", "query.name"),
        ("GET", "/v1/alerts?party_id=%00", "query.party_id"),
        ("GET", "/v1/alerts/%00/report", "path.alert_id"),
        ("GET", "/v1/entities/ofac:%00", "path.entity_id"),
        ("DELETE", "/v1/keys/%00", "path.key_id"),
        ("GET", "/v1/batches/%00", "path.job_id"),
        ("GET", "/v1/webhooks/%00/deliveries", "path.webhook_id"),
        ("DELETE", "/v1/accepts/%00", "path.accept_id"),
    ],
)
def test_a_nul_in_a_path_or_query_is_a_422_naming_it(
    server: ApiServer, method: str, target: str, field: str
) -> None:
    with client(server) as http:
        assert fields(http.request(method, target)) == [field]


def test_a_nul_in_a_party_or_a_page_address_is_refused_by_name(server: ApiServer) -> None:
    with client(server) as http:
        assert fields(http.put("/v1/parties/C-1", json={"name": "Ana\x00Lyst"})) == ["body.name"]
        assert fields(http.put("/v1/parties/C-1", json={"name": "Ana", "labels": {"k": "v\x00"}})) == [
            "body.labels"
        ]
        page = http.get("/designations/ofac:%00", headers={"Accept": "text/html"})
    assert page.status_code == 422 and "entity_id" in page.text and "<html" in page.text.lower()


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"country_column": "country\x00"}, "body.country_column"),
        ({"labels": "source=crm\x00"}, "body.labels"),
    ],
)
def test_a_nul_in_a_party_import_form_field_is_a_422_naming_it(
    server: ApiServer, form: dict[str, str], field: str
) -> None:
    """Schemathesis found it: PostgreSQL refuses a NUL in the job's stored options, a 500 until now."""
    content = b"id,name,country\nC-1,Ana Lyst,DE\n"
    with client(server) as http:
        response = http.post(
            "/v1/parties/import", files={"file": ("parties.csv", content, "text/csv")}, data=form
        )
    assert fields(response) == [field]
