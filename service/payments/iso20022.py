"""ISO 20022 payment messages (pacs.008, pacs.009 incl. COV, pain.001) into screenable fields.

The message is recognised by its Document namespace
(`urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08`), never by a guess from its
elements, and only the message definitions payment systems send for credit
transfers are accepted, from the versions SWIFT CBPR+ and the market
infrastructures use (pacs.008.001.08, pacs.009.001.08, pain.001.001.09) on;
anything else is refused by name. The Document may come alone or beside a
business application header (`AppHdr`, head.001) inside any envelope element.

The XML parser never expands entities, never loads a DTD and never touches the
network, and a message with a DOCTYPE is refused before parsing: an ISO 20022
message has none, so any DOCTYPE is at best noise and at worst an XML bomb.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator

from lxml import etree

from service.payments.model import (
    FieldKind,
    MessageFormat,
    PartyType,
    PaymentMessage,
    PaymentMessageError,
    PaymentParty,
    ScreenableField,
)

NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"
HEADER_PREFIX = NAMESPACE_PREFIX + "head.001."
# message definition -> (oldest version screened, the Document's message element)
SUPPORTED: dict[str, tuple[int, str]] = {
    "pacs.008.001": (8, "FIToFICstmrCdtTrf"),
    "pacs.009.001": (8, "FICdtTrf"),
    "pain.001.001": (9, "CstmrCdtTrfInitn"),
}
SUPPORTED_TEXT = "pacs.008.001.08+, pacs.009.001.08+ (incl. COV), pain.001.001.09+"
_MSGDEF = re.compile(r"^([a-z]{4}\.\d{3}\.\d{3})\.(\d{2})$")

# Elements holding a party (PartyIdentification) or an agent (BranchAndFinancialInstitutionIdentification).
PARTY_ROLES = frozenset({"Dbtr", "Cdtr", "UltmtDbtr", "UltmtCdtr", "InitgPty", "Invcr", "Invcee"})
AGENT_ROLES = frozenset(
    {
        "DbtrAgt",
        "CdtrAgt",
        "IntrmyAgt1",
        "IntrmyAgt2",
        "IntrmyAgt3",
        "InstgAgt",
        "InstdAgt",
        "PrvsInstgAgt1",
        "PrvsInstgAgt2",
        "PrvsInstgAgt3",
        "FwdgAgt",
    }
)
FREE_TEXT = frozenset({"Ustrd", "AddtlRmtInf", "InstrInf"})
# Address parts that can name a town or region (street names are left out: "Sevastopolska St, Kyiv").
ADDRESS_TEXT = ("TwnNm", "TwnLctnNm", "DstrctNm", "CtrySubDvsn", "AdrLine")
# Segments left out of paths when the message has exactly one of them (the usual case).
_COLLAPSIBLE = ("CdtTrfTxInf", "PmtInf")
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_local = threading.local()


def _parser() -> etree.XMLParser:
    """One hardened parser per thread (lxml parsers must not be shared between threads)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        _local.parser = parser
    return parser


