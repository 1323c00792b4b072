"""Writes results JSON and rewrites the tables in BENCHMARKS.md between marker comments.

Each table sits between `<!-- BEGIN:<name> -->` and `<!-- END:<name> -->`; everything
outside the markers is hand-written prose and is never touched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from benchmarks.evaldata import REPO_ROOT, results_dir

BENCHMARKS_MD = REPO_ROOT / "BENCHMARKS.md"
PACKAGES = (
    "rapidfuzz",
    "jellyfish",
    "pypinyin",
    "PyICU",
    "rigour",
    "anyascii",
    "pydantic",
    "Faker",
    "matplotlib",
)


def _proc_value(path: str, key: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def machine() -> dict[str, Any]:
    """CPU model, cores and RAM from /proc, so numbers are read against their machine."""
    mem_kb = _proc_value("/proc/meminfo", "MemTotal")
    ram_gib = round(int(mem_kb.split()[0]) / 1024**2, 1) if mem_kb else None
    return {
        "cpu": _proc_value("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "ram_gib": ram_gib,
        "os": f"{platform.system()} {platform.release()}",
        # Other work on the machine skews timings; the load average says how much there was.
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "-"
    return found


def stamp() -> dict[str, Any]:
    import screening
    from benchmarks.engine import engine_versions

    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": versions(),
        "compiled_modules": screening.compiled_modules(),
        **engine_versions(),
    }


def write_result(kind: str, result: dict[str, Any], directory: Path | None = None) -> Path:
    directory = directory or results_dir()
    directory.mkdir(parents=True, exist_ok=True)
    result = {**result, "meta": result.get("meta") or stamp()}
    path = directory / f"{kind}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str) + "\n")
    return path


def read_result(kind: str, directory: Path | None = None) -> dict[str, Any] | None:
    path = (directory or results_dir()) / f"{kind}.json"
    return json.loads(path.read_text()) if path.exists() else None


def replace_block(text: str, name: str, body: str) -> str:
    """Replace what is between the BEGIN/END markers of `name`; append the block if absent."""
    begin, end = f"<!-- BEGIN:{name} -->", f"<!-- END:{name} -->"
    block = f"{begin}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text)
    return text.rstrip() + "\n\n" + block + "\n"


def update_markdown(blocks: dict[str, str], path: Path | None = None) -> None:
    """Rewrite the marked blocks; redirected with the results when $SANCTIONS_BENCH_RESULTS is set."""
    if path is None:
        path = results_dir() / "BENCHMARKS.md" if os.environ.get("SANCTIONS_BENCH_RESULTS") else BENCHMARKS_MD
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    for name, body in blocks.items():
        text = replace_block(text, name, body)
    path.write_text(text)


# ---------------------------------------------------------------- table renderers


def _f(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def meta_line(meta: dict[str, Any]) -> str:
    m, v = meta["machine"], meta["versions"]
    pkgs = ", ".join(f"{k} {val}" for k, val in v.items() if k != "python")
    return (
        f"_Measured {meta['date']} at commit `{meta.get('git_commit', '?')}` on {m['cpu']} "
        f"({m['cores']} cores, {m['ram_gib']} GiB RAM), Python {v['python']}; {pkgs}. "
        f"Load average at the start: {m.get('load_average_1m', '?')}. "
        f"{_compiled_note(meta.get('compiled_modules'))}_"
    )


def _compiled_note(compiled: dict[str, bool] | None) -> str:
    if not compiled:
        return ""
    if all(compiled.values()):
        return "Engine hot modules compiled (Cython)."
    plain = ", ".join(name for name, done in compiled.items() if not done)
    return f"Engine modules running as plain Python: {plain}."


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_f(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _skip_text(section: dict[str, Any] | None) -> str | None:
    if section is None:
        return "not run"
    return section.get("skipped") or section.get("error")


def quality_blocks(result: dict[str, Any], peers: dict[str, Any] | None) -> dict[str, str]:
    np_ = result["name_pairs"]
    o = np_["overall"]
    head = (
        meta_line(result["meta"]) + f"\n\nScorer: `{np_['scorer']}` at threshold **{np_['threshold']}**.\n\n"
    )
    rows = [
        ["**this service**", np_["threshold"], o["precision"], o["recall"], o["f1"], "measured in this run"]
    ]
    for algo in ((peers or {}).get("algorithms") or {}).values():
        if "at_reference_threshold" not in algo:
            continue
        a = algo["at_reference_threshold"]
        src = f"nomenklatura {peers['versions']['nomenklatura']}, `python -m benchmarks peers`"
        rows.append([algo["label"], algo["threshold"], a["precision"], a["recall"], a["f1"], src])
    if not peers:
        rows.append(["nomenklatura logic-v2 (published)", 0.7, 0.760, 0.835, 0.796, "not yet measured here"])
        rows.append(
            ["nomenklatura OFAC-style (published)", 0.7, 0.520, 0.941, 0.670, "not yet measured here"]
        )
    summary = head + _table(["engine", "threshold", "precision", "recall", "F1", "source"], rows)

    def grouped(key: str) -> str:
        return _table(
            ["group", "pairs", "TP", "FP", "TN", "FN", "precision", "recall", "F1"],
            [
                [g, c["n"], c["tp"], c["fp"], c["tn"], c["fn"], c["precision"], c["recall"], c["f1"]]
                for g, c in np_[key].items()
            ],
        )

    best = np_["best_threshold"]
    curve_rows = [
        [r["threshold"], r["precision"], r["recall"], r["f1"]]
        for r in np_["curve"]
        if round(r["threshold"] * 100) % 5 == 0
    ]
    curve = (
        f"Best F1 on the grid: {best['f1']:.3f} at threshold {best['threshold']}. "
        f"![precision-recall curve](benchmarks/results/pr_curve.png) ![score distributions](benchmarks/results/score_distributions.png)\n\n"
        + _table(["threshold", "precision", "recall", "F1"], curve_rows)
    )
    blocks = {
        "quality-summary": summary,
        "quality-by-case-group": grouped("by_case_group"),
        "quality-by-schema": grouped("by_schema"),
        "quality-by-category": grouped("by_category"),
        "quality-curve": curve,
        "quality-other": _other_quality(result),
    }
    return blocks


def _other_quality(result: dict[str, Any]) -> str:
    lines = []
    cs = result.get("cross_script")
    if _skip_text(cs):
        lines.append(f"- Cross-script pairs: {_skip_text(cs)}")
    else:
        failed = ", ".join(
            f"{r['query']}→{r['expected']} {r['score']:.2f}<{r['min_score']}"
            for r in cs["rows"]
            if not r["passed"]
        )
        lines.append(
            f"- Cross-script pairs reaching their minimum score: **{cs['passed']} / {cs['pairs']}**"
            f" ({cs['alerting']} alert at the default threshold)"
            + (f"; below minimum: {failed}" if failed else "")
        )
    ot = result.get("ofac_tool")
    if _skip_text(ot):
        lines.append(f"- OFAC tool agreement: {_skip_text(ot)}")
    else:
        lines.append(
            f"- Pairs OFAC's own search scored ≥ 90 that alert here: **{ot['ofac_ge_90_alerting_here']} / {ot['ofac_ge_90']}**"
            f" (of the {ot['ofac_lt_90']} pairs OFAC scored < 90 or did not return, {ot['ofac_lt_90_alerting_here']} alert here)"
        )
        cost = ot.get("coverage_cost")
        if cost:
            steps = "; ".join(
                f"{row['pairs_alerting']} / {ot['ofac_ge_90']} at threshold {row['threshold']:.2f} gives F1 {row['f1']:.3f}"
                f" (P {row['precision']:.3f} / R {row['recall']:.3f})"
                for row in cost
            )
            lines.append(f"  - What alerting on more of them costs on `name_pairs.csv`: {steps}")
    ar = result.get("alias_recovery")
    if _skip_text(ar):
        lines.append(f"- Alias recovery: {_skip_text(ar)}")
    else:
        lines.append(
            f"- Alias recovery on the real SDN list (primary names indexed, aliases queried): **recall {_f(ar['recall'])}**"
            f" ({ar['recovered']} / {ar['aliases_tested']} aliases; top-1 {_f(ar['top1'])}); by type {ar['by_type']}"
        )
    al = result.get("alert_rate")
    if _skip_text(al):
        lines.append(f"- Alert rate on non-sanctioned names: {_skip_text(al)}")
    else:
        per = ", ".join(f"{k} {v['rate']:.1%}" for k, v in al["by_locale"].items())
        lines.append(
            f"- Alert rate on {al['population']} synthetic non-sanctioned names (Faker, seed {al['seed']}): "
            f"**{al['alert_rate']:.2%}** ({al['alerted']} alerts; {per})"
        )
        ir = al.get("index_recall") or {}
        if _skip_text(ir):
            lines.append(f"- Index recall vs brute force: {_skip_text(ir)}")
        else:
            lines.append(
                f"- Index recall vs brute-force scoring: **{_f(ir['recall'], 4)}** ({ir['index_hits']} / {ir['brute_force_hits']} hits over {ir['queries']} queries)"
            )
    lines.extend(_cut_names_lines(result.get("cut_names")))
    return "\n".join(lines)


def _cut_names_lines(section: dict[str, Any] | None) -> list[str]:
    if _skip_text(section):
        return [f"- Names cut by a payment field: {_skip_text(section)}"]
    if not section:
        return []
    rc, fa = section["recall"], section["false_alerts"]
    kinds = "; ".join(
        f"{k} {v['cut']} / {v['n']} (as written {v['as_written']})" for k, v in rc["by_type"].items()
    )
    lines = [
        f"- Names cut by a {rc['field_length']}-character payment field (every longer list name, cut there):"
        f" **{rc['found_cut']} / {rc['names']} found ({_f(rc['recall_cut'])})**, against"
        f" {rc['found_as_written']} ({_f(rc['recall_as_written'])}) compared as written in the same run; by type: {kinds}",
        f"  - Long non-sanctioned names (Faker) cut the same way: {fa['alerted_cut']} / {fa['population']} alert"
        f" ({fa['alerted_as_written']} compared as written)",
    ]
    va = section.get("variants")
    if va:
        lines.append(
            f"  - Spelling variants cut (SDN a.k.a.s of the alias-recovery filter longer than {rc['field_length']},"
            f" cut there, against primary names only): **{va['found_cut']} / {va['aliases']} found**"
            f" (brute force {va['found_brute_force']}; compared as written {va['found_as_written']};"
            f" the whole a.k.a. uncut {va['found_uncut']})"
        )
    ir = section.get("index_recall")
    if ir:
        lines.append(
            f"  - Index recall vs brute-force scoring on {ir['queries']} of these cut names (seeded sample):"
            f" **{_f(ir['recall'], 4)}** ({ir['index_hits']} / {ir['brute_force_hits']} hits;"
            f" {ir.get('misses_also_as_written', '?')} of the misses the index also makes on the name"
            " compared as written)"
        )
    return lines


def _jsonl_rate(jsonl: dict[str, Any]) -> str:
    if "names_per_s" not in jsonl:
        return str(jsonl.get("skipped", "-"))
    if "median_names_per_s" not in jsonl:
        return f"{jsonl['names_per_s']:.0f} names/s"
    return (
        f"{jsonl['names_per_s']:.0f} names/s best of {jsonl['passes']} passes "
        f"(median {jsonl['median_names_per_s']:.0f}; passes {jsonl['passes_names_per_s']})"
    )


def speed_blocks(result: dict[str, Any]) -> dict[str, str]:
    if result.get("skipped") or result.get("error"):
        return {"speed": meta_line(result["meta"]) + "\n\n" + (result.get("skipped") or result.get("error"))}
    lat, base = result["latency_ms"], result["baseline"]
    rows = [
        [
            "designations / names indexed",
            f"{result['index']['designations']} / {result['index'].get('names', '-')}",
            "-",
        ],
        ["index build time", f"{result['index']['build_seconds']:.2f} s", "≤ 20 s"],
        ["peak RSS after build (process)", f"{result['index']['peak_rss_mib']:.0f} MiB", "≤ 1536 MiB"],
        ["RSS growth during build", f"{result['index']['build_rss_growth_mib']:.0f} MiB", "-"],
        ["screen() p50", f"{lat['p50']:.3f} ms", "≤ 0.5 ms"],
        ["screen() p95", f"{lat['p95']:.3f} ms", "-"],
        ["screen() p99", f"{lat['p99']:.3f} ms", "≤ 3 ms"],
        ["screen() mean", f"{lat['mean']:.3f} ms", "-"],
        ["screen_many throughput", f"{result['batch']['names_per_s']:.0f} names/s", "-"],
        [
            "JSON-lines path throughput",
            _jsonl_rate(result["jsonl"]),
            "≥ 3000 names/s",
        ],
        [
            f"baseline: brute-force rapidfuzz Jaro-Winkler over {base['names']} names, mean",
            f"{base['mean_ms']:.3f} ms",
            "-",
        ],
        [
            f"**speed ratio vs baseline** (mean latency, same {result.get('speed_ratio_block', 1)} queries, "
            f"a Screener pass then a baseline pass; median of passes "
            f"{', '.join(f'{r:.1f}x' for r in result.get('speed_ratio_passes', []))})",
            f"**{result['speed_ratio']:.1f}x**",
            "≥ 10x",
        ],
    ]
    if "speed_ratio_short_blocks" in result:
        rows.append(
            [
                f"speed ratio alternating in blocks of {result['speed_ratio_short_block']} queries (the baseline "
                f"evicts the Screener's index from the CPU caches before each block; Screener mean "
                f"{result['speed_ratio_short_blocks_screener_mean_ms']:.3f} ms)",
                f"{result['speed_ratio_short_blocks']:.1f}x",
                "-",
            ]
        )
    if "speed_ratio_each_query" in result:
        rows.append(
            [
                "speed ratio alternating every query (baseline evicts the CPU caches before each query)",
                f"{result['speed_ratio_each_query']:.1f}x",
                "-",
            ]
        )
    h = result.get("http")
    if h and "requests_per_s" in h:
        rows.append(
            [
                f"HTTP POST /v1/screen ({h.get('workers')} worker(s), {h.get('connections')} connections, {h.get('client')})",
                f"{h['requests_per_s']:.0f} req/s; p50 {h['p50_ms']:.1f} ms, p99 {h['p99_ms']:.1f} ms; "
                f"errors {h.get('errors')}; audit complete {h.get('audit_complete')}",
                "-",
            ]
        )
    elif h:
        rows.append(["HTTP", h.get("error") or h.get("skipped") or json.dumps(h)[:200], "-"])
    body = (
        meta_line(result["meta"])
        + f"\n\nOne core (`sched_setaffinity` to CPU {result['cpu_pinned']}), {result['queries']} queries "
        f"({', '.join(f'{k}: {v}' for k, v in result['query_mix'].items())}), {result['repeats']} timed pass(es) after a warm-up."
        f" Baseline measured on {base['queries']} of the same queries in the same run.\n\n"
        + _table(["measure", "value", "target (issue 3)"], rows)
        + "\n\n![latency histogram](benchmarks/results/latency_histogram.png)"
    )
    return {"speed": body}


def ci_blocks(result: dict[str, Any]) -> dict[str, str]:
    rows = [
        [c["metric"], c["measured"], c["floor"], "pass" if c["passed"] else "**FAIL**"]
        for c in result["checks"]
    ]
    return {
        "ci": meta_line(result["meta"])
        + f"\n\nLast CI gate run ({result['seconds']:.0f} s):\n\n"
        + _table(["metric", "measured", "floor", ""], rows)
    }
