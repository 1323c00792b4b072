"""Batch results appear at the requested path only after every decision in them is audited.

A results file is what compliance staff act on, so it must never exist
without its audit trail: the CLI (`sanctions batch`) and the HTTP jobs write
under temporary names and rename once the last audit row is committed. The
failing commit here is real: a trigger in the real database refuses the last
row's audit record (on PostgreSQL a deferred one, so the COMMIT itself fails).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from lists.model import ListCode
from lists.parsed import ParsedList, SourceFile
from lists.store import Store
from service.batch.jobs import BatchJobs, JobOptions
from service.batch.output import ResultsWriter, matches_path
from service.batch.runner import RowOutcome
from service.db_models import screenings
from tests.test_batch_support import read_results, small_designations

ROWS = 40  # the last row (a hit) is the one whose audit record the database refuses
REFUSAL = "audit store refused the row (test)"


def customer_csv(path: Path, rows: int = ROWS) -> Path:
    """Row 1 and the last row hit the small lists, row 2 has no name (an error row), the rest are clear."""
    lines = ["customer_id,name,country"]
    for n in range(1, rows + 1):
        name = f"Maria Gonzalez {n}"
        if n == 1:
            name = "Yin Kecheng"
        elif n == 2:
            name = ""
        elif n == rows:
            name = "Zhou Enlai Trading Co"
        lines.append(f"C{n:06d},{name},CN")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load_small_lists(url: str) -> None:
    """The two small designations as active OFAC and UN versions (a real but quick index)."""
    store = Store(url)
    try:
        for code in (ListCode.OFAC, ListCode.UN):
            designations = [d for d in small_designations() if d.list is code]
            source = SourceFile(path=f"/test/{code.value}.csv", sha256="0" * 64, size=1)
            store.load(ParsedList(code, designations, [source], publish_date="2025-01-01"))
    finally:
        store.close()


def refuse_audit_of_row(url: str, position: int) -> None:
    """Make the database refuse the audit record of one row, as a full disk or a lost server would."""
    store = Store(url)
    try:
        with store.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.execute(
                    text(
                        "CREATE TRIGGER refuse_audit BEFORE INSERT ON screenings "
                        f"WHEN NEW.position = {position} BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
                    )
                )
                return
            conn.execute(
                text(
                    "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS "
                    f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$"
                )
            )
            conn.execute(  # checked at COMMIT: the insert goes through, the commit fails
                text(
                    "CREATE CONSTRAINT TRIGGER refuse_audit AFTER INSERT ON screenings "
                    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                    f"WHEN (NEW.position = {position}) EXECUTE FUNCTION refuse_audit()"
                )
            )
    finally:
        store.close()


def audited_positions(url: str, endpoint: str) -> set[int]:
    store = Store(url)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(select(screenings.c.position).where(screenings.c.endpoint == endpoint))
            return {position for (position,) in rows}
    finally:
        store.close()


def leftovers(folder: Path) -> list[str]:
    """Temporary files a run left in the results folder."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


def partial_bytes(folder: Path) -> int:
    """Bytes written so far to temporary results files (one may vanish while we look)."""
    total = 0
    for name in leftovers(folder):
        with suppress(FileNotFoundError):
            total += (folder / name).stat().st_size
    return total


