"""The Dockerfile and .dockerignore, checked statically (issue 22, item 16; no Docker daemon in CI).

The image must be built in two stages, the compilers only in the first; the build
context must leave out the virtualenv, git history, runtime data, caches and local
builds, but keep every file the image is built from.
"""

from __future__ import annotations

import fnmatch
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
NOT_INSTALLED = ("benchmarks/results/",)  # benchmark output: not package data, left out on purpose
BUILD_TOOLS = ("gcc", "g++", "clang", "build-essential", "libicu-dev", "pkg-config", "cython", "curl")


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(self.instructions).lower()


def instructions(dockerfile: str) -> list[str]:
    """Logical instructions: continuation lines joined, comments and blanks dropped."""
    joined: list[str] = []
    current = ""
    for raw in dockerfile.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        joined.append(current + line)
        current = ""
    return joined


def stages(dockerfile: str) -> list[Stage]:
    found: list[Stage] = []
    for instruction in instructions(dockerfile):
        words = instruction.split()
        if words[0].upper() == "FROM":
            name = words[3] if len(words) >= 4 and words[2].upper() == "AS" else None
            found.append(Stage(words[1], name))
        elif found:
            found[-1].instructions.append(instruction)
    return found


@pytest.fixture(scope="module")
def built() -> list[Stage]:
    return stages((REPO_ROOT / "Dockerfile").read_text(encoding="utf-8"))


def test_the_image_is_built_in_two_stages_from_one_base(built: list[Stage]) -> None:
    assert len(built) == 2, [s.name for s in built]
    build, runtime = built
    assert build.name == "build"
    assert build.base == runtime.base  # the wheels fit the runtime's Python and ICU
    assert "pip wheel" in build.text()
    assert any(tool in build.text() for tool in ("gcc", "g++"))


def test_the_runtime_stage_has_no_compiler_and_builds_nothing(built: list[Stage]) -> None:
    runtime = built[-1]
    text = runtime.text()
    for tool in BUILD_TOOLS:
        assert tool not in text, f"runtime stage mentions {tool!r}"
    assert "apt-get purge" not in text  # a later layer cannot shrink the image
    assert "from=build" in text
    assert "--no-index" in text  # installs the build stage's wheels; never compiles
    assert "user screening" in text
    assert text.splitlines()[-1].startswith('entrypoint ["sanctions", "serve"')


def ignore_patterns() -> list[str]:
    path = REPO_ROOT / ".dockerignore"
    assert path.is_file(), "no .dockerignore: the whole worktree (.venv, .git, var) enters the build context"
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    patterns = [line for line in lines if line and not line.startswith("#")]
    assert not any(p.startswith("!") for p in patterns), "exceptions are not modelled by this test"
    return patterns


def ignored(relative: str, patterns: list[str]) -> bool:
    """Docker's rule, enough for these patterns: a path is out if it or a parent folder matches."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        for prefix in prefixes:
            if fnmatch.fnmatchcase(prefix, pattern):
                return True
            if pattern.startswith("**/") and fnmatch.fnmatchcase(prefix.split("/")[-1], pattern[3:]):
                return True
    return False


@pytest.mark.parametrize(
    "path",
    [
        ".venv/lib/python3.11/site-packages/numpy/__init__.py",
        ".git/objects/pack/pack-1.pack",
        "var/sanctions.db",
        "screening/__pycache__/index.cpython-311.pyc",
        "screening/names/__pycache__/score.cpython-311.pyc",
        "service/api/__pycache__/app.cpython-311.pyc",
        ".pytest_cache/v/cache/nodeids",
        ".ruff_cache/0.17.6/1",
        ".hypothesis/examples/x",
        "benchmarks/results/ci.json",
        "screening/index.cpython-311-x86_64-linux-gnu.so",
        "screening/names/score.cpython-311-x86_64-linux-gnu.so",
        "screening/names/score.c",
        "build/lib/screening/names/score.py",
        "sanctions_screening.egg-info/PKG-INFO",
    ],
)
def test_the_build_context_leaves_out(path: str) -> None:
    assert ignored(path, ignore_patterns())


def copied_sources(dockerfile: str) -> list[str]:
    """Context paths the Dockerfile COPYs (not those copied from another stage)."""
    sources: list[str] = []
    for instruction in instructions(dockerfile):
        words = shlex.split(instruction)
        if words[0].upper() != "COPY" or any(w.startswith("--from") for w in words):
            continue
        sources.extend(w.rstrip("/") for w in words[1:-1] if not w.startswith("--"))
    return sources


def test_the_build_context_keeps_what_the_image_is_built_from() -> None:
    patterns = ignore_patterns()
    copied = copied_sources((REPO_ROOT / "Dockerfile").read_text(encoding="utf-8"))
    assert {"pyproject.toml", "setup.py", "README.md", "lists", "screening", "service"} <= set(copied)
    tracked = subprocess.run(
        ["git", "ls-files", *copied], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert len(tracked) > 100
    dropped = [path for path in tracked if ignored(path, patterns) and not path.startswith(NOT_INSTALLED)]
    assert dropped == [], f"files the image needs are left out of the build context: {dropped[:10]}"
