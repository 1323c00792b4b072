"""The payment screening service in process, against an index of every bundled list."""

from __future__ import annotations

from pathlib import Path

import pytest

from lists.store import Store
from screening.screener import Screener
from service.payments.jurisdictions import JurisdictionTable
from service.payments.screen import PaymentPolicy, PaymentScreener, PaymentScreening, parse_message
from tests.api_server import loaded_template

FIXTURES = Path(__file__).parent / "fixtures" / "payments"


@pytest.fixture(scope="module")
def screener() -> Screener:
    store = Store(f"sqlite:///{loaded_template()}")
    try:
        versions = store.active_versions()
        return Screener(store.active_designations(), {code: v.label for code, v in versions.items()})
    finally:
        store.close()


@pytest.fixture(scope="module")
def payments() -> PaymentScreener:
    return PaymentScreener(PaymentPolicy(JurisdictionTable.load()))


def _screen(payments: PaymentScreener, screener: Screener, fixture: str) -> PaymentScreening:
    return payments.screen(screener, parse_message((FIXTURES / fixture).read_bytes()))


def test_a_listed_creditor_holds_naming_the_field_and_the_designation(
    payments: PaymentScreener, screener: Screener
) -> None:
    result = _screen(payments, screener, "pacs008_sichuan.xml")
    assert result.decision == "hold"
    [hit] = result.hits
    assert (hit.field, hit.check, hit.matched["entity_id"]) == ("Cdtr/Nm", "name", "ofac:52749")
    assert hit.score >= 0.95
    assert "summary" in hit.as_dict()["explanation"]
    assert set(result.list_versions) == {"ofac", "ofac-nonsdn", "un", "internal"}


def test_the_same_message_with_a_clean_creditor_passes(payments: PaymentScreener, screener: Screener) -> None:
    result = _screen(payments, screener, "pacs008_clean.xml")
    assert (result.decision, result.hits) == ("pass", [])


def test_a_name_cut_at_35_characters_in_59_holds_naming_the_line(
    payments: PaymentScreener, screener: Screener
) -> None:
    result = _screen(payments, screener, "mt103_cut_name.txt")
    assert result.decision == "hold"
    [hit] = result.hits
    assert hit.field == ":59: line 2"
    assert hit.value == "DANDONG HONGXIANG INDUSTRIAL DEVELO"
    assert hit.matched["entity_id"] == "ofac:20564"


def test_a_listed_bic_blocks_and_the_policy_can_make_it_a_hold(
    payments: PaymentScreener, screener: Screener
) -> None:
    message = parse_message((FIXTURES / "pacs008_listed_bic.xml").read_bytes())
    result = payments.screen(screener, message)
    assert result.decision == "block"
    [hit] = result.hits
    assert (hit.field, hit.check, hit.action) == ("CdtrAgt/FinInstnId/BICFI", "bic", "block")
    assert hit.matched["entity_id"] == "ofac:12028"  # ONERBANK ZAO, SWIFT/BIC HNRBBY2X
    lenient = PaymentScreener(PaymentPolicy(JurisdictionTable.load(), block_on_exact_identifier=False))
    assert lenient.screen(screener, message).decision == "hold"


@pytest.mark.parametrize(
    ("fixture", "field", "check", "jurisdiction"),
    [
        ("pacs008_creditor_iran.xml", "Cdtr/PstlAdr/Ctry", "country", "IR"),
        ("pacs008_creditor_crimea.xml", "Cdtr/PstlAdr/TwnNm", "region", "UA-CRIMEA"),
        ("mt202cov.txt", "B/:59: line 4", "region", "UA-CRIMEA"),
    ],
)
def test_a_creditor_in_a_sanctioned_jurisdiction_holds_naming_the_field(
    payments: PaymentScreener, screener: Screener, fixture: str, field: str, check: str, jurisdiction: str
) -> None:
    result = _screen(payments, screener, fixture)
    assert result.decision == "hold"
    [hit] = result.hits
    assert (hit.field, hit.check, hit.matched["jurisdiction"]["id"]) == (field, check, jurisdiction)
    assert hit.matched["jurisdiction"]["source"]


def test_bic_and_iban_countries_are_checked(payments: PaymentScreener, screener: Screener) -> None:
    data = (FIXTURES / "pacs008_clean.xml").read_bytes()
    data = data.replace(
        b"<BICFI>BKCHCNBJXXX</BICFI></FinInstnId></CdtrAgt>",
        b"<BICFI>BMJIIRTHXXX</BICFI></FinInstnId></CdtrAgt>",
    )
    data = data.replace(b"<IBAN>DE89370400440532013000</IBAN>", b"<IBAN>IR580540105180021273113007</IBAN>")
    result = payments.screen(screener, parse_message(data))
    checks = {(hit.field, hit.check) for hit in result.hits}
    assert ("CdtrAgt/FinInstnId/BICFI", "bic_country") in checks
    assert ("DbtrAcct/Id/IBAN", "iban_country") in checks
    assert result.decision == "hold"


