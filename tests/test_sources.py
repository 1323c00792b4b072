"""Bundled sources, format detection and the per-list loader, on the real shipped files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lists.loader import UNKNOWN_LIST, load_lists
from lists.model import ListCode
from lists.parsed import ListFormatError, ParsedList
from lists.sources import (
    DATA_DIR,
    ListFormat,
    bundled_sources,
    file_sets,
    manifest,
    parse_bundled,
    parse_list,
    paths_by_list,
)
from lists.store import Store
from tests.conftest import BUNDLED_DATA


@pytest.fixture(scope="module")
def bundled_ofac() -> ParsedList:
    return parse_bundled(ListCode.OFAC)


def small_sdn_set(folder: Path, rows: int = 40) -> Path:
    """The first `rows` records of the shipped sdn.csv, as a user-supplied OFAC folder."""
    folder.mkdir(parents=True)
    lines = (BUNDLED_DATA / "ofac" / "sdn.csv").read_bytes().split(b"\r\n")[:rows]
    (folder / "sdn.csv").write_bytes(b"\r\n".join(lines) + b"\r\n\x1a")  # a whole (small) OFAC file
    return folder


def test_bundled_sources_cover_every_list_with_existing_files() -> None:
    sources = bundled_sources()
    assert list(sources) == [ListCode.OFAC, ListCode.OFAC_NONSDN, ListCode.UN, ListCode.INTERNAL]
    assert sources[ListCode.OFAC] == [DATA_DIR / "ofac", DATA_DIR / "ofac-delta-2025"]
    assert all(path.exists() for paths in sources.values() for path in paths)
    dates = {(e.list.value, e.path): e.publish_date for e in manifest()}
    assert str(dates[("ofac", "ofac")]) == "2024-06-19"
    assert str(dates[("ofac", "ofac-delta-2025")]) == "2025-03-05"


def test_bundled_ofac_is_the_2024_snapshot_plus_the_2025_delta(bundled_ofac: ParsedList) -> None:
    ids = {d.entity_id for d in bundled_ofac.designations}
    assert bundled_ofac.record_count == 15_407
    assert {"ofac:50543", "ofac:52747", "ofac:52749", "ofac:52828", "ofac:52829"} <= ids
    assert bundled_ofac.publish_date == "2025-03-05"
    assert any("731" in warning for warning in bundled_ofac.warnings)
    assert len(bundled_ofac.source_files) == 7


def test_bundled_dates_come_from_manifest_or_file() -> None:
    nonsdn = parse_bundled(ListCode.OFAC_NONSDN)
    assert nonsdn.publish_date == "2025-12-01" and nonsdn.record_count == 442
    assert any("approximate" in warning for warning in nonsdn.warnings)
    un = parse_bundled("un")
    assert un.publish_date == "2026-02-27" and un.record_count == 1_003
    internal = parse_bundled(ListCode.INTERNAL)
    assert internal.record_count >= 1 and internal.publish_date is not None


def test_user_files_without_a_date_have_no_publish_date(tmp_path: Path) -> None:
    copy = tmp_path / "nonsdn"
    shutil.copytree(BUNDLED_DATA / "ofac-nonsdn", copy)
    parsed = parse_list(ListCode.OFAC_NONSDN, [copy])
    assert parsed.publish_date is None
    assert parsed.record_count == 442
    loose = parse_list("ofac-nonsdn", [copy / "cons_prim.csv", copy / "cons_alt.csv"])
    assert loose.record_count == 442
    assert len(loose.source_files) == 2


def test_user_full_file_and_delta_are_merged(tmp_path: Path) -> None:
    full = small_sdn_set(tmp_path / "full")
    delta = tmp_path / "delta"
    shutil.copytree(BUNDLED_DATA / "ofac-delta-2025", delta)
    parsed = parse_list(ListCode.OFAC, [full, delta])
    assert parsed.record_count == 45
    assert parsed.publish_date is None
    assert "ofac:52747" in {d.entity_id for d in parsed.designations}


def test_format_detection_from_file_contents(tmp_path: Path) -> None:
    renamed_un = tmp_path / "un-list.dat"
    shutil.copy(BUNDLED_DATA / "un" / "consolidated.xml", renamed_un)
    sets = file_sets([BUNDLED_DATA / "ofac-nonsdn", renamed_un, BUNDLED_DATA / "internal"])
    assert [(s.format, s.list_code) for s in sets] == [
        (ListFormat.OFAC_CSV, ListCode.OFAC_NONSDN),
        (ListFormat.UN_XML, ListCode.UN),
        (ListFormat.INTERNAL_YAML, ListCode.INTERNAL),
    ]
    grouped = paths_by_list(
        [renamed_un, BUNDLED_DATA / "ofac" / "sdn.csv", BUNDLED_DATA / "ofac" / "alt.csv"]
    )
    assert grouped == {
        ListCode.UN: [renamed_un],
        ListCode.OFAC: [BUNDLED_DATA / "ofac" / "sdn.csv", BUNDLED_DATA / "ofac" / "alt.csv"],
    }


def test_unknown_and_broken_formats_are_refused_naming_the_file(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("just some text\n")
    with pytest.raises(ListFormatError, match=r"notes\.txt: unknown list format") as caught:
        parse_list(ListCode.OFAC, [notes])
    assert caught.value.path == str(notes)

    other_xml = tmp_path / "export.xml"
    other_xml.write_text('<?xml version="1.0"?>\n<export><row/></export>\n')
    with pytest.raises(ListFormatError, match=r"export\.xml: unknown list format: XML root element <export>"):
        parse_list(ListCode.UN, [other_xml])

    broken = tmp_path / "broken.xml"
    broken.write_text('<?xml version="1.0"?>\n\n<<CONSOLIDATED_LIST>\n')
    with pytest.raises(ListFormatError, match=r"broken\.xml:3: not well-formed XML"):
        parse_list(ListCode.UN, [broken])

    truncated = tmp_path / "truncated.xml"
    truncated.write_bytes((BUNDLED_DATA / "un" / "consolidated.xml").read_bytes()[:200_000])
    with pytest.raises(ListFormatError, match=r"truncated\.xml:\d+: ") as caught:
        parse_list(ListCode.UN, [truncated])
    assert caught.value.line is not None and caught.value.line > 1

    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    with pytest.raises(ListFormatError, match="no list file in this folder"):
        parse_list(ListCode.OFAC, [empty_dir])
    with pytest.raises(ListFormatError, match="no such file or directory"):
        parse_list(ListCode.OFAC, [tmp_path / "missing"])


def test_files_of_another_list_are_refused() -> None:
    with pytest.raises(ListFormatError, match=r"consolidated\.xml: is a un list file \(un-xml\), not ofac"):
        parse_list(ListCode.OFAC, [BUNDLED_DATA / "un" / "consolidated.xml"])
    with pytest.raises(ListFormatError, match="not ofac-nonsdn"):
        parse_list(ListCode.OFAC_NONSDN, [BUNDLED_DATA / "ofac" / "sdn.csv"])


def test_loader_loads_each_list_independently(sqlite_url: str, tmp_path: Path) -> None:
    store = Store(sqlite_url)
    try:
        good = load_lists(store, ["ofac-nonsdn", "un"])
        assert [(o.list_code, o.ok) for o in good] == [("ofac-nonsdn", True), ("un", True)]
        assert good[0].version is not None and good[0].version.source == "bundled: data/ofac-nonsdn"

        bad_dir = tmp_path / "bad-nonsdn"
        shutil.copytree(BUNDLED_DATA / "ofac-nonsdn", bad_dir)
        (bad_dir / "cons_prim.csv").chmod(0o644)
        with (bad_dir / "cons_prim.csv").open("ab") as handle:
            handle.write(b'99999,"UNTERMINATED\r\n')
        outcomes = load_lists(store, paths=[bad_dir, BUNDLED_DATA / "internal" / "watchlist.yaml"])
        assert [(o.list_code, o.ok) for o in outcomes] == [("ofac-nonsdn", False), ("internal", True)]
        assert "cons_prim.csv:" in (outcomes[0].error or "")
        assert store.active_versions()["ofac-nonsdn"].id == good[0].version.id

        unknown = load_lists(store, paths=[tmp_path / "nothing-here"])
        assert unknown[0].list_code == UNKNOWN_LIST and not unknown[0].ok
        assert "nothing-here" in (unknown[0].error or "")
    finally:
        store.close()
