"""The payment screening service: every field of a parsed message checked, one decision out.

* names: against the lists with the party type the field implies (engine threshold);
* BICs: exactly against the SWIFT/BIC identifiers the lists carry, and the BIC's
  country (characters 5-6) against the sanctioned-jurisdiction table;
* IBANs: their country prefix; countries: the table; addresses: region and town names;
* other identifiers (LEI, organisation and private ids): exactly against listed identifiers;
* free text: list names and identifiers inside it (`freetext`), at a higher threshold.

Decision: `block` when a BIC or identifier of a party matches a designation exactly
(SANCTIONS_PAYMENT_BLOCK_ON_IDENTIFIER=0 makes that a hold), `hold` on any other hit
or a sanctioned jurisdiction, `pass` otherwise. The caller must hand in the index it
serves; with none there is no answer (fail closed).
"""

from __future__ import annotations

import os
import time
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, Literal

from screening.algorithms import get_algorithm
from screening.evidence import normalize_identifier
from screening.explanation import Explanation
from screening.query import Query, ScreeningResult
from screening.screener import Screener
from service.payments.freetext import TextScanner, bic_hits, scanner_of
from service.payments.iso20022 import parse_iso20022
from service.payments.jurisdictions import Jurisdiction, JurisdictionTable
from service.payments.model import FieldKind, PaymentMessage, PaymentMessageError, ScreenableField
from service.payments.mt import parse_mt

Decision = Literal["pass", "hold", "block"]
Action = Literal["hold", "block"]
ENV_BLOCK_ON_IDENTIFIER = "SANCTIONS_PAYMENT_BLOCK_ON_IDENTIFIER"
ENV_TEXT_THRESHOLD = "SANCTIONS_PAYMENT_TEXT_THRESHOLD"
DEFAULT_TEXT_THRESHOLD = 0.9
MATCHES_PER_FIELD = 5
# Engine answers kept per index, by (name, type, threshold, cut): payments repeat their parties (the
# same debtor pays many creditors, a creditor is paid by many), and the engine is deterministic for
# one index, so a repeated name costs a dict look-up instead of 0.3-1 ms.
RESULT_CACHE_SIZE = 8192
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class PaymentPolicy:
    jurisdictions: JurisdictionTable
    block_on_exact_identifier: bool = True
    text_threshold: float = DEFAULT_TEXT_THRESHOLD

    @classmethod
    def from_env(cls) -> PaymentPolicy:
        raw = os.environ.get(ENV_TEXT_THRESHOLD, str(DEFAULT_TEXT_THRESHOLD))
        try:
            threshold = float(raw)
        except ValueError:
            threshold = -1.0
        if not 0 < threshold <= 1:
            raise ValueError(f"{ENV_TEXT_THRESHOLD}: expected a score in (0, 1], got {raw!r}")
        return cls(
            jurisdictions=JurisdictionTable.load(),
            block_on_exact_identifier=os.environ.get(ENV_BLOCK_ON_IDENTIFIER, "1").strip().lower()
            not in _FALSE,
            text_threshold=threshold,
        )


@dataclass(slots=True)
class PaymentHit:
    field: str  # path in the message
    check: str  # name | bic | bic_country | iban_country | country | region | identifier | text_name | text_identifier
    action: Action
    value: str  # the field's value, or the words of free text that matched
    score: float
    party: str | None
    matched: dict[str, Any]  # the designation or the jurisdiction
    explanation: Explanation | str  # the engine's explanation for names, a sentence otherwise

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "check": self.check,
            "action": self.action,
            "value": self.value,
            "score": self.score,
            "party": self.party,
            "matched": self.matched,
            "explanation": self.explanation
            if isinstance(self.explanation, str)
            else self.explanation.model_dump(mode="json"),
        }


@dataclass(slots=True)
class PaymentScreening:
    message: PaymentMessage
    decision: Decision
    hits: list[PaymentHit]
    list_versions: dict[str, str]
    threshold: float
    text_threshold: float
    screen_ms: float
    policy: dict[str, Any] = field(default_factory=dict)
    # Payment fields are scored with the default algorithm (a message names none): recorded with
    # its version, as every decision is.
    algorithm: str = field(default_factory=lambda: get_algorithm(None).name)
    algorithm_version: str = field(default_factory=lambda: get_algorithm(None).version)

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "message": self.message.summary(),
            "hits": [hit.as_dict() for hit in self.hits],
            "list_versions": self.list_versions,
            "threshold": self.threshold,
            "text_threshold": self.text_threshold,
            "policy": self.policy,
            "algorithm": self.algorithm,
            "algorithm_version": self.algorithm_version,
        }


