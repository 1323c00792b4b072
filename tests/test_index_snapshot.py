"""Index snapshots (issue #25): built once, mapped by every process, answering as an index built in process.

Real SQLite and PostgreSQL stores holding the bundled lists, a real second Python process and a
real API server; the snapshot files are real files, corrupted and cut for real.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lists.store import Store
from screening.index_parts import screener_from_parts, screener_parts
from screening.query import Query
from screening.screener import Screener
from service.snapshot.build import SnapshotStale, ensure_snapshot, load_screener, open_screener, write_for
from service.snapshot.format import SnapshotCorrupt, open_snapshot
from service.snapshot.locate import ENV_SNAPSHOT_DIR, snapshot_path
from tests.api_server import REPO_ROOT, ApiServer, database, load_bundled, loaded_template

SICHUAN = "Sichuan Juxinhe Network Technology Co Ltd"
QUERIES: list[dict[str, object]] = [
    {"name": SICHUAN},
    {"name": "Vladimir Putin", "type": "person"},
    {"name": "AHMAD MAHAMOOD HASSAN"},
    {"name": "MOP"},
    {"name": "Kim Jong Un", "dob": "1984"},
    {"name": "金正恩"},
    {"name": "JOINT STOCK COMPANY RESEARCH AND DE"},
    {"name": "Banco Nacional de Cuba", "country": "CU"},
    {"name": "RAD D.O.O."},
    {"name": "Islamic Revolutionary Guard Corps", "lists": ["ofac"]},
    {"name": "Ali Hassan", "type": "person", "dob": "1970", "nationality": "IR"},
    {"name": "Juxinhe", "identifiers": [{"type": "imo", "value": "9187629"}]},
    {"name": SICHUAN, "algorithm": "ofac-sls"},
    {"name": "Mahan Air", "algorithm": "ofac-sls", "type": "entity"},
]

# The second process: opens the store's snapshot as a server worker does, prints what it answers.
_SECOND_PROCESS = """
import json, sys
from lists.store import Store
from screening.query import Query
from service.snapshot.build import load_screener
store = Store(sys.argv[1])
loaded = load_screener(store)
queries = json.loads(sys.stdin.read())
print(json.dumps({
    "source": loaded.source,
    "seconds": loaded.seconds,
    "results": [loaded.screener.screen(Query(**q)).model_dump(mode="json") for q in queries],
}))
"""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def bundled_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    monkeypatch.setenv(ENV_SNAPSHOT_DIR, str(tmp_path / "snapshots"))
    with database(request.param, tmp_path, template=loaded_template()) as url:
        yield url


def _results(screener: Screener) -> list[dict[str, object]]:
    return [screener.screen(Query(**q)).model_dump(mode="json") for q in QUERIES]  # type: ignore[arg-type]


def test_a_second_process_from_the_snapshot_answers_as_the_index_built_in_process(
    bundled_url: str, tmp_path: Path
) -> None:
    store = Store(bundled_url)
    try:
        versions, designations = store.active_snapshot()
        built = Screener(designations, {code: info.label for code, info in versions.items()})
        del designations
        expected = _results(built)
        path = write_for(bundled_url, built, versions)  # as `sanctions lists load` does after activating
        assert path == snapshot_path(bundled_url, versions) and path.parent == tmp_path / "snapshots"
    finally:
        store.close()
    sichuan = expected[0]["matches"]
    assert [m["entity_id"] for m in sichuan][:1] == ["ofac:52749"]  # type: ignore[index]

    second = subprocess.run(
        [sys.executable, "-c", _SECOND_PROCESS, bundled_url],
        input=json.dumps(QUERIES),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        check=True,
    )
    answer = json.loads(second.stdout)
    assert answer["source"] == "snapshot"
    assert answer["results"] == expected

    # A server worker reports where its index came from, and answers the same.
    (tmp_path / "server").mkdir()
    with ApiServer(bundled_url, tmp_path / "server", {"SANCTIONS_AUTH": "off"}) as server:
        ready = server.wait_ready()
        assert ready["index"]["source"] == "snapshot"
        assert ready["lists"] == expected[0]["list_versions"]
        with server.client() as client:
            response = client.post("/v1/screen", json={"name": SICHUAN})
        assert response.status_code == 200, response.text
        served = response.json()["matches"]
        # The API adds review marks (content hash, accept entry) to each match: the engine's fields agree.
        assert len(served) == len(sichuan)  # type: ignore[arg-type]
        assert [{key: m[key] for key in e} for m, e in zip(served, sichuan, strict=True)] == sichuan  # type: ignore[call-overload]


@pytest.fixture()
def small_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A SQLite store holding the internal watchlist only (a small index: quick to build)."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    load_bundled(url, ["internal"])
    monkeypatch.delenv(ENV_SNAPSHOT_DIR, raising=False)
    store = Store(url)
    try:
        yield store
    finally:
        store.close()


def test_the_first_process_builds_and_writes_it_the_next_maps_it(small_store: Store, tmp_path: Path) -> None:
    first = load_screener(small_store)
    assert first.source == "built" and first.path is not None
    assert first.path.parent == tmp_path / "index-snapshots"  # beside the SQLite database
    second = load_screener(small_store)
    assert second.source == "snapshot" and second.path == first.path
    assert second.versions == first.versions
    names = [d.primary_name for d in small_store.active_snapshot()[1][:25]]
    for name in names:
        query = Query(name=name)
        assert second.screener.screen(query).model_dump() == first.screener.screen(query).model_dump()


def test_a_corrupt_or_cut_snapshot_is_refused_and_rebuilt(small_store: Store) -> None:
    path = ensure_snapshot(small_store)
    assert path is not None
    sound = path.read_bytes()
    flipped = bytearray(sound)
    flipped[-10] ^= 0xFF
    path.write_bytes(bytes(flipped))
    with pytest.raises(SnapshotCorrupt, match="checksum"):
        open_snapshot(path)
    assert load_screener(small_store).source == "built"
    assert path.read_bytes() != bytes(flipped)
    open_snapshot(path)  # sound again

    path.write_bytes(sound[: len(sound) // 2])
    with pytest.raises(SnapshotCorrupt):
        open_snapshot(path)
    assert ensure_snapshot(small_store) == path
    assert load_screener(small_store).source == "snapshot"

    path.write_bytes(b"not a snapshot")
    with pytest.raises(SnapshotCorrupt, match="not an index snapshot"):
        open_snapshot(path)


def test_a_snapshot_of_other_versions_is_never_served(small_store: Store) -> None:
    path = ensure_snapshot(small_store)
    assert path is not None
    versions = small_store.active_versions()
    other = {code: info.model_copy(update={"id": info.id + 1}) for code, info in versions.items()}
    with pytest.raises(SnapshotStale):
        open_screener(path, other)
    # Another version set never even finds this file: its name is their digest.
    assert snapshot_path(small_store.url, other) != path
    # A file of other versions put where these versions' snapshot belongs is refused and rebuilt.
    stale_target = snapshot_path(small_store.url, other)
    stale_target.write_bytes(path.read_bytes())
    with pytest.raises(SnapshotStale):
        open_screener(stale_target, other)


def test_a_screener_over_parts_has_what_a_built_one_has(small_store: Store) -> None:
    versions, designations = small_store.active_snapshot()
    built = Screener(designations, {code: info.label for code, info in versions.items()})
    mapped = screener_from_parts(screener_parts(built), built.list_versions)
    # A new Screener (or NameIndex) attribute must be given to snapshots too (screening/index_parts.py).
    assert sorted(vars(mapped)) == sorted(vars(built))
    # ... except the part a mapped index reads its name outlines from.
    assert sorted(vars(mapped.index)) == sorted([*vars(built.index), "outline_part"])
    assert mapped.index.outlines() == built.index.outlines()
    assert mapped.stats.designations == built.stats.designations and mapped.stats.names == built.stats.names
    for position in range(len(built.index.designations)):
        assert mapped.index.designations[position] == built.index.designations[position]
    for name_id in range(len(built.index.names)):
        assert mapped.index.names[name_id].text == built.index.names[name_id].text
        decoded, original = mapped.index.names[name_id].analyzed, built.index.names[name_id].analyzed
        # A decoded name leaves its index keys to the postings: everything else is the built name's.
        assert decoded.index_keys == frozenset()
        assert dataclasses.replace(decoded, index_keys=original.index_keys) == original


def test_pruning_keeps_other_stores_snapshots_in_a_shared_folder(tmp_path: Path) -> None:
    """Several databases may share one snapshot folder: a store prunes only its own (newest KEEP kept)."""
    import numpy as np

    from screening.index_parts import PARTS_LAYOUT
    from service.snapshot.build import KEEP, prune
    from service.snapshot.format import write_snapshot

    def snapshot(name: str, age: int, **header: object) -> Path:
        path = tmp_path / f"index-{name}.snap"
        write_snapshot(path, {"part": np.arange(4)}, {"format": 1, **header})
        os.utime(path, (1_000_000 - age, 1_000_000 - age))
        return path

    mine = [snapshot(f"a{age}", age, store="A", layout=PARTS_LAYOUT) for age in range(6)]
    theirs = [snapshot(f"b{age}", 10 + age, store="B", layout=PARTS_LAYOUT) for age in range(4)]
    older_engine = snapshot("old", 50, layout=PARTS_LAYOUT - 1)  # names no store, cannot be served
    unnamed_current = snapshot("unnamed", 60, layout=PARTS_LAYOUT)  # names no store: whose? left
    (tmp_path / "index-broken.snap").write_bytes(b"not a snapshot")

    prune(tmp_path, keep=mine[0], store="A")

    left = {path.name for path in tmp_path.glob("index-*.snap")}
    assert {path.name for path in mine[:KEEP]} <= left  # the newest KEEP of mine
    assert not {path.name for path in mine[KEEP:]} & left
    assert {path.name for path in theirs} <= left and unnamed_current.name in left
    assert older_engine.name not in left and "index-broken.snap" in left


def test_the_payment_word_tables_of_a_mapped_index_are_those_of_a_built_one(small_store: Store) -> None:
    """The free-text scanner reads name outlines, stored in the snapshot, not every decoded name."""
    from service.payments.freetext import TextScanner

    versions, designations = small_store.active_snapshot()
    built = Screener(designations, {code: info.label for code, info in versions.items()})
    mapped = screener_from_parts(screener_parts(built), built.list_versions)
    from_built, from_mapped = TextScanner(built), TextScanner(mapped)
    assert from_built.pairs and from_built.name_words and from_built.single_names
    assert (from_mapped.pairs, from_mapped.name_words, from_mapped.single_names) == (
        from_built.pairs,
        from_built.name_words,
        from_built.single_names,
    )
    assert not mapped.index.names._cache  # type: ignore[attr-defined]  # no name was decoded for them


def test_a_new_index_prepares_the_payment_word_tables_before_any_request(small_store: Store) -> None:
    """The index holder hands each new index to its swap hooks in the background (the server
    builds the payment screener's word tables there, not in the first payment's request)."""
    import threading

    from service.index_holder import IndexHolder
    from service.payments.screen import PaymentPolicy, PaymentScreener

    holder = IndexHolder(small_store, refresh_seconds=0)
    payments = PaymentScreener(PaymentPolicy.from_env())
    done = threading.Event()
    holder.on_swap.extend([payments.scanner, lambda screener: done.set()])
    serving = holder.rebuild()
    assert serving is not None
    assert done.wait(60), "the swap hooks did not run"
    from service.payments import freetext

    assert freetext._latest is not None and freetext._latest[0] is serving.screener


@pytest.mark.parametrize("start_method", ["forkserver", "fork"])
def test_batch_workers_map_the_snapshot_and_answer_as_built_ones(
    small_store: Store, start_method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.batch.io import InputRow
    from service.batch.runner import BatchRunner, load_active_index, load_active_lists
    from service.snapshot.ref import SnapshotRef

    monkeypatch.setenv("SANCTIONS_REQUIRED_LISTS", "internal")  # only the internal list is loaded
    source, labels = load_active_index(small_store.url)
    assert isinstance(source, SnapshotRef) and Path(source.path).exists()
    designations, built_labels = load_active_lists(small_store.url)
    assert labels == built_labels
    names = [d.primary_name for d in designations[:30]] + ["Maria Gonzalez", "kecheng yin"]
    rows = [InputRow(n, n + 1, [name], {"name": name}, None) for n, name in enumerate(names, 1)]

    def outcomes(runner: BatchRunner) -> list[tuple[str, list[dict[str, object]]]]:
        with runner:
            return [(o.decision, o.matches) for _, o in runner.run(iter(rows))]

    mapped = outcomes(BatchRunner(source, labels, workers=2, start_method=start_method, chunk_rows=4))
    built = outcomes(BatchRunner(designations, labels, workers=1))
    assert mapped == built and any(decision == "hit" for decision, _ in mapped)
    # A worker handed a snapshot of other versions refuses it (its answers would not match the audit).
    wrong = {code: label + "x" for code, label in labels.items()}
    with pytest.raises(Exception, match="snapshot of"):
        outcomes(BatchRunner(SnapshotRef(source.path, labels), wrong, workers=1))
