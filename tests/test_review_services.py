"""The review services on SQLite and PostgreSQL without a server: accept-list rules (expiry, revocation,
name-based entries, the designation's content), approval settings, the case report in JSON and PDF
(a Chinese name must never break the PDF), and the `sanctions alerts` commands with the CSV export.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lists.loader import load_lists
from lists.store import Store
from lists.store_models import DesignationRow
from service.alerts import get_alert, open_alert
from service.auth import Principal, Role
from service.review.accepts import applicable_accepts, list_accepts, revoke_accept
from service.review.config import ReviewSettings
from service.review.decisions import ReviewError, approve, decide
from service.review.pdf import printable, render_case_pdf
from service.review.reports import build_report
from service.review.users import create_user
from service.webhooks.tables import webhook_events

ANA = Principal(key_id=None, role=Role.ANALYST, user="ana")
APPR = Principal(key_id=None, role=Role.APPROVER, user="appr")
SETTINGS = ReviewSettings()
WATCHLIST = """version: 1
updated: 2026-12-01
entries:
  - id: jiang-ping
    type: person
    name: JIANG, Ping
    aliases:
      - name: 蒋萍
        script: Hans
    dates_of_birth: [1970-03-02]
    provenance:
      source: test
      date_added: 2026-12-01
      reason: a designation with a Chinese name
