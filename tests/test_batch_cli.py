"""The batch command end to end: a 5,000-row customer file screened in one command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from service.db_models import screenings
from tests.test_batch_support import CustomerFile, lists_db_copy, read_results, write_customer_file

SANCTIONS = [sys.executable, "-m", "service.cli"]


@pytest.fixture(scope="session")
def lists_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return lists_db_copy(tmp_path_factory.mktemp("batch-db") / "lists.db")


@pytest.fixture(scope="session")
def customer_file(tmp_path_factory: pytest.TempPathFactory) -> CustomerFile:
    return write_customer_file(tmp_path_factory.mktemp("batch-in") / "customers.csv")


def run_batch(url: str, *args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "SANCTIONS_DATA_DIR": str(data_dir), "COLUMNS": "120"}
    return subprocess.run(
        [*SANCTIONS, "batch", *args], capture_output=True, text=True, env=env, timeout=900, check=False
    )


def test_customer_file_screens_in_one_command(
    lists_db: str, customer_file: CustomerFile, tmp_path: Path
) -> None:
    results = tmp_path / "results.csv"
    done = run_batch(
        lists_db, str(customer_file.path), "-o", str(results), "--workers", "2", data_dir=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "5000 rows" in done.stderr

    header, rows = read_results(results)
    assert header[:6] == ["Customer ID", "FULL_NAME", "Type", "Date of Birth", "Nationality", "Notes"]
    assert len(rows) == customer_file.rows
    assert [r["Customer ID"] for r in rows] == [f"C{n:06d}" for n in range(1, customer_file.rows + 1)]

    for row_number, entity_id in customer_file.planted.items():
        row = rows[row_number - 1]
        assert row["decision"] == "hit", row
        assert row["top_entity_id"] == entity_id, row

    for row_number, raw in customer_file.injections.items():
        assert rows[row_number - 1]["Notes"] == "'" + raw
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row

    for row_number in customer_file.empty_names:
        assert rows[row_number - 1]["decision"] == "error"
        assert rows[row_number - 1]["error"] == "empty name"
    encoded = rows[customer_file.other_encoding - 1]
    assert encoded["decision"] == "error" and "undecodable" in encoded["error"]
    assert encoded["FULL_NAME"] == "Jürgen Müller-Lüdenscheidt"  # shown as cp1252 text, kept
    wrong = rows[customer_file.wrong_columns - 1]
    assert wrong["decision"] == "error" and "expected 6 columns, found 8" in wrong["error"]
    errors = {n for n, r in enumerate(rows, 1) if r["decision"] == "error"}
    assert errors == {*customer_file.empty_names, customer_file.other_encoding, customer_file.wrong_columns}

    hits = [r for r in rows if r["decision"] == "hit"]
    _, matches = read_results(results.with_name("results_matches.csv"))
    assert {m["row_number"] for m in matches} == {
        str(n) for n, r in enumerate(rows, 1) if r["decision"] == "hit"
    }
    assert len(matches) == sum(int(r["match_count"]) for r in hits)
    assert all(m["explanation"].startswith("{") for m in matches)

    # Every decision written to the results file is in the audit trail, tied to this run.
    bulk_id = re.search(r"recorded as batch ([0-9a-f-]{36})", done.stderr).group(1)
    engine = create_engine(lists_db)
    with engine.connect() as conn:
        audited = conn.execute(
            select(screenings.c.position, screenings.c.decision).where(screenings.c.bulk_id == bulk_id)
        ).all()
    engine.dispose()
    assert {position: decision for position, decision in audited} == {
        n: r["decision"] for n, r in enumerate(rows, 1) if r["decision"] != "error"
    }


def test_xlsx_in_and_out(lists_db: str, tmp_path: Path) -> None:
    from openpyxl import Workbook, load_workbook

    source = tmp_path / "customers.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["Client Name", "DOB", "Comment"])
    sheet.append(["Yin Kecheng", None, "=1+1"])
    sheet.append([None, None, "no name"])
    sheet.append(["Maria Gonzalez", "1970-03-04", "-5"])
    sheet["C2"].data_type = "s"  # a text cell that looks like a formula, as pasted from elsewhere
    book.save(source)

    results = tmp_path / "out.xlsx"
    done = run_batch(lists_db, str(source), "-o", str(results), "--workers", "1", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = list(load_workbook(results, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("Client Name", "DOB", "Comment")
    assert len(rows) == 4
    assert rows[1][3] == "hit" and rows[1][2] == "'=1+1"
    assert rows[2][3] == "error"
    assert rows[3][2] == "'-5"
    assert results.with_name("out_matches.xlsx").is_file()


def test_refuses_without_active_lists(tmp_path: Path) -> None:
    source = tmp_path / "c.csv"
    source.write_text("name\nYin Kecheng\n", encoding="utf-8")
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    done = run_batch(empty, str(source), "-o", str(tmp_path / "r.csv"), data_dir=tmp_path)
    assert done.returncode == 2
    assert "no active sanctions list" in done.stderr
    assert not (tmp_path / "r.csv").exists()


def test_unknown_column_override_is_named(lists_db: str, tmp_path: Path) -> None:
    source = tmp_path / "c.csv"
    source.write_text("who,where\nYin Kecheng,CN\n", encoding="utf-8")
    done = run_batch(
        lists_db, str(source), "-o", str(tmp_path / "r.csv"), "--name-column", "nom", data_dir=tmp_path
    )
    assert done.returncode == 2
    assert "--name-column 'nom'" in done.stderr.replace("\n", "")
    done = run_batch(
        lists_db, str(source), "-o", str(tmp_path / "r.csv"), "--name-column", "WHO", data_dir=tmp_path
    )
    assert done.returncode == 0, done.stderr
    _, rows = read_results(tmp_path / "r.csv")
    assert rows[0]["decision"] == "hit"


def test_results_whose_matches_file_is_the_input_are_refused(lists_db: str, tmp_path: Path) -> None:
    """`-o r.csv` writes r_matches.csv: when that is the input, the input must survive untouched."""
    source = tmp_path / "r_matches.csv"
    source.write_text("name\nKecheng Yin\n", encoding="utf-8")
    before = source.read_bytes()
    done = run_batch(lists_db, str(source), "-o", str(tmp_path / "r.csv"), data_dir=tmp_path)
    assert done.returncode != 0
    assert "would overwrite the input file" in done.stderr
    assert source.read_bytes() == before
    assert not (tmp_path / "r.csv").exists()
