"""Reading customer files (CSV or XLSX) for batch screening.

Customer files come from many systems: any delimiter, UTF-8 with or without a
BOM, UTF-16 from Excel's "Unicode text", cp1252 from older exports, and the
odd row pasted in from somewhere else. Every physical record becomes exactly
one `InputRow`; a record that cannot be screened carries an `error` instead of
being dropped, so rows in always equals rows out.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from service.validation import MAX_NAME_LENGTH, dob_problem, name_problem, quote_prefix

MAX_VALUE_CHARS = MAX_NAME_LENGTH  # a mapped field (name, dob, ...) longer than this is a row error
MAX_CELL_CHARS = 32_767  # longer cells are cut in the results (Excel's own cell limit)
MAX_HEADER_CHARS = 1_024  # a longer header cell is not a column name: the file is refused
# The csv module refuses fields over 131,072 characters by default, which would leave the
# row's other cells unread; a longer cell is read and then cut (MAX_CELL_CHARS). The limit
# is process-wide: nothing else in the service reads CSV.
CSV_FIELD_LIMIT = 64 * 1024 * 1024
csv.field_size_limit(CSV_FIELD_LIMIT)

OptionStyle = Literal["cli", "api"]  # how error messages name a column choice: --name-column / name_column
MAX_EXTRA_CELLS = 20  # cells right of the header quoted in a row's error
ROLES = ("name", "type", "dob", "country", "nationality", "id")

# Header spellings seen in customer files, after normalisation (lower case,
# spaces/hyphens/dots -> underscores). First match wins, in this order.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "full_name",
        "fullname",
        "customer_name",
        "customername",
        "client_name",
        "party_name",
        "legal_name",
        "entity_name",
        "company_name",
        "account_name",
        "account_holder",
        "beneficiary_name",
        "counterparty_name",
        "names",
    ),
    "type": ("type", "entity_type", "party_type", "customer_type", "client_type", "kind"),
    "dob": ("dob", "date_of_birth", "birth_date", "birthdate", "dateofbirth", "born"),
    "country": ("country", "country_code", "country_of_residence", "residence_country", "residence"),
    "nationality": ("nationality", "citizenship", "nationality_code"),
    "id": ("id", "customer_id", "client_id", "customer_number", "account_id", "reference", "ref"),
}

_TYPE_VALUES = {
    "person": "person",
    "individual": "person",
    "natural_person": "person",
    "private": "person",
    "p": "person",
    "i": "person",
    "entity": "entity",
    "company": "entity",
    "organisation": "entity",
    "organization": "entity",
    "corporate": "entity",
    "business": "entity",
    "legal_entity": "entity",
    "legal_person": "entity",
    "o": "entity",
    "e": "entity",
    "c": "entity",
    "vessel": "vessel",
    "ship": "vessel",
    "aircraft": "aircraft",
}

_CANDIDATE_DELIMITERS = ",;\t|"
_SAMPLE_BYTES = 1 << 20
_SURROGATE = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f]")  # control characters other than tab


def option_name(role: str, style: OptionStyle) -> str:
    """The user's way to choose a role's column: the CLI flag or the HTTP form field."""
    return f"--{role}-column" if style == "cli" else f"{role}_column"


def show_header(header: list[str]) -> str:
    """A header for an error message: at most 200 characters of it."""
    shown = repr(header)
    return shown if len(shown) <= 200 else f"{shown[:200]}... ({len(header)} columns)"


class BatchInputError(ValueError):
    """The whole file cannot be read (not a row problem). Names the file."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = str(path)
        self.reason = message
        super().__init__(f"{path}: {message}")


@dataclass(frozen=True)
class ColumnOverrides:
    """Column names (any case) or 1-based positions chosen by the user; None = detect."""

    name: str | None = None
    type: str | None = None
    dob: str | None = None
    country: str | None = None
    nationality: str | None = None
    id: str | None = None


@dataclass(slots=True)
class InputRow:
    """One record of the input file, in file order."""

    row_number: int  # 1-based data row number (the header is row 0)
    line: int  # physical line (CSV) or sheet row (XLSX) where the record starts
    cells: list[str]  # exactly len(header) cells: padded or cut to the header
    fields: dict[str, str]  # role -> value ("name", "dob", ...) for the mapped columns
    error: str | None = None


@dataclass
class InputFile:
    """An opened customer file: header, detected settings and the row iterator."""

    path: Path
    header: list[str]
    columns: dict[str, int]  # role -> column index
    encoding: str
    delimiter: str | None
    warnings: list[str] = field(default_factory=list)
    _rows: Iterator[InputRow] | None = None

    def rows(self) -> Iterator[InputRow]:
        if self._rows is None:
            raise RuntimeError("rows() can be iterated once")
        rows, self._rows = self._rows, None
        return rows


