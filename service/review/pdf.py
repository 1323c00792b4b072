"""The case report as a PDF for people (fpdf2), from the JSON report of service.review.reports.

Text is set in DejaVu Sans when the system has it (Latin, Greek, Cyrillic,
Arabic, Hebrew...), else in the PDF's built-in Helvetica (Latin-1 only). Any
character the font lacks (Chinese names with DejaVu, say) is written as its
ICU Latin transliteration followed by its code points, so a report never fails
on a name and never silently shows blanks: the JSON report keeps the original.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from screening.translit import _icu_latin  # ICU's Any-Latin; Latin-ASCII, the engine's own transliterator

log = logging.getLogger(__name__)

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
FAMILY = "DejaVu"
FALLBACK_FAMILY = "Helvetica"


@functools.cache
def _font_files() -> dict[str, Path] | None:
    """DejaVu Sans regular and bold, when both are installed."""
    for folder in FONT_DIRS:
        files = {style: folder / name for style, name in FONT_FILES.items()}
        if all(path.is_file() for path in files.values()):
            return files
    return None


@functools.cache
def _covered(font_path: Path | None) -> frozenset[int] | None:
    """Code points the font has glyphs for (None: the built-in font, Latin-1)."""
    if font_path is None:
        return None
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # fpdf2's own dependency

    with TTFont(str(font_path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def printable(text: str, covered: frozenset[int] | None) -> str:
    """`text` with every run of characters the font lacks replaced by its transliteration and code points."""

    def ok(char: str) -> bool:
        if char in "\n\t":
            return True
        return ord(char) in covered if covered is not None else ord(char) < 256

    if all(ok(char) for char in text):
        return text
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            raw = "".join(run)
            latin = "".join(c for c in _icu_latin(raw) if c.isascii() and c.isprintable()).strip()
            points = " ".join(f"U+{ord(c):04X}" for c in raw)
            out.append(f"{latin} [{points}]" if latin else f"[{points}]")
            run.clear()

    for char in text:
        if ok(char):
            flush()
            out.append(char)
        else:
            run.append(char)
    flush()
    return "".join(out)


class CasePdf(FPDF):
    """A4 pages with the alert id in the header and page numbers in the footer."""

    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.case_title = title
        files = _font_files()
        if files is not None:
            for style, path in files.items():
                self.add_font(FAMILY, style, str(path))
            self.family = FAMILY
            self.covered = _covered(files[""])
        else:
            self.family = FALLBACK_FAMILY
            self.covered = None
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(self.safe(title))
        self.set_creator("sanctions-screening")

    def safe(self, value: object) -> str:
        return printable("" if value is None else str(value), self.covered)

    def header(self) -> None:
        self.set_font(self.family, "B", 9)
        self.cell(0, 6, self.safe(self.case_title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.cell(0, 6, f"page {self.page_no()}/{{nb}}", align="C")

    def heading(self, title: str) -> None:
        self.ln(3)
        self.set_font(self.family, "B", 12)
        self.cell(0, 7, self.safe(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.family, "", 9)

    def field(self, label: str, value: object) -> None:
        """One `label: value` line, the value wrapped under itself."""
        self.set_font(self.family, "B", 9)
        self.cell(42, 5, self.safe(label))
        self.set_font(self.family, "", 9)
        self.multi_cell(
            0, 5, self.safe(_plain(value)), new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR
        )

    def block(self, value: object) -> None:
        """Pretty JSON of a nested value, small and wrapped anywhere (long ids and hashes)."""
        self.set_font(self.family, "", 7.5)
        text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
        self.multi_cell(0, 3.6, self.safe(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
        self.set_font(self.family, "", 9)


def _plain(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value) or "-"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _fields(pdf: CasePdf, data: dict[str, Any], keys: Iterable[str]) -> None:
    for key in keys:
        if key in data:
            pdf.field(key.replace("_", " "), data[key])


def render_case_pdf(report: dict[str, Any]) -> bytes:
    """The PDF of a case report (the dict `build_report` returns)."""
    alert = report["alert"]
    pdf = CasePdf(f"Sanctions alert case {alert['alert_id']}")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(pdf.family, "B", 16)
    pdf.multi_cell(
        0, 9, pdf.safe(f"Case report: alert {alert['alert_id']}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font(pdf.family, "", 9)
    pdf.field("generated", f"{report['generated_at']} by {report.get('generated_by') or '-'}")

    pdf.heading("Alert")
    _fields(
        pdf,
        alert,
        (
            "status",
            "outcome",
            "party_id",
            "source",
            "screening_id",
            "assigned_to",
            "created_at",
            "updated_at",
        ),
    )

    pdf.heading("Query as screened")
    _fields(pdf, report.get("query") or {}, ("name", "type", "dob", "country", "nationality", "reference"))
    others = {
        k: v
        for k, v in (report.get("query") or {}).items()
        if k not in {"name", "type", "dob", "country", "nationality", "reference"}
    }
    if others:
        pdf.block(others)

    match = report.get("match") or {}
    pdf.heading("Match")
    _fields(
        pdf, match, ("entity_id", "list", "name", "matched_name", "matched_name_kind", "score", "programs")
    )
    pdf.field("designation hash", report.get("designation_hash"))
    if match.get("explanation"):
        pdf.set_font(pdf.family, "B", 9)
        pdf.cell(0, 5, "explanation", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.block(match["explanation"])

    pdf.heading("List versions screened against")
    for version in report.get("list_versions") or []:
        pdf.field(
            version.get("list_code", "?"),
            f"{version.get('label') or version.get('version_id')} (loaded {version.get('loaded_at') or '-'})",
        )

    pdf.heading("Designation as it was at that version")
    pdf.field("source", report.get("designation_source"))
    if report.get("designation") is not None:
        pdf.block(report["designation"])

    pdf.heading("Decisions")
    for event in report.get("decisions") or []:
        line = f"{event.get('at')}  {event.get('actor') or '-'}  {event.get('action')}"
        moved = f"{event.get('from_status') or '-'} -> {event.get('to_status') or '-'}"
        pdf.set_font(pdf.family, "B", 9)
        pdf.multi_cell(0, 5, pdf.safe(f"{line}  ({moved})"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(pdf.family, "", 9)
        if event.get("note"):
            pdf.multi_cell(
                0,
                5,
                pdf.safe(f"note: {event['note']}"),
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
                wrapmode=WrapMode.CHAR,
            )
        if event.get("data"):
            pdf.block(event["data"])

    if report.get("accepts"):
        pdf.heading("Accept list entries from this case")
        for entry in report["accepts"]:
            pdf.block(entry)
    return bytes(pdf.output())