def read_any(path: Path) -> list[list[str]]:
    """All rows of a results file, header first, CSV or XLSX, as text."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        try:
            return [
                ["" if v is None else str(v) for v in row]
                for row in book.worksheets[0].iter_rows(values_only=True)
            ]
        finally:
            book.close()
    header, rows = read_results(path)
    return [header, *([row[h] for h in header] for row in rows)]


@pytest.fixture
def lists_url(db_url: str) -> str:
    load_small_lists(db_url)
    return db_url


# --- the writer ----------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_writer_shows_nothing_until_published(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"r{suffix}"
    with ResultsWriter(path, ["name"]) as writer:
        writer.write(["Yin Kecheng"], RowOutcome(1, "clear"), "1", "Yin Kecheng")
        writer.close()
        assert not path.exists() and not matches_path(path).exists()
        assert len(leftovers(tmp_path)) == 2  # results and matches, under temporary names
        writer.publish()
    assert leftovers(tmp_path) == []
    assert [row[:2] for row in read_any(path)] == [["name", "decision"], ["Yin Kecheng", "clear"]]
    assert read_any(matches_path(path))[0][0] == "row_number"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_writer_left_unpublished_keeps_the_earlier_files(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"r{suffix}"
    path.write_bytes(b"earlier results")
    matches_path(path).write_bytes(b"earlier matches")
    with pytest.raises(RuntimeError, match="audit commit failed"), ResultsWriter(path, ["name"]) as writer:
        writer.write(["Yin Kecheng"], RowOutcome(1, "clear"), "1", "Yin Kecheng")
        raise RuntimeError("audit commit failed")
    with ResultsWriter(path, ["name"]) as writer:
        writer.write(["Yin Kecheng"], RowOutcome(1, "clear"), "1", "Yin Kecheng")  # no publish()
    assert path.read_bytes() == b"earlier results"
    assert matches_path(path).read_bytes() == b"earlier matches"
    assert leftovers(tmp_path) == []


# --- the command line ----------------------------------------------------------


def _default_sigint() -> None:
    """In the child: Ctrl-C as a terminal delivers it, whoever started the tests.

    A shell without job control starts background commands with SIGINT ignored; the
    child inherits that, and Python then installs no KeyboardInterrupt handler at all.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def batch_command(
    url: str, source: Path, results: Path, data_dir: Path, *, ctrl_c: bool = False
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SANCTIONS_DATA_DIR": str(data_dir),
        "COLUMNS": "120",
        "SANCTIONS_REQUIRED_LISTS": "ofac,un",  # the two small lists load_small_lists activates
    }
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "batch", str(source), "-o", str(results), "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_default_sigint if ctrl_c else None,
    )


def run_batch(url: str, source: Path, results: Path, data_dir: Path) -> tuple[int, str]:
    process = batch_command(url, source, results, data_dir)
    _, stderr = process.communicate(timeout=300)
    return process.returncode, stderr


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_cli_failed_last_audit_commit_leaves_no_results(lists_url: str, tmp_path: Path, suffix: str) -> None:
    source = customer_csv(tmp_path / "customers.csv")
    out = tmp_path / "out"
    out.mkdir()
    results = out / f"results{suffix}"
    refuse_audit_of_row(lists_url, ROWS)

    code, stderr = run_batch(lists_url, source, results, tmp_path)

    assert code != 0
    assert REFUSAL in stderr
    assert not results.exists() and not matches_path(results).exists()
    assert leftovers(out) == []
    assert ROWS not in audited_positions(lists_url, "batch-cli")


def test_cli_failed_run_keeps_the_earlier_results(sqlite_url: str, tmp_path: Path) -> None:
    load_small_lists(sqlite_url)
    source = customer_csv(tmp_path / "customers.csv")
    results = tmp_path / "results.csv"
    results.write_text("earlier results\n", encoding="utf-8")
    matches_path(results).write_text("earlier matches\n", encoding="utf-8")
    refuse_audit_of_row(sqlite_url, ROWS)

    code, stderr = run_batch(sqlite_url, source, results, tmp_path)

    assert code != 0 and REFUSAL in stderr
    assert results.read_text(encoding="utf-8") == "earlier results\n"
    assert matches_path(results).read_text(encoding="utf-8") == "earlier matches\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_cli_success_publishes_every_row(lists_url: str, tmp_path: Path, suffix: str) -> None:
    source = customer_csv(tmp_path / "customers.csv")
    results = tmp_path / f"results{suffix}"
    results.write_bytes(b"earlier results")  # replaced by a run that succeeds

    code, stderr = run_batch(lists_url, source, results, tmp_path)

    assert code == 0, stderr
    rows = read_any(results)
    assert rows[0][:4] == ["customer_id", "name", "country", "decision"]
    assert [r[0] for r in rows[1:]] == [f"C{n:06d}" for n in range(1, ROWS + 1)]
    decisions = [r[3] for r in rows[1:]]
    assert decisions[0] == decisions[-1] == "hit" and decisions[1] == "error"
    assert decisions[2:-1] == ["clear"] * (ROWS - 3)
    matches = read_any(matches_path(results))
    assert {r[0] for r in matches[1:]} == {"1", str(ROWS)}
    assert leftovers(tmp_path) == []
    assert audited_positions(lists_url, "batch-cli") == set(range(1, ROWS + 1)) - {2}