def normalise_header(text: str) -> str:
    return re.sub(r"[\s\-.]+", "_", text.strip().lower()).strip("_")


def normalise_type(value: str) -> str:
    """Customer files say Individual/Company/...; the engine wants person/entity/...; unknown -> any."""
    return _TYPE_VALUES.get(normalise_header(value), "any")


def map_columns(
    path: Path | str, header: list[str], overrides: ColumnOverrides, style: OptionStyle = "cli"
) -> dict[str, int]:
    """Find each role's column: the user's choice first, then the known header names."""
    normalised = [normalise_header(h) for h in header]
    columns: dict[str, int] = {}
    for role in ROLES:
        chosen = getattr(overrides, role)
        if chosen is not None:
            columns[role] = _resolve_override(path, header, normalised, role, chosen, style)
            continue
        for alias in HEADER_ALIASES[role]:
            if alias in normalised and normalised.index(alias) not in columns.values():
                columns[role] = normalised.index(alias)
                break
    if "name" not in columns:
        raise BatchInputError(
            path,
            f"no name column in header {show_header(header)}; name it e.g. 'name' or 'full_name', "
            f"or choose one with {option_name('name', style)}",
        )
    return columns


def _resolve_override(
    path: Path | str, header: list[str], normalised: list[str], role: str, chosen: str, style: OptionStyle
) -> int:
    key = normalise_header(chosen)
    if key in normalised:
        return normalised.index(key)
    if chosen.isdigit() and 1 <= int(chosen) <= len(header):
        return int(chosen) - 1
    raise BatchInputError(
        path,
        f"{option_name(role, style)} {quote_prefix(chosen)} is not a column of {show_header(header)}",
    )


def open_input(path: Path, overrides: ColumnOverrides | None = None, style: OptionStyle = "cli") -> InputFile:
    """Open a CSV or XLSX customer file; raises BatchInputError when it cannot be read at all.

    `style` says how messages name a column choice: "cli" (--name-column) or "api" (name_column).
    """
    overrides = overrides or ColumnOverrides()
    if path.is_dir():
        raise BatchInputError(path, "is a directory, not a CSV or XLSX file")
    if not path.is_file():
        raise BatchInputError(path, "no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _open_xlsx(path, overrides, style)
    return _open_csv(path, overrides, style)


# --- CSV ---------------------------------------------------------------------


def detect_encoding(sample: bytes) -> tuple[str, str | None]:
    """Return (codec, warning). BOMs decide; else UTF-8 unless no non-ASCII text is valid UTF-8."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", None
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", None
    if len(sample) >= 4 and sample.count(0) * 3 > len(sample):
        # UTF-16 without a BOM: every other byte of Latin text is zero.
        even_zeros = sample[0::2].count(0)
        return ("utf-16-be" if even_zeros > len(sample) // 4 else "utf-16-le"), None
    valid_utf8 = invalid = 0
    for line in sample.splitlines():
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            valid_utf8 += 1
        except UnicodeDecodeError:
            invalid += 1
    if invalid and not valid_utf8:
        return "cp1252", "file is not UTF-8; read as Windows-1252 (cp1252): check accented names"
    return "utf-8", None


def _open_csv(path: Path, overrides: ColumnOverrides, style: OptionStyle) -> InputFile:
    with path.open("rb") as raw:
        sample = raw.read(_SAMPLE_BYTES)
    if not sample.strip():
        raise BatchInputError(path, "file is empty")
    if sample.startswith(b"PK\x03\x04"):
        raise BatchInputError(path, "is a ZIP archive (an XLSX workbook?), not CSV text: name it .xlsx")
    if looks_binary(sample):
        raise BatchInputError(path, "is not a CSV or XLSX file: it holds binary data, not text")
    encoding, warning = detect_encoding(sample)
    # UTF-8 reads with surrogateescape so one bad row is flagged, not fatal.
    errors = "surrogateescape" if encoding.startswith("utf-8") else "replace"
    text = io.TextIOWrapper(path.open("rb"), encoding=encoding, errors=errors, newline="")
    head = text.read(64 * 1024)
    delimiter = detect_delimiter(head)
    text.seek(0)
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        text.close()
        raise BatchInputError(path, "file has no header row") from None
    except csv.Error as exc:
        text.close()
        raise BatchInputError(path, f"line 1 (header): unreadable CSV: {exc}") from None
    header = [_repair(cell)[0] for cell in header]
    header = [h.lstrip("\ufeff") for h in header]
    try:
        check_header(path, header, "line 1 (header)")
        columns = map_columns(path, header, overrides, style)
    except BatchInputError:
        text.close()
        raise
    warnings = [warning] if warning else []
    return InputFile(
        path=path,
        header=header,
        columns=columns,
        encoding=encoding,
        delimiter=delimiter,
        warnings=warnings,
        _rows=_csv_rows(text, reader, header, columns),
    )


def looks_binary(sample: bytes) -> bool:
    """True for data no CSV export holds: NUL bytes outside UTF-16 text, or mostly control bytes."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    head = sample[:8192]
    nuls = head.count(0)
    if nuls and nuls * 3 <= len(head):  # UTF-16 without a BOM has a zero in every other byte
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 13, 0))
    return controls * 10 > len(head)


