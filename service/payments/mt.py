"""SWIFT FIN MT103 and MT202 (COV) messages into screenable fields.

A FIN message is a run of blocks: `{1:}` basic header (sender), `{2:}` application
header (message type, receiver), optional `{3:}` user header (`{119:COV}`,
`{121:}` UETR), `{4:` text `-}` and an optional `{5:}` trailer. A broken block
structure is refused with the character or block at fault, never half-read.

In block 4, party fields carry an option letter saying how the party is written:
A a BIC (with an optional account line), D (and 50K/59 without a letter) name and
address lines, F structured lines (`1/` name, `2/` address, `3/` country/town,
`4/` date of birth, `5/` place of birth, `6/`, `7/` identifiers). Names sit in
35-character lines and may have been cut there; the engine treats a 35-character
name as possibly cut (`screening.truncation`). Paths name the field and line:
`:59: line 2`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.payments.model import (
    FieldKind,
    MessageFormat,
    PartyType,
    PaymentMessage,
    PaymentMessageError,
    PaymentParty,
    ScreenableField,
)

SUPPORTED_TYPES = ("103", "202")
_BLOCK_START = re.compile(r"\{([1-5]):")
_BASIC_HEADER = re.compile(r"^[FAL]\d{2}([A-Z0-9]{12})\d{10}$")
_INPUT_HEADER = re.compile(r"^I(\d{3})([A-Z0-9]{12})([SUN]\d{0,4})?$")
_OUTPUT_HEADER = re.compile(r"^O(\d{3})\d{10}([A-Z0-9]{12})\d{10}\d{10}[SUN]?$")
_USER_FIELD = re.compile(r"\{(\d{3}):([^{}]*)\}")
_TAG = re.compile(r"^:(\d{2}[A-Z]?):(.*)$")
_BIC = re.compile(r"^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
_STRUCTURED_LINE = re.compile(r"^([1-8])/(.*)$")
# 50F party identifier codes naming a person's document
_PERSON_CODES = frozenset({"CCPT", "NIDN", "DRLC", "SOSE", "EMPL"})
CUSTOMER_TAGS = frozenset({"50", "59"})
INSTITUTION_TAGS = frozenset({"51", "52", "53", "54", "55", "56", "57", "58"})
TEXT_TAGS = frozenset({"70", "72"})
_BLOCK_NAMES = {"1": "basic header", "2": "application header", "4": "text"}


def split_blocks(text: str) -> dict[str, str]:
    """Block number -> content, checking that blocks open, close, and come once and in order."""
    blocks: dict[str, str] = {}
    position, size = 0, len(text)
    while position < size:
        if text[position].isspace():
            position += 1
            continue
        opened = _BLOCK_START.match(text, position)
        if opened is None:
            found = text[position : position + 10]
            raise PaymentMessageError(
                "mt_block_structure",
                f"broken block structure at character {position + 1}: expected a block "
                f"{{1: .. {{5:, found {found!r}",
            )
        number = opened.group(1)
        start = opened.end()
        if number == "4":
            end = re.compile(r"\r?\n-\}").search(text, start)
            if end is None:
                raise PaymentMessageError("mt_block_structure", "block 4 (text) is not closed by a line '-}'")
            content, position = text[start : end.start()], end.end()
        else:
            depth, index = 1, start
            while index < size and depth:
                depth += {"{": 1, "}": -1}.get(text[index], 0)
                index += 1
            if depth:
                raise PaymentMessageError(
                    "mt_block_structure", f"block {number} opened at character {position + 1} is not closed"
                )
            content, position = text[start : index - 1], index
        if number in blocks:
            raise PaymentMessageError("mt_block_structure", f"block {number} appears twice")
        if blocks and number < max(blocks):
            raise PaymentMessageError(
                "mt_block_structure", f"block {number} comes after block {max(blocks)}; blocks run 1 to 5"
            )
        blocks[number] = content
    for number, label in _BLOCK_NAMES.items():
        if number not in blocks:
            raise PaymentMessageError("mt_block_structure", f"block {number} ({label}) is missing")
    return blocks


@dataclass(slots=True)
class MtField:
    tag: str  # "59", "50" ...
    option: str  # "A", "F", "K" or "" (no letter)
    lines: list[str]
    sequence: str  # "" or "B" (MT202 COV underlying customer credit transfer)

    @property
    def label(self) -> str:
        return f"{self.sequence + '/' if self.sequence else ''}:{self.tag}{self.option}:"


def parse_fields(body: str) -> list[MtField]:
    """The fields of block 4, continuation lines kept with their field."""
    lines = body.replace("\r\n", "\n").split("\n")
    if lines and lines[0].strip() == "":
        lines = lines[1:]
    else:
        raise PaymentMessageError("mt_block_structure", "block 4 (text) must start on a new line after '{4:'")
    fields: list[MtField] = []
    sequence = ""
    for number, line in enumerate(lines, 1):
        tagged = _TAG.match(line)
        if tagged is not None:
            tag, option = tagged.group(1)[:2], tagged.group(1)[2:]
            if tag == "50" and any(f.tag == "58" for f in fields):
                sequence = "B"  # MT202 COV: sequence B opens with the ordering customer
            fields.append(MtField(tag, option, [tagged.group(2)], sequence))
        elif not fields:
            raise PaymentMessageError(
                "mt_block_structure",
                f"block 4 line {number}: expected a field tag such as :20:, found {line!r}",
            )
        else:
            fields[-1].lines.append(line)
    return fields


def _valid_iban(value: str) -> bool:
    if not _IBAN.match(value):
        return False
    rearranged = value[4:] + value[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


class _Collector:
    def __init__(self) -> None:
        self.parties: list[PaymentParty] = []
        self.fields: list[ScreenableField] = []

    def add(
        self,
        field: MtField,
        line: int | None,
        kind: FieldKind,
        value: str | None,
        party_type: PartyType = "any",
        party: bool = True,
    ) -> None:
        value = " ".join(value.split()) if value else None
        if value:
            path = field.label if line is None else f"{field.label} line {line}"
            self.fields.append(ScreenableField(path, kind, value, field.label if party else None, party_type))

    def account(self, field: MtField, line: int, text: str) -> None:
        """An account or party identifier line ("/DE89...", "/D/1234"): its IBAN country, if an IBAN."""
        value = text.lstrip("/")
        if len(value) > 2 and value[1] == "/" and value[0] in "CD":
            value = value[2:]
        value = value.replace(" ", "").upper()
        if _valid_iban(value):
            self.add(field, line, FieldKind.IBAN, value)

    def party(self, field: MtField, customer: bool) -> None:
        option = field.option
        lines = field.lines
        first = 1
        if lines and lines[0].startswith("/") and option != "F":
            self.account(field, 1, lines[0])
            first = 2
        name = bic = country = None
        if option == "A":
            bic = lines[first - 1].strip() if len(lines) >= first else None
            self.add(field, first, FieldKind.BIC, bic)
        elif option == "F":
            name, country = self.structured(field)
        elif option in ("", "K", "D") or (not customer and option == "B"):
            party_type: PartyType = "any" if customer else "entity"
            rest = lines[first - 1 :]
            if rest and option != "B":
                name = rest[0].strip()
                self.add(field, first, FieldKind.NAME, name, party_type)
                rest = rest[1:]
                first += 1
            for offset, text in enumerate(rest):
                self.add(field, first + offset, FieldKind.ADDRESS, text)
        self.parties.append(PaymentParty(field.label, field.label, not customer, name, bic, country))

    def structured(self, field: MtField) -> tuple[str | None, str | None]:
        """50F / 59F: party identifier, then numbered lines; (name, country)."""
        names: list[tuple[int, str]] = []
        country = None
        person = False
        for number, text in enumerate(field.lines, 1):
            coded = _STRUCTURED_LINE.match(text)
            if number == 1 and coded is None:
                if text.startswith("/"):
                    self.account(field, 1, text)
                else:  # CODE/CC/identifier (50F)
                    parts = text.split("/")
                    person = parts[0] in _PERSON_CODES
                    self.add(field, 1, FieldKind.IDENTIFIER, parts[-1] if len(parts) >= 3 else None)
                continue
            if coded is None:
                raise PaymentMessageError(
                    "mt_field", f"{field.label} line {number}: expected a numbered line such as '1/NAME'"
                )
            code, value = coded.group(1), coded.group(2)
            if code == "1":
                names.append((number, value))
            elif code == "2":
                self.add(field, number, FieldKind.ADDRESS, value)
            elif code in ("3", "5"):  # country code / town (5: place of birth)
                code_part, _, town = value.partition("/")
                self.add(field, number, FieldKind.COUNTRY, code_part)
                self.add(field, number, FieldKind.ADDRESS, town)
                if code == "3":
                    country = code_part or None
                person = person or code == "5"
            elif code == "4":
                person = True
            elif code in ("6", "7"):
                self.add(field, number, FieldKind.IDENTIFIER, value.rsplit("/", 1)[-1])
        name = " ".join(text.strip() for _, text in names) or None
        if names:
            line = names[0][0]
            path_line: int | None = line
            value = name
            self.add(field, path_line, FieldKind.NAME, value, "person" if person else "any")
        return name, country


def _bic_of_terminal(address: str) -> str:
    """The BIC of a 12-character logical terminal address (BIC8 + terminal letter + branch)."""
    branch = address[9:12]
    return address[:8] + ("" if branch == "XXX" else branch)


def parse_mt(text: str) -> PaymentMessage:
    """The message's parties and fields; PaymentMessageError names the block, field or line at fault."""
    blocks = split_blocks(text.lstrip("\ufeff"))
    basic = _BASIC_HEADER.match(blocks["1"].strip())
    if basic is None:
        raise PaymentMessageError(
            "mt_block_structure",
            f"block 1 (basic header) {blocks['1']!r} is not F01 + a 12-character logical terminal + "
            "session and sequence numbers",
        )
    header = blocks["2"].strip()
    application = _INPUT_HEADER.match(header) or _OUTPUT_HEADER.match(header)
    if application is None:
        raise PaymentMessageError(
            "mt_block_structure",
            f"block 2 (application header) {header!r} is neither an input nor an output header",
        )
    mt_type = application.group(1)
    if mt_type not in SUPPORTED_TYPES:
        raise PaymentMessageError(
            "unsupported_message", f"MT{mt_type} is not screened; screened: MT103, MT202 and MT202 COV"
        )
    user = dict(_USER_FIELD.findall(blocks.get("3", "")))
    cover = user.get("119") == "COV"
    fields = parse_fields(blocks["4"])
    tags = {f.tag for f in fields}
    required = (
        ["20", "32", "50", "59"] if mt_type == "103" else ["20", "32", "58"] + (["50", "59"] if cover else [])
    )
    missing = [t for t in required if t not in tags]
    if missing:
        raise PaymentMessageError(
            "mt_field",
            f"MT{mt_type}{' COV' if cover else ''} is missing field(s) {', '.join(':' + t + 'a:' for t in missing)}",
        )
    collected = _Collector()
    sender = _bic_of_terminal(basic.group(1))
    receiver = _bic_of_terminal(application.group(2))
    for label, bic in (("{1:} sender", sender), ("{2:} receiver", receiver)):
        collected.fields.append(ScreenableField(label, FieldKind.BIC, bic, label))
        collected.parties.append(PaymentParty(label, label, True, None, bic, None))
    reference = None
    for field in fields:
        if field.tag == "20" and reference is None:
            reference = field.lines[0].strip() or None
        elif field.tag in CUSTOMER_TAGS:
            collected.party(field, customer=True)
        elif field.tag in INSTITUTION_TAGS:
            collected.party(field, customer=False)
        elif field.tag in TEXT_TAGS:
            collected.add(field, None, FieldKind.TEXT, " ".join(field.lines), party=False)
    return PaymentMessage(
        format=MessageFormat.MT,
        message_type=f"MT{mt_type}{'COV' if cover else ''}",
        message_id=reference,
        uetr=user.get("121"),
        parties=collected.parties,
        fields=collected.fields,
    )