"""


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "watchlist.yaml"
    path.write_text(WATCHLIST, encoding="utf-8")
    store = Store(db_url)
    [outcome] = load_lists(store, ["internal"], paths=[path], force=True)
    assert outcome.ok, outcome.error
    create_user(store.engine, "ana", "analyst")
    create_user(store.engine, "appr", "approver")
    yield store
    store.close()


def _hash(store: Store) -> tuple[int, str]:
    version = store.active_versions()["internal"].id
    with store.engine.connect() as conn:
        digest = conn.execute(
            select(DesignationRow.content_hash).where(
                DesignationRow.version_id == version, DesignationRow.entity_id == "internal:jiang-ping"
            )
        ).scalar_one()
    return version, digest


def _open(store: Store, party_id: str | None = "C-7", name: str = "蒋萍") -> Any:
    version, digest = _hash(store)
    alert = open_alert(
        store.engine,
        party_id=party_id,
        subject={"name": name, "type": "person", "dob": "1970", "country": "China"},
        entity_id="internal:jiang-ping",
        list_code="internal",
        designation_hash=digest,
        matched_name="蒋萍",
        score=0.99,
        result={
            "entity_id": "internal:jiang-ping",
            "list": "internal",
            "explanation": {"script": "Hans 蒋萍"},
        },
        list_versions={"internal": version},
        source="screen",
    )
    assert alert is not None
    return alert


def _false_positive(store: Store, alert_id: str, settings: ReviewSettings = SETTINGS) -> Any:
    decide(
        store.engine,
        alert_id,
        outcome="false_positive",
        note="另一个人: born 1985",
        principal=ANA,
        settings=settings,
    )
    return approve(store.engine, alert_id, action="approve", note=None, principal=APPR, settings=settings)


def test_case_report_json_and_pdf_with_a_chinese_name(store: Store) -> None:
    alert = _open(store)
    closed = _false_positive(store, alert.alert_id)
    assert closed.status == "closed" and closed.outcome == "false_positive"

    case = build_report(store.engine, alert.alert_id, generated_by="appr")
    assert case is not None
    assert case["query"]["name"] == "蒋萍"  # the JSON keeps the original script
    assert case["designation"]["entity_id"] == "internal:jiang-ping"
    assert "蒋萍" in orjson.dumps(case["designation"]).decode()
    assert case["designation_source"] == f"internal version {_hash(store)[0]}"
    assert [e["action"] for e in case["decisions"]] == ["opened", "proposed", "approved", "closed"]
    assert case["users"] == ["ana", "appr"]
    assert case["accepts"][0]["alert_id"] == alert.alert_id

    pdf = render_case_pdf(case)
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert alert.alert_id in text and "ana" in text and "appr" in text
    assert "jiang ping" in text.lower()  # the Han name, transliterated where the font has no glyph
    assert "U+848B" in text  # and its code points, so nothing is silently dropped


def test_printable_keeps_what_the_font_has_and_transliterates_the_rest() -> None:
    covered = frozenset(range(0x20, 0x250)) | frozenset(range(0x400, 0x500))
    assert printable("Sergey Сергей", covered) == "Sergey Сергей"
    assert printable("蒋萍 Ltd", covered) == "jiang ping [U+848B U+840D] Ltd"
    assert printable("Zoë 🙂", None) == "Zoë [U+1F642]"  # the built-in font: Latin-1 only


def test_an_accept_applies_to_its_party_and_content_until_it_expires_or_is_revoked(store: Store) -> None:
    alert = _open(store)
    closed = _false_positive(store, alert.alert_id, ReviewSettings(accept_days=30))
    accept_id = closed.history[-2].data["accept_id"]  # the approval step names the entry it made
    digest = alert.designation_hash
    subject = {"name": "someone else"}
    with store.engine.connect() as conn:
        assert applicable_accepts(
            conn, party_id="C-7", subject=subject, current_hashes={"internal:jiang-ping": digest}
        ) == {"internal:jiang-ping": accept_id}
        assert not applicable_accepts(
            conn, party_id="C-8", subject=subject, current_hashes={"internal:jiang-ping": digest}
        )
        assert not applicable_accepts(  # the designation changed since
            conn, party_id="C-7", subject=subject, current_hashes={"internal:jiang-ping": "0" * 64}
        )
        later = datetime.now(UTC) + timedelta(days=31)
        assert not applicable_accepts(
            conn, party_id="C-7", subject=subject, current_hashes={"internal:jiang-ping": digest}, now=later
        )
    revoked = revoke_accept(store.engine, accept_id, "boss", "new facts")
    assert revoked is not None and not revoked.active
    assert [(e.action, e.actor) for e in revoked.history] == [("created", "appr"), ("revoked", "boss")]
    assert revoke_accept(store.engine, accept_id, "boss") is None
    with store.engine.connect() as conn:
        assert not applicable_accepts(
            conn, party_id="C-7", subject=subject, current_hashes={"internal:jiang-ping": digest}
        )
    assert (
        list_accepts(store.engine, active=False).total == 1
        and list_accepts(store.engine, active=True).total == 0
    )


def test_without_a_party_the_accept_is_for_the_name_with_its_dob_and_country(store: Store) -> None:
    alert = _open(store, party_id=None, name="Jiang  PING")
    _false_positive(store, alert.alert_id)
    hashes = {"internal:jiang-ping": alert.designation_hash}
    with store.engine.connect() as conn:
        same = {"name": "jiang ping", "dob": "1970", "country": "CN"}
        assert applicable_accepts(conn, party_id=None, subject=same, current_hashes=hashes)
        for other in ({**same, "dob": "1971"}, {**same, "country": "Taiwan"}, {**same, "name": "Jiang Pin"}):
            assert not applicable_accepts(conn, party_id=None, subject=other, current_hashes=hashes), other


def test_approval_settings_and_the_closed_webhook_event(store: Store) -> None:
    no_fp_approval = ReviewSettings(approval_required=frozenset({"true_match"}))
    alert = _open(store)
    closed = decide(
        store.engine,
        alert.alert_id,
        outcome="false_positive",
        note="other person",
        principal=ANA,
        settings=no_fp_approval,
    )
    assert closed.status == "closed" and [e.action for e in closed.history] == ["opened", "decided", "closed"]
    assert list_accepts(store.engine, party_id="C-7").items[0].approved_by is None
    with store.engine.connect() as conn:
        types = (
            conn.execute(select(webhook_events.c.type).order_by(webhook_events.c.created_at)).scalars().all()
        )
    assert types == ["alert.created", "alert.closed"]

    other = _open(store, party_id="C-8")
    proposed = decide(
        store.engine,
        other.alert_id,
        outcome="true_match",
        note="same dob",
        principal=ANA,
        settings=no_fp_approval,
    )
    assert proposed.status == "proposed"
    with pytest.raises(ReviewError) as refused:
        decide(
            store.engine,
            other.alert_id,
            outcome="false_positive",
            note="x",
            principal=APPR,
            settings=SETTINGS,
        )
    assert refused.value.status == 409
    with pytest.raises(ReviewError) as same_user:
        approve(
            store.engine,
            other.alert_id,
            action="approve",
            note=None,
            principal=Principal(None, Role.ADMIN, "ana"),
            settings=SETTINGS,
        )
    assert same_user.value.status == 403 and same_user.value.error == "four_eyes"
    assert get_alert(store.engine, other.alert_id).status == "proposed"  # type: ignore[union-attr]


def _cli(*args: str, url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "SANCTIONS_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "alerts", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_alerts_decide_approve_report_and_export(store: Store, db_url: str, tmp_path: Path) -> None:
    alert = _open(store, name='=HYPERLINK("x")')
    listed = _cli("list", "--status", "open", "--json", url=db_url, data_dir=tmp_path)
    assert [a["alert_id"] for a in orjson.loads(listed.stdout)["items"]] == [alert.alert_id], listed.stderr
    decided = _cli(
        "decide",
        alert.alert_id,
        "--outcome",
        "true_match",
        "--note",
        "same dob",
        "--user",
        "ana",
        url=db_url,
        data_dir=tmp_path,
    )
    assert decided.returncode == 0 and "proposed" in decided.stdout, decided.stderr
    own = _cli("approve", alert.alert_id, "--user", "ana", url=db_url, data_dir=tmp_path)
    assert own.returncode == 1 and "not an approver" in own.stderr
    approved = _cli("approve", alert.alert_id, "--user", "appr", url=db_url, data_dir=tmp_path)
    assert approved.returncode == 0 and "closed (true_match)" in approved.stdout, approved.stderr
    shown = _cli("show", alert.alert_id, url=db_url, data_dir=tmp_path)
    assert "approved" in shown.stdout and "appr" in shown.stdout

    report = tmp_path / "case.pdf"
    assert _cli("report", alert.alert_id, "-o", str(report), url=db_url, data_dir=tmp_path).returncode == 0
    assert PdfReader(report).pages and report.read_bytes().startswith(b"%PDF-")

    today = datetime.now(UTC).date()
    out = tmp_path / "cases.csv"
    exported = _cli(
        "export", "--from", str(today), "--to", str(today), "-o", str(out), url=db_url, data_dir=tmp_path
    )
    assert exported.returncode == 0 and "wrote 1 cases" in exported.stderr, exported.stderr
    [row] = list(csv.DictReader(out.open(encoding="utf-8")))
    assert (row["alert_id"], row["outcome"], row["proposed_by"], row["approved_by"]) == (
        alert.alert_id,
        "true_match",
        "ana",
        "appr",
    )
    assert row["name"].startswith("'=")  # a formula from a payment stays text in a spreadsheet
    yesterday = str(today - timedelta(days=1))
    empty = _cli(
        "export", "--from", yesterday, "--to", yesterday, "-o", str(out), url=db_url, data_dir=tmp_path
    )
    assert "wrote 0 cases" in empty.stderr
    bad = _cli("export", "--from", "soon", "--to", yesterday, "-o", str(out), url=db_url, data_dir=tmp_path)
    assert bad.returncode == 2 and "--from" in bad.stderr


def test_monitoring_rescreens_open_no_alert_for_an_accepted_pair(store: Store) -> None:
    from service.monitoring.context import build_context
    from service.monitoring.cycle import Monitor
    from service.monitoring.parties import PartyIn, put_party

    alert = _open(store, party_id=None, name="Jiang Ping")  # a one-off screening, no party reference
    _false_positive(store, alert.alert_id)  # accepted for the name with its dob (1970) and country (China)
    put_party(store.engine, "C-9", PartyIn(name="Jiang Ping", type="person", dob="1970", country="China"))
    put_party(store.engine, "C-10", PartyIn(name="Jiang Ping", type="person", country="China"))
    context = build_context(store)
    assert context is not None
    monitor = Monitor(store, lambda: context)
    assert monitor.screen_now(context, ["C-9"]).alerts_opened == 0  # the same name, dob and country
    assert monitor.screen_now(context, ["C-10"]).alerts_opened == 1  # no dob: not the accepted pair


def test_a_rescreen_reopens_a_false_positive_once_its_accept_is_revoked(store: Store) -> None:
    from service.alerts import list_alerts
    from service.monitoring.context import build_context
    from service.monitoring.cycle import Monitor
    from service.monitoring.parties import PartyIn, put_party

    put_party(store.engine, "C-11", PartyIn(name="Jiang Ping", type="person", country="China"))
    context = build_context(store)
    assert context is not None
    monitor = Monitor(store, lambda: context)
    assert monitor.screen_now(context, ["C-11"]).alerts_opened == 1
    [alert] = list_alerts(store.engine, party_id="C-11").items
    closed = _false_positive(store, alert.alert_id)
    accept_id = closed.history[-2].data["accept_id"]

    monitor.screen_now(context, ["C-11"])  # covered by the accept: the case stays closed
    assert get_alert(store.engine, alert.alert_id).status == "closed"  # type: ignore[union-attr]
    assert revoke_accept(store.engine, accept_id, "boss") is not None
    assert monitor.screen_now(context, ["C-11"]).alerts_opened == 0  # the same case, not a new one
    reopened = get_alert(store.engine, alert.alert_id)
    assert reopened is not None and reopened.status == "open" and reopened.outcome is None
    assert (reopened.history[-1].action, reopened.history[-1].actor) == ("reopened", "system")
