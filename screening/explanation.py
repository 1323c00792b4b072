"""The explanation of a match, typed: what an analyst, an audit record and the web pages read.

Built only for the matches reported (the scorer's hot path never makes these). Field order
is the JSON key order existing consumers see; an optional part (a weak alias's factor, a
cut list name, a decisive identifier) is left out of the JSON when absent, never `null`.
`json_fields` gives the same for serialisers that walk a model's `__dict__` (orjson).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, Field, GetJsonSchemaHandler, Tag

# How a query token met a list token. The balanced scorer (screening/names/) gives all but
# the last; "jaro-winkler" is the OFAC Sanctions List Search emulation's (ofac_screening.py).
TokenHow = Literal[
    "exact",  # the same token ("kim" / "kim"), or two joined on one side ("juxin he" / "juxinhe")
    "phonetic",  # sounds alike or the same consonants ("laden" / "ladin")
    "transliterated",  # met in another reading of a non-Latin name, or an abjad skeleton
    "fuzzy",  # spelled alike (Levenshtein and Jaro-Winkler), or whole names joined alike
    "typo",  # a short word one keystroke off: a letter inserted, dropped or doubled, two swapped
    "initial",  # one letter against a word starting with it ("j" / "john")
    "acronym",  # a word is the initials of the other side's run of words ("us" / "united states")
    "abbreviation",  # an organisation's word of 4+ letters begins the other ("tech" / "technology")
    "symbol",  # the same generic organisation word in rigour's symbol table ("grp" / "group")
    "missing",  # nothing on the list side met it
    "jaro-winkler",  # the OFAC emulation's name-part comparison
]
NameKind = Literal["primary", "aka", "weak", "original-script"]
EvidenceKind = Literal["dob", "nationality", "country", "gender", "type", "identifier"]


def _absent(value: object) -> bool:
    return value is None


class EvidenceItem(BaseModel):
    """One piece of secondary evidence (`screening.evidence`) and its effect ("dob", +0.06, "1986-12-08 exact")."""

    kind: EvidenceKind
    effect: float  # in score points, rounded to 4 places
    detail: str  # for the analyst: what was compared with what


class TokenExplanation(BaseModel):
    """How one query token was matched (`list_token` None: it was not)."""

    query_token: str
    list_token: str | None
    how: TokenHow
    score: float
    weight: float  # how distinctive the token is (IDF over list names), in [0, 1]

    @classmethod
    def of(cls, match: Any, digits: int | None = None) -> TokenExplanation:
        """From the scorer's `screening.names.TokenMatch` (a compiled class, typed `how` only here).

        `digits`: round score and weight to that many places (the screener's 4), else as scored.
        """
        score, weight = match.score, match.weight
        if digits is not None:
            score, weight = round(score, digits), round(weight, digits)
        return cls(
            query_token=match.query_token,
            list_token=match.list_token,
            how=match.how,
            score=score,
            weight=weight,
        )


class CutComparison(BaseModel):
    """The query fills a payment field's length limit: compared with the list name cut alike."""

    compared_with: str  # the list name cut like the query
    cut_factor: float


class NameExplanation(BaseModel):
    """How the query's name met the list name that scored best (the balanced algorithms)."""

    query: str
    matched: str
    kind: NameKind
    score: float
    tokens: list[TokenExplanation]
    notes: list[str]
    weak_alias_factor: float | None = Field(default=None, exclude_if=_absent)
    cut: CutComparison | None = Field(default=None, exclude_if=_absent)


class OfacNameExplanation(BaseModel):
    """How the query's name met the list name under the OFAC Sanctions List Search emulation."""

    query: str
    matched: str
    kind: NameKind
    score: float
    whole_name: float
    name_parts: float
    first_list_word: float
    tokens: list[TokenExplanation]
    notes: list[str]


def _name_kind(value: Any) -> str:
    """Which name explanation a value is: the OFAC emulation's has the whole-name score."""
    if isinstance(value, dict):
        return "ofac" if "whole_name" in value else "balanced"
    return "ofac" if isinstance(value, OfacNameExplanation) else "balanced"


class _OneOfAsAnyOf:
    """JSON Schema of a union told apart by a function: `anyOf`, not pydantic's `oneOf`.

    The function picks the model; the schemas alone cannot (an OFAC explanation is also a valid
    balanced one, whose schema allows more properties), so `oneOf` would call it invalid.
    """

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: GetJsonSchemaHandler) -> Any:
        schema = handler(core_schema)
        if "oneOf" in schema:
            schema["anyOf"] = schema.pop("oneOf")
        return schema


# Told apart by `_name_kind`, not tried one after the other: validating a match's explanation
# in one call from the dicts the screener builds costs half of building each model on its own.
AnyNameExplanation = Annotated[
    Annotated[NameExplanation, Tag("balanced")] | Annotated[OfacNameExplanation, Tag("ofac")],
    Discriminator(_name_kind),
    _OneOfAsAnyOf(),
]


class IdentifierHit(BaseModel):
    """An exact strong identifier the query and the designation share: decisive on its own."""

    type: str
    value: str
    decisive: bool = True


class Explanation(BaseModel):
    """Why a designation was reported: a one-line summary, the name match and each piece of evidence."""

    summary: str
    name: AnyNameExplanation
    evidence: list[EvidenceItem]
    identifier: IdentifierHit | None = Field(default=None, exclude_if=_absent)


class ComparisonExplanation(BaseModel):
    """Two names compared (`screening.compare`): their tokens, legal forms and token matches."""

    tokens_a: list[str]
    tokens_b: list[str]
    legal_forms_a: list[str]
    legal_forms_b: list[str]
    token_matches: list[TokenExplanation]
    notes: list[str]


# Models with fields left out of the JSON when None (`exclude_if`), and those fields.
_SPARSE: dict[type[BaseModel], tuple[str, ...]] = {
    NameExplanation: ("weak_alias_factor", "cut"),
    Explanation: ("identifier",),
}


def json_fields(model: object) -> dict[str, Any]:
    """A model's fields as `model_dump` writes them at the top level: absent optional parts left out.

    orjson's `default` for pydantic models (the CLI's JSON lines): anything else is refused.
    """
    if not isinstance(model, BaseModel):
        raise TypeError(f"not JSON serialisable: {type(model).__name__}")
    fields = model.__dict__
    sparse = _SPARSE.get(type(model))
    if sparse is None or all(fields[name] is not None for name in sparse):
        return fields
    return {key: value for key, value in fields.items() if value is not None or key not in sparse}
