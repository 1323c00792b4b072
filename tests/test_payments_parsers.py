"""The payment message parsers: fields and paths out of ISO 20022 and SWIFT MT, and every refusal named."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from service.payments.iso20022 import parse_iso20022
from service.payments.jurisdictions import JurisdictionTable, JurisdictionTableError
from service.payments.model import FieldKind, PaymentMessage, PaymentMessageError
from service.payments.mt import parse_mt, split_blocks
from service.payments.screen import parse_message

FIXTURES = Path(__file__).parent / "fixtures" / "payments"


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _fields(message: PaymentMessage) -> dict[str, tuple[FieldKind, str, str]]:
    return {f.path: (f.kind, f.value, f.party_type) for f in message.fields}


def _refused(data: bytes, content_type: str | None = None) -> PaymentMessageError:
    with pytest.raises(PaymentMessageError) as caught:
        parse_message(data, content_type)
    return caught.value


# --- ISO 20022 -----------------------------------------------------------------------------------


def test_pacs008_in_a_business_header_gives_every_party_with_its_element_path() -> None:
    message = parse_iso20022(_read("pacs008_sichuan.xml"))
    assert message.message_type == "pacs.008.001.08"
    assert message.message_id == "PAY-2026-000417"
    assert message.uetr == "8a562c67-ca16-48ba-b074-65581be6f011"
    assert message.business_header is True
    fields = _fields(message)
    assert fields["Cdtr/Nm"] == (FieldKind.NAME, "SICHUAN JUXINHE NETWORK TECHNOLOGY CO LTD", "any")
    assert fields["Dbtr/Nm"] == (FieldKind.NAME, "Hoffmann Werkzeugbau GmbH", "entity")  # has an OrgId
    assert fields["CdtrAgt/FinInstnId/BICFI"][:2] == (FieldKind.BIC, "BKCHCNBJXXX")
    assert fields["Dbtr/Id/OrgId/LEI"][:2] == (FieldKind.IDENTIFIER, "529900T8BM49AURSDO55")
    assert fields["DbtrAcct/Id/IBAN"][:2] == (FieldKind.IBAN, "DE89370400440532013000")
    assert fields["Cdtr/PstlAdr/Ctry"][:2] == (FieldKind.COUNTRY, "CN")
    assert fields["Cdtr/PstlAdr/CtrySubDvsn"][:2] == (FieldKind.ADDRESS, "Sichuan")
    assert fields["RmtInf/Ustrd"][:2] == (FieldKind.TEXT, "INVOICE 2026-0113 NETWORK EQUIPMENT")
    roles = [p.role for p in message.parties]
    assert roles == ["InstgAgt", "InstdAgt", "Dbtr", "DbtrAgt", "CdtrAgt", "Cdtr"]
    assert [p.agent for p in message.parties] == [True, True, False, True, True, False]


def test_the_same_document_without_a_header_reads_the_same() -> None:
    message = parse_iso20022(_read("pacs008_creditor_iran.xml"))
    assert message.business_header is False
    assert message.message_id == "PAY-2026-000420"
    assert _fields(message)["Cdtr/PstlAdr/Ctry"][:2] == (FieldKind.COUNTRY, "IR")


def test_pacs009_cov_keeps_the_underlying_customer_transfer_apart() -> None:
    fields = _fields(parse_iso20022(_read("pacs009_cov.xml")))
    assert fields["Dbtr/FinInstnId/BICFI"][:2] == (FieldKind.BIC, "BARCGB22XXX")  # FI debtor
    assert fields["Cdtr/FinInstnId/BICFI"][:2] == (FieldKind.BIC, "HSBCHKHHXXX")
    assert fields["UndrlygCstmrCdtTrf/Cdtr/Nm"][:2] == (
        FieldKind.NAME,
        "DANDONG HONGXIANG INDUSTRIAL DEVELOPMENT CO LTD",
    )
    assert "UndrlygCstmrCdtTrf/RmtInf/Ustrd" in fields


def test_pain001_numbers_repeated_transactions_in_paths() -> None:
    message = parse_iso20022(_read("pain001.xml"))
    assert message.message_type == "pain.001.001.09"
    assert message.transactions == 2
    fields = _fields(message)
    assert fields["GrpHdr/InitgPty/Nm"][1] == "Hoffmann Werkzeugbau GmbH"
    assert fields["Dbtr/Nm"][1] == "Hoffmann Werkzeugbau GmbH"  # the one PmtInf is left out of paths
    assert fields["CdtTrfTxInf[2]/RmtInf/Ustrd"][1].endswith("KOREA MINING DEVELOPMENT TRADING CORPORATION")
    assert fields["CdtTrfTxInf[1]/CdtrAcct/Id/IBAN"][1] == "FR1420041010050500013M02606"


def test_a_person_with_a_private_id_is_screened_as_a_person() -> None:
    xml = b"""<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.10"><FIToFICstmrCdtTrf>
      <GrpHdr><MsgId>P1</MsgId></GrpHdr><CdtTrfTxInf><UltmtCdtr><Nm>Kecheng Yin</Nm>
      <Id><PrvtId><DtAndPlcOfBirth><BirthDt>1986-12-08</BirthDt><CityOfBirth>Havana</CityOfBirth>
      <CtryOfBirth>CU</CtryOfBirth></DtAndPlcOfBirth><Othr><Id>340121198612082214</Id></Othr></PrvtId></Id>
      </UltmtCdtr></CdtTrfTxInf></FIToFICstmrCdtTrf></Document>"""
    fields = _fields(parse_iso20022(xml))
    assert fields["UltmtCdtr/Nm"] == (FieldKind.NAME, "Kecheng Yin", "person")
    assert fields["UltmtCdtr/Id/PrvtId/DtAndPlcOfBirth/CtryOfBirth"][:2] == (FieldKind.COUNTRY, "CU")
    assert fields["UltmtCdtr/Id/PrvtId/Othr/Id"][:2] == (FieldKind.IDENTIFIER, "340121198612082214")


def test_malformed_xml_is_refused_with_the_line() -> None:
    error = _refused(_read("malformed.xml"), "application/xml")
    assert error.problem == "malformed_xml"
    assert "line" in str(error)


def test_an_xml_bomb_is_refused_at_once_without_expanding() -> None:
    started = time.perf_counter()
    error = _refused(_read("xml_bomb.xml"), "application/xml")
    assert time.perf_counter() - started < 0.1
    assert error.problem == "xml_doctype"
    assert "DOCTYPE" in str(error)


def test_an_external_entity_is_refused_too() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>'
    )
    assert _refused(xxe, "application/xml").problem == "xml_doctype"


@pytest.mark.parametrize(
    ("fixture", "named"),
    [("camt053.xml", "camt.053.001.08"), ("pacs008_v02.xml", "pacs.008.001.02")],
)
def test_other_message_types_and_older_versions_are_refused_by_name(fixture: str, named: str) -> None:
    error = _refused(_read(fixture), "application/xml")
    assert error.problem == "unsupported_message"
    assert named in str(error)


def test_a_header_naming_another_message_is_refused() -> None:
    data = _read("pacs008_sichuan.xml").replace(b"<MsgDefIdr>pacs.008.001.08", b"<MsgDefIdr>pacs.009.001.08")
    error = _refused(data, "application/xml")
    assert error.problem == "header_mismatch"
    assert "pacs.009.001.08" in str(error)


def test_xml_that_is_not_iso20022_is_refused() -> None:
    error = _refused(b"<invoice><total>12</total></invoice>", "application/xml")
    assert error.problem == "unsupported_message"
    assert "<invoice>" in str(error)


# --- SWIFT MT ------------------------------------------------------------------------------------


def test_mt103_name_lines_are_paths_with_field_and_line() -> None:
    message = parse_mt(_read("mt103_cut_name.txt").decode())
    assert message.message_type == "MT103"
    assert message.message_id == "REF7781"
    assert message.uetr == "5e0d3c8a-1b2f-4c6d-9e8f-0a1b2c3d4e5f"
    fields = _fields(message)
    assert fields[":59: line 2"] == (FieldKind.NAME, "DANDONG HONGXIANG INDUSTRIAL DEVELO", "any")
    assert fields[":50K: line 2"][1] == "HOFFMANN WERKZEUGBAU GMBH"
    assert fields[":50K: line 1"][:2] == (FieldKind.IBAN, "DE89370400440532013000")
    assert fields[":57A: line 1"][:2] == (FieldKind.BIC, "HSBCHKHHXXX")
    assert fields["{1:} sender"][1] == "DEUTDEFF"
    assert fields["{2:} receiver"][1] == "HSBCHKHH"
    assert fields[":70:"][:2] == (FieldKind.TEXT, "INVOICE 2026-118 STEEL PIPES")


def test_mt103_option_f_lines_give_name_address_and_country() -> None:
    fields = _fields(parse_mt(_read("mt103_clean.txt").decode()))
    assert fields[":59F: line 2"][:2] == (FieldKind.NAME, "KOWLOON BAY OFFICE FITTINGS LTD")
    assert fields[":59F: line 4"][:2] == (FieldKind.ADDRESS, "KOWLOON BAY")
    countries = [f for f in parse_mt(_read("mt103_clean.txt").decode()).fields if f.kind is FieldKind.COUNTRY]
    assert [(c.path, c.value) for c in countries] == [(":50F: line 4", "DE"), (":59F: line 4", "HK")]


def test_a_50f_with_a_date_of_birth_is_a_person() -> None:
    text = (
        "{1:F01DEUTDEFFAXXX0000000000}{2:I103HSBCHKHHXXXXN}{4:\n:20:R1\n:32A:261205EUR1,00\n"
        ":50F:NIDN/CN/340121198612082214\n1/YIN KECHENG\n4/19861208\n5/CN/SHANGHAI\n:59:JANE DOE\n-}"
    )
    fields = _fields(parse_mt(text))
    assert fields[":50F: line 2"] == (FieldKind.NAME, "YIN KECHENG", "person")
    assert fields[":50F: line 1"][:2] == (FieldKind.IDENTIFIER, "340121198612082214")


def test_mt202_cov_marks_sequence_b() -> None:
    message = parse_mt(_read("mt202cov.txt").decode())
    assert message.message_type == "MT202COV"
    fields = _fields(message)
    assert fields[":58A: line 1"][1] == "HSBCHKHH"
    assert fields["B/:59: line 2"][1] == "ACME FITTINGS"
    assert fields["B/:50F: line 2"][1] == "ALBION MARINE SUPPLIES LTD"


VALID = "{1:F01DEUTDEFFAXXX0000000000}{2:I103HSBCHKHHXXXXN}{4:\r\n:20:R\r\n:32A:261205EUR1,00\r\n:50K:A\r\n:59:B\r\n-}"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (VALID.replace("\r\n-}", "\r\n"), "block 4 (text) is not closed"),
        (VALID.replace("{2:I103HSBCHKHHXXXXN}", ""), "block 2 (application header) is missing"),
        ("{2:I103HSBCHKHHXXXXN}{1:F01DEUTDEFFAXXX0000000000}" + VALID[50:], "block 1 comes after block 2"),
        (VALID.replace("{1:F01DEUTDEFFAXXX0000000000}", "{1:F01DEUTDEFFAXXX0000000000"), "not closed"),
        ("hello " + VALID, "at character 1"),
        (VALID.replace("{1:F01DEUTDEFFAXXX0000000000}", "{1:F01SHORT}"), "block 1 (basic header)"),
        (VALID.replace("{4:\r\n:20:", "{4::20:"), "must start on a new line"),
        (VALID.replace(":20:R", "20:R"), "block 4 line 1"),
        (VALID + "{4:\r\n:20:X\r\n-}", "block 4 appears twice"),
    ],
)
def test_a_broken_block_structure_is_refused_naming_the_fault(text: str, says: str) -> None:
    error = _refused(text.encode(), "text/plain")
    assert error.problem == "mt_block_structure", error
    assert says in str(error)


def test_the_valid_skeleton_parses() -> None:
    assert set(split_blocks(VALID)) == {"1", "2", "4"}
    assert parse_mt(VALID).message_type == "MT103"


def test_unsupported_mt_types_and_missing_fields_are_refused() -> None:
    error = _refused(_read("mt199.txt"), "text/plain")
    assert (error.problem, "MT199" in str(error)) == ("unsupported_message", True)
    missing = _refused(VALID.replace(":59:B\r\n", "").encode(), "text/plain")
    assert missing.problem == "mt_field"
    assert ":59a:" in str(missing)


def test_content_types_choose_the_parser_and_others_are_refused() -> None:
    assert parse_message(_read("mt103_clean.txt"), "text/plain; charset=utf-8").message_type == "MT103"
    assert parse_message(_read("pacs009_cov.xml"), "application/xml").message_type == "pacs.009.001.08"
    assert parse_message(_read("pacs009_cov.xml")).message_type == "pacs.009.001.08"  # sniffed
    assert _refused(b"{}", "application/json").problem == "unsupported_media_type"
    assert _refused(b"\xff\xfe{1:", "text/plain").problem == "mt_encoding"


# --- jurisdictions -------------------------------------------------------------------------------


def test_the_default_table_finds_codes_and_occupied_regions_by_name() -> None:
    table = JurisdictionTable.load()
    assert {j.code for j in table.jurisdictions if j.code} == {"CU", "IR", "KP", "SY"}
    assert table.by_code("ir").name == "Iran"  # type: ignore[union-attr]
    assert table.by_code("DE") is None
    found = {j.id for _, j in table.in_text("ul. Kirova 5, Simferopol, Republic of Crimea")}
    assert found == {"UA-CRIMEA"}
    assert [j.id for _, j in table.in_text("Lenin Sq 1, LUGANSK")] == ["UA-LNR"]
    assert table.in_text("Sevastopolska St 3, Kyiv") == []  # a street named after a town is not the town
    assert [w for w, _ in table.in_text("Democratic People's Republic of Korea")] == [
        "DEMOCRATIC PEOPLES REPUBLIC OF KOREA"
    ]


def test_a_custom_table_replaces_the_default_and_bad_ones_are_named(tmp_path: Path) -> None:
    custom = tmp_path / "table.yaml"
    custom.write_text("jurisdictions:\n  - {id: RU, code: RU, name: Russia, source: policy 7}\n")
    table = JurisdictionTable.load(custom)
    assert table.by_code("RU") is not None and table.by_code("IR") is None
    custom.write_text("jurisdictions:\n  - {id: X, code: XYZ, name: Nowhere}\n")
    with pytest.raises(JurisdictionTableError, match="X: code must be ISO 3166-1 alpha-2"):
        JurisdictionTable.load(custom)
