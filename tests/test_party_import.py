"""Party import on SQLite and PostgreSQL: the batch command's column detection and row checks,
every refused row reported with its row, line and reason, re-import touching only changed parties;
and the `sanctions parties import` command run for real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from lists.store import Store
from service.batch.io import BatchInputError, ColumnOverrides
from service.monitoring.importer import import_parties
from service.monitoring.parties import get_party, list_parties

CSV = (
    "client_id;Name;kind;date_of_birth;country;segment\n"
    "C1;Maria Gonzalez;individual;1980-02-03;ES;retail\n"
    "C2;Acme Trading GmbH;company;;DE;corporate\n"
    ";No Id Person;individual;;;retail\n"
    "C4;;individual;;;retail\n"
    "C2;Acme Trading GmbH (again);company;;DE;corporate\n"
    "C6;Too Many;individual;;;retail;extra\n"
    "C7;Li Wei;individual;1990;CN;\n"
)


@pytest.fixture
def store(db_url: str) -> Any:
    store = Store(db_url)
    yield store
    store.close()


def test_rows_are_stored_or_reported_never_dropped(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(CSV, encoding="utf-8")
    report = import_parties(store.engine, path, labels={"source_file": "clients.csv"})
    assert report.counts() == {"rows": 7, "created": 3, "updated": 0, "unchanged": 0, "problems": 4}
    problems = {p["row"]: p for p in report.problems}
    assert problems[3]["error"] == "empty party id" and problems[3]["line"] == 4
    assert problems[4]["error"] == "empty name" and problems[4]["party_id"] == "C4"
    assert "repeats row 2" in problems[5]["error"]
    assert "expected 6 columns, found 7" in problems[6]["error"]
    maria = get_party(store.engine, "C1")
    assert (maria.name, maria.type, maria.dob, maria.country) == (
        "Maria Gonzalez",
        "person",
        "1980-02-03",
        "ES",
    )
    assert maria.labels == {"source_file": "clients.csv", "segment": "retail"} and maria.needs_screen
    assert get_party(store.engine, "C2").type == "entity" and get_party(store.engine, "C7").labels == {
        "source_file": "clients.csv"
    }

    again = import_parties(store.engine, path, labels={"source_file": "clients.csv"})
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    path.write_text(CSV.replace("Li Wei;individual;1990", "Li Wei;individual;1990-05-06"), encoding="utf-8")
    changed = import_parties(store.engine, path, labels={"source_file": "clients.csv"}, keep_changed_ids=True)
    assert (changed.created, changed.updated, changed.unchanged, changed.changed_ids) == (0, 1, 2, ["C7"])
    assert get_party(store.engine, "C7").dob == "1990-05-06"
    assert list_parties(store.engine).total == 3


def test_xlsx_and_column_choices(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "parties.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Number", "Counterparty", "Born"])
    sheet.append([1001, "Ivan Petrov", "1970-03-02"])
    sheet.append([1002, "Nova Maritime", None])
    workbook.save(path)
    with pytest.raises(BatchInputError, match="no party id column"):
        import_parties(store.engine, path, ColumnOverrides(name="Counterparty"))
    report = import_parties(store.engine, path, ColumnOverrides(id="number", name="Counterparty", dob="Born"))
    assert report.created == 2 and report.problem_count == 0
    assert get_party(store.engine, "1001").dob == "1970-03-02"


def test_the_cli_reports_refused_rows_and_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(CSV, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"SANCTIONS_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.cli",
            "parties",
            "import",
            str(path),
            "--no-screen",
            "--label",
            "batch=7",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 3, done.stdout + done.stderr
    assert "7 rows: 3 created, 0 updated, 0 unchanged, 4 refused" in done.stdout
    assert "row 3 (line 4): empty party id" in done.stderr and "Traceback" not in done.stderr
    shown = subprocess.run(
        [sys.executable, "-m", "service.cli", "parties", "show", "C1", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert shown.returncode == 0 and '"batch": "7"' in shown.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "service.cli", "parties", "show", "nope"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1 and "no party 'nope'" in missing.stderr


def test_parties_keep_their_identifiers_and_labels_through_insert_and_update(store: Store) -> None:
    """The register's writes (COPY on PostgreSQL, executemany elsewhere; one UPDATE for changed
    parties) store the JSON facts as given."""
    from screening.query import QueryIdentifier
    from service.monitoring.parties import PartyIn, upsert_parties

    first = PartyIn(
        name="Nova Maritime Logistics GmbH",
        type="entity",
        country="DE",
        identifiers=[QueryIdentifier(type="imo", value="IMO 9321483")],
        labels={"segment": "shipping", "note": 'quotes " and \\ backslash, tab\there'},
    )
    plain = PartyIn(name="Jane Smith", type="person", dob="1980-01-01")
    assert upsert_parties(store.engine, [("P-1", first), ("P-2", plain)]).created == 2
    for party_id, party in (("P-1", first), ("P-2", plain)):
        found = get_party(store.engine, party_id)
        assert found is not None and PartyIn(**found.model_dump(include=set(PartyIn.model_fields))) == party
    changed = first.model_copy(update={"identifiers": [], "labels": {"segment": "ports"}})
    written = upsert_parties(store.engine, [("P-1", changed), ("P-2", plain)])
    assert (written.updated, written.unchanged) == (1, 1)
    found = get_party(store.engine, "P-1")
    assert found is not None and (found.identifiers, found.labels, found.needs_screen) == (
        [],
        {"segment": "ports"},
        True,
    )
