"""Legal forms (Co., Ltd., LLC, ООО, GmbH, S.A. de C.V., 有限公司 ...) via rigour's maintained table.

Why: legal forms say little about who a party is, so they are taken out of the
name tokens and compared on the side; a match on legal form alone never alerts.
rigour.names.org_types knows hundreds of forms in many scripts; it expects
normalised (casefolded, punctuation-light) text, which `clean_text` produces.
"""

from __future__ import annotations

from rigour.names.org_types import extract_org_types, remove_org_types

# Words rigour leaves in place after "company limited" -> "company ltd" and similar.
_RESIDUAL_FORM_WORDS = frozenset({"co", "company", "corp", "corporation", "incorporated", "inc"})


def split_legal_forms(text: str) -> tuple[str, tuple[str, ...]]:
    """Return (text without legal forms, canonical forms found), e.g. ("acme", ("coltd",)).

    A name that is nothing but a legal form keeps its text, so it is never emptied.
    """
    found = extract_org_types(text)
    if found:
        forms = tuple(dict.fromkeys(canonical for _, canonical in found))
        rest = remove_org_types(text)
    else:
        rest, forms = split_han_legal_form(text)
    tokens = rest.split()
    while len(tokens) > 1 and tokens[-1] in _RESIDUAL_FORM_WORDS:
        forms = (*forms, tokens.pop())
    if not tokens:
        return text, forms
    return " ".join(tokens), forms


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def split_han_legal_form(text: str) -> tuple[str, tuple[str, ...]]:
    """Han names are written without spaces: try rigour on the name's last 2-6 characters."""
    if not text or not _is_han(text[-1]):
        return text, ()
    for size in range(min(6, len(text) - 1), 1, -1):
        suffix = text[-size:]
        found = extract_org_types(suffix)
        if found and found[0][0] == suffix:
            return text[:-size].strip(), (found[0][1],)
    return text, ()
