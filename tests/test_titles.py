"""Titles before a person's name in other scripts (screening/data/person_titles.txt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening import titles
from screening.compare import compare
from screening.names.analysis import analyze_name
from screening.normalize import clean_text
from screening.thresholds import DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    ("written", "person", "read"),
    [
        ("السيد حسن نصر الله", False, "حسن نصر الله"),
        ("جناب آقای دکتر علی خامنه‌ای", True, "علی خامنای"),  # three titles in a row
        ("г-жа Бирюкова Дарья Михайловна", False, "бирюкова дарья михайловна"),
        ('ד"ר משה כהן', True, "משה כהן"),
        ("श्रीमती सुनीता शर्मा", True, "सुनीता शर्मा"),
        # El-Sayed is a given name too: a title needs two name words after it.
        ("السيد البدوي", True, "السيد البدوي"),
        # "Engineer" also begins company names: left out of a person's name only.
        ("المهندس للتجارة والمقاولات", False, "المهندس للتجارة والمقاولات"),
        ("المهندس يافع هذيل", True, "يافع هذيل"),
        # Latin titles are rigour's (function words), not this table's.
        ("Mr John Smith", True, "mr john smith"),
        # Only leading titles.
        ("حسن السيد نصر الله", True, "حسن السيد نصر الله"),
    ],
)
def test_leading_titles_are_left_out_when_two_name_words_follow(
    written: str, person: bool, read: str
) -> None:
    assert titles.without_leading_titles(clean_text(written), person) == read


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("السيد حسن نصر الله", "Hassan Nasrallah"),
        ("آقای علی خامنه‌ای", "Ali Khamenei"),
        ("г-н Виктор Бут", "Viktor Bout"),
        ("الدكتور أيمن الظواهري", "Ayman al-Zawahiri"),
    ],
)
def test_a_titled_name_in_another_script_meets_the_listed_name(query: str, listed: str) -> None:
    for type_ in ("person", "any"):
        assert compare(query, listed, type_).score >= DEFAULT_THRESHOLD


def test_a_title_alone_before_one_word_is_kept_in_the_reading() -> None:
    assert analyze_name("السيد البدوي", "person").tokens == analyze_name("السيد البدوي", "any").tokens
    assert len(analyze_name("السيد البدوي", "person").tokens) == 2


def test_the_titles_file_names_the_line_of_a_latin_title(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "person_titles.txt"
    bad.write_text("# comment\nالسيد  # Mr\nMr  # Latin: rigour's\n", encoding="utf-8")
    monkeypatch.setattr(titles, "TITLES_FILE", bad)
    titles._titles.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"person_titles\.txt line 3"):
            titles.without_leading_titles("السيد حسن نصر الله", True)
    finally:
        monkeypatch.undo()
        titles._titles.cache_clear()


def test_every_bundled_title_is_read() -> None:
    lines = [
        line.partition("#")[0].strip()
        for line in titles.TITLES_FILE.read_text(encoding="utf-8").splitlines()
        if line.partition("#")[0].strip()
    ]
    person = titles._titles(True)
    read = {title for found in person.values() for title in found}
    assert len(read) == len({tuple(clean_text(line).split()) for line in lines}) >= 40
