"""pykakasi's kanji dictionary mapped from a file (screening/kanwa.py, service/snapshot/kanwa.py).

pykakasi keeps one dictionary per process, so each case runs in a fresh Python process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from faker import Faker

from tests.api_server import REPO_ROOT

# Kanji names as lists and payments carry them, persons and companies (seeded: the same every run).
_FAKER = Faker("ja_JP", seed=7)
NAMES = sorted(
    {_FAKER.name() for _ in range(150)}
    | {_FAKER.company() for _ in range(60)}
    | {"田中太郎", "山田花子", "金正恩", "朝鮮光鮮銀行", "東京都千代田区", "株式会社 日本製鉄"}
)

_READ = """
import json, sys
from screening.translit import japanese_reading
from screening.names import analyze_name
names = json.loads(sys.stdin.read())
print(json.dumps([[japanese_reading(n), [list(s) for s in analyze_name(n, "any").script_tokens]] for n in names]))
"""


def _python(code: str, stdin: str = "") -> object:
    """What a fresh Python process running `code` prints last, as JSON."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run(setup: str, names: list[str]) -> list:
    readings = _python(setup + _READ, json.dumps(names))
    assert isinstance(readings, list)
    return readings


def test_readings_from_the_mapped_dictionary_are_pykakasis_own(tmp_path: Path) -> None:
    own = _run("", NAMES)
    mapped = _run(
        f"""
from pathlib import Path
from service.snapshot.kanwa import map_kanwa
from screening.kanwa import kanwa_in_use
assert map_kanwa(Path({str(tmp_path)!r})) and kanwa_in_use() is not None
""",
        NAMES,
    )
    assert len(own) == len(NAMES) and any(reading for reading, _ in own)
    assert mapped == own


def test_the_file_is_written_once_then_mapped_and_a_corrupt_one_rebuilt(tmp_path: Path) -> None:
    probe = f"""
import json
from pathlib import Path
from service.snapshot.kanwa import kanwa_path, map_kanwa
from screening.kanwa import kanwa_in_use
from screening.translit import japanese_reading
folder = Path({str(tmp_path)!r})
existed = kanwa_path(folder).exists()
assert map_kanwa(folder)
reading = japanese_reading("田中太郎")
table = kanwa_in_use()
print(json.dumps({{"existed": existed, "reading": reading, "decoded": table.decoded(), "all": len(table)}}))
"""

    def run() -> dict:
        found = _python(probe)
        assert isinstance(found, dict)
        return found

    first, second = run(), run()
    assert (first["existed"], second["existed"]) == (False, True)
    assert first["reading"] == second["reading"] != ""
    # Only the tables of the name's first characters are decoded, of several thousand.
    assert 0 < second["decoded"] <= 4 < second["all"]
    (path,) = tmp_path.glob("kanwa-*.snap")
    size = path.stat().st_size
    path.write_bytes(path.read_bytes()[: size // 2])  # cut: refused and rebuilt
    third = run()
    assert third["reading"] == first["reading"] and path.stat().st_size == size


def test_a_folder_that_cannot_hold_the_file_leaves_pykakasi_its_own(tmp_path: Path) -> None:
    """Mapping is an economy, never a failure: pykakasi then reads its own file, as before."""
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    found = _python(
        f"""
import json
from pathlib import Path
from service.snapshot.kanwa import map_kanwa
from screening.kanwa import kanwa_in_use
from screening.translit import japanese_reading
mapped = map_kanwa(Path({str(not_a_folder)!r}))
print(json.dumps([mapped, kanwa_in_use() is None, japanese_reading("田中太郎")]))
"""
    )
    assert found == [False, True, "tanaka tarou"]
