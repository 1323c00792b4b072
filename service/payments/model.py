"""What a payment message is reduced to: its parties and every field worth screening, with paths.

Both parsers (ISO 20022 XML and SWIFT MT) produce the same `PaymentMessage`, so
the screening never cares which format a field came from; the path says where
it was (`Cdtr/Nm`, `CdtrAgt/FinInstnId/BICFI`, `:59: line 2`, `RmtInf/Ustrd`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

PartyType = Literal["person", "entity", "any"]


class FieldKind(StrEnum):
    """How a field is screened."""

    NAME = "name"  # a party's name: fuzzy against list names, with the party's type
    BIC = "bic"  # exact against listed SWIFT/BIC identifiers, and its country (chars 5-6)
    IBAN = "iban"  # its country prefix
    COUNTRY = "country"  # an ISO 3166 code: against the sanctioned-jurisdiction table
    ADDRESS = "address"  # town, region or address line: sanctioned regions without an ISO code
    IDENTIFIER = "identifier"  # LEI or another id: exact against listed identifiers
    TEXT = "text"  # remittance and instructions: list names and identifiers inside longer text


@dataclass(frozen=True, slots=True)
class ScreenableField:
    path: str  # where the value is in the message, e.g. "Cdtr/Nm" or ":59: line 2"
    kind: FieldKind
    value: str
    party: str | None = None  # the party or agent it belongs to ("Cdtr", ":59:"), None for free text
    party_type: PartyType = "any"  # for names: the type the field implies


@dataclass(slots=True)
class PaymentParty:
    """One party or agent of the message (debtor, creditor agent, :57A: ...)."""

    role: str  # "Cdtr", "CdtrAgt", ":59F:" ...
    path: str  # its element path or field tag
    agent: bool  # a financial institution (agent) rather than a customer party
    name: str | None = None
    bic: str | None = None
    country: str | None = None


class MessageFormat(StrEnum):
    ISO20022 = "iso20022"
    MT = "mt"


@dataclass(slots=True)
class PaymentMessage:
    format: MessageFormat
    message_type: str  # "pacs.008.001.08", "MT103", "MT202COV"
    message_id: str | None  # GrpHdr/MsgId (or the header's BizMsgIdr) or MT field 20
    uetr: str | None = None
    business_header: bool = False  # ISO 20022 sent inside a head.001 business application header
    transactions: int = 1
    parties: list[PaymentParty] = field(default_factory=list)
    fields: list[ScreenableField] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        """The message as the answer describes it (no field values: those are in the hits)."""
        return {
            "format": self.format.value,
            "type": self.message_type,
            "id": self.message_id,
            "uetr": self.uetr,
            "business_header": self.business_header,
            "transactions": self.transactions,
            "parties": [
                {"role": p.role, "path": p.path, "agent": p.agent, "name": p.name, "bic": p.bic}
                for p in self.parties
            ],
            "fields_screened": len(self.fields),
        }


class PaymentMessageError(ValueError):
    """The message cannot be screened; the text names the problem (and the field or line).

    `problem` is a stable code for the API ("malformed_xml", "xml_doctype",
    "unsupported_message", "mt_block_structure", ...).
    """

    def __init__(self, problem: str, message: str) -> None:
        super().__init__(message)
        self.problem = problem