def _name(element: etree._Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _namespace(element: etree._Element) -> str:
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _children(element: etree._Element) -> Iterator[etree._Element]:
    return (child for child in element if isinstance(child.tag, str))


def _child(element: etree._Element | None, *names: str) -> etree._Element | None:
    """The first descendant along `names` (each a direct child of the previous), or None."""
    if element is None or not names:
        return element
    return element.find("/".join(f"{{*}}{name}" for name in names))


def _text(element: etree._Element | None, *names: str) -> str | None:
    found = _child(element, *names)
    if found is None or found.text is None:
        return None
    return " ".join(found.text.split()) or None


def parse_xml(data: bytes) -> etree._Element:
    """The root element, parsed with entities, DTDs and the network off; DOCTYPEs are refused."""
    if not data.strip():
        raise PaymentMessageError("malformed_xml", "the message is empty")
    if _DOCTYPE.search(data):
        raise PaymentMessageError(
            "xml_doctype",
            "the XML has a DOCTYPE or ENTITY declaration; ISO 20022 messages have none and they are "
            "refused (entity expansion, XML bomb)",
        )
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise PaymentMessageError("malformed_xml", f"malformed XML: {exc.msg} (line {exc.lineno})") from None


def _find(root: etree._Element, name: str) -> list[etree._Element]:
    return list(root.iter(f"{{*}}{name}"))


def _locate(root: etree._Element) -> tuple[etree._Element, etree._Element | None]:
    """(Document, AppHdr or None): the Document alone, or both inside an envelope."""
    if _name(root) == "Document":
        return root, None
    documents = _find(root, "Document")
    headers = _find(root, "AppHdr")
    if not documents:
        what = "a business application header (AppHdr) without a Document" if headers else f"<{_name(root)}>"
        raise PaymentMessageError(
            "unsupported_message", f"no ISO 20022 Document element found: the XML holds {what}"
        )
    if len(documents) > 1:
        raise PaymentMessageError(
            "unsupported_message", f"{len(documents)} Document elements in one envelope; send one message"
        )
    return documents[0], (headers[0] if headers else None)


def message_definition(document: etree._Element) -> tuple[str, str]:
    """(message definition, message element name) from the Document namespace, or refuse it by name."""
    namespace = _namespace(document)
    if not namespace.startswith(NAMESPACE_PREFIX):
        raise PaymentMessageError(
            "unsupported_message",
            f"the Document namespace {namespace or '(none)'!r} is not an ISO 20022 message namespace "
            f"({NAMESPACE_PREFIX}<message definition>); screened: {SUPPORTED_TEXT}",
        )
    msgdef = namespace[len(NAMESPACE_PREFIX) :]
    match = _MSGDEF.match(msgdef)
    if match is None or match.group(1) not in SUPPORTED:
        raise PaymentMessageError(
            "unsupported_message", f"message type {msgdef} is not screened; screened: {SUPPORTED_TEXT}"
        )
    oldest, element = SUPPORTED[match.group(1)]
    if int(match.group(2)) < oldest:
        raise PaymentMessageError(
            "unsupported_message",
            f"message version {msgdef} is older than screened ({match.group(1)}.{oldest:02d} and later)",
        )
    return msgdef, element


class _Node:
    """An element of the message as plain Python: its local name, own text and element children.

    The message is read once from lxml into these; the walk then looks children up in
    dicts instead of through lxml's path finder (which cost most of the parse time).
    """

    __slots__ = ("_named", "children", "name", "text")

    def __init__(self, name: str, text: str | None, children: list[_Node]) -> None:
        self.name = name
        self.text = text
        self.children = children
        self._named: dict[str, list[_Node]] | None = None

    def named(self, name: str) -> list[_Node]:
        """The direct children called `name`, in document order."""
        named = self._named
        if named is None:
            named = self._named = {}
            for child in self.children:
                found = named.get(child.name)
                if found is None:
                    named[child.name] = [child]
                else:
                    found.append(child)
        return named.get(name, _NONE)


_NONE: list[_Node] = []


class _Reader:
    """Builds the _Node tree below the message element, counting names and finding the UETR on the way."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.uetr: str | None = None

    def read(self, element: etree._Element) -> _Node:
        tag = element.tag
        name = tag.rpartition("}")[2]
        self.counts[name] += 1
        text = element.text
        if name == "UETR" and self.uetr is None and text and text.strip():
            self.uetr = " ".join(text.split())
        return _Node(name, text, [self.read(child) for child in element if isinstance(child.tag, str)])


def _first(node: _Node | None, *names: str) -> _Node | None:
    """The first descendant along `names` in document order (as ElementPath's find("{*}a/{*}b"))."""
    if node is None or not names:
        return node
    head, rest = names[0], names[1:]
    for child in node.named(head):
        found = _first(child, *rest)
        if found is not None:
            return found
    return None


def _value(node: _Node | None, *names: str) -> str | None:
    found = _first(node, *names)
    if found is None or found.text is None:
        return None
    return " ".join(found.text.split()) or None


class _Walker:
    """Collects parties and fields below the message element, with ISO 20022 element paths."""

    def __init__(self, counts: Counter[str]) -> None:
        self.counts = counts
        self.parties: list[PaymentParty] = []
        self.fields: list[ScreenableField] = []

    def add(
        self, path: str, kind: FieldKind, value: str | None, party: str | None, party_type: PartyType = "any"
    ) -> None:
        if value:
            self.fields.append(ScreenableField(path, kind, value, party, party_type))

    def walk(self, node: _Node, path: str) -> None:
        seen: Counter[str] = Counter()
        for child in node.children:
            name = child.name
            seen[name] += 1
            if name in _COLLAPSIBLE and self.counts[name] == 1:
                child_path = path
            elif name in _COLLAPSIBLE or len(node.named(name)) > 1:
                child_path = _join(path, f"{name}[{seen[name]}]")
            else:
                child_path = _join(path, name)
            if name in AGENT_ROLES or child.named("FinInstnId"):
                self.agent(child, child_path, name)
            elif name in PARTY_ROLES:
                self.party(child, child_path, name)
            elif name.endswith("Acct"):
                self.account(child, child_path, name)
            elif name in FREE_TEXT:
                self.add(child_path, FieldKind.TEXT, _value(child), None)
            else:
                self.walk(child, child_path)

    def agent(self, node: _Node, path: str, role: str) -> None:
        institution = _first(node, "FinInstnId")
        base = _join(path, "FinInstnId")
        bic = _value(institution, "BICFI")
        name = _value(institution, "Nm")
        self.add(_join(base, "BICFI"), FieldKind.BIC, bic, role)
        self.add(_join(base, "LEI"), FieldKind.IDENTIFIER, _value(institution, "LEI"), role)
        self.add(_join(base, "Othr/Id"), FieldKind.IDENTIFIER, _value(institution, "Othr", "Id"), role)
        self.add(_join(base, "Nm"), FieldKind.NAME, name, role, "entity")
        country = self.address(_first(institution, "PstlAdr"), _join(base, "PstlAdr"), role)
        self.parties.append(PaymentParty(role, path, True, name, bic, country))

    def party(self, node: _Node, path: str, role: str) -> None:
        identification = _first(node, "Id")
        organisation = _first(identification, "OrgId")
        private = _first(identification, "PrvtId")
        party_type: PartyType = (
            "entity" if organisation is not None else "person" if private is not None else "any"
        )
        name = _value(node, "Nm")
        self.add(_join(path, "Nm"), FieldKind.NAME, name, role, party_type)
        country = self.address(_first(node, "PstlAdr"), _join(path, "PstlAdr"), role)
        bic = _value(organisation, "AnyBIC")
        self.add(_join(path, "Id/OrgId/AnyBIC"), FieldKind.BIC, bic, role)
        self.add(_join(path, "Id/OrgId/LEI"), FieldKind.IDENTIFIER, _value(organisation, "LEI"), role)
        for kind, holder in (("OrgId", organisation), ("PrvtId", private)):
            others = holder.named("Othr") if holder is not None else _NONE
            for number, other in enumerate(others, 1):
                suffix = f"Othr[{number}]" if len(others) > 1 else "Othr"
                self.add(
                    _join(path, f"Id/{kind}/{suffix}/Id"), FieldKind.IDENTIFIER, _value(other, "Id"), role
                )
        birth = _first(private, "DtAndPlcOfBirth")
        birth_path = _join(path, "Id/PrvtId/DtAndPlcOfBirth")
        self.add(_join(birth_path, "CtryOfBirth"), FieldKind.COUNTRY, _value(birth, "CtryOfBirth"), role)
        self.add(_join(birth_path, "CityOfBirth"), FieldKind.ADDRESS, _value(birth, "CityOfBirth"), role)
        self.add(_join(path, "CtryOfRes"), FieldKind.COUNTRY, _value(node, "CtryOfRes"), role)
        self.parties.append(PaymentParty(role, path, False, name, bic, country))

    def address(self, address: _Node | None, path: str, role: str) -> str | None:
        if address is None:
            return None
        country = _value(address, "Ctry")
        self.add(_join(path, "Ctry"), FieldKind.COUNTRY, country, role)
        for part in ADDRESS_TEXT:
            found = address.named(part)
            for number, node in enumerate(found, 1):
                suffix = f"{part}[{number}]" if len(found) > 1 else part
                self.add(_join(path, suffix), FieldKind.ADDRESS, _value(node), role)
        return country

    def account(self, node: _Node, path: str, role: str) -> None:
        self.add(_join(path, "Id/IBAN"), FieldKind.IBAN, _value(node, "Id", "IBAN"), role)
        self.add(_join(path, "Nm"), FieldKind.NAME, _value(node, "Nm"), role)


def _join(path: str, name: str) -> str:
    return f"{path}/{name}" if path else name


def parse_iso20022(data: bytes) -> PaymentMessage:
    """The message's parties and fields; PaymentMessageError names what is wrong with it."""
    document, header = _locate(parse_xml(data))
    msgdef, element_name = message_definition(document)
    message = _child(document, element_name)
    if message is None:
        found = next((_name(c) for c in _children(document)), "nothing")
        raise PaymentMessageError(
            "unsupported_message", f"a {msgdef} Document must hold {element_name}; it holds {found}"
        )
    business_id = None
    if header is not None:
        if not _namespace(header).startswith(HEADER_PREFIX):
            raise PaymentMessageError(
                "unsupported_message",
                f"the AppHdr namespace {_namespace(header)!r} is not a head.001 business application header",
            )
        declared = _text(header, "MsgDefIdr")
        if declared is not None and declared != msgdef:
            raise PaymentMessageError(
                "header_mismatch", f"AppHdr/MsgDefIdr says {declared} but the Document is {msgdef}"
            )
        business_id = _text(header, "BizMsgIdr")
    reader = _Reader()
    tree = reader.read(message)
    reader.counts[_name(message)] -= 1  # the counts are of elements below the message element
    walker = _Walker(reader.counts)
    walker.walk(tree, "")
    counts, uetr = reader.counts, reader.uetr
    return PaymentMessage(
        format=MessageFormat.ISO20022,
        message_type=msgdef,
        message_id=_value(tree, "GrpHdr", "MsgId") or business_id,
        uetr=uetr,
        business_header=header is not None,
        transactions=max(1, counts["CdtTrfTxInf"]),
        parties=walker.parties,
        fields=walker.fields,
    )
