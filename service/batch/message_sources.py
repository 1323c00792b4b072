"""Payment messages out of a folder or a zip archive, each one accounted for, read within limits.

A batch of payment messages is a folder or a .zip of message files (ISO 20022
XML, SWIFT MT text). Every entry that is not a folder or a hidden/system file
becomes exactly one `MessageItem`: its bytes, or the reason it was not read
(too large, compressed beyond the ratio limit, a nested archive, a path that
leaves the archive, a symbolic link, an unreadable member). Nothing is ever
extracted to disk, so a "../" member name cannot write anywhere; it is refused
by name all the same.

Zip bombs are refused from the archive's directory before a byte is inflated:
too many members, a declared total over the limit, or a member whose declared
size is over the per-message limit or whose compression ratio is implausible
for a message. A member's declared size also bounds what is read (zipfile
stops there, and a lie about it fails the CRC check: an error row).
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_MESSAGE_BYTES = 1_000_000  # as POST /v1/screen/payment: a pacs.008 is a few kB
MAX_MESSAGES = 50_000
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # uncompressed, as service.batch.jobs.MAX_BYTES for customer files
MAX_RATIO = 100  # a member inflating more than 100:1 is a bomb, not a payment message
RATIO_FLOOR_BYTES = 64 * 1024  # below this a member's ratio says nothing (tiny files compress oddly)
_ARCHIVE_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


@dataclass(frozen=True)
class MessageLimits:
    message_bytes: int = MAX_MESSAGE_BYTES
    messages: int = MAX_MESSAGES
    total_bytes: int = MAX_TOTAL_BYTES
    ratio: int = MAX_RATIO


@dataclass(frozen=True, slots=True)
class MessageItem:
    """One message file: its bytes, or `problem` and `error` saying why it was not read."""

    number: int  # 1-based, in name order
    name: str  # path inside the folder or archive, '/'-separated
    data: bytes | None = None
    problem: str | None = None
    error: str | None = None


class MessageSourceError(ValueError):
    """The folder or archive as a whole cannot be screened (the text says why); `status` for HTTP."""

    def __init__(self, problem: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.problem = problem
        self.status = status


def is_message_source(path: Path) -> bool:
    """A folder or a zip archive of messages (an .xlsx is a zip too, but never a message batch)."""
    if path.is_dir():
        return True
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return False
    if path.suffix.lower() == ".zip":
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(4) in _ZIP_MAGIC and zipfile.is_zipfile(path)
    except OSError:
        return False


def _skipped(parts: tuple[str, ...]) -> bool:
    """Hidden files and folders, and macOS's resource-fork folder: not messages."""
    return any((part.startswith(".") and part not in (".", "..")) or part == "__MACOSX" for part in parts)


def _unsafe(name: str) -> str | None:
    """Why a member name is refused: absolute, a drive, backslashes or '..' (zip-slip), or NUL."""
    if "\x00" in name:
        return "the name holds a NUL character"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if "\\" in name:
        return "a backslash in the path"
    if ".." in PurePosixPath(name).parts:
        return "'..' in the path leaves the archive"
    return None


def _nested_archive(name: str) -> bool:
    return name.lower().endswith(_ARCHIVE_SUFFIXES)


# --- zip ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveSummary:
    messages: int  # entries that become result rows
    skipped: list[str]  # hidden or system entries, named (not messages)
    declared_bytes: int


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise MessageSourceError("invalid_archive", f"not a readable zip archive ({exc})") from None


def _members(archive: zipfile.ZipFile) -> tuple[list[zipfile.ZipInfo], list[str]]:
    """(message members in name order, skipped names): folders left out, hidden entries skipped."""
    members, skipped = [], []
    for info in archive.infolist():
        if info.is_dir():
            continue
        parts = tuple(p for p in info.filename.replace("\\", "/").split("/") if p)
        if parts and _skipped(parts):
            skipped.append(info.filename)
        else:
            members.append(info)
    members.sort(key=lambda i: i.filename)
    return members, skipped


def check_archive(path: Path, limits: MessageLimits = MessageLimits()) -> ArchiveSummary:
    """Refuse an archive that is not a zip or is over the count or size limits, from its directory
    alone (nothing is inflated); otherwise how many messages it holds."""
    with _open_zip(path) as archive:
        members, skipped = _members(archive)
    if not members:
        raise MessageSourceError("empty_archive", "the archive holds no message files")
    if len(members) > limits.messages:
        raise MessageSourceError(
            "too_many_messages",
            f"the archive holds {len(members)} files; at most {limits.messages} messages per batch",
            status=413,
        )
    declared = sum(info.file_size for info in members)
    if declared > limits.total_bytes:
        raise MessageSourceError(
            "archive_too_large",
            f"the archive's files add up to {declared} bytes uncompressed; at most {limits.total_bytes}",
            status=413,
        )
    return ArchiveSummary(len(members), skipped, declared)


