"""The typed explanation: every `how` the engine writes is one the model accepts, and no other."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

import pytest
from pydantic import ValidationError

from screening.explanation import Explanation, TokenExplanation, TokenHow

ENGINE = Path(__file__).resolve().parents[1] / "screening"


def _hows_written(module: str) -> set[str]:
    """String constants the module passes as a token match's `how`, or pairs as (score, how)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse((ENGINE / module).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            callee = getattr(node.func, "id", "")
            if callee == "TokenMatch" and len(node.args) >= 3 and isinstance(node.args[2], ast.Constant):
                found.add(node.args[2].value)
            for keyword in node.keywords:
                if keyword.arg == "how" and isinstance(keyword.value, ast.Constant):
                    found.add(keyword.value.value)
        elif isinstance(node, ast.Tuple) and len(node.elts) == 2:
            first, second = node.elts
            pair_of_words = isinstance(first, ast.Constant) and isinstance(first.value, str)
            if isinstance(second, ast.Constant) and isinstance(second.value, str) and not pair_of_words:
                found.add(second.value)
    return found


def test_every_how_the_engine_writes_is_typed() -> None:
    scorer = sorted((ENGINE / "names").glob("*.py"))  # the screening.names package
    written = _hows_written("ofac_screening.py").union(
        *[_hows_written(f"names/{path.name}") for path in scorer]
    )
    assert written == set(get_args(TokenHow))


def test_an_unknown_how_is_refused() -> None:
    with pytest.raises(ValidationError, match="how"):
        TokenExplanation(query_token="a", list_token=None, how="guessed", score=0.0, weight=1.0)  # type: ignore[arg-type]


def test_a_name_explanation_and_an_ofac_one_read_back_as_their_own_kind() -> None:
    name = {"query": "a", "matched": "A", "kind": "aka", "score": 1.0, "tokens": [], "notes": []}
    ofac = {**name, "whole_name": 0.9, "name_parts": 0.8, "first_list_word": 0.7}
    balanced = Explanation.model_validate({"summary": "s", "name": name, "evidence": []})
    emulated = Explanation.model_validate({"summary": "s", "name": ofac, "evidence": []})
    assert type(balanced.name).__name__ == "NameExplanation"
    assert type(emulated.name).__name__ == "OfacNameExplanation"
    assert emulated.model_dump(mode="json")["name"] == ofac
    assert "identifier" not in balanced.model_dump(mode="json")
