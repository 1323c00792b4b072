"""BatchRunner: rows in equals rows out, in order, across worker processes; workers tuned for long runs."""

from __future__ import annotations

import gc
import subprocess
import sys
import time

import pytest

from service.batch.io import InputRow
from service.batch.runner import PARENT_CHECK_SECONDS, WORKER_GC_THRESHOLDS, BatchRunner
from tests.test_batch_support import SMALL_VERSIONS, small_designations

NAMES = ["Yin Kecheng", "Maria Gonzalez", "", "Zhou Enlai Trading Co", "Peter Smith", "  ", "kecheng yin"]


def _rows(count: int) -> list[InputRow]:
    rows = []
    for n in range(1, count + 1):
        name = NAMES[n % len(NAMES)]
        fields = {"name": name.strip(), "id": f"C{n}"}
        error = None if name.strip() else "empty name"
        if n % 11 == 0:
            error = "expected 2 columns, found 3"  # a reader error: never screened
        rows.append(InputRow(n, n + 1, [f"C{n}", name], fields, error))
    return rows


@pytest.mark.parametrize("workers", [1, 2])
def test_rows_out_in_order_with_errors_kept(workers: int) -> None:
    rows = _rows(60)
    with BatchRunner(small_designations(), SMALL_VERSIONS, workers=workers, chunk_rows=4) as runner:
        out = list(runner.run(iter(rows)))
    assert [row.row_number for row, _ in out] == list(range(1, 61))
    assert [outcome.row_number for _, outcome in out] == list(range(1, 61))
    for row, outcome in out:
        if row.error:
            assert outcome.decision == "error" and outcome.error == row.error and outcome.audit is None
            continue
        assert outcome.audit is not None and outcome.error is None
        expected = (
            "hit"
            if row.fields["name"] in ("Yin Kecheng", "kecheng yin", "Zhou Enlai Trading Co")
            else "clear"
        )
        assert outcome.decision == expected, row.fields["name"]
    ids = [outcome.audit.screening_id for _, outcome in out if outcome.audit is not None]
    assert len(set(ids)) == len(ids)  # one audit id per decision, from both workers


@pytest.mark.parametrize("start_method", ["fork", "forkserver"])
def test_pool_workers_collect_garbage_less_often(start_method: str) -> None:
    parent_thresholds = gc.get_threshold()
    runner = BatchRunner(small_designations(), SMALL_VERSIONS, workers=2, start_method=start_method)
    with runner:
        assert runner._executor is not None
        assert runner._executor.submit(gc.get_threshold).result() == WORKER_GC_THRESHOLDS
        assert runner._executor.submit(gc.get_freeze_count).result() > 0  # the index is out of collection
    assert gc.get_threshold() == parent_thresholds  # this process is left as it was


def test_workers_end_when_their_parent_is_killed() -> None:
    """A batch killed outright must not leave workers behind, each holding an index."""
    script = (
        "import os, sys\n"
        "from service.batch.runner import BatchRunner\n"
        "from tests.test_batch_support import SMALL_VERSIONS, small_designations\n"
        "runner = BatchRunner(small_designations(), SMALL_VERSIONS, workers=2)\n"
        "runner.start()\n"
        "pids = {runner._executor.submit(os.getpid).result() for _ in range(20)}\n"
        "print(' '.join(map(str, sorted(pids))), flush=True)\n"
        "sys.stdin.read()\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert workers and all(_alive(pid) for pid in workers)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10 * PARENT_CHECK_SECONDS
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for a parent that is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