def check_header(path: Path | str, header: list[str], where: str) -> None:
    """Refuse a header whose cells cannot be column names (one is longer than MAX_HEADER_CHARS)."""
    for index, cell in enumerate(header, start=1):
        if len(cell) > MAX_HEADER_CHARS:
            raise BatchInputError(
                path,
                f"{where}: column {index} is {len(cell):,} characters long ({quote_prefix(cell)}); "
                f"a header cell holds at most {MAX_HEADER_CHARS:,}",
            )


def detect_delimiter(head: str) -> str:
    """The delimiter of the header line: csv.Sniffer, checked against a plain count."""
    first_line = head.splitlines()[0] if head else ""
    counted = max(_CANDIDATE_DELIMITERS, key=first_line.count)
    if first_line.count(counted) == 0:
        return ","
    try:
        sniffed = csv.Sniffer().sniff(head[: 16 * 1024], delimiters=_CANDIDATE_DELIMITERS).delimiter
    except csv.Error:
        return counted
    return sniffed if first_line.count(sniffed) else counted


def _repair(cell: str) -> tuple[str, bool]:
    """Undecodable bytes (kept as surrogates) shown as cp1252 so the output keeps the text."""
    if not _SURROGATE.search(cell):
        return cell, False
    raw = cell.encode("utf-8", errors="surrogateescape")
    return raw.decode("cp1252", errors="replace"), True


def _repair_cells(cells: list[str], header: list[str], problems: list[str]) -> list[str]:
    """A record with undecodable bytes: each bad cell repaired for display and named in `problems`."""
    repaired = []
    for index, cell in enumerate(cells):
        value, was_bad = _repair(cell)
        if was_bad:
            column = header[index] if index < len(header) else f"#{index + 1}"
            problems.append(f"undecodable bytes (not UTF-8) in column {column!r}")
        repaired.append(value)
    return repaired


def _csv_rows(
    text: IO[str], reader: Iterator[list[str]], header: list[str], columns: dict[str, int]
) -> Iterator[InputRow]:
    row_number = 0
    try:
        while True:
            line = reader.line_num + 1  # type: ignore[attr-defined]
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                row_number += 1
                yield _row(row_number, line, [], header, columns, f"unreadable CSV record: {exc}")
                continue
            joined = "".join(cells)  # one look at the whole record for the common, clean case
            if not joined.strip():
                continue  # blank lines are layout, not records
            row_number += 1
            problems: list[str] = []
            if _SURROGATE.search(joined):
                cells = _repair_cells(cells, header, problems)
            if len(cells) != len(header):
                problems.append(f"expected {len(header)} columns, found {len(cells)}")
            yield _row(row_number, line, cells, header, columns, "; ".join(problems) or None)
    finally:
        text.close()


# --- XLSX --------------------------------------------------------------------


def _first_sheet(workbook: Any) -> Any:
    """The first worksheet, with its declared size ignored.

    A sheet's `<dimension ref="A1:XFD1048576"/>` is only a claim of the writing
    program, and openpyxl pads every row to the declared width (and adds empty
    rows up to the declared height): a 2 KB file claiming 16,384 columns made
    each of 30,000 rows cost 16,384 cells. Without the claim each row is as
    wide as its last real cell, so reading costs what the content holds.
    """
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    return sheet


def _last_filled(raw: tuple[Any, ...]) -> int:
    """Length of the row without its trailing empty cells."""
    end = len(raw)
    while end and (raw[end - 1] is None or raw[end - 1] == ""):
        end -= 1
    return end


def _open_xlsx(path: Path, overrides: ColumnOverrides, style: OptionStyle) -> InputFile:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise BatchInputError(
            path, f"not a readable XLSX workbook: {quote_prefix(f'{type(exc).__name__}: {exc}', 200)}"
        ) from exc
    sheet = _first_sheet(workbook)
    values = sheet.iter_rows(values_only=True)
    header: list[str] | None = None
    header_line = 0
    for header_line, raw in enumerate(values, start=1):  # noqa: B007 (used after the loop)
        if raw and any(v is not None and str(v).strip() for v in raw):
            header = [cell_text(v) for v in raw[: _last_filled(raw)]]
            break
    if header is None:
        workbook.close()
        raise BatchInputError(path, f"sheet {sheet.title!r} is empty")
    while header and not header[-1]:
        header.pop()
    try:
        check_header(path, header, f"sheet row {header_line} (header)")
        columns = map_columns(path, header, overrides, style)
    except BatchInputError:
        workbook.close()
        raise
    return InputFile(
        path=path,
        header=header,
        columns=columns,
        encoding="xlsx",
        delimiter=None,
        _rows=_xlsx_rows(workbook, values, header_line, header, columns),
    )


