"""Reading a folder or zip of payment messages: every entry accounted for, bombs and zip-slip refused."""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path

import pytest

from service.batch.message_sources import (
    MessageLimits,
    MessageSourceError,
    check_archive,
    folder_messages,
    is_message_source,
    zip_messages,
)

FIXTURES = Path(__file__).parent / "fixtures" / "payments"
CLEAN = (FIXTURES / "pacs008_clean.xml").read_bytes()


def _zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_nested_paths_are_read_in_name_order_and_hidden_entries_skipped(tmp_path: Path) -> None:
    archive = _zip(
        tmp_path / "in.zip",
        {
            "b/deep/one.xml": CLEAN,
            "a.txt": (FIXTURES / "mt103_clean.txt").read_bytes(),
            ".DS_Store": b"junk",
            "__MACOSX/b/._one.xml": b"fork",
            "b/.hidden.xml": CLEAN,
        },
    )
    summary = check_archive(archive)
    assert summary.messages == 2
    assert sorted(summary.skipped) == [".DS_Store", "__MACOSX/b/._one.xml", "b/.hidden.xml"]
    items = list(zip_messages(archive))
    assert [(i.number, i.name, i.error) for i in items] == [(1, "a.txt", None), (2, "b/deep/one.xml", None)]
    assert items[1].data == CLEAN


def test_zip_slip_names_nested_archives_and_oversized_members_become_error_rows(tmp_path: Path) -> None:
    inner = _zip(tmp_path / "inner.zip", {"x.xml": CLEAN}).read_bytes()
    archive = _zip(
        tmp_path / "in.zip",
        {
            "../../etc/evil.xml": CLEAN,
            "/abs/evil.xml": CLEAN,
            "ok/../../up.xml": CLEAN,
            "inner.zip": inner,
            "big.xml": b"<a>" + b"x" * 2_000 + b"</a>",
            "fine.xml": b"<small/>",
        },
    )
    limits = MessageLimits(message_bytes=1_500)
    items = {i.name: i for i in zip_messages(archive, limits)}
    assert len(items) == 6  # every entry accounted for
    assert items["../../etc/evil.xml"].problem == "unsafe_path"
    assert "'..'" in (items["../../etc/evil.xml"].error or "")
    assert items["ok/../../up.xml"].problem == "unsafe_path"
    assert items["/abs/evil.xml"].problem == "unsafe_path"
    assert items["inner.zip"].problem == "nested_archive"
    assert items["big.xml"].problem == "too_large"
    assert items["big.xml"].data is None
    assert items["fine.xml"].data == b"<small/>"
    assert not any(p.name == "evil.xml" for p in tmp_path.rglob("*"))  # nothing was written anywhere


def test_a_member_compressed_beyond_the_ratio_is_refused_without_inflating_it(tmp_path: Path) -> None:
    bomb = b"<Document>" + b" " * 900_000 + b"</Document>"  # deflates about 1000:1
    archive = _zip(tmp_path / "in.zip", {"bomb.xml": bomb, "fine.xml": CLEAN})
    items = {i.name: i for i in zip_messages(archive)}
    assert items["bomb.xml"].problem == "compression_ratio"
    assert "over the 100:1 limit" in (items["bomb.xml"].error or "")
    assert items["fine.xml"].data == CLEAN


def test_archives_over_the_count_or_total_size_are_refused_whole(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "in.zip", {f"m{i}.xml": CLEAN for i in range(5)})
    with pytest.raises(MessageSourceError) as too_many:
        check_archive(archive, MessageLimits(messages=4))
    assert (too_many.value.problem, too_many.value.status) == ("too_many_messages", 413)
    with pytest.raises(MessageSourceError) as too_big:
        check_archive(archive, MessageLimits(total_bytes=len(CLEAN) * 5 - 1))
    assert (too_big.value.problem, too_big.value.status) == ("archive_too_large", 413)
    with pytest.raises(MessageSourceError) as empty:
        check_archive(_zip(tmp_path / "empty.zip", {".keep": b""}))
    assert empty.value.problem == "empty_archive"
    not_zip = tmp_path / "x.zip"
    not_zip.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(MessageSourceError) as broken:
        check_archive(not_zip)
    assert broken.value.problem == "invalid_archive"


def _lie_about_size(path: Path, name: str, declared: int) -> None:
    """Rewrite the uncompressed size of `name` in both headers (a zip bomb's usual trick)."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    for signature, size_at, name_len_at, name_at in (
        (b"PK\x03\x04", 22, 26, 30),
        (b"PK\x01\x02", 24, 28, 46),
    ):
        start = data.find(signature)
        while start != -1:
            (length,) = struct.unpack_from("<H", data, start + name_len_at)
            if bytes(data[start + name_at : start + name_at + length]) == encoded:
                struct.pack_into("<I", data, start + size_at, declared)
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))


def test_a_member_lying_about_its_size_is_read_no_further_than_declared(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "in.zip", {"liar.xml": b"<a>" + b"z" * 50_000 + b"</a>", "fine.xml": CLEAN})
    _lie_about_size(archive, "liar.xml", 100)
    items = {i.name: i for i in zip_messages(archive)}
    assert items["liar.xml"].problem == "unreadable"
    assert items["liar.xml"].data is None
    assert items["fine.xml"].data == CLEAN


def test_a_folder_with_a_symlink_and_a_nested_archive(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "one.xml").write_bytes(CLEAN)
    (folder / "two.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    outside = tmp_path / "secret.txt"
    outside.write_text("not a message")
    os.symlink(outside, folder / "link.xml")
    os.symlink(tmp_path, folder / "looped")
    items = {i.name: i for i in folder_messages(folder)}
    assert set(items) == {"link.xml", "looped", "sub/one.xml", "two.zip"}
    assert items["link.xml"].problem == "symlink" and items["looped"].problem == "symlink"
    assert items["two.zip"].problem == "nested_archive"
    assert items["sub/one.xml"].data == CLEAN
    assert is_message_source(folder)
    assert is_message_source(_zip(tmp_path / "m.zip", {"a.xml": CLEAN}))
    assert not is_message_source(FIXTURES / "pacs008_clean.xml")