def test_remittance_text_finds_a_listed_name_inside_it_but_not_common_words(
    payments: PaymentScreener, screener: Screener
) -> None:
    result = _screen(payments, screener, "pain001.xml")
    assert result.decision == "hold"
    fields = {hit.field for hit in result.hits}
    assert fields == {"CdtTrfTxInf[2]/RmtInf/Ustrd"}  # the first transfer's "OFFICE CHAIRS" is silent
    assert {hit.matched["entity_id"] for hit in result.hits} >= {"ofac:9345"}
    assert all(hit.check == "text_name" for hit in result.hits)


@pytest.mark.parametrize(
    "text",
    [
        "INVOICE 4711 OFFICE FURNITURE AND CHAIRS ORDER 2026/117",
        "ROOF REPAIR AT 12 MAIN STREET SPRINGFIELD PER QUOTE 2291",
        "SALARY NOVEMBER 2026 THANK YOU FOR YOUR SERVICE",
        "CONSULTING SERVICES Q3 2026 WEBSITE REDESIGN PHASE II",
        "PAYMENT FOR GOODS AS PER CONTRACT 55/2026 DATED 01.11.2026",
    ],
)
def test_everyday_remittance_texts_stay_silent(
    payments: PaymentScreener, screener: Screener, text: str
) -> None:
    data = (FIXTURES / "pacs008_clean.xml").read_bytes()
    data = data.replace(b"INVOICE 2026-0113 NETWORK EQUIPMENT", text.encode())
    assert payments.screen(screener, parse_message(data)).hits == []


def test_identifiers_in_free_text_are_found_exactly(payments: PaymentScreener, screener: Screener) -> None:
    data = (FIXTURES / "mt103_clean.txt").read_bytes()
    data = data.replace(
        b":70:/INV/2026-119 OFFICE FURNITURE", b":70:FREIGHT VIA HNRBBY2X\r\nVESSEL IMO 9187629"
    )
    result = payments.screen(screener, parse_message(data))
    found = {(hit.field, hit.check, hit.value) for hit in result.hits}
    assert (":70:", "text_identifier", "HNRBBY2X") in found
    assert (":70:", "text_identifier", "IMO 9187629") in found
    assert result.decision == "block"


def test_the_cover_payment_screens_the_underlying_customers(
    payments: PaymentScreener, screener: Screener
) -> None:
    result = _screen(payments, screener, "pacs009_cov.xml")
    assert result.decision == "hold"
    assert {hit.field for hit in result.hits} == {"UndrlygCstmrCdtTrf/Cdtr/Nm"}


def test_a_name_repeated_in_a_message_is_screened_once_and_hits_every_field(
    payments: PaymentScreener, screener: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = (
        (FIXTURES / "pain001.xml")
        .read_bytes()
        .replace(b"Atelier Dubois SARL", b"SICHUAN JUXINHE NETWORK TECHNOLOGY CO LTD")
    )
    calls: list[str] = []
    original = screener.screen

    def counting(query, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(query.name)
        return original(query, **kwargs)

    monkeypatch.setattr(screener, "screen", counting)
    fresh = PaymentScreener(PaymentPolicy(JurisdictionTable.load()))  # nothing cached from other tests
    result = fresh.screen(screener, parse_message(data))
    assert calls.count("SICHUAN JUXINHE NETWORK TECHNOLOGY CO LTD") == 1
    assert {hit.field for hit in result.hits if hit.check == "name"} == {
        "CdtTrfTxInf[1]/Cdtr/Nm",
        "CdtTrfTxInf[2]/Cdtr/Nm",
    }
    screened = len(calls)
    again = fresh.screen(screener, parse_message(data))  # the next payment to the same parties
    assert len(calls) == screened  # answered from the cache of this index
    assert [h.as_dict() for h in again.hits] == [h.as_dict() for h in result.hits]
    uncached = PaymentScreener(PaymentPolicy(JurisdictionTable.load()), result_cache_size=0)
    first = uncached.screen(screener, parse_message(data))
    uncached.screen(screener, parse_message(data))
    assert len(calls) == 3 * screened  # without the cache: once per message (still once per name)
    assert [h.as_dict() for h in first.hits] == [h.as_dict() for h in result.hits]


def test_the_result_cache_belongs_to_one_index(payments: PaymentScreener, screener: Screener) -> None:
    data = (FIXTURES / "pacs008_sichuan.xml").read_bytes()
    assert payments.screen(screener, parse_message(data)).decision == "hold"
    # An index without the designation (a list update removed it): the cached hit must not come back.
    others = [d for d in screener.index.designations if d.entity_id != "ofac:52749"][:300]
    smaller = Screener(others, dict(screener.list_versions))
    assert payments.screen(smaller, parse_message(data)).decision == "pass"
