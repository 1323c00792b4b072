"""The CLI as a first-time user meets it (issue 22, items 5, 6, 9, 10 and 11): the real `sanctions`
command in a subprocess, with one-line errors that name what the user typed.

The batch checks must come before the index is built: each refused run here
must finish in a few seconds and leave no folder or file behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.validation import MAX_NAME_LENGTH
from tests.test_batch_support import lists_db_copy, read_results

SANCTIONS = [sys.executable, "-m", "service.cli"]
REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def lists_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return lists_db_copy(tmp_path_factory.mktemp("cli-errors-db") / "lists.db")


def run(
    *args: str, url: str | None = None, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    home = cwd or Path("/nonexistent-home")
    env = {
        **os.environ,
        "COLUMNS": "80",  # a narrow terminal: errors must still be one line
        "DATABASE_URL": url or f"sqlite:///{home / 'none.db'}",
        "SANCTIONS_DATA_DIR": str(home),
        "PYTHONPATH": str(REPO_ROOT),
    }
    return subprocess.run(
        [*SANCTIONS, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        input=stdin,
        timeout=600,
        check=False,
    )


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """The single line of a refused run (exit 2, nothing on stdout, no traceback)."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


# --- item 9: screen names the argument as typed, one limit with the API --------------------------


def test_empty_name_names_the_name_argument(tmp_path: Path) -> None:
    line = one_line_error(run("screen", "", cwd=tmp_path))
    assert line == "error: NAME '': must contain at least one non-space character"
    assert "--name" not in line


def test_one_name_limit_shared_with_the_api(tmp_path: Path) -> None:
    from service.api.models import ScreenRequest

    assert MAX_NAME_LENGTH == 512
    ScreenRequest(name="a" * MAX_NAME_LENGTH)
    with pytest.raises(ValueError, match="at most 512 characters"):
        ScreenRequest(name="a" * (MAX_NAME_LENGTH + 1))
    line = one_line_error(run("screen", "a" * 100_000, cwd=tmp_path))
    assert line.startswith("error: NAME 'aaaa")
    assert line.endswith(
        f"... (100,000 characters): is 100,000 characters long; at most {MAX_NAME_LENGTH} are allowed"
    )
    assert len(line) < 250  # quotes a prefix, not the 100,000 characters


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["screen", "!!!---..."], "error: NAME '!!!---...': has no letter or digit"),
        (["screen", "\u200b\u200e\u202e"], "error: NAME '\\u200b\\u200e\\u202e': has no letter or digit"),
        (["screen", "Maria Gonzalez", "--dob", "9999-99-99"], "error: --dob: '9999-99-99' is not a date"),
        (["screen", "Maria Gonzalez", "--threshold", "3"], "error: --threshold: Input should be less than"),
        (["compare", "Maria", "!!!"], "error: NAME_B '!!!': has no letter or digit"),
    ],
)
def test_refusals_name_what_the_user_typed(tmp_path: Path, args: list[str], expected: str) -> None:
    assert one_line_error(run(*args, cwd=tmp_path)).startswith(expected)


# --- item 6: JSON lines refuse what the API refuses ------------------------------------------------


def test_json_lines_refuse_bad_dates_and_names_naming_the_field(lists_db: str, tmp_path: Path) -> None:
    queries = [
        {"name": "Maria Gonzalez", "dob": "1984-02-11"},
        {"name": "Maria Gonzalez", "dob": "not-a-date"},
        {"name": "\U0001f600\U0001f600"},
        {"name": "x" * 600},
        {"name": "Juan Perez"},
    ]
    done = run(
        "screen", "--input", "-", url=lists_db, cwd=tmp_path, stdin="\n".join(json.dumps(q) for q in queries)
    )
    assert done.returncode == 1, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == 5
    assert out[0]["decision"] in ("hit", "clear") and out[4]["decision"] in ("hit", "clear")
    assert (out[1]["field"], out[2]["field"], out[3]["field"]) == ("dob", "name", "name")
    assert out[1]["error"].startswith("line 2: dob: 'not-a-date' is not a date")
    assert out[2]["error"] == (
        "line 3: name: has no letter or digit (only punctuation, symbols, emoji or invisible characters)"
    )
    assert out[3]["error"] == "line 4: name: is 600 characters long; at most 512 are allowed"


# --- item 11: compare ------------------------------------------------------------------------------


