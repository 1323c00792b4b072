"""Generic organisation words across abbreviations and languages (rigour's symbol table)."""

from screening.names import analyze_name, score_names
from screening.org_words import all_symbols, han_words, org_symbols, symbol_word
from screening.thresholds import DEFAULT_THRESHOLD
from screening.translit import han_word_reading


def score(query: str, listed: str, type: str = "entity") -> float:
    """A query of `type` against a listed organisation."""
    return score_names(analyze_name(query, type), analyze_name(listed, "entity")).score  # type: ignore[arg-type]


def test_abbreviations_and_translations_share_a_symbol() -> None:
    assert org_symbols("grp") & org_symbols("group") & org_symbols("集团")
    assert org_symbols("intl") & org_symbols("international")
    # Words of one trade share a DOMAIN but do not align: oil is not petrochemicals.
    assert all_symbols("科技") & all_symbols("technology")
    assert all_symbols("oil") & all_symbols("petrochemical")
    assert org_symbols("oil") and org_symbols("oil").isdisjoint(org_symbols("petrochemical"))
    # Names, places and ordinary words are not generic organisation words.
    assert not org_symbols("juxinhe") and not org_symbols("shanghai") and not org_symbols("smith")


def test_a_symbol_has_a_latin_word_that_reads_back_as_itself() -> None:
    for word in ["科技", "信息", "网络", "集团", "贸易"]:
        latin = symbol_word(all_symbols(word))
        assert latin is not None and latin.isascii(), word
        assert all_symbols(latin) & all_symbols(word), word


def test_a_han_run_is_cut_at_generic_words_longest_first() -> None:
    assert han_words("四川聚信和网络科技") == [("四川聚信和", None), ("网络", "network"), ("科技", "tech")]
    assert [word for _, word in han_words("中国进出口银行")] == [None, "trade", "bank"]
    assert han_words("聚信和") == [("聚信和", None)]


def test_only_an_organisation_has_its_short_han_runs_translated() -> None:
    # 王建设 (Wang Jianshe) is a person's name of four characters or fewer; 建设 also means construction.
    assert han_word_reading("王建设", organisation=False) is None
    assert han_word_reading("华为技术", organisation=True) == "hua wei tech"
    assert analyze_name("王建设", "person").spellings[0].tokens == ("wang", "jianshe")
    assert all("construction" not in sp.tokens for sp in analyze_name("王建设", "person").spellings)


def test_a_chinese_registration_meets_its_english_listing() -> None:
    """The 2025 designations as a Chinese payment message writes them (the lists carry only English)."""
    assert (
        score("四川聚信和网络科技有限公司", "SICHUAN JUXINHE NETWORK TECHNOLOGY CO., LTD.")
        >= DEFAULT_THRESHOLD
    )
    assert (
        score("上海黑鹰信息科技有限公司", "SHANGHAI HEIYING INFORMATION TECHNOLOGY COMPANY, LIMITED", "any")
        >= DEFAULT_THRESHOLD
    )
    explained = score_names(
        analyze_name("四川聚信和网络科技有限公司", "entity"),
        analyze_name("SICHUAN JUXINHE NETWORK TECHNOLOGY CO., LTD.", "entity"),
        explain=True,
    )
    assert ("tech", "technology") in {(m.query_token, m.list_token) for m in explained.token_matches}
    # Generic words agreeing do not make a match: the distinctive name must agree too.
    assert (
        score("四川联合网络科技有限公司", "SICHUAN JUXINHE NETWORK TECHNOLOGY CO., LTD.") < DEFAULT_THRESHOLD
    )


def test_payment_field_abbreviations_meet_the_full_words() -> None:
    listed = "INTEGRITY TECHNOLOGY GROUP, INCORPORATED"
    before = score("Integrity Technology Xyz Inc", listed)
    assert score("Integrity Technology Grp Inc", listed) >= DEFAULT_THRESHOLD > before
    explained = score_names(
        analyze_name("Integrity Technology Grp Inc", "entity"), analyze_name(listed, "entity"), explain=True
    )
    # A labelled match of nomenklatura's name benchmark made only of generic words: the symbol
    # table is what finds it (0.53 without; gating symbols on a shared distinctive word lost it).
    assert score("First Bank Int’l", "First International Bank Company") >= DEFAULT_THRESHOLD
    assert ("grp", "group", "symbol") in {
        (m.query_token, m.list_token, m.how) for m in explained.token_matches
    }


def test_words_of_one_trade_are_not_one_word() -> None:
    """ "Pars Oil Co." is not "Pars Petrochemical Company", though rigour files both under OIL."""
    assert score("PARS OIL CO.", "PARS PETROCHEMICAL COMPANY", "any") < DEFAULT_THRESHOLD
    assert score("China National Petroleum Corp", "CHINA NATIONAL OFFSHORE OIL CORPORATION", "any") < (
        DEFAULT_THRESHOLD
    )


def test_symbols_are_for_organisations_only_and_not_for_other_forms_of_a_word() -> None:
    people = score_names(
        analyze_name("John Grp Smith", "person"), analyze_name("John Group Smith", "person"), explain=True
    )
    assert all(m.how != "symbol" for m in people.token_matches)
    # Another word of the same stem names another business (rigour files both under BANK).
    banks = score_names(
        analyze_name("Sumitomo Mitsui Trust Bank Limited", "entity"),
        analyze_name("Sumitomo Mitsui Banking Corporation", "entity"),
        explain=True,
    )
    assert all(m.how != "symbol" for m in banks.token_matches)
    assert banks.score < DEFAULT_THRESHOLD


def test_a_company_named_without_its_generic_words_alerts_clearly() -> None:
    """Payments often drop "Information Technology Co., Ltd.": those words cost less than a name's."""
    listed = "SHANGHAI HEIYING INFORMATION TECHNOLOGY COMPANY, LIMITED"
    assert score("Shanghai Heiying", listed, "any") >= DEFAULT_THRESHOLD + 0.05
    assert score("Shanghai Heiying Information Technology Co Ltd", "SHANGHAI HEIYING", "any") >= (
        DEFAULT_THRESHOLD + 0.05
    )
    # A different generic word is no omission: "Network" against "Information" still conflicts.
    assert score("Shanghai Heiying Network Technology", listed, "any") < DEFAULT_THRESHOLD
    # Nor does the discount reach a word that is not generic ("Airlines" names another company).
    assert (
        score("Sichuan Airlines", "SICHUAN JUXINHE NETWORK TECHNOLOGY CO., LTD.", "any") < DEFAULT_THRESHOLD
    )
