"""The Cython-compiled hot modules: in use when built, never stale, and equal to the plain-Python source."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import screening

ROOT = Path(__file__).resolve().parent.parent

# Labelled pairs from the benchmark data, scored under both builds and compared exactly.
PAIRS_SCRIPT = """
import csv, json, sys
from screening.compare import compare
import screening
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
out = {"compiled": screening.compiled_modules(), "scores": []}
for row in rows[:400]:
    kind = {"Person": "person", "Organization": "entity", "Company": "entity"}.get(row["schema"], "any")
    out["scores"].append(compare(row["name1"], row["name2"], kind).score)
print(json.dumps(out))
"""


def _run_scores(pure: bool) -> dict:
    env = {**os.environ, screening.PURE_PYTHON_ENV: "1" if pure else "0"}
    pairs = ROOT / "benchmarks" / "data" / "eval" / "name_pairs.csv"
    proc = subprocess.run(
        [sys.executable, "-c", PAIRS_SCRIPT, str(pairs)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    return json.loads(proc.stdout)


def test_setup_compiles_the_modules_the_package_expects() -> None:
    """setup.py reads the loader's own list (by path: a build does not import the package)."""
    namespace: dict[str, object] = {"__name__": "setup_under_test", "__file__": str(ROOT / "setup.py")}
    source = (ROOT / "setup.py").read_text()
    # Everything up to the build itself: the list setup.py would compile.
    exec(compile(source.split("\nrecord_sources()")[0], "setup.py", "exec"), namespace)
    assert namespace["COMPILED_MODULES"] == screening.COMPILED_MODULES
    assert all(
        (ROOT / "screening").joinpath(*module.split(".")).with_suffix(".py").is_file()
        for module in screening.COMPILED_MODULES
    )


def test_installed_build_is_compiled_and_current() -> None:
    """`make install` builds the extensions; a test run on stale or missing builds would measure the wrong code."""
    assert all(screening.compiled_modules().values()), screening.compiled_modules()


def test_compiled_and_plain_python_score_every_pair_identically() -> None:
    compiled, pure = _run_scores(pure=False), _run_scores(pure=True)
    assert all(compiled["compiled"].values())
    assert not any(pure["compiled"].values())
    assert len(compiled["scores"]) == 400
    assert compiled["scores"] == pure["scores"]


def test_plain_python_modules_import_each_other_as_plain_python() -> None:
    """With SANCTIONS_PURE_PYTHON=1 no source module may hold functions of a compiled one."""
    probe = (
        "import screening.screener as s, screening.index as i, screening.postings as p, screening.names as n; "
        "import screening.names.analysis as a, screening.names.align as al, screening.names.similarity as si; "
        "print(all(m.__file__.endswith('.py') for m in (s, i, p, a, al, si)), "
        "i.best_names is p.best_names, i.ranked_names is p.ranked_names, "
        "s.NameIndex is i.NameIndex, s.analyze_name is a.analyze_name, i.analyze_name is n.analyze_name, "
        "al._memoised_similarity is si._memoised_similarity)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, screening.PURE_PYTHON_ENV: "1"},
        check=True,
    )
    assert proc.stdout.split() == ["True"] * 7


def _copy_of_the_package(folder: Path) -> Path:
    """The package's sources, declarations, builds and data copied into `folder`: screening/ there."""
    package = folder / "screening"
    for path in (ROOT / "screening").rglob("*"):
        if path.is_file() and path.suffix in (".py", ".pxd", ".so") and path.parent.name != "data":
            copy = package / path.relative_to(ROOT / "screening")
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(path.read_bytes())
    shutil.copytree(ROOT / "screening" / "data", package / "data")  # package data (token weights)
    return package


def _run_in_edited_copy(
    folder: Path, edited: str, addition: str, probe: str
) -> subprocess.CompletedProcess[str]:
    """Run `probe` in a fresh interpreter importing a copy of the package with `addition` appended to one file."""
    path = _copy_of_the_package(folder) / edited
    path.write_text(path.read_text() + addition)
    return subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(folder), screening.PURE_PYTHON_ENV: "0"},
        check=True,
    )


def test_an_edited_source_runs_as_plain_python(tmp_path: Path) -> None:
    """Editing a compiled module without rebuilding must not silently run the old code."""
    probe = (
        "import screening, screening.names.score as n, screening.index as i; "
        "print(screening.compiled_modules()['names.score'], n.EDITED_SINCE_BUILD, screening.compiled_modules()['index'])"
    )
    proc = _run_in_edited_copy(tmp_path, "names/score.py", "\nEDITED_SINCE_BUILD = True\n", probe)
    # The edited module runs from source; the untouched one stays compiled, whatever the file times.
    assert proc.stdout.split() == ["False", "True", "True"]
    assert "differs from the source of its compiled build" in proc.stderr


def test_an_edited_declaration_runs_its_package_as_plain_python(tmp_path: Path) -> None:
    """An edited .pxd makes its module's build stale, and the modules that cimport it run from source too."""
    probe = (
        "import screening, screening.names as n; modules = screening.compiled_modules(); "
        "print(modules['names.model'], modules['names.align'], modules['index'], "
        "round(n.name_similarity(n.analyze_name('Juxin He'), n.analyze_name('juxinhe')), 4))"
    )
    proc = _run_in_edited_copy(tmp_path, "names/model.pxd", "\n# edited\n", probe)
    compiled_model, compiled_align, compiled_index, score = proc.stdout.split()
    assert (compiled_model, compiled_align, compiled_index) == ("False", "False", "True")
    assert float(score) > 0.9
    assert "names/model.py (or its .pxd) differs from the source of its compiled build" in proc.stderr
