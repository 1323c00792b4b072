"""Text normalisation for names: one canonical, comparable Latin-or-native form.

Why: list files and customer data spell the same name with different Unicode forms,
case, diacritics, punctuation, hyphen variants, apostrophes and spaces. Everything
downstream (transliteration, tokens, phonetics, index keys) works on this form.
"""

from __future__ import annotations

import re
import unicodedata

# Apostrophes and modifier letters that sit inside a word ("O'Brien", "Sa'ad", "ʿAli").
_APOSTROPHES = "'\u2018\u2019\u201a\u201b\u2032\u02bc\u02bb\u02bf\u02be\u0060\u00b4\u02b9\u02c8\u055a\ua78c"
# Apostrophes go; "_", a word character to `re`, becomes a space (a separator). A regex, not
# str.translate: translate looks every non-ASCII character up in its table and raises and
# clears a KeyError for each (1.4 against 0.2 microseconds for a Cyrillic name).
_APOSTROPHE = re.compile(f"[{re.escape(_APOSTROPHES)}]")


def _combining_marks(planes: range | list[int]) -> str:
    """Every combining mark (Unicode category M) at the given code points, as regex class ranges.

    `\\W` counts marks as non-word characters, so a vowel sign inside a word ("مُحَمَّد",
    "שָׁלוֹם", Devanagari "मोदी") split it into letters.
    """
    ranges: list[str] = []
    start = previous = -2
    for code in planes:
        if not unicodedata.category(chr(code)).startswith("M"):
            continue
        if code != previous + 1:
            if start >= 0:
                ranges.append(f"{chr(start)}-{chr(previous)}")
            start = code
        previous = code
    ranges.append(f"{chr(start)}-{chr(previous)}")
    return "".join(ranges)


# Anything that is not a letter, a combining mark or a digit separates tokens ("_" is made a
# space beforehand). Two classes: a class of Basic Multilingual Plane characters only compiles
# to a lookup table, while one reaching the marks of planes 1 and 14 is a list of ranges that
# `re` walks for every character (18 instead of 3 microseconds per name); few texts need it.
_BMP_MARKS = _combining_marks(range(0x10000))
_SEPARATOR = re.compile(rf"[^\w{_BMP_MARKS}]+")
_SEPARATOR_ASTRAL = re.compile(
    rf"[^\w{_BMP_MARKS}{_combining_marks([*range(0x10000, 0x20000), *range(0xE0000, 0xE0200)])}]+"
)
_LAST_BMP = "\uffff"


def _letters_without_marks() -> dict[str, str]:
    """Latin letters that no mark stripping makes ASCII ("ł", "ø", "đ", "ı", "æ", "þ"), as anyascii reads them.

    They are letters of their own, not a base letter with a mark: NFKD leaves "Wałęsa" as
    "wałesa", "Đorđević" as "đorđevic", "Yılmaz" as "yılmaz", so lists and customer files
    that write them in ASCII ("Walesa", "Djordjevic", "Yilmaz") spelled another token. Read
    from the Latin blocks at start-up, lowercase (the text is casefolded first).
    """
    from anyascii import anyascii

    table: dict[str, str] = {}
    for code in [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)]:
        letter = chr(code)
        if not unicodedata.category(letter).startswith("L"):
            continue
        for kept in strip_marks(letter.casefold()):
            reading = anyascii(kept).lower()
            if not kept.isascii() and kept.isalpha() and reading.isascii() and reading.isalpha():
                table[kept] = reading
    return table


def strip_marks(text: str) -> str:
    """Remove combining marks (diacritics) after canonical decomposition.

    Recomposes afterwards so Hangul syllables and other precomposed non-Latin
    letters survive.
    """
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept)


_LETTER_READINGS = _letters_without_marks()
_LETTER_WITHOUT_MARKS = re.compile(f"[{''.join(sorted(_LETTER_READINGS))}]")


def _read_letter(found: re.Match[str]) -> str:
    return _LETTER_READINGS[found.group(0)]


# A zero-width non-joiner (ZWNJ) sits inside one word: Persian writes it between letters that must
# not join ("خامنه‌ای", Khamenei; "می‌خواهم"), Indic scripts to choose a glyph. It joins, not
# splits. In Persian a heh before it is the silent final heh, the vowel e that Latin lists leave out
# or write as a vowel (KHAMENEI, not Khamnh Ay): it goes too.
_ZWNJ = "\u200c"
_JOINED_AT_ZWNJ = re.compile(r"(?<=\w)(?:\u0647)?\u200c(?=\w)")


def clean_text(text: str) -> str:
    """NFKC, casefold, apostrophes removed, punctuation/hyphens/NBSP to single spaces.

    Keeps the script (no transliteration) and diacritics; idempotent.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    if text.isascii():  # str.translate costs more than these three scans
        text = text.replace("'", "").replace("`", "").replace("_", " ")
        separator = _SEPARATOR
    else:
        text = _APOSTROPHE.sub("", text).replace("_", " ")
        if _ZWNJ in text:
            text = _JOINED_AT_ZWNJ.sub("", text)
        separator = _SEPARATOR if max(text, default="") <= _LAST_BMP else _SEPARATOR_ASTRAL
    text = separator.sub(" ", text)
    return " ".join(text.split())


def normalize_latin(text: str) -> str:
    """Clean text and strip diacritics: the form tokens are compared in.

    `normalize_latin(normalize_latin(x)) == normalize_latin(x)` for any string.
    """
    text = clean_text(text)
    if text.isascii():  # no marks to strip; clean_text is idempotent
        return text
    text = strip_marks(text)
    if not text.isascii():
        text = _LETTER_WITHOUT_MARKS.sub(_read_letter, text)
    # Stripping marks can expose new separators/apostrophes (e.g. NFKD of "ǆ").
    return clean_text(text)


# A run of single letters written with dots and no spaces: "A.B.C.", "U.S.", "n.v".
_DOTTED_INITIALS = re.compile(r"(?<!\w)[^\W\d_](?:\.[^\W\d_])+\.?(?!\w)")


def join_initialisms(text: str) -> str:
    """Write dotted initialisms as one word ("A.B.C. Company" -> "ABC Company").

    Why: punctuation becomes a token separator, so "A.B.C." would read as three initials
    that match any order ("C.B.A.") and never meet "ABC". Only for organisation names:
    in a person's name "J.R." is two initials of two given names.
    """
    return _DOTTED_INITIALS.sub(lambda m: m.group(0).replace(".", ""), text)


def tokenize(text: str) -> tuple[str, ...]:
    """Split already-normalised text into tokens."""
    return tuple(text.split())
