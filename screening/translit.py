"""Transliteration of names in other scripts to Latin, under several romanisation habits.

Why: a sanctioned party appears as "Владимир Путин", "Vladimir Putin" or "Wladimir
Putin"; "习近平" as "Xi Jinping" or "Hsi Chin-p'ing"; "김정은" as "Kim Jong Un". We
produce a few plausible Latin spellings per name (first = the main one) and
scoring takes the best. ICU, pypinyin, pykakasi and hanja run only here, at
analysis time, never while scoring.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

import icu
from pypinyin import Style, lazy_pinyin

from screening.normalize import clean_text, normalize_latin
from screening.org_words import han_words

# Scripts written without short vowels: compare consonant skeletons.
ABJAD_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Thai"})
_MAX_VARIANTS = 8


@functools.lru_cache(maxsize=16)
def _icu(spec: str) -> icu.Transliterator:
    return icu.Transliterator.createInstance(spec)


@functools.lru_cache(maxsize=8192)
def char_script(char: str) -> str:
    """ISO 15924 code of one character (memoised: names reuse few letters, and ICU's lookup
    plus its name object cost ten times a cache hit)."""
    return icu.Script.getScript(ord(char)).getShortName()


@functools.lru_cache(maxsize=1024)
def scripts_of(text: str) -> frozenset[str]:
    """ISO 15924 codes of the letters in `text` (ASCII fast path; memoised, as a name's
    analysis asks it of the same text twice)."""
    if text.isascii():
        return _LATIN if any(c.isalpha() for c in text) else frozenset()
    return frozenset([char_script(char) for char in text if char.isalpha()])


_LATIN = frozenset({"Latn"})


# --- Cyrillic: one table per habit; letters not listed fall back to the base table.
_CYR_BASE = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u", "ђ": "dj", "ј": "j",
    "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz", "ү": "u", "ө": "o", "қ": "k", "ғ": "g",
    "ң": "n", "һ": "h", "ә": "a",
}  # fmt: skip
_CYR_SYSTEMS: dict[str, dict[str, str]] = {
    "bgn": {},
    "icao": {"й": "i", "ю": "iu", "я": "ia", "ъ": "ie", "ы": "y"},
    "gost": {"й": "j", "х": "x", "ц": "c", "щ": "shh", "ю": "yu", "я": "ya", "ы": "y"},
    "german": {
        "в": "w", "ж": "sch", "з": "s", "й": "j", "х": "ch", "ц": "z", "ч": "tsch",
        "ш": "sch", "щ": "schtsch", "ю": "ju", "я": "ja", "ы": "y",
    },
    "french": {
        "ж": "j", "й": "i", "у": "ou", "х": "kh", "ц": "ts", "ч": "tch", "ш": "ch",
        "щ": "chtch", "ю": "iou", "я": "ia",
    },
}  # fmt: skip
# English habits applied on top of BGN: -ий/-ый endings as "y", "кс" as "x".
_CYR_ENGLISH_ENDINGS = (("iy", "y"), ("yy", "y"), ("ks", "x"))


def _cyrillic_word(word: str, system: dict[str, str]) -> str:
    return "".join(system.get(ch, _CYR_BASE.get(ch, ch)) for ch in word)


def cyrillic_variants(text: str) -> list[str]:
    """Latin spellings of Cyrillic text: BGN/PCGN, ICAO, GOST, English, German, French."""
    lowered = clean_text(text)
    out: list[str] = []
    for system in _CYR_SYSTEMS.values():
        out.append(" ".join(_cyrillic_word(w, system) for w in lowered.split()))
    english = out[0]
    for old, new in _CYR_ENGLISH_ENDINGS:
        english = " ".join(
            w[: -len(old)] + new
            if old != "ks" and w.endswith(old)
            else w.replace("ks", "x")
            if old == "ks"
            else w
            for w in english.split()
        )
    out.append(english)
    return out


# --- Han: Mandarin pinyin, a Wade-Giles-like respelling, Korean and Japanese readings.
_WADE_GILES = (
    ("zh", "ch"), ("q", "ch"), ("x", "hs"), ("z", "ts"), ("c", "ts"), ("j", "ch"),
    ("r", "j"), ("ong", "ung"), ("ian", "ien"), ("ie", "ieh"), ("you", "yu"),
    ("b", "p"), ("d", "t"), ("g", "k"),
)  # fmt: skip


def wade_giles_syllable(syllable: str) -> str:
    """Rough Wade-Giles form of a tone-less pinyin syllable (aspiration marks dropped).

    Initials are replaced once, left to right, so "zhou" -> "chou", "xi" -> "hsi",
    "qing" -> "ching", "jin" -> "chin"; finals "ong"/"ian"/"ie" follow.
    """
    for old, new in _WADE_GILES[:10]:
        if old in ("ong", "ian", "ie", "you"):
            continue
        if syllable.startswith(old):
            syllable = new + syllable[len(old) :]
            break
    for old, new in (("ong", "ung"), ("ian", "ien"), ("ie", "ieh")):
        if syllable.endswith(old):
            syllable = syllable[: -len(old)] + new
            break
    return syllable


def _group_han_name(syllables: Sequence[str]) -> Sequence[str]:
    """Person-like runs (2-4 characters): surname + given name joined ("xi jinping")."""
    if 2 <= len(syllables) <= 4:
        return [syllables[0], "".join(syllables[1:])]
    return syllables


def _han_runs(text: str) -> list[tuple[bool, str]]:
    runs: list[tuple[bool, str]] = []
    for char in text:
        is_han = "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"
        if runs and runs[-1][0] == is_han:
            runs[-1] = (is_han, runs[-1][1] + char)
        else:
            runs.append((is_han, char))
    return runs


def _han_reading(text: str, read_run: Callable[[str], Sequence[str]]) -> str:
    parts: list[str] = []
    for is_han, run in _han_runs(text):
        if is_han:
            parts.extend(_group_han_name(read_run(run)))
        else:
            parts.append(run)
    return " ".join(parts)


# A few hundred runs: one name's analysis reads each Han run three times (pinyin, Wade-Giles, an
# organisation's word reading), and pypinyin costs a tenth of a Chinese name's analysis per read.
# Small enough that queries seen earlier are not kept.
@functools.lru_cache(maxsize=256)
def _pinyin(run: str) -> tuple[str, ...]:
    return tuple([s for s in lazy_pinyin(run, style=Style.NORMAL, errors="ignore") if s.isalpha()])


def _pinyin_wade_giles(run: str) -> list[str]:
    return [wade_giles_syllable(s) for s in _pinyin(run)]


@functools.lru_cache(maxsize=1)
def _kakasi() -> Any:
    import pykakasi

    return pykakasi.kakasi()


def japanese_reading(text: str) -> str:
    """Hepburn reading of Japanese (kanji through pykakasi's dictionary, kana too)."""
    parts = [item["hepburn"] for item in _kakasi().convert(text)]
    return " ".join(p for p in parts if p.strip())


def _hanja_to_hangul(text: str) -> str | None:
    """Korean (Sino-Korean) reading of Han characters, if the optional `hanja` package exists."""
    try:
        import hanja
    except ImportError:  # optional dependency
        return None
    # A family name written 金 is read 김 (Kim), not 금 as in other words.
    if text[:1] in _HANJA_SURNAME_READINGS:
        return _HANJA_SURNAME_READINGS[text[0]] + str(hanja.translate(text[1:], "substitution"))
    return str(hanja.translate(text, "substitution"))


_HANJA_SURNAME_READINGS = {"金": "김", "李": "이", "柳": "류", "盧": "노", "羅": "나"}


# Common Korean family names as written in Hanja (traditional forms).
_KOREAN_HANJA_SURNAMES = frozenset(
    "金李朴崔鄭姜趙尹張林韓吳徐申權黃安宋柳全洪高文梁孫裵白許劉南沈盧河丁成車朱禹具羅閔"
    "辛池陳嚴元蔡千方孔玄咸卞廉楊邊呂秋魯都蘇愼石宣薛馬吉周延房表潘王琴玉陸印孟諸卓秦鞠"
    "魏任田奇"
)
# Korean personal names in Hanja: a one-character family name and a two-character given name.
_KOREAN_HANJA_NAME_LENGTH = 3
# Japanese names in kanji mostly have a two-character family name and given name; Chinese
# names are two or three characters. Shorter runs get no Japanese reading.
_JAPANESE_KANJI_NAME_MIN = 4


def _uses_simplified_characters(text: str) -> bool:
    """True when the text has characters only simplified Chinese uses (so it is not Korean Hanja)."""
    return _icu("Simplified-Traditional").transliterate(text) != text


def plausibly_korean_hanja(text: str) -> bool:
    """A Han name that may be Korean: a Korean family name, 3 characters, traditional forms only."""
    return (
        len(text) == _KOREAN_HANJA_NAME_LENGTH
        and text[0] in _KOREAN_HANJA_SURNAMES
        and not _uses_simplified_characters(text)
    )


def plausibly_japanese_kanji(text: str) -> bool:
    return len(text) >= _JAPANESE_KANJI_NAME_MIN and not _uses_simplified_characters(text)


def han_variants(text: str) -> list[str]:
    """Pinyin and Wade-Giles-like; Korean or Japanese readings only for names that may be such.

    Why restricted: every extra reading is one more chance for an unrelated list name to
    match, and a Mandarin name read in Korean ("王帆" -> "wang bom") or Japanese ("ou ho")
    matches names it has nothing to do with.
    """
    out = [_han_reading(text, _pinyin), _han_reading(text, _pinyin_wade_giles)]
    compact = text.replace(" ", "")
    if plausibly_korean_hanja(compact):
        hangul = _hanja_to_hangul(compact)
        if hangul and hangul != compact:
            out.extend(hangul_variants(hangul)[1:3])
    if plausibly_japanese_kanji(compact) and len(compact) <= 6:
        reading = japanese_reading(text)
        if len(reading.split()) >= 2:  # a one-token reading lost characters on the way
            out.extend(_japanese_spellings(reading))
    return out


# A Han run of at most this many characters may be a person's whole name: only an
# organisation's is read with its generic words translated (王建设, Wang Jianshe, is a name).
PERSON_RUN_MAX = 4


def han_word_reading(text: str, organisation: bool) -> str | None:
    """Pinyin with an organisation's generic words in Latin ("网络科技" -> "network tech"), or None.

    Chinese registrations translate words that English lists carry in English: "四川聚信和网络
    科技" is listed as "Sichuan Juxinhe Network Technology". The words come from rigour's
    symbol table (`screening.org_words`); the rest is read as pinyin syllables. None when no
    run holds such a word. Runs of up to PERSON_RUN_MAX characters are cut only for a name
    known to be an organisation's.
    """
    parts: list[str] = []
    found = False
    for is_han, run in _han_runs(text):
        if not is_han or (len(run) <= PERSON_RUN_MAX and not organisation):
            parts.append(" ".join(_pinyin(run)) if is_han else run)
            continue
        for piece, word in han_words(run):
            if word is None:
                parts.extend(_pinyin(piece))
            else:
                parts.append(word)
                found = True
    return " ".join(parts) if found else None


def _japanese_spellings(hepburn: str) -> list[str]:
    """Hepburn as pykakasi writes it and with long vowels unmarked (tarou -> taro)."""
    return [hepburn, hepburn.replace("ou", "o").replace("uu", "u")]


# --- Hangul: Revised Romanisation per syllable, McCune-Reischauer-like habits, surnames.
_KOREAN_SURNAMES = {
    "gim": ("kim",), "i": ("lee", "yi", "rhee", "ri"), "bak": ("park", "pak"),
    "choe": ("choi",), "jeong": ("jung", "chung", "jong"), "jo": ("cho",),
    "gang": ("kang",), "yun": ("yoon",), "jang": ("chang",), "im": ("lim",),
    "o": ("oh",), "seo": ("suh", "so"), "sin": ("shin",), "gwon": ("kwon",),
    "an": ("ahn",), "ryu": ("yoo", "yu"), "yu": ("yoo",), "jeon": ("jun", "chon", "chun"),
    "go": ("ko",), "mun": ("moon",), "bae": ("pae",), "baek": ("paek", "baik"),
    "heo": ("huh", "ho"), "no": ("roh",), "gwak": ("kwak",), "seong": ("sung", "song"),
    "ju": ("joo", "chu"), "bag": ("park", "pak"), "u": ("woo",), "gu": ("koo",), "eom": ("um",),
    "cheon": ("chun", "chon"), "ri": ("ri", "lee"), "ra": ("na",), "hyeon": ("hyun",),
}  # fmt: skip


_RR_FINALS = (("ng", "ng"), ("g", "k"), ("d", "t"), ("b", "p"))


# Index of the initial consonant ㄹ in a precomposed Hangul syllable ((code - 0xAC00) // 588).
_RIEUL_INITIAL = 5


def _rr_syllable(syllable: str) -> str:
    """Revised Romanisation of one syllable on its own (initial ㄹ written r, final g/d/b k/t/p).

    ICU writes an initial ㄹ "l" ("리" li); Revised Romanisation writes it "r", as North Korean
    names are listed: 리병철 RI Pyong Chol, 최룡해 CHOE Ryong Hae.
    """
    rr = _icu("Hangul-Latin; Latin-ASCII").transliterate(syllable).replace("-", "")
    if (ord(syllable) - 0xAC00) // 588 == _RIEUL_INITIAL and rr.startswith("l"):
        rr = "r" + rr[1:]
    for final, written in _RR_FINALS:
        if rr.endswith(final):
            return rr[: -len(final)] + written
    return rr


def _mr_syllable(rr: str, vowel_eo: str) -> str:
    """McCune-Reischauer-like respelling: eo -> o/u, eu -> u, initial g/d/b/j -> k/t/p/ch."""
    out = rr.replace("eo", vowel_eo).replace("eu", "u")
    return out


def hangul_variants(text: str) -> list[str]:
    words = clean_text(text).split()
    rr_words: list[list[str]] = []
    for word in words:
        syllables = [_rr_syllable(ch) if "\uac00" <= ch <= "\ud7a3" else ch for ch in word]
        rr_words.append(syllables)
    out: list[str] = []

    def render(conv: Callable[[str], str], surname_alt: int | None) -> str:
        parts: list[str] = []
        for idx, syllables in enumerate(rr_words):
            is_name = idx == 0 and len(syllables) in (2, 3, 4) and len(rr_words) == 1
            if is_name:
                surname = syllables[0]
                if surname_alt is not None:
                    alts = _KOREAN_SURNAMES.get(surname, (surname,))
                    surname = alts[min(surname_alt, len(alts) - 1)]
                parts.append(surname)
                parts.extend(conv(s) for s in syllables[1:])
            else:
                parts.append("".join(conv(s) for s in syllables))
        return " ".join(parts)

    out.append(render(lambda s: s, None))
    out.append(render(lambda s: _mr_syllable(s, "o"), 0))
    out.append(render(lambda s: _mr_syllable(s, "u"), 0))
    out.append(render(lambda s: _mr_syllable(s, "o"), 1))
    return out


# In an abjad a word never starts with a vowel sign: a vowel-initial word starts with a letter
# that carries it (Arabic alef, which ICU reads "a", but also ayn, and Hebrew aleph and ayin,
# which it reads as a bare ' or ʿ and normalisation drops). Read at the start of a word, they
# are the "a" that keeps "علي" vowel-initial like "Ali", and "احمدی" (Ahmadi) apart from Hamid.
_WORD_INITIAL_CARRIER = re.compile(r"(?<!\w)['\u02bf\u02bc\u02be](?=\w)")


# Arabic-script names are read a second time with Persian (and Urdu, Turkish) letter values,
# where ض ذ ظ are z, ث ص s and ط t: "رضایی" is Rezaei, not Rdayy; "عثمان" is also Osman, not only
# Uthman. The Arabic values stay the first reading.
_PERSIAN_VALUES = str.maketrans({"ض": "ز", "ذ": "ز", "ظ": "ز", "ث": "س", "ص": "س", "ط": "ت"})
# Most names have none of those letters: a search is cheaper than translate's per-character lookups.
_PERSIAN_LETTERS = re.compile("[ضذظثصط]")


# The Arabic article is written joined to its word ("الأسد" al-Asad, "السنوار" al-Sinwar), and
# Latin lists mostly write it apart ("AL-ASSAD Bashar", "SINWAR Yahya"): a second reading has it
# as a word of its own, so that "asd" meets "assad" ("الله", Allah, stays one word). The first
# reading keeps it joined, as lists write it in names like "Abdulrahman". Only in names of two
# Arabic-script words or more: one word read apart leaves a short skeleton that meets short list
# names ("الأنصاري Inc" / ANSARU, "النمري" / NMR: 6 more Faker company alerts in 5,000).
_ARABIC_ARTICLE = re.compile(r"(?<!\w)\u0627\u0644(?!\u0644\u0647(?!\w))(?=\w\w)")
_ARABIC_WORD = re.compile(r"[\u0600-\u06ff]+")
# And the other way round: "الله" (Allah) written as a word of its own after a name ("نصر الله",
# "حزب الله", "عبد الله") is one word in Latin lists (NASRALLAH, HIZBALLAH, Abdullah). One more
# reading joins it to the word before, so that "nsrallh" meets "nasrallah" skeleton to skeleton.
_ALLAH_APART = re.compile(r"(?<=\w) (?=\u0627\u0644\u0644\u0647(?!\w))")

# A word-final teh marbuta "ة" is read "t" (as ICU does, and as a word before another in a
# compound is said: "هيئة تحرير الشام" Hay'at Tahrir al-Sham), but a name's last sound is a
# vowel or a silent h in most Latin lists: "أسامة" Usama, "فاطمة" Fatima, "هنية" HANIYEH. Two more
# readings, for names holding one: the ة as alef ("a") and as heh ("h").
_TEH_MARBUTA_END = re.compile(r"\u0629(?!\w)")


# "بن" / "ابن" (son of) and "بنت" (daughter of) read "bn", "abn", "bnt": Latin lists write "bin",
# "ibn", "bint", which the scorer takes as particles. Read letter for letter they were a word of
# their own the list name lacks: "أسامة بن لادن" scored 0.56 against "BIN LADEN, Usama".
_ARABIC_PARTICLES = {"bn": "bin", "abn": "ibn", "bnt": "bint"}
_ARABIC_PARTICLE_READ = re.compile(r"(?<![a-z])(?:bn|abn|bnt)(?![a-z])")


def _arabic_readings(text: str) -> list[str]:
    """Readings of Arabic-script `text`: with Arabic letter values, then with Persian ones when it
    has letters they read otherwise; each also with its articles apart (`_ARABIC_ARTICLE`) and
    with "الله" joined to the word before it (`_ALLAH_APART`); and a final "ة" as "a" and "h"."""
    values = [text]
    if _PERSIAN_LETTERS.search(text):
        values.append(text.translate(_PERSIAN_VALUES))
    several_words = len(_ARABIC_WORD.findall(text)) >= 2
    readings = []
    for valued in values:
        readings.append(_icu_latin(valued))
        apart = _ARABIC_ARTICLE.sub("\u0627\u0644 ", valued) if several_words else valued
        if apart != valued:
            readings.append(_icu_latin(apart))
        if several_words:
            joined = _ALLAH_APART.sub("", valued)
            if joined != valued:
                readings.append(_icu_latin(joined))
    if _TEH_MARBUTA_END.search(text):
        readings.append(_icu_latin(_TEH_MARBUTA_END.sub("\u0627", text)))
        readings.append(_icu_latin(_TEH_MARBUTA_END.sub("\u0647", text)))
    return [_ARABIC_PARTICLE_READ.sub(_particle, reading) for reading in readings]


def _particle(found: re.Match[str]) -> str:
    return _ARABIC_PARTICLES[found.group(0)]


def _icu_latin(text: str) -> str:
    return _icu("Any-Latin; Latin-ASCII").transliterate(text)


def latin_variants(text: str) -> tuple[list[str], bool]:
    """Plausible Latin spellings of `text` (first = main one) and whether it came from an abjad.

    Latin text gives itself. Results are normalised with `normalize_latin` and deduplicated.
    """
    scripts = scripts_of(text) - {"Latn", "Zyyy", "Zinh"}
    if not scripts:
        return [normalize_latin(text)], False
    text_nfkc = unicodedata.normalize("NFKC", text)
    raw: list[str]
    if scripts <= {"Cyrl"}:
        raw = cyrillic_variants(text_nfkc)
    elif scripts <= {"Hang"}:
        raw = hangul_variants(text_nfkc)
    elif "Hira" in scripts or "Kana" in scripts:
        raw = [*_japanese_spellings(japanese_reading(text_nfkc)), _icu_latin(text_nfkc)]
    elif "Hani" in scripts and scripts <= {"Hani", "Hang"}:
        raw = han_variants(text_nfkc)
    else:
        raw = _arabic_readings(text_nfkc) if "Arab" in scripts else [_icu_latin(text_nfkc)]
        if scripts & ABJAD_SCRIPTS:
            raw = [_WORD_INITIAL_CARRIER.sub("a", variant) for variant in raw]
    out: list[str] = []
    for variant in raw:
        norm = normalize_latin(variant)
        if norm and norm not in out:
            out.append(norm)
    if not out:
        out = [normalize_latin(text)]
    return out[:_MAX_VARIANTS], bool(scripts & ABJAD_SCRIPTS)


# --- Latin Korean input in Revised Romanisation: its McCune-Reischauer-like reading.
# RR writes 어/으 "eo"/"eu" where McCune-Reischauer (and North Korean names as listed) write o/u:
# "Gim Jeong-eun" is listed KIM Jong Un, "Kim Yeo-jeong" KIM Yo Jong.
_RR_SURNAMES = frozenset(surname for surname in _KOREAN_SURNAMES if len(surname) >= 2) | frozenset(
    alt for alts in _KOREAN_SURNAMES.values() for alt in alts
)
_MAX_KOREAN_SYLLABLES_PER_TOKEN = 2
# What only Revised Romanisation writes: eo/eu, and the surnames it spells with g/b where the
# other romanisations write k/p. A name without any is left alone (Choe, Mun, Yu are listed so).
_RR_MARK = re.compile(r"eo|eu|^(?:gim|bak|bag|gang|gwon|gwak)$")


@functools.lru_cache(maxsize=1)
def _korean_syllables() -> frozenset[str]:
    """Every Hangul syllable's Revised Romanisation as `_rr_syllable` writes it (9,576 with finals)."""
    return frozenset(_rr_syllable(chr(code)) for code in range(0xAC00, 0xD7A4))


def _korean_token(token: str, left: int = _MAX_KOREAN_SYLLABLES_PER_TOKEN) -> bool:
    """Whether `token` is 1-2 Revised Romanisation syllables ("jeong", "jeongeun")."""
    if not token:
        return True
    syllables = _korean_syllables()
    return left > 0 and any(
        token[:size] in syllables and _korean_token(token[size:], left - 1)
        for size in range(min(6, len(token)), 0, -1)
    )


def korean_rr_name_to_mr(tokens: tuple[str, ...]) -> tuple[str, ...] | None:
    """The McCune-Reischauer-like reading of a Korean name in Revised Romanisation, else None.

    A name of 2-3 tokens with a mark of Revised Romanisation (`_RR_MARK`), whose first or last is
    a Korean surname (RR or common spelling) and whose other tokens are 1-2 RR syllables each;
    read with eo -> o, eu -> u and the surname's common spelling (gim -> kim). None when that
    changes nothing.
    """
    if not 2 <= len(tokens) <= 3 or not any(_RR_MARK.search(token) for token in tokens):
        return None
    for at in (0, len(tokens) - 1):
        surname, given = tokens[at], tokens[1:] if at == 0 else tokens[:-1]
        if surname in _RR_SURNAMES and all(_korean_token(token) for token in given):
            common = _KOREAN_SURNAMES.get(surname, (surname,))[0]
            read = tuple(_mr_syllable(token, "o") for token in given)
            result = (common, *read) if at == 0 else (*read, common)
            return result if result != tokens else None
    return None


# --- Latin pinyin input: its Wade-Giles reading ("Xi Jinping" / "Hsi Chin-p'ing").
_MAX_SYLLABLES_PER_TOKEN = 3


@functools.lru_cache(maxsize=1)
def _pinyin_wade_giles_table() -> dict[str, str]:
    """Pinyin syllable -> Wade-Giles without apostrophes or umlauts (pypinyin's table)."""
    from pypinyin.style.wadegiles import _convert_table

    table: dict[str, str] = {}
    for pinyin, wade_giles in _convert_table:
        if pinyin.isascii() and pinyin.isalpha():
            table[pinyin] = normalize_latin(wade_giles)
    return table


@functools.lru_cache(maxsize=1)
def _chinese_syllables() -> frozenset[str]:
    table = _pinyin_wade_giles_table()
    return frozenset(table) | frozenset(table.values())


_MR_INITIALS = (("g", "k"), ("d", "t"), ("b", "p"), ("j", "ch"))


@functools.lru_cache(maxsize=1)
def _korean_latin_syllables() -> frozenset[str]:
    """Korean syllables as Latin lists write them: Revised Romanisation, McCune-Reischauer-like
    (eo -> o/u, eu -> u, initial g/d/b/j -> k/t/p/ch) and the common surname spellings."""
    out: set[str] = set()
    for rr in _korean_syllables():
        if re.search(r"(.)\1", rr):
            continue  # a doubled consonant (kk, ss, jj): rare in names, and what a doubled key types
        for vowels in {_mr_syllable(rr, "o"), _mr_syllable(rr, "u"), rr}:
            out.add(vowels)
            for initial, written in _MR_INITIALS:
                if vowels.startswith(initial):
                    out.add(written + vowels[len(initial) :])
    out.update(alt for alts in _KOREAN_SURNAMES.values() for alt in alts)
    return frozenset(out)


def is_east_asian_syllable(token: str) -> bool:
    """Whether `token` is one Mandarin syllable (pinyin, Wade-Giles) or one Korean syllable as
    Latin lists write it: "sun" and "un" are two names, not one name and its typo."""
    return token in _chinese_syllables() or token in _korean_latin_syllables()


def is_chinese_syllable(token: str) -> bool:
    """Whether `token` is one Mandarin syllable in pinyin or Wade-Giles ("zhou", "chou", "ping")."""
    return token in _chinese_syllables()


@functools.lru_cache(maxsize=65536)
def pinyin_token_to_wade_giles(token: str) -> str | None:
    """Wade-Giles reading of a token made of 1-3 pinyin syllables ("jinping" -> "chinping"), else None.

    Segments longest syllable first with backtracking, so "xian" reads as one syllable.
    """
    table = _pinyin_wade_giles_table()

    def segment(rest: str, left: int) -> list[str] | None:
        if not rest:
            return []
        if not left:
            return None
        for size in range(min(6, len(rest)), 0, -1):
            head = rest[:size]
            if head in table:
                tail = segment(rest[size:], left - 1)
                if tail is not None:
                    return [table[head], *tail]
        return None

    parts = segment(token, _MAX_SYLLABLES_PER_TOKEN)
    return "".join(parts) if parts else None


def pinyin_name_to_wade_giles(tokens: tuple[str, ...]) -> tuple[str, ...] | None:
    """Wade-Giles reading of a Latin name written in pinyin (2-4 tokens, every token pinyin), else None.

    Why: older records and many lists romanise Chinese names in Wade-Giles ("Mao Tse-tung",
    "Hsi Chin-p'ing") where the list or the query has pinyin ("Mao Zedong"). Apostrophes
    are lost in most data, so aspirated and plain initials read alike (chin: jin or qin).
    """
    if not 2 <= len(tokens) <= 4:
        return None
    out = []
    for token in tokens:
        wade_giles = pinyin_token_to_wade_giles(token)
        if wade_giles is None:
            return None
        out.append(wade_giles)
    result = tuple(out)
    return result if result != tokens else None
