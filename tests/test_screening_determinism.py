"""The same query against the same list version gives the same answer in every process.

Python salts str hashes per process (PYTHONHASHSEED), so anything that iterates a set or
frozenset of strings (a name's index keys) may run in a different order in each worker.
A float sum taken in that order differed in its last bit between processes and swapped
tied candidates ("LIMITED LIABILITY COMPANY VLADEKS" matched a different list name under
two seeds). Here two subprocesses with different hash seeds build the index over real
lists and must agree bit for bit: on the index's ranking totals and on every result.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import orjson

from tests.conftest import REPO_ROOT

_SCRIPT = r"""
import hashlib, random, sys
import orjson
from lists.model import ListCode
from lists.sources import parse_bundled
from screening.query import Query
from screening.screener import Screener

designations = [d for code in (ListCode.UN, ListCode.OFAC) for d in parse_bundled(code).designations]
screener = Screener(designations, {"un": "test", "ofac": "test"})
rng = random.Random(11)
names = ["LIMITED LIABILITY COMPANY VLADEKS", "Kecheng Yin", "Sichuan Airlines Co Ltd", "Mohammed Hassan",
         "JSC Concern Sozvezdie", "Bank Melli", "Kim Jong Un", "Ivan Petrov"]
for d in rng.sample(designations, 150):
    name = rng.choice([d.primary_name, *(a.name for a in d.aliases)])
    names.append(name)
    names.append(" ".join(reversed(name.split())).lower())
results = [
    screener.screen(Query(name=name, threshold=0.6, limit=20)).model_dump(mode="json") for name in names
]
print(orjson.dumps({
    "totals": hashlib.sha256(screener.index._totals.tobytes()).hexdigest(),
    "results": results,
}).decode())
"""


def _start(seed: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.Popen(
        [sys.executable, "-c", _SCRIPT],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _result(proc: subprocess.Popen[bytes]) -> dict:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()[-2000:]
    return orjson.loads(out)


def test_results_identical_under_different_hash_seeds() -> None:
    procs = [_start("1"), _start("2")]  # in parallel: each builds its own index
    first, second = (_result(p) for p in procs)
    assert first["totals"] == second["totals"], "index ranking totals depend on the hash seed"
    assert len(first["results"]) == len(second["results"]) > 300
    assert any(r["matches"] for r in first["results"])
    for a, b in zip(first["results"], second["results"], strict=True):
        assert a == b, f"different answers for {a['query']['name']!r} under two hash seeds"
    digest = hashlib.sha256(orjson.dumps(first["results"])).hexdigest()
    assert digest == hashlib.sha256(orjson.dumps(second["results"])).hexdigest()