def _member_problem(info: zipfile.ZipInfo, limits: MessageLimits) -> tuple[str, str] | None:
    name = info.filename
    unsafe = _unsafe(name)
    if unsafe is not None:
        return "unsafe_path", f"refused: {unsafe}"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "symlink", "a symbolic link: not followed"
    if _nested_archive(name):
        return "nested_archive", "an archive inside the archive: not opened (send the messages themselves)"
    if info.file_size > limits.message_bytes:
        return "too_large", f"{info.file_size} bytes; a message has at most {limits.message_bytes}"
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > limits.ratio * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        return "compression_ratio", f"compressed {ratio}:1, over the {limits.ratio}:1 limit (a zip bomb?)"
    return None


def zip_messages(path: Path, limits: MessageLimits = MessageLimits()) -> Iterator[MessageItem]:
    """Every message member of the archive, in name order (check_archive first for the totals)."""
    check_archive(path, limits)
    with _open_zip(path) as archive:
        members, _ = _members(archive)
        for number, info in enumerate(members, 1):
            problem = _member_problem(info, limits)
            if problem is not None:
                yield MessageItem(number, info.filename, problem=problem[0], error=problem[1])
                continue
            try:
                with archive.open(info) as member:
                    data = member.read(limits.message_bytes + 1)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as exc:
                # a CRC or size lie, an encrypted member, an unknown compression method
                yield MessageItem(number, info.filename, problem="unreadable", error=f"not readable: {exc}")
                continue
            if len(data) > limits.message_bytes:
                yield MessageItem(
                    number,
                    info.filename,
                    problem="too_large",
                    error=f"more than {limits.message_bytes} bytes",
                )
                continue
            yield MessageItem(number, info.filename, data=data)


# --- folder -------------------------------------------------------------------------------------


def _folder_entries(folder: Path) -> tuple[list[tuple[str, Path]], list[str]]:
    """(relative name, path) of every file below `folder`, in name order; symbolic links to folders
    are not entered (they are listed as entries, and refused)."""
    entries, skipped = [], []
    for root, dirs, files in os.walk(folder, followlinks=False):
        base = Path(root)
        for name in dirs[:]:
            if (base / name).is_symlink():
                dirs.remove(name)
                files.append(name)
        for name in files:
            path = base / name
            relative = path.relative_to(folder).as_posix()
            if _skipped(tuple(relative.split("/"))):
                skipped.append(relative)
            else:
                entries.append((relative, path))
    entries.sort()
    return entries, skipped


def check_folder(folder: Path, limits: MessageLimits = MessageLimits()) -> ArchiveSummary:
    entries, skipped = _folder_entries(folder)
    if not entries:
        raise MessageSourceError("empty_folder", f"{folder} holds no message files")
    if len(entries) > limits.messages:
        raise MessageSourceError(
            "too_many_messages",
            f"{folder} holds {len(entries)} files; at most {limits.messages} messages per batch",
        )
    return ArchiveSummary(len(entries), skipped, 0)


def folder_messages(folder: Path, limits: MessageLimits = MessageLimits()) -> Iterator[MessageItem]:
    entries, _ = _folder_entries(folder)
    for number, (name, path) in enumerate(entries, 1):
        if path.is_symlink():
            yield MessageItem(number, name, problem="symlink", error="a symbolic link: not followed")
            continue
        if _nested_archive(name):
            yield MessageItem(
                number, name, problem="nested_archive", error="an archive inside the folder: not opened"
            )
            continue
        try:
            size = path.stat().st_size
            if size > limits.message_bytes:
                yield MessageItem(
                    number,
                    name,
                    problem="too_large",
                    error=f"{size} bytes; a message has at most {limits.message_bytes}",
                )
                continue
            with path.open("rb") as handle:
                data = handle.read(limits.message_bytes + 1)
        except OSError as exc:
            yield MessageItem(
                number, name, problem="unreadable", error=f"not readable: {exc.strerror or exc}"
            )
            continue
        if len(data) > limits.message_bytes:
            yield MessageItem(
                number, name, problem="too_large", error=f"more than {limits.message_bytes} bytes"
            )
            continue
        yield MessageItem(number, name, data=data)


def check_source(path: Path, limits: MessageLimits = MessageLimits()) -> ArchiveSummary:
    return check_folder(path, limits) if path.is_dir() else check_archive(path, limits)


def source_messages(path: Path, limits: MessageLimits = MessageLimits()) -> Iterator[MessageItem]:
    """The messages of a folder or a zip archive, in name order."""
    return folder_messages(path, limits) if path.is_dir() else zip_messages(path, limits)
