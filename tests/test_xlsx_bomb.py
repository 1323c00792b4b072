"""XLSX CPU bomb: a small workbook whose <dimension> claims 16,384 columns and 1,048,576 rows is
read at the cost of its real cells; orphaned upload folders are removed when the runner starts.

The time bounds are generous on purpose (a regression guard against a DoS, not a speed
target): before the fix the 30,000-row file below took about 10 s to count at upload and
about a minute to read, every row padded to 16,384 cells.
"""

from __future__ import annotations

import io
import os
import re
import time
import uuid
import zipfile
from pathlib import Path

import openpyxl

from lists.store import Store
from service.batch.io import count_rows, open_input
from service.batch.jobs import BatchJobs, JobOptions
from tests.api_server import ApiServer, create_key, load_bundled

ROWS = 30_000
LIE = '<dimension ref="A1:XFD1048576"/>'


def lying_xlsx(path: Path, rows: int, far_cells: tuple[int, ...] = ()) -> Path:
    """A workbook of `rows` customers whose sheet claims the largest size Excel allows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["customer_id", "name"])
    for i in range(rows):
        sheet.append([f"c{i}", f"Northwind Trading {i} Limited"])
    for row in far_cells:  # a real cell in the last column Excel has (XFD)
        sheet.cell(row=row, column=16384, value="stray")
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as lying:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, replaced = re.subn(rb'<dimension ref="[^"]*"\s*/>', LIE.encode(), data)
                assert replaced == 1
            lying.writestr(item, data)
    return path


def test_a_lying_dimension_costs_only_the_real_cells(tmp_path: Path) -> None:
    path = lying_xlsx(tmp_path / "bomb.xlsx", ROWS)
    assert path.stat().st_size < 1_000_000  # small: the claim, not the content, is huge
    with zipfile.ZipFile(path) as archive:
        assert LIE.encode() in archive.read("xl/worksheets/sheet1.xml")
    started = time.monotonic()
    assert count_rows(open_input(path)) == ROWS
    source = open_input(path)
    rows = list(source.rows())
    seconds = time.monotonic() - started
    assert seconds < 20, f"reading took {seconds:.1f} s"
    assert source.header == ["customer_id", "name"]
    assert len(rows) == ROWS and rows[-1].fields["name"] == f"Northwind Trading {ROWS - 1} Limited"
    assert all(r.error is None and len(r.cells) == 2 for r in rows)


def test_a_real_cell_far_right_is_that_rows_error_not_a_slowdown(tmp_path: Path) -> None:
    path = lying_xlsx(tmp_path / "stray.xlsx", 2_000, far_cells=(5, 1500))
    started = time.monotonic()
    rows = list(open_input(path).rows())
    assert time.monotonic() - started < 20
    assert len(rows) == 2_000
    wrong = [r for r in rows if r.error]
    assert [r.line for r in wrong] == [5, 1500]  # sheet rows, as the customer sees them
    assert all("expected 2 columns, found 16384" in r.error and "stray" in r.error for r in wrong)
    assert all(len(r.cells) == 2 for r in rows)


def test_count_rows_stops_past_the_limit(tmp_path: Path) -> None:
    path = lying_xlsx(tmp_path / "many.xlsx", 500)
    assert count_rows(open_input(path), limit=100) == 101  # refused as over the limit, not counted to the end
    csv = tmp_path / "many.csv"
    csv.write_text("name\n" + "".join(f"N{i}\n" for i in range(500)), encoding="utf-8")
    assert count_rows(open_input(csv), limit=100) == 101
    assert count_rows(open_input(csv)) == 500


def test_the_lying_file_through_the_api_is_answered_and_screened_in_seconds(
    sqlite_url: str, tmp_path: Path
) -> None:
    load_bundled(sqlite_url, ["internal"])
    _, token = create_key(sqlite_url, "screen")
    path = lying_xlsx(tmp_path / "bomb.xlsx", ROWS)
    with (
        ApiServer(
            sqlite_url, tmp_path, env={"SANCTIONS_BATCH_WORKERS": "1", "SANCTIONS_REQUIRED_LISTS": "internal"}
        ) as server,
        server.client(token) as client,
    ):
        server.wait_ready(timeout=120)
        started = time.monotonic()
        upload = client.post("/v1/batches", files={"file": ("bomb.xlsx", path.read_bytes())})
        upload_seconds = time.monotonic() - started
        assert upload.status_code == 202, upload.text
        assert upload.json()["rows_total"] == ROWS
        assert upload_seconds < 20, f"upload took {upload_seconds:.1f} s"
        job_id = upload.json()["job_id"]
        deadline = time.monotonic() + 120
        while (job := client.get(f"/v1/batches/{job_id}").json())["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.3)
        total_seconds = time.monotonic() - started
    assert job["state"] == "done" and job["rows_done"] == ROWS and job["errors"] == 0, job
    print(f"lying XLSX of {ROWS} rows: upload {upload_seconds:.1f} s, upload to done {total_seconds:.1f} s")
    assert total_seconds < 60


def test_orphaned_upload_folders_are_removed_when_the_runner_starts(db_url: str, tmp_path: Path) -> None:
    store = Store(db_url)
    jobs = BatchJobs(store.engine, tmp_path)
    try:
        job_id, folder = jobs.new_job_dir()
        (folder / "input.csv").write_text("name\nJane Roe\n", encoding="utf-8")
        jobs.create(job_id, "c.csv", folder / "input.csv", JobOptions({}), 1, None)
        jobs.cancel(job_id)  # a finished job: its folder is kept, and the runner has nothing to run
        orphan = jobs.jobs_dir / str(uuid.uuid4())  # an upload whose job row was never written
        orphan.mkdir()
        (orphan / "input.xlsx").write_bytes(b"customer data")
        fresh = jobs.jobs_dir / str(uuid.uuid4())  # an upload still being received
        fresh.mkdir()
        (fresh / "input.csv").write_bytes(b"name\n")
        other = jobs.jobs_dir / "not-a-job"
        other.mkdir()
        hour_ago = time.time() - 3600
        for path in (orphan / "input.xlsx", orphan, folder / "input.csv", folder, other):
            os.utime(path, (hour_ago, hour_ago))

        jobs.start()
        jobs.stop()
        assert not orphan.exists()
        assert folder.is_dir() and (folder / "input.csv").is_file()  # a job's folder stays, however old
        assert fresh.is_dir() and other.is_dir()
    finally:
        jobs.stop()
        store.close()
