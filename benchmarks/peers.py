"""Peer anchors, measured: OpenSanctions nomenklatura's logic-v2 and OFAC-style scorers.

On demand only (not in CI): creates benchmarks/.peers-venv, installs the pinned
nomenklatura there (its dependencies must not leak into ours), scores name_pairs.csv
with benchmarks/peers_runner.py and caches metrics plus versions in results/peers.json.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

from benchmarks.evaldata import eval_dir, read_name_pairs, results_dir
from benchmarks.metrics import confusion, sweep, threshold_grid

NOMENKLATURA_VERSION = "4.17.4"
PEERS_VENV = Path(__file__).resolve().parent / ".peers-venv"
RUNNER = Path(__file__).resolve().parent / "peers_runner.py"
REFERENCE_THRESHOLD = 0.7  # the threshold the published anchors use
LABELS = {
    "logic-v2": "nomenklatura logic-v2",
    "ofac": "nomenklatura OFAC-style",
    "name-based": "nomenklatura name-based",
}


class PeersError(RuntimeError):
    pass


def _venv_python() -> Path:
    return PEERS_VENV / "bin" / "python"


def ensure_venv() -> Path:
    python = _venv_python()
    if not python.exists():
        print(f"creating {PEERS_VENV}", file=sys.stderr)
        venv.create(PEERS_VENV, with_pip=True)
    check = subprocess.run(
        [str(python), "-c", "from importlib.metadata import version; print(version('nomenklatura'))"],
        capture_output=True,
        text=True,
    )
    if check.stdout.strip() != NOMENKLATURA_VERSION:
        print(f"installing nomenklatura=={NOMENKLATURA_VERSION} into {PEERS_VENV}", file=sys.stderr)
        install = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"nomenklatura=={NOMENKLATURA_VERSION}"],
            capture_output=True,
            text=True,
        )
        if install.returncode:
            raise PeersError(
                f"pip install nomenklatura=={NOMENKLATURA_VERSION} failed:\n{install.stderr[-2000:]}"
            )
    return python


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_peers(refresh: bool = False) -> dict[str, Any]:
    pairs_csv = eval_dir() / "name_pairs.csv"
    digest = _sha256(pairs_csv)
    cache = results_dir() / "peers.json"
    if cache.exists() and not refresh:
        cached = json.loads(cache.read_text())
        if (
            cached.get("name_pairs_sha256") == digest
            and cached.get("versions", {}).get("nomenklatura") == NOMENKLATURA_VERSION
        ):
            cached["from_cache"] = True
            return cached
    python = ensure_venv()
    proc = subprocess.run([str(python), str(RUNNER), str(pairs_csv)], capture_output=True, text=True)
    if proc.returncode:
        raise PeersError(f"peers runner failed:\n{proc.stderr[-3000:]}")
    raw = json.loads(proc.stdout)
    labels = [p.is_match for p in read_name_pairs(pairs_csv)]
    algorithms: dict[str, Any] = {}
    for name, data in raw["algorithms"].items():
        if "scores" not in data:
            algorithms[name] = data
            continue
        scores = data["scores"]
        curve = sweep(scores, labels, threshold_grid())
        algorithms[name] = {
            "label": LABELS.get(name, name),
            "threshold": REFERENCE_THRESHOLD,
            "at_reference_threshold": confusion(scores, labels, REFERENCE_THRESHOLD).as_dict(),
            "best_threshold": max(curve, key=lambda row: row["f1"]),
            "curve": curve,
            "seconds": data["seconds"],
        }
    return {
        "kind": "peers",
        "name_pairs_sha256": digest,
        "versions": raw["versions"],
        "peer_python": raw["python"],
        "pairs": raw["pairs"],
        "algorithms": algorithms,
        "from_cache": False,
    }
