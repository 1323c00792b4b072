"""`sanctions batch --dask local`: the same results as the local process pool, from a real Dask LocalCluster."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_batch_cli import run_batch
from tests.test_batch_support import CustomerFile, lists_db_copy, write_customer_file


@pytest.fixture(scope="module")
def lists_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return lists_db_copy(tmp_path_factory.mktemp("dask-db") / "lists.db")


@pytest.fixture(scope="module")
def customer_file(tmp_path_factory: pytest.TempPathFactory) -> CustomerFile:
    return write_customer_file(tmp_path_factory.mktemp("dask-in") / "customers.csv", rows=600)


def test_dask_local_writes_the_same_results_as_local_workers(
    lists_db: str, customer_file: CustomerFile, tmp_path: Path
) -> None:
    local = tmp_path / "local.csv"
    on_dask = tmp_path / "dask.csv"
    done = run_batch(lists_db, str(customer_file.path), "-o", str(local), "--workers", "2", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    done = run_batch(
        lists_db,
        str(customer_file.path),
        "-o",
        str(on_dask),
        "--dask",
        "local",
        "--workers",
        "2",
        data_dir=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert f"{customer_file.rows} rows" in done.stderr

    assert on_dask.read_bytes() == local.read_bytes()
    local_matches = local.with_name(local.stem + "_matches.csv")
    dask_matches = on_dask.with_name(on_dask.stem + "_matches.csv")
    assert dask_matches.read_bytes() == local_matches.read_bytes()
    assert sum(1 for _ in dask_matches.open()) > len(
        customer_file.planted
    )  # hits were written, not only a header


def test_dask_refuses_to_screen_without_active_lists(tmp_path: Path, customer_file: CustomerFile) -> None:
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    done = run_batch(
        empty, str(customer_file.path), "-o", str(tmp_path / "r.csv"), "--dask", "local", data_dir=tmp_path
    )
    assert done.returncode != 0
    assert "no active sanctions list" in done.stderr
    assert not (tmp_path / "r.csv").exists()
