"""The world benchmark's generators: one-letter typos in short words, and script detection."""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from benchmarks.world import script_of, typo_variants
from lists.model import Designation, EntityType, ListCode


def _person(source_id: str, name: str, list_code: ListCode = ListCode.UN) -> Designation:
    return Designation(
        entity_id=f"{list_code.value}:{source_id}",
        list=list_code,
        source_id=source_id,
        type=EntityType.PERSON,
        primary_name=name,
        programs=("X",),
    )


def test_each_variant_is_one_letter_off_in_a_short_word_of_a_person_name() -> None:
    designations = [
        _person("1", "KIM Jong Un"),
        _person("2", "Ali Abu Bakr", ListCode.OFAC),
        _person("3", "Abdulrahman Mohammedali Alqahtani"),  # no word of 2-5 letters: never used
    ]
    variants = typo_variants(designations, total=60, seed=1)
    assert len(variants) == 60 and len({v for _, _, v in variants}) == 60
    for entity_id, name, variant in variants:
        assert entity_id in ("un:1", "ofac:2")
        words, changed = name.split(), variant.split()
        assert len(words) == len(changed)
        differing = [(a, b) for a, b in zip(words, changed, strict=True) if a != b]
        assert len(differing) == 1
        before, after = differing[0]
        assert 2 <= len(before) <= 5
        # insert, drop or double: one edit; a swap of two neighbours: two
        assert 1 <= Levenshtein.distance(before, after) <= 2


def test_script_of_names_the_first_non_latin_script() -> None:
    assert script_of("Vladimir Putin") is None
    assert script_of("José Müller") is None
    assert script_of("Владимир Путин") == "Cyrillic"
    assert script_of("김정은") == "Hangul"
    assert script_of("金正恩") == "Han"
    assert script_of("محمد علي") == "Arabic"
