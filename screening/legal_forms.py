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
# One spelling per form, so that "Co., Ltd." and "Company Limited" share their forms: rigour
# reads the first as "coltd" and leaves "company" of the second beside "ltd".
_SAME_FORMS = {"coltd": ("co", "ltd"), "company": ("co",), "corporation": ("corp",), "incorporated": ("inc",)}


def split_legal_forms(text: str, organisation: bool = False) -> tuple[str, tuple[str, ...]]:
    """Return (text without legal forms, canonical forms found), e.g. ("acme", ("co", "ltd")).

    A name that is nothing but a legal form keeps its text, so it is never emptied. An
    `organisation`'s name also loses a last form written otherwise than the table has it
    (`form_written_otherwise`); a name of unknown type may be a person's ("Lee Doo").
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
    if forms:
        forms = tuple(dict.fromkeys(part for form in forms for part in _SAME_FORMS.get(form, (form,))))
    if organisation:
        kept, form = form_written_otherwise(tokens)
        if form and form not in forms:
            tokens, forms = kept, (*forms, form)
    if not tokens:
        return text, forms
    return " ".join(tokens), forms


# Longest legal form spelled in single letters ("s a r l") tried solid, and longest token tried
# spaced out ("doo" -> "d o o").
_LETTER_FORM_MAX = 4


def form_written_otherwise(tokens: list[str], spaced_out: bool = True) -> tuple[list[str], str | None]:
    """A last legal form the table knows only spaced out or only solid: (tokens before it, canonical).

    rigour's table has "d o o" but not "doo", and "sa", "spa", "fze" but not "s a", "s p a",
    "f z e": "RAD D.O.O." (read "rad doo" once its dotted initials are joined) kept "doo" as a
    rare name word, and "ACME S. A." two stray letters. Derived from the table, never listed.
    A name is never left without a word. Without `spaced_out`, only letters are joined: a word
    is not tried spaced out ("doo" is a form, and a Korean name).
    """
    if len(tokens) < 2:
        return tokens, None
    last = tokens[-1]
    if spaced_out and 2 <= len(last) <= _LETTER_FORM_MAX and last.isalpha():
        spaced = " ".join(last)
        found = extract_org_types(spaced)
        if found and found[0][0] == spaced:
            return tokens[:-1], found[0][1]
    letters = 0
    while letters < len(tokens) - 1 and len(tokens[-1 - letters]) == 1 and tokens[-1 - letters].isalpha():
        letters += 1
    for size in range(min(letters, _LETTER_FORM_MAX), 1, -1):
        solid = "".join(tokens[-size:])
        found = extract_org_types(solid)
        if found and found[0][0] == solid:
            return tokens[:-size], found[0][1]
    return tokens, None


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
