"""PNG plots (matplotlib, Agg backend: no display needed) next to the results JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from benchmarks.evaldata import results_dir


def pr_curve(quality: dict[str, Any], peers: dict[str, Any] | None, out: Path | None = None) -> Path:
    """Precision against recall over thresholds 0.50..0.99, ours and the peers'."""
    fig, ax = plt.subplots(figsize=(6, 5))
    curve = quality["name_pairs"]["curve"]
    ax.plot([r["recall"] for r in curve], [r["precision"] for r in curve], marker=".", label="this service")
    chosen = quality["name_pairs"]["overall"]
    ax.scatter(
        [chosen["recall"]],
        [chosen["precision"]],
        color="red",
        zorder=5,
        label=f"default threshold {quality['name_pairs']['threshold']}",
    )
    for name, algo in ((peers or {}).get("algorithms") or {}).items():
        if "curve" in algo and name in ("logic-v2", "ofac"):
            c = algo["curve"]
            ax.plot(
                [r["recall"] for r in c], [r["precision"] for r in c], linestyle="--", label=algo["label"]
            )
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title("name_pairs.csv: precision vs recall, thresholds 0.50-0.99")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, (out or results_dir()) / "pr_curve.png")


def score_distributions(quality: dict[str, Any], out: Path | None = None) -> Path:
    scores = quality["name_pairs"]["scores"]
    fig, ax = plt.subplots(figsize=(6, 4))
    bins = [i / 40 for i in range(41)]
    ax.hist(scores["match"], bins=bins, alpha=0.6, label=f"matches ({len(scores['match'])})")
    ax.hist(scores["non_match"], bins=bins, alpha=0.6, label=f"non-matches ({len(scores['non_match'])})")
    ax.axvline(quality["name_pairs"]["threshold"], color="red", linestyle=":", label="default threshold")
    ax.set_xlabel("compare() score")
    ax.set_ylabel("pairs")
    ax.set_title("name_pairs.csv score distributions")
    ax.legend(fontsize=8)
    return _save(fig, (out or results_dir()) / "score_distributions.png")


def latency_histogram(speed: dict[str, Any], out: Path | None = None) -> Path:
    latencies = speed["latencies_ms"]
    fig, ax = plt.subplots(figsize=(6, 4))
    cap = max(speed["latency_ms"]["p99"] * 1.5, 0.01)
    ax.hist([min(v, cap) for v in latencies], bins=60)
    for pct, colour in (("p50", "green"), ("p95", "orange"), ("p99", "red")):
        ax.axvline(
            speed["latency_ms"][pct],
            color=colour,
            linestyle=":",
            label=f"{pct} {speed['latency_ms'][pct]:.3f} ms",
        )
    ax.set_xlabel(f"Screener.screen latency, ms (values above {cap:.2f} ms shown at the cap)")
    ax.set_ylabel("queries")
    ax.set_title("in-process latency, one core, all bundled lists")
    ax.legend(fontsize=8)
    return _save(fig, (out or results_dir()) / "latency_histogram.png")


def _save(fig: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