def test_cli_interrupted_run_leaves_no_results(sqlite_url: str, tmp_path: Path) -> None:
    """Ctrl-C in the middle of a long run: no results file, and no temporary ones."""
    load_small_lists(sqlite_url)
    source = customer_csv(tmp_path / "customers.csv", rows=400_000)
    out = tmp_path / "out"
    out.mkdir()
    results = out / "results.csv"

    process = batch_command(sqlite_url, source, results, tmp_path, ctrl_c=True)
    try:
        deadline = time.monotonic() + 120
        while not partial_bytes(out):  # rows are on disk under the temporary names
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode != 0, stderr
    assert not results.exists() and not matches_path(results).exists()
    assert leftovers(out) == []


# --- the HTTP jobs -------------------------------------------------------------


@pytest.fixture
def jobs(lists_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BatchJobs]:
    monkeypatch.setenv(
        "SANCTIONS_REQUIRED_LISTS", "ofac,un"
    )  # the two small lists load_small_lists activates
    """The job runner of a server process (in-process screening), on the real database."""
    store = Store(lists_url)
    runner = BatchJobs(store.engine, tmp_path / "data", workers=1, poll_seconds=0.1)
    try:
        yield runner
    finally:
        runner.stop()
        store.close()


def run_job(jobs: BatchJobs, tmp_path: Path) -> tuple[dict, Path]:
    job_id, folder = jobs.new_job_dir()
    source = customer_csv(folder / "input.csv")
    jobs.create(job_id, "customers.csv", source, JobOptions({}), ROWS, None)
    jobs.start()
    deadline = time.monotonic() + 300
    while (job := jobs.get(job_id))["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    return job, folder


def test_http_job_failed_last_audit_commit_leaves_no_results(
    jobs: BatchJobs, lists_url: str, tmp_path: Path
) -> None:
    refuse_audit_of_row(lists_url, ROWS)

    job, folder = run_job(jobs, tmp_path)

    assert job["state"] == "failed" and REFUSAL in job["error"]
    assert jobs.results_file(job["job_id"]) is None
    assert sorted(p.name for p in folder.iterdir()) == ["input.csv"]  # no results, no temporary files
    assert ROWS not in audited_positions(lists_url, "batch")


def test_http_job_publishes_every_row(jobs: BatchJobs, lists_url: str, tmp_path: Path) -> None:
    job, folder = run_job(jobs, tmp_path)

    assert job["state"] == "done", job
    results = jobs.results_file(job["job_id"])
    matches = jobs.results_file(job["job_id"], matches=True)
    assert results is not None and matches is not None
    _, rows = read_results(results)
    assert [r["customer_id"] for r in rows] == [f"C{n:06d}" for n in range(1, ROWS + 1)]
    assert [r["decision"] for r in rows].count("hit") == 2
    assert {m["row_number"] for m in read_results(matches)[1]} == {"1", str(ROWS)}
    assert leftovers(folder) == []
    store = Store(lists_url)
    try:
        with store.engine.connect() as conn:
            audited = conn.execute(
                select(func.count()).select_from(screenings).where(screenings.c.bulk_id == job["job_id"])
            ).scalar()
    finally:
        store.close()
    assert audited == ROWS - 1  # every row but the one without a name