def test_compare_prints_json_with_json_and_a_table_without(tmp_path: Path) -> None:
    as_json = run("compare", "Yin Kecheng", "YIN, Kecheng", "--json", cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert (data["decision"], data["name_b"]) == ("match", "YIN, Kecheng")
    table = run("compare", "Yin Kecheng", "YIN, Kecheng", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "{" not in table.stdout and "'tokens_a'" not in table.stdout  # not a Python dict
    assert table.stdout.startswith("MATCH score 1.000")
    lines = table.stdout.splitlines()
    assert any(line.split()[:3] == ["A", "Yin", "Kecheng"] for line in lines), table.stdout
    assert any(cell in line for line in lines for cell in ("word of A",)), table.stdout
    assert sum("exact" in line for line in lines) == 2, table.stdout


# --- item 10: batch checks its input and output before the index -----------------------------------


def _batch_error(tmp_path: Path, url: str, *args: str) -> str:
    started = time.monotonic()
    line = one_line_error(run("batch", *args, url=url, cwd=tmp_path))
    assert time.monotonic() - started < 20, "refused only after building the index"
    return line


def test_batch_refuses_a_directory_without_messages(lists_db: str, tmp_path: Path) -> None:
    """A folder is read as payment messages; one holding none is refused in one line, before any output."""
    (tmp_path / "customers").mkdir()
    line = _batch_error(tmp_path, lists_db, "customers", "-o", "r.csv")
    assert line == "error: customers holds no message files"
    assert not (tmp_path / "r.csv").exists()


def test_batch_refuses_a_binary_file_in_one_line(lists_db: str, tmp_path: Path) -> None:
    (tmp_path / "dump.csv").write_bytes(bytes(range(256)) * 40)
    line = _batch_error(tmp_path, lists_db, "dump.csv", "-o", "r.csv")
    assert line == "error: dump.csv: is not a CSV or XLSX file: it holds binary data, not text"
    (tmp_path / "book.csv").write_bytes(b"PK\x03\x04" + bytes(200))
    assert _batch_error(tmp_path, lists_db, "book.csv", "-o", "r.csv").endswith("name it .xlsx")


def test_batch_checks_the_output_path_before_the_index(lists_db: str, tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_text("name\nMaria Gonzalez\n", encoding="utf-8")
    (tmp_path / "existing_file").write_text("x", encoding="utf-8")
    inside_file = _batch_error(tmp_path, lists_db, "customers.csv", "-o", "existing_file/out.csv")
    assert inside_file == "error: -o existing_file/out.csv: existing_file is a file, not a folder"
    missing = tmp_path / "nonexistent_dir"
    line = _batch_error(tmp_path, lists_db, "customers.csv", "-o", f"{missing}/out.csv")
    assert line == f"error: -o {missing}/out.csv: the folder {missing} does not exist (create it first)"
    assert not missing.exists()  # not created silently
    assert _batch_error(tmp_path, lists_db, "customers.csv", "-o", str(tmp_path)).startswith(
        f"error: -o {tmp_path}: is a directory"
    )


# --- item 5: a header field over the csv module's limit ---------------------------------------------


@pytest.mark.parametrize("length", [131_072, 131_073])
def test_batch_huge_header_field_is_one_line_not_a_traceback(
    lists_db: str, tmp_path: Path, length: int
) -> None:
    (tmp_path / "wide.csv").write_text("name," + "h" * length + "\nMaria Gonzalez,x\n", encoding="utf-8")
    line = _batch_error(tmp_path, lists_db, "wide.csv", "-o", "r.csv")
    assert line.startswith(f"error: wide.csv: line 1 (header): column 2 is {length:,} characters long ('hhh")
    assert len(line) < 250


# --- items 6 and 7 through the CLI: bad rows are row errors, long cells are cut ----------------------


def test_batch_rows_with_bad_values_are_errors_and_long_cells_are_cut(lists_db: str, tmp_path: Path) -> None:
    long_cell = "n" * 200_000
    (tmp_path / "customers.csv").write_text(
        "name,dob,notes\n"
        "Maria Gonzalez,1984-02-11,a\n"
        "Pedro Alvarez,not-a-date,b\n"
        "\u200b\u200e\u202e,,c\n"
        f"Ana Lopez,,{long_cell}\n",
        encoding="utf-8",
    )
    done = run("batch", "customers.csv", "-o", "r.csv", "--workers", "1", url=lists_db, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "4 rows" in done.stderr
    _, rows = read_results(tmp_path / "r.csv")
    assert [r["decision"] for r in rows][1:] == ["error", "error", "error"]
    assert rows[1]["error"].startswith("dob 'not-a-date' is not a date")
    assert rows[2]["error"].startswith("name has no letter or digit")
    assert rows[3]["error"] == "column 'notes' is 200,000 characters long; cut to 32,767 in the results"
    assert rows[3]["notes"] == "n" * 32_767
