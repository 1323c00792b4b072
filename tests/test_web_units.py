"""The pieces behind the web pages that need no server: an entity's history across versions, the
explanation laid out for people, and the session secret's file."""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from lists import sources
from lists.entity_history import entity_history, primary_names
from lists.model import ListCode
from lists.store import Store
from service.web.explain import explain
from service.web.session import ENV_SESSION_SECRET, SECRET_FILE, session_secret


@pytest.fixture
def un_store(db_url: str) -> Iterator[Store]:
    store = Store(db_url)
    yield store
    store.close()


def test_entity_history_follows_listing_change_removal_and_relisting(un_store: Store) -> None:
    """Three versions of the real UN list: one entry leaves and comes back, one is renamed, one stays."""
    parsed = sources.parse_list(ListCode.UN, sources.bundled_sources()[ListCode.UN])
    gone, renamed, kept = parsed.designations[0], parsed.designations[1], parsed.designations[2]
    v1 = un_store.load(parsed)
    second = [
        d.model_copy(update={"primary_name": "RENAMED ENTRY"}) if d is renamed else d
        for d in parsed.designations
    ]
    v2 = un_store.load(dataclasses.replace(parsed, designations=[d for d in second if d is not gone]))
    v3 = un_store.load(parsed)

    history = entity_history(un_store, gone.entity_id)
    assert [(h.version_id, h.change) for h in history] == [
        (v1.id, "listed"),
        (v2.id, "removed"),
        (v3.id, "listed"),
    ]
    assert history[1].primary_name is None and history[2].primary_name == gone.primary_name

    history = entity_history(un_store, renamed.entity_id)
    assert [h.change for h in history] == ["listed", "changed", "changed"]
    assert history[1].changed_fields == ["primary_name"] and history[1].primary_name == "RENAMED ENTRY"
    assert history[2].changed_fields == ["primary_name"] and history[2].primary_name == renamed.primary_name
    assert [h.label for h in history] == [v1.label, v2.label, v3.label]

    assert [h.change for h in entity_history(un_store, kept.entity_id)] == [
        "listed",
        "unchanged",
        "unchanged",
    ]
    assert entity_history(un_store, "un:NO-SUCH-ENTRY") == []
    assert entity_history(un_store, "nolist") == []

    names = primary_names(un_store, v2.id, [gone.entity_id, renamed.entity_id, kept.entity_id])
    assert names == {renamed.entity_id: "RENAMED ENTRY", kept.entity_id: kept.primary_name}


def test_explanation_for_people_keeps_every_word_and_evidence() -> None:
    raw = {
        "summary": "primary name 'YIN, Kecheng' scored 0.93 against 'Yin Kechang'; dob +0.03 -> 0.96",
        "name": {
            "score": 0.93,
            "tokens": [
                {"query_token": "yin", "list_token": "yin", "how": "exact", "score": 1.0, "weight": 0.83},
                {
                    "query_token": "kechang",
                    "list_token": "kecheng",
                    "how": "fuzzy",
                    "score": 0.86,
                    "weight": 1.0,
                },
                {"query_token": "li", "list_token": None, "how": "missing", "score": 0.0, "weight": 0.4},
            ],
            "notes": ["query read as: yin kechang"],
            "cut": {"compared_with": "YIN, KECH", "cut_factor": 0.97},
        },
        "evidence": [
            {"kind": "dob", "effect": 0.03, "detail": "year 1986 matches 08 Dec 1986"},
            {"kind": "country", "effect": -0.05, "detail": "FR is not listed"},
        ],
        "identifier": {"type": "passport", "value": "E123"},
    }
    view = explain(raw)
    assert [(w.query_word, w.list_word, w.how_label, w.strength) for w in view.words] == [
        ("yin", "yin", "same word", "strong"),
        ("kechang", "kecheng", "spelled alike", "partial"),
        ("li", None, "not in the list name", "none"),
    ]
    assert [(e.label, e.effect, e.direction) for e in view.evidence] == [
        ("Date of birth", 0.03, "up"),
        ("Country", -0.05, "down"),
    ]
    assert view.identifier == "passport E123" and view.cut_to == "YIN, KECH"
    assert view.notes == ["query read as: yin kechang"] and view.name_score == 0.93
    assert explain({}).words == [] and explain({}).summary == ""


def test_session_secret_is_created_once_private_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_SESSION_SECRET, raising=False)
    first = session_secret(tmp_path)
    assert len(first) >= 32
    assert stat.S_IMODE(os.stat(tmp_path / SECRET_FILE).st_mode) == 0o600
    assert session_secret(tmp_path) == first  # every worker and restart signs alike
    monkeypatch.setenv(ENV_SESSION_SECRET, "x" * 40)
    assert session_secret(tmp_path) == "x" * 40
    monkeypatch.setenv(ENV_SESSION_SECRET, "short")
    with pytest.raises(ValueError, match=ENV_SESSION_SECRET):
        session_secret(tmp_path)