def _xlsx_rows(
    workbook: object, values: Iterator[tuple], header_line: int, header: list[str], columns: dict[str, int]
) -> Iterator[InputRow]:
    row_number = 0
    width = len(header)
    try:
        for line, raw in enumerate(values, start=header_line + 1):
            found = _last_filled(raw) if len(raw) > width else width
            if found > width:  # cells right of the header: only the filled ones are kept, for the error
                extra = [cell_text(v) for v in raw[width:found] if v is not None and v != ""][
                    :MAX_EXTRA_CELLS
                ]
                cells = [cell_text(v) for v in raw[:width]] + extra
            else:
                cells = [cell_text(v) for v in raw[:width]]
            if not any(c.strip() for c in cells):
                continue
            row_number += 1
            error = f"expected {width} columns, found {found}" if found > width else None
            yield _row(row_number, line, cells, header, columns, error)
    finally:
        workbook.close()  # type: ignore[attr-defined]


def cell_text(value: object) -> str:
    """An XLSX cell as text: dates as ISO dates, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- shared ------------------------------------------------------------------


def _row(
    row_number: int,
    line: int,
    cells: list[str],
    header: list[str],
    columns: dict[str, int],
    error: str | None,
) -> InputRow:
    """Fit the cells to the header, pick the mapped fields and add field-level problems."""
    problems = [error] if error else []
    if len(cells) > len(header):
        extra = cells[len(header) :]
        problems[-1:] = [f"{problems[-1] if problems else 'extra cells'} (extra: {quote_prefix(extra, 200)})"]
        cells = cells[: len(header)]
    elif len(cells) < len(header):
        cells = cells + [""] * (len(header) - len(cells))
    fields = {role: cells[index].strip() for role, index in columns.items()}
    if not problems:
        problems = _field_problems(fields)
    cut = [index for index, cell in enumerate(cells) if len(cell) > MAX_CELL_CHARS]
    if cut:
        problems.extend(
            f"column {header[index]!r} is {len(cells[index]):,} characters long; "
            f"cut to {MAX_CELL_CHARS:,} in the results"
            for index in cut
        )
        cells = [cell[:MAX_CELL_CHARS] for cell in cells]
        fields = {role: value[:MAX_CELL_CHARS] for role, value in fields.items()}
    return InputRow(row_number, line, cells, fields, "; ".join(problems) or None)


def _field_problems(fields: dict[str, str]) -> list[str]:
    """Why a row's mapped fields cannot be screened: the same checks as the API and the CLI."""
    problems = [
        f"{role} is {len(value):,} characters long, more than {MAX_VALUE_CHARS}"
        for role, value in fields.items()
        if len(value) > MAX_VALUE_CHARS and role != "name"
    ]
    name = fields.get("name", "")
    if not name:
        problems.append("empty name")
    elif _CONTROL.search(name):
        problems.append("name contains control characters")
    elif problem := name_problem(name):
        problems.append(f"name {problem}")
    dob = fields.get("dob")
    if dob and len(dob) <= MAX_VALUE_CHARS and (problem := dob_problem(dob)):
        problems.append(f"dob {problem}")
    return problems


def count_rows(source: InputFile, limit: int | None = None) -> int:
    """Number of data rows, for progress and ETA (a quick second pass over the real cells).

    With `limit`, counting stops once the count passes it (the file is refused
    anyway): the work per upload is bounded by the limit, not by the file.
    """
    if source.delimiter is None:
        import openpyxl

        workbook = openpyxl.load_workbook(source.path, read_only=True)
        try:
            sheet = _first_sheet(workbook)
            count = -1  # the header
            for raw in sheet.iter_rows(values_only=True):
                if any(v is not None and str(v).strip() for v in raw):
                    count += 1
                    if limit is not None and count > limit:
                        break
            return max(count, 0)
        finally:
            workbook.close()
    errors = "surrogateescape" if source.encoding.startswith("utf-8") else "replace"
    with source.path.open(encoding=source.encoding, errors=errors, newline="") as text:
        reader = csv.reader(text, delimiter=source.delimiter)
        count = 0
        while True:  # counted as _csv_rows reads: an unreadable record is a row, and reading goes on
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error:
                count += 1
                continue
            if any(cell.strip() for cell in cells):
                count += 1
                if limit is not None and count > limit + 1:  # + the header
                    break
        return max(count - 1, 0)
