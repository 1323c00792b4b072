"""Reading customer files: encodings, delimiters, headers, overrides, XLSX, and rows with problems."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from service.batch.io import BatchInputError, ColumnOverrides, count_rows, detect_encoding, open_input

ROWS = [["Full Name", "Nationality", "Customer_ID"], ["Zhou Shuai", "CN", "1"], ["José Müller", "ES", "2"]]


def write(path: Path, text: str, encoding: str, bom: bytes = b"") -> Path:
    path.write_bytes(bom + text.encode(encoding))
    return path


def table(delimiter: str = ",") -> str:
    return "".join(delimiter.join(row) + "\r\n" for row in ROWS)


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
        ("utf-16-le", b"", "utf-16-le"),
        ("cp1252", b"", "cp1252"),
    ],
)
def test_encodings_are_detected(tmp_path: Path, encoding: str, bom: bytes, expected: str) -> None:
    source = open_input(write(tmp_path / "c.csv", table(), encoding, bom))
    assert source.encoding == expected
    rows = list(source.rows())
    assert [r.fields["name"] for r in rows] == ["Zhou Shuai", "José Müller"]
    assert source.header[0] == "Full Name"
    assert all(r.error is None for r in rows)
    assert bool(source.warnings) == (expected == "cp1252")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_detected(tmp_path: Path, delimiter: str) -> None:
    source = open_input(write(tmp_path / "c.csv", table(delimiter), "utf-8"))
    assert source.delimiter == delimiter
    assert next(r.fields for r in source.rows()) == {"name": "Zhou Shuai", "nationality": "CN", "id": "1"}


def test_headers_in_any_case_and_overrides(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.csv",
        "CUSTOMER_NAME,Date-Of-Birth,COUNTRY,Kind,who\r\nA B,1970,DE,Company,x\r\n",
        "utf-8",
    )
    source = open_input(path)
    assert source.columns == {"name": 0, "dob": 1, "country": 2, "type": 3}
    overridden = open_input(path, ColumnOverrides(name="WHO", country="2"))
    assert overridden.columns["name"] == 4 and overridden.columns["country"] == 1
    with pytest.raises(BatchInputError, match="--dob-column 'born_on'"):
        open_input(path, ColumnOverrides(dob="born_on"))


def test_no_name_column_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BatchInputError, match="no name column"):
        open_input(write(tmp_path / "c.csv", "a,b\r\n1,2\r\n", "utf-8"))
    with pytest.raises(BatchInputError, match="empty"):
        open_input(write(tmp_path / "e.csv", "", "utf-8"))


def test_problem_rows_are_kept_with_errors(tmp_path: Path) -> None:
    long_name = "x" * 600
    body = (
        "name,country\r\n"
        "Ok Name,DE\r\n"
        ",DE\r\n"
        "Too,Many,Cells\r\n"
        "Short\r\n"
        f"{long_name},FR\r\n"
        '"Multi\nLine",FR\r\n'
        "\r\n"
        "Última Fila,ES\r\n"
    ).encode()
    body = body.replace(b"Short", "Müller".encode("cp1252"))
    source = open_input(write(tmp_path / "c.csv", body.decode("latin-1"), "latin-1"))
    assert source.encoding == "utf-8"  # one bad row does not make the file cp1252
    rows = list(source.rows())
    assert [r.row_number for r in rows] == [1, 2, 3, 4, 5, 6, 7]
    errors = [r.error for r in rows]
    assert errors[0] is None
    assert errors[1] == "empty name"
    assert "expected 2 columns, found 3" in errors[2] and "Cells" in errors[2]
    assert "undecodable bytes" in errors[3] and rows[3].cells[0] == "Müller"
    assert "600 characters" in errors[4]
    assert errors[5] == "name contains control characters"
    assert errors[6] is None and rows[6].fields["name"] == "Última Fila"
    assert all(len(r.cells) == 2 for r in rows)
    assert count_rows(open_input(tmp_path / "c.csv")) == 7


def test_xlsx_input(tmp_path: Path) -> None:
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append([None])
    sheet.append(["Name", "Birth Date", "ID"])
    sheet.append(["Yin Kecheng", dt.datetime(1983, 4, 2), 12345.0])
    sheet.append([None, None, None])
    sheet.append([None, None, 7])
    book.save(tmp_path / "c.xlsx")
    source = open_input(tmp_path / "c.xlsx")
    rows = list(source.rows())
    assert source.header == ["Name", "Birth Date", "ID"]
    assert rows[0].fields == {"name": "Yin Kecheng", "dob": "1983-04-02", "id": "12345"}
    assert rows[1].error == "empty name" and rows[1].line == 5
    assert count_rows(open_input(tmp_path / "c.xlsx")) == 2


def test_cp1252_sample_detection() -> None:
    assert detect_encoding("Müller\n".encode("cp1252"))[0] == "cp1252"
    assert detect_encoding("Müller\n".encode() + "Gómez\n".encode("cp1252"))[0] == "utf-8"


def test_control_characters_blank_records_and_bad_bytes_in_any_column(tmp_path: Path) -> None:
    body = (
        "name,notes\r\n"
        "Tab\tSeparated,ok\r\n"  # a tab is layout, not a control character
        "Unit\x1fSeparator,x\r\n"
        "Vertical\x0bTab,x\r\n"
        "  ,   \r\n"  # blank record: skipped, not numbered
        "Clean Name,BAD\r\n"
        "Über Name,ok\r\n"  # valid UTF-8: the file is UTF-8, the cp1252 cell is the odd one
    ).encode()
    body = body.replace(b"BAD", "Gr\u00fc\u00df".encode("cp1252"))
    rows = list(open_input(write(tmp_path / "c.csv", body.decode("latin-1"), "latin-1")).rows())
    assert [r.row_number for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].error is None and rows[0].fields["name"] == "Tab\tSeparated"
    assert rows[1].error == rows[2].error == "name contains control characters"
    assert rows[3].error == "undecodable bytes (not UTF-8) in column 'notes'"
    assert rows[3].cells == ["Clean Name", "Grüß"]
    assert rows[4].error is None and rows[4].fields["name"] == "Über Name"
