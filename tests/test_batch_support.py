"""Shared pieces of the batch tests: a store with the bundled lists, and the customer file.

The customer file is generated (seeded Faker names) so the test shows what it
contains: planted designated names spelled the way customer files spell them,
formula-injection cells, empty names, a row in another encoding, a row with a
wrong column count.
"""

from __future__ import annotations

import csv
import io
import random
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from faker import Faker

from lists.model import DateOfBirth, Designation, EntityType, ListCode

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED = REPO_ROOT / "lists" / "data"

# (name as a customer file spells it, type, entity id it must hit)
PLANTED = (
    ("Sichuan Juxinhe Network Technology Co Ltd", "Company", "ofac:52749"),
    ("Yin Kecheng", "Individual", "ofac:52747"),
    ("ZHOU SHUAI", "Individual", "ofac:52828"),
    ("kecheng yin", "individual", "ofac:52747"),
    ("Shanghai Heiying Information Technology Co., Ltd", "company", "ofac:52829"),
    ("Integrity Technology Group Inc", "COMPANY", "ofac:50543"),
)
INJECTIONS = ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1:A2)", "\tcmd", "\r=1")


_TEMPLATE_DIR = Path(tempfile.mkdtemp(prefix="batch-lists-"))


def lists_db_copy(target: Path) -> str:
    """A SQLite store with the bundled lists at `target` (built once per test run, then copied)."""
    template = _TEMPLATE_DIR / "lists.db"
    if not template.exists():
        load_bundled_lists(f"sqlite:///{template}")
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def load_bundled_lists(url: str) -> None:
    """Load OFAC (with the 2025 delta), OFAC non-SDN and UN into the store at `url`."""
    from lists.store import Store

    store = Store(url)
    try:
        try:
            from lists.loader import load_lists
        except ImportError:
            load_lists = None
        if load_lists is not None:
            outcomes = load_lists(store)
            failed = [o for o in outcomes if not o.ok]
            assert not failed, failed
            return
        from lists.model import ListCode
        from lists.ofac_csv import parse_ofac_csv
        from lists.un_xml import parse_un_xml

        ofac = parse_ofac_csv([BUNDLED / "ofac"])
        delta = parse_ofac_csv([BUNDLED / "ofac-delta-2025"])
        by_id = {d.entity_id: d for d in ofac.designations}
        by_id.update({d.entity_id: d for d in delta.designations})
        ofac.designations = list(by_id.values())
        store.load(ofac)
        store.load(parse_ofac_csv([BUNDLED / "ofac-nonsdn"], ListCode.OFAC_NONSDN))
        store.load(parse_un_xml(BUNDLED / "un" / "consolidated.xml"))
    finally:
        store.close()


@dataclass
class CustomerFile:
    path: Path
    rows: int
    planted: dict[int, str]  # row number -> entity id it must hit
    injections: dict[int, str]  # row number -> the raw injection text in the notes column
    empty_names: list[int]
    other_encoding: int
    wrong_columns: int


def write_customer_file(path: Path, rows: int = 5_000, seed: int = 7) -> CustomerFile:
    """A UTF-8 customer CSV with one cp1252 row, written as bytes so the mix is real."""
    fake = Faker(["en_US", "de_DE", "es_ES", "fr_FR"])
    Faker.seed(seed)
    rng = random.Random(seed)
    special = rng.sample(range(1, rows + 1), len(PLANTED) + len(INJECTIONS) + 5)
    planted_rows = special[: len(PLANTED)]
    injection_rows = special[len(PLANTED) : len(PLANTED) + len(INJECTIONS)]
    empty_rows = special[len(PLANTED) + len(INJECTIONS) : -2]
    other_encoding_row, wrong_columns_row = special[-2], special[-1]
    planted = {r: PLANTED[i][2] for i, r in enumerate(planted_rows)}
    injections = {r: INJECTIONS[i] for i, r in enumerate(injection_rows)}

    out = io.BytesIO()
    header = ["Customer ID", "FULL_NAME", "Type", "Date of Birth", "Nationality", "Notes"]
    out.write(_csv_line(header).encode("utf-8"))
    for row in range(1, rows + 1):
        person = rng.random() < 0.7
        name = fake.name() if person else fake.company()
        cells = [
            f"C{row:06d}",
            name,
            "Individual" if person else "Company",
            fake.date_of_birth(minimum_age=18, maximum_age=90).isoformat() if person else "",
            fake.country_code(),
            fake.sentence(nb_words=4),
        ]
        if row in planted:
            spelled, kind, _ = PLANTED[planted_rows.index(row)]
            cells[1], cells[2], cells[3], cells[4] = spelled, kind, "", ""
        if row in injections:
            cells[5] = injections[row]
        if row in empty_rows:
            cells[1] = "   " if row % 2 else ""
        line = _csv_line(cells)
        if row == other_encoding_row:
            cells[1] = "Jürgen Müller-Lüdenscheidt"
            out.write(_csv_line(cells).encode("cp1252"))
            continue
        if row == wrong_columns_row:
            line = line.rstrip("\r\n") + ",unquoted, extra\r\n"
        out.write(line.encode("utf-8"))
    path.write_bytes(out.getvalue())
    return CustomerFile(
        path=path,
        rows=rows,
        planted=planted,
        injections=injections,
        empty_names=sorted(empty_rows),
        other_encoding=other_encoding_row,
        wrong_columns=wrong_columns_row,
    )


SMALL_VERSIONS = {"ofac": "ofac@1:2025-01-01", "un": "un@1:2025-01-02"}


def small_designations() -> list[Designation]:
    """Two designations, for runner and audit tests that need a real but quick Screener."""
    return [
        Designation(
            entity_id="ofac:52747",
            list=ListCode.OFAC,
            source_id="52747",
            type=EntityType.PERSON,
            primary_name="YIN, Kecheng",
            dates_of_birth=(DateOfBirth(text="08 Dec 1986", date_from="1986-12-08"),),
            programs=("CYBER3",),
        ),
        Designation(
            entity_id="un:QDi.999",
            list=ListCode.UN,
            source_id="QDi.999",
            type=EntityType.ENTITY,
            primary_name="ZHOU ENLAI TRADING COMPANY",
            programs=("=CMD",),
        ),
    ]


def _csv_line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


def read_results(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Read a results CSV written by the batch (UTF-8 with BOM)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)