def parse_message(data: bytes, content_type: str | None = None) -> PaymentMessage:
    """ISO 20022 XML or SWIFT MT, by content type (application/xml, text/plain) or, without one, by its first character."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if not kind:
        kind = "application/xml" if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") else "text/plain"
    if kind in ("application/xml", "text/xml") or kind.endswith("+xml"):
        return parse_iso20022(data)
    if kind == "text/plain":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PaymentMessageError(
                "mt_encoding", f"the MT message is not UTF-8/ASCII text (byte {exc.start + 1})"
            ) from None
        return parse_mt(text)
    raise PaymentMessageError(
        "unsupported_media_type",
        f"Content-Type {kind!r}: send application/xml (ISO 20022) or text/plain (SWIFT MT)",
    )


def _designation(screener: Screener, position: int) -> dict[str, Any]:
    designation = screener.index.designations[position]
    return {
        "entity_id": designation.entity_id,
        "list": designation.list.value,
        "name": designation.primary_name,
        "type": designation.type.value,
        "programs": list(designation.programs),
    }


def _jurisdiction(jurisdiction: Jurisdiction) -> dict[str, Any]:
    return {"jurisdiction": jurisdiction.describe()}


class PaymentScreener:
    """Screens parsed messages against a Screener; keeps the free-text word tables of the latest index."""

    def __init__(self, policy: PaymentPolicy, result_cache_size: int = RESULT_CACHE_SIZE) -> None:
        self.policy = policy
        self._cache_size = result_cache_size
        self._results: tuple[Screener | None, dict[tuple[Any, ...], ScreeningResult]] = (None, {})

    def scanner(self, screener: Screener) -> TextScanner:
        """The word tables of this index (built on first use, about 0.2 s, then reused)."""
        return scanner_of(screener)

    def screen(self, screener: Screener, message: PaymentMessage) -> PaymentScreening:
        started = time.perf_counter()
        hits: list[PaymentHit] = []
        # A name met twice (debtor and initiating party, a creditor repeated per transfer, the same
        # counterparty in the next payment) is screened once per index; each field gets its own hits.
        memo = self._results_of(screener) if self._cache_size else {}  # 0: within this message only
        for screenable in message.fields:
            hits.extend(self._check(screener, screenable, memo))
        if any(hit.action == "block" for hit in hits):
            decision: Decision = "block"
        else:
            decision = "hold" if hits else "pass"
        return PaymentScreening(
            message=message,
            decision=decision,
            hits=hits,
            list_versions=dict(screener.list_versions),
            threshold=screener.default_threshold,
            text_threshold=self.policy.text_threshold,
            screen_ms=round((time.perf_counter() - started) * 1000, 3),
            policy={"block_on_exact_identifier": self.policy.block_on_exact_identifier},
        )

    def _results_of(self, screener: Screener) -> dict[tuple[Any, ...], ScreeningResult]:
        """The engine answers cached for this index (a new index starts an empty cache)."""
        owner, results = self._results
        if owner is not screener:
            results = {}
            self._results = (screener, results)
        return results

    # --- one field ---------------------------------------------------------------------------

    def _check(
        self, screener: Screener, screenable: ScreenableField, memo: dict[tuple[Any, ...], Any]
    ) -> list[PaymentHit]:
        kind = screenable.kind
        if kind is FieldKind.NAME:
            return self._name(
                screener, screenable, screenable.value, screenable.party_type, None, "name", memo
            )
        if kind is FieldKind.BIC:
            return self._bic(screener, screenable)
        if kind is FieldKind.IBAN:
            return self._country(screenable, screenable.value[:2], "iban_country", "IBAN country prefix")
        if kind is FieldKind.COUNTRY:
            return self._country(screenable, screenable.value, "country", "country")
        if kind is FieldKind.ADDRESS:
            return self._address(screenable)
        if kind is FieldKind.IDENTIFIER:
            return self._identifier(screener, screenable)
        return self._text(screener, screenable, memo)

    @property
    def _exact_action(self) -> Action:
        return "block" if self.policy.block_on_exact_identifier else "hold"

    def _name(
        self,
        screener: Screener,
        screenable: ScreenableField,
        name: str,
        party_type: str,
        threshold: float | None,
        check: str,
        memo: dict[tuple[Any, ...], Any],
    ) -> list[PaymentHit]:
        truncated = False if check == "text_name" else None
        key = (name[:1000], party_type, threshold, truncated)
        result = memo.pop(key, None)
        if result is None:
            query = Query.model_construct(
                name=key[0],
                type=party_type,
                dob=None,
                country=None,
                nationality=None,
                gender=None,
                identifiers=[],
                lists=None,
                threshold=threshold,
                limit=MATCHES_PER_FIELD,
                truncated=truncated,
                algorithm=None,  # every field given: pydantic resolves no default (a third of the call)
            )
            result = screener.screen(query)
            if self._cache_size and len(memo) >= self._cache_size:
                with suppress(StopIteration, RuntimeError, KeyError):
                    del memo[next(iter(memo))]  # the least recently used
        memo[key] = result  # (re)inserted last: most recently used
        return [
            PaymentHit(
                field=screenable.path,
                check=check,
                action="hold",
                value=name,
                score=match.score,
                party=screenable.party,
                matched={
                    "entity_id": match.entity_id,
                    "list": match.list,
                    "name": match.name,
                    "matched_name": match.matched_name,
                    "type": match.type,
                    "programs": match.programs,
                },
                explanation=match.explanation,
            )
            for match in result.matches
        ]

    def _bic(self, screener: Screener, screenable: ScreenableField) -> list[PaymentHit]:
        bic = normalize_identifier(screenable.value)
        hits = [
            PaymentHit(
                field=screenable.path,
                check="bic",
                action=self._exact_action,
                value=screenable.value,
                score=1.0,
                party=screenable.party,
                matched=_designation(screener, position),
                explanation=(
                    f"BIC {bic} is listed as SWIFT/BIC {key} of "
                    f"{screener.index.designations[position].entity_id} "
                    f"({screener.index.designations[position].primary_name})"
                    + ("" if key == bic else " (same institution code)")
                ),
            )
            for position, key in bic_hits(screener.index, bic)
        ]
        if len(bic) in (8, 11):
            hits.extend(
                self._country(screenable, bic[4:6], "bic_country", "BIC country code (characters 5-6)")
            )
        return hits

    def _country(self, screenable: ScreenableField, code: str, check: str, what: str) -> list[PaymentHit]:
        jurisdiction = self.policy.jurisdictions.by_code(code)
        if jurisdiction is None:
            return []
        return [
            PaymentHit(
                field=screenable.path,
                check=check,
                action="hold",
                value=screenable.value,
                score=1.0,
                party=screenable.party,
                matched=_jurisdiction(jurisdiction),
                explanation=f"{what} {code.upper()} is {jurisdiction.name}, a comprehensively sanctioned "
                f"jurisdiction ({jurisdiction.source})",
            )
        ]

    def _address(self, screenable: ScreenableField) -> list[PaymentHit]:
        return [
            PaymentHit(
                field=screenable.path,
                check="region" if jurisdiction.code is None else "country",
                action="hold",
                value=screenable.value,
                score=1.0,
                party=screenable.party,
                matched=_jurisdiction(jurisdiction),
                explanation=f"'{words}' in the address names {jurisdiction.name}, a comprehensively "
                f"sanctioned jurisdiction ({jurisdiction.source})",
            )
            for words, jurisdiction in self.policy.jurisdictions.in_text(screenable.value)
        ]

    def _identifier(self, screener: Screener, screenable: ScreenableField) -> list[PaymentHit]:
        value = normalize_identifier(screenable.value)
        return [
            PaymentHit(
                field=screenable.path,
                check="identifier",
                action=self._exact_action,
                value=screenable.value,
                score=1.0,
                party=screenable.party,
                matched=_designation(screener, position),
                explanation=f"identifier {value} is listed as the {kind} of "
                f"{screener.index.designations[position].entity_id}",
            )
            for position, kind in screener.index.identifier_hits(value)
        ]

    def _text(
        self, screener: Screener, screenable: ScreenableField, memo: dict[tuple[Any, ...], Any]
    ) -> list[PaymentHit]:
        scanner = self.scanner(screener)
        best: dict[str, PaymentHit] = {}
        for window in scanner.windows(screenable.value):
            for hit in self._name(
                screener, screenable, window.upper(), "any", self.policy.text_threshold, "text_name", memo
            ):
                entity = hit.matched["entity_id"]
                if entity not in best or hit.score > best[entity].score:
                    best[entity] = hit
        hits = sorted(best.values(), key=lambda h: -h.score)[:MATCHES_PER_FIELD]
        for found in scanner.identifiers(screenable.value):
            # A BIC or IMO number is unambiguous; another number in free text may be a coincidence.
            action: Action = self._exact_action if found.kind in ("bic", "imo") else "hold"
            for position, listed in found.hits:
                entity = _designation(screener, position)
                hits.append(
                    PaymentHit(
                        field=screenable.path,
                        check="text_identifier",
                        action=action,
                        value=found.value,
                        score=1.0,
                        party=None,
                        matched=entity,
                        explanation=f"{found.kind} {found.value} in the text is listed "
                        f"({listed}) for {entity['entity_id']} ({entity['name']})",
                    )
                )
        return hits
