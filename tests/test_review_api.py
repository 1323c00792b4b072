"""Alert review end to end (issue #20, done-when 1-5), against a real server on SQLite and PostgreSQL.

Steps 1-3 and 5 screen the bundled lists: users ana (analyst) and appr
(approver) with their own keys; a party screening opens alerts; ana proposes a
false positive, cannot approve it herself, appr approves; the party's next
screening is clear with the match marked suppressed and no new alert; the case
report is a JSON and a PDF naming every step and both users. Step 4 loads an
internal list file written here, twice, the second time with an added alias:
the accept no longer applies and the party's next screening opens a new alert.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from lists.loader import load_lists
from lists.store import Store
from service.auth import create_key as make_key
from service.review.users import create_user
from tests.api_server import ApiServer, create_key, database, loaded_template

SICHUAN = "Sichuan Juxinhe Network Technology Co Ltd"


@dataclass
class Desk:
    server: ApiServer
    database_url: str
    ana: str
    appr: str
    screen: str
    admin: str


def _users(url: str) -> tuple[str, str]:
    store = Store(url)
    try:
        create_user(store.engine, "ana", "analyst")
        create_user(store.engine, "appr", "approver")
        return make_key(store.engine, user="ana")[1], make_key(store.engine, user="appr")[1]
    finally:
        store.close()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def desk(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    directory: Path = tmp_path_factory.mktemp(f"review-{request.param}")
    with database(request.param, directory, template=loaded_template()) as url:
        ana, appr = _users(url)
        _, screen = create_key(url, "screen")
        _, admin = create_key(url, "admin")
        with ApiServer(url, directory) as server:
            server.wait_ready()
            yield Desk(server, url, ana, appr, screen, admin)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_issue_steps_1_2_3_and_5(desk: Desk) -> None:
    with (
        desk.server.client(desk.ana) as ana,
        desk.server.client(desk.appr) as appr,
        desk.server.client(desk.screen) as gateway,
        desk.server.client(desk.admin) as admin,
    ):
        # 1. A screening that names the party opens an alert for each hit, after its audit record.
        first = _ok(gateway.post("/v1/screen", json={"name": SICHUAN, "party_id": "P-1"}))
        assert first["decision"] == "hit" and first["party_id"] == "P-1"
        assert "ofac:52749" in {m["entity_id"] for m in first["matches"]}
        assert all(m["suppressed"] is False and len(m["designation_hash"]) == 64 for m in first["matches"])
        assert [a["entity_id"] for a in first["alerts"]] == [m["entity_id"] for m in first["matches"]]
        assert all(a["new"] and a["status"] == "open" for a in first["alerts"])
        alert_ids = [a["alert_id"] for a in first["alerts"]]
        listed = _ok(ana.get("/v1/alerts", params={"party_id": "P-1"}))
        assert listed["total"] == len(alert_ids) and {a["alert_id"] for a in listed["items"]} == set(
            alert_ids
        )
        opened = _ok(ana.get(f"/v1/alerts/{alert_ids[0]}"))
        assert opened["screening_id"] == first["screening_id"] and opened["status"] == "open"
        assert opened["subject"]["name"] == SICHUAN and opened["history"][0]["action"] == "opened"

        # A screening key screens but never decides; an unnamed party opens no alert by default.
        denied = gateway.post(
            f"/v1/alerts/{alert_ids[0]}/decision", json={"outcome": "true_match", "note": "x"}
        )
        assert denied.status_code == 403, denied.text
        anonymous = _ok(gateway.post("/v1/screen", json={"name": SICHUAN}))
        assert anonymous["decision"] == "hit" and anonymous["alerts"] == []

        # 2. ana proposes false_positive with a note; ana approving is 403 (four eyes); appr approves.
        no_note = ana.post(f"/v1/alerts/{alert_ids[0]}/decision", json={"outcome": "false_positive"})
        assert no_note.status_code == 422 and no_note.json()["detail"][0]["field"] == "body.note"
        for alert_id in alert_ids:
            proposed = _ok(
                ana.post(
                    f"/v1/alerts/{alert_id}/decision",
                    json={
                        "outcome": "false_positive",
                        "note": "our customer is a Chengdu bakery, other USCC",
                    },
                )
            )
            assert proposed["status"] == "proposed"
            assert proposed["proposal"]["by"] == "ana" and proposed["proposal"]["outcome"] == "false_positive"
        assert ana.post(f"/v1/alerts/{alert_ids[0]}/approve", json={"action": "approve"}).status_code == 403
        self_approval = ana.post(f"/v1/alerts/{alert_ids[0]}/approve", json={"action": "approve"})
        assert self_approval.json()["error"] == "forbidden"  # an analyst's role cannot approve at all
        for alert_id in alert_ids:
            closed = _ok(appr.post(f"/v1/alerts/{alert_id}/approve", json={"action": "approve"}))
            assert closed["status"] == "closed" and closed["outcome"] == "false_positive"
            steps = [(e["action"], e["actor"]) for e in closed["history"]]
            assert steps[0][0] == "opened" and steps[0][1].startswith("key:")  # the screening key opened it
            assert steps[1:] == [("proposed", "ana"), ("approved", "appr"), ("closed", "appr")]
        again = appr.post(f"/v1/alerts/{alert_ids[0]}/approve", json={"action": "approve"})
        assert again.status_code == 409, again.text
        accepts = _ok(ana.get("/v1/accepts", params={"party_id": "P-1"}))
        assert accepts["total"] == len(alert_ids)
        entry = accepts["items"][0]
        assert entry["active"] and entry["created_by"] == "ana" and entry["approved_by"] == "appr"
        assert entry["alert_id"] in alert_ids and entry["history"][0]["action"] == "created"

        # 3. The party again with the same name: clear, the match kept and marked suppressed, no new alert.
        second = _ok(gateway.post("/v1/screen", json={"name": SICHUAN, "party_id": "P-1"}))
        assert second["decision"] == "clear"
        assert second["matches"] and all(m["suppressed"] for m in second["matches"])
        assert {m["accept_id"] for m in second["matches"]} <= {a["accept_id"] for a in accepts["items"]}
        assert second["alerts"] == [] and second["known_true_match"] is False
        assert _ok(ana.get("/v1/alerts", params={"party_id": "P-1"}))["total"] == len(alert_ids)
        audited = _ok(admin.get(f"/v1/screenings/{second['screening_id']}"))
        assert audited["decision"] == "clear"
        assert all(m["suppressed"] and m["accept_id"] for m in audited["result"]["matches"])
        other_party = _ok(gateway.post("/v1/screen", json={"name": SICHUAN, "party_id": "P-2"}))
        assert other_party["decision"] == "hit" and all(a["new"] for a in other_party["alerts"])

        # 5. The case report of the alert of step 1: JSON and PDF with every step and both users.
        case = _ok(ana.get(f"/v1/alerts/{alert_ids[0]}/report"))
        assert [e["action"] for e in case["decisions"]] == ["opened", "proposed", "approved", "closed"]
        assert {"ana", "appr"} <= set(case["users"])
        assert case["query"]["name"] == SICHUAN and case["match"]["explanation"]
        assert case["screening"]["screening_id"] == first["screening_id"]
        assert case["designation"]["entity_id"] == case["match"]["entity_id"]
        assert {v["list_code"] for v in case["list_versions"]} == set(first["list_versions"])
        assert case["accepts"][0]["approved_by"] == "appr"
        pdf = ana.get(f"/v1/alerts/{alert_ids[0]}/report", headers={"Accept": "application/pdf"})
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-")
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        for expected in (alert_ids[0], "ana", "appr", "proposed", "approved", "false_positive", "P-1"):
            assert expected in text, expected
        by_query = ana.get(f"/v1/alerts/{alert_ids[0]}/report", params={"format": "pdf"})
        assert by_query.headers["content-type"] == "application/pdf" and by_query.content.startswith(b"%PDF-")

        # Revoking the accept (admin only) brings the hit back: the same case is reopened, not duplicated.
        entry_id = next(a["accept_id"] for a in accepts["items"] if a["alert_id"] == alert_ids[0])
        assert ana.delete(f"/v1/accepts/{entry_id}").status_code == 403
        revoked = _ok(admin.delete(f"/v1/accepts/{entry_id}", params={"note": "new facts"}))
        assert revoked["active"] is False and revoked["revoked_by"].startswith("key:")
        assert [e["action"] for e in revoked["history"]] == ["created", "revoked"]
        assert admin.delete(f"/v1/accepts/{entry_id}").status_code == 404
        third = _ok(gateway.post("/v1/screen", json={"name": SICHUAN, "party_id": "P-1"}))
        assert third["decision"] == "hit"
        [back] = [a for a in third["alerts"] if a["alert_id"] == alert_ids[0]]
        assert back == {
            "alert_id": alert_ids[0],
            "entity_id": back["entity_id"],
            "status": "open",
            "new": False,
        }
        reopened = _ok(ana.get(f"/v1/alerts/{alert_ids[0]}"))
        assert reopened["status"] == "open" and reopened["outcome"] is None
        assert reopened["history"][-1]["action"] == "reopened"


def test_four_eyes_escalation_send_back_and_a_true_match_flagged_at_once(desk: Desk) -> None:
    with (
        desk.server.client(desk.ana) as ana,
        desk.server.client(desk.appr) as appr,
        desk.server.client(desk.admin) as admin,
        desk.server.client(desk.screen) as gateway,
    ):
        hit = _ok(gateway.post("/v1/screen/bulk", json={"queries": [{"name": SICHUAN, "party_id": "P-9"}]}))
        alert_id = hit["results"][0]["alerts"][0]["alert_id"]

        # Four eyes hold for approvers too: appr cannot review appr's own step.
        _ok(appr.post(f"/v1/alerts/{alert_id}/decision", json={"outcome": "escalated", "note": "unsure"}))
        own = appr.post(f"/v1/alerts/{alert_id}/approve", json={"action": "send_back", "note": "mine"})
        assert own.status_code == 403 and own.json()["error"] == "four_eyes", own.text
        by_analyst = ana.post(f"/v1/alerts/{alert_id}/decision", json={"outcome": "true_match", "note": "x"})
        assert by_analyst.status_code == 403  # an escalated alert is decided by an approver
        _ok(appr.post(f"/v1/alerts/{alert_id}/decision", json={"outcome": "true_match", "note": "same USCC"}))
        own = appr.post(f"/v1/alerts/{alert_id}/approve", json={"action": "approve"})
        assert own.status_code == 403 and own.json()["error"] == "four_eyes", own.text

        # Sent back (a note is required), it is open again; then proposed and approved by two users.
        no_note = admin.post(f"/v1/alerts/{alert_id}/approve", json={"action": "send_back"})
        assert no_note.status_code == 422 and no_note.json()["detail"][0]["field"] == "body.note"
        back = _ok(
            admin.post(f"/v1/alerts/{alert_id}/approve", json={"action": "send_back", "note": "check"})
        )
        assert back["status"] == "open" and back["history"][-1]["action"] == "sent_back"
        assert back["history"][-1]["actor"].startswith("key:")  # a role-only admin key acts as itself
        assigned = _ok(appr.post(f"/v1/alerts/{alert_id}/assign", json={"assigned_to": "ana"}))
        assert assigned["assigned_to"] == "ana"
        mine = _ok(ana.get("/v1/alerts", params={"assigned_to": "ana", "status": "open"}))
        assert [a["alert_id"] for a in mine["items"]] == [alert_id]
        _ok(
            ana.post(
                f"/v1/alerts/{alert_id}/decision", json={"outcome": "true_match", "note": "USCC checked"}
            )
        )
        closed = _ok(appr.post(f"/v1/alerts/{alert_id}/approve", json={"action": "approve"}))
        assert closed["outcome"] == "true_match"
        assert [e["action"] for e in closed["history"]] == [
            "opened",
            "escalated",
            "proposed",
            "sent_back",
            "assigned",
            "proposed",
            "approved",
            "closed",
        ]

        # The party screened again, even under a name that matches nothing: a known true match, never clear.
        again = _ok(gateway.post("/v1/screen", json={"name": "Maria Gonzalez", "party_id": "P-9"}))
        assert again["known_true_match"] is True and again["decision"] == "hit"
        assert [t["alert_id"] for t in again["true_matches"]] == [alert_id]
        assert ana.post(f"/v1/alerts/{alert_id}/assign", json={"assigned_to": "appr"}).status_code == 409
        assert ana.get("/v1/alerts", params={"status": "bogus"}).status_code == 422


def _watchlist(path: Path, aliases: list[str]) -> Path:
    alias_lines = "".join(f"      - {alias}\n" for alias in aliases)
    path.write_text(
        "version: 1\n"
        "updated: 2026-12-01\n"
        "entries:\n"
        "  - id: zorblax\n"
        "    type: entity\n"
        "    name: Zorblax Quantum Freight Limited\n"
        + (f"    aliases:\n{alias_lines}" if aliases else "")
        + "    provenance:\n"
        "      source: test\n"
        "      date_added: 2026-12-01\n"
        "      reason: a designation this test controls\n",
        encoding="utf-8",
    )
    return path


def _load(url: str, path: Path) -> int:
    store = Store(url)
    try:
        [outcome] = load_lists(store, ["internal"], paths=[path], force=True)
        assert outcome.ok, outcome.error
        assert outcome.version is not None
        return outcome.version.id
    finally:
        store.close()


def _wait_serving(server: ApiServer, token: str, version_id: int) -> None:
    deadline = time.monotonic() + 120
    with server.client(token) as client:
        while time.monotonic() < deadline:
            response = client.get("/v1/lists")
            if response.status_code == 200 and any(
                v["id"] == version_id and v["serving"] for v in response.json()["lists"]
            ):
                return
            time.sleep(0.3)
    raise AssertionError(f"version {version_id} never served:\n{server.log()}")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_issue_step_4_a_changed_designation_alerts_again(backend: str, tmp_path: Path) -> None:
    with database(backend, tmp_path) as url:
        first = _load(url, _watchlist(tmp_path / "watchlist-1.yaml", []))
        ana, appr = _users(url)
        _, screen = create_key(url, "screen")
        query = {"name": "Zorblax Quantum Freight Ltd", "party_id": "P-4", "type": "entity"}
        env = {
            "SANCTIONS_REFRESH_SECONDS": "0.5",
            "SANCTIONS_ALERTS_WITHOUT_PARTY": "on",
            "SANCTIONS_REQUIRED_LISTS": "internal",  # the test loads only its own internal list
        }
        with ApiServer(url, tmp_path, env=env) as server:
            server.wait_ready()
            _wait_serving(server, screen, first)
            with (
                server.client(screen) as gateway,
                server.client(ana) as analyst,
                server.client(appr) as approver,
            ):
                opened = _ok(gateway.post("/v1/screen", json=query))
                assert opened["decision"] == "hit" and opened["matches"][0]["entity_id"] == "internal:zorblax"
                [alert] = opened["alerts"]
                _ok(
                    analyst.post(
                        f"/v1/alerts/{alert['alert_id']}/decision",
                        json={"outcome": "false_positive", "note": "not them"},
                    )
                )
                _ok(approver.post(f"/v1/alerts/{alert['alert_id']}/approve", json={"action": "approve"}))
                accepted = _ok(gateway.post("/v1/screen", json=query))
                assert accepted["decision"] == "clear" and accepted["matches"][0]["suppressed"]

                second = _load(url, _watchlist(tmp_path / "watchlist-2.yaml", ["ZQF Shipping"]))
                _wait_serving(server, screen, second)
                changed = _ok(gateway.post("/v1/screen", json=query))
                assert changed["decision"] == "hit"
                [match] = changed["matches"]
                assert not match["suppressed"] and match["accept_id"] is None
                assert match["designation_hash"] != opened["matches"][0]["designation_hash"]
                [new_alert] = changed["alerts"]
                assert new_alert["new"] and new_alert["alert_id"] != alert["alert_id"]
                listed = _ok(analyst.get("/v1/alerts", params={"party_id": "P-4"}))
                assert listed["total"] == 2
                case = _ok(analyst.get(f"/v1/alerts/{alert['alert_id']}/report"))
                assert "ZQF Shipping" not in str(case["designation"])  # the designation as it was then
                assert case["designation_source"] == f"internal version {first}"

                # Configured to, a screening without a party reference opens an alert too.
                unnamed = _ok(gateway.post("/v1/screen", json={"name": "Zorblax Quantum Freight Ltd"}))
                [alert_without_party] = unnamed["alerts"]
                assert alert_without_party["new"]
                assert _ok(analyst.get(f"/v1/alerts/{alert_without_party['alert_id']}"))["party_id"] is None


def test_users_and_their_keys_over_http(desk: Desk) -> None:
    with desk.server.client(desk.admin) as admin, desk.server.client(desk.screen) as gateway:
        assert gateway.post("/v1/users", json={"name": "rita", "role": "analyst"}).status_code == 403
        created = _ok(admin.post("/v1/users", json={"name": "rita", "role": "analyst"}), 201)
        assert created["role"] == "analyst" and created["created_by"].startswith("key:")
        assert admin.post("/v1/users", json={"name": "rita", "role": "admin"}).status_code == 409
        bad = admin.post("/v1/users", json={"name": "rita", "role": "screen"})
        assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body.role"
        key = _ok(admin.post("/v1/users/rita/keys", json={"name": "rita laptop"}), 201)
        assert (key["user"], key["role"]) == ("rita", "analyst")
        assert admin.post("/v1/users/nobody/keys", json={}).status_code == 404
        assert "rita" in {u["name"] for u in _ok(admin.get("/v1/users"))}
        assert any(k["user"] == "rita" for k in _ok(admin.get("/v1/keys")))
        with desk.server.client(key["token"]) as rita:
            assert rita.get("/v1/accepts").status_code == 200  # analysts read the accept list
            assert rita.delete("/v1/accepts/x").status_code == 403  # only admins revoke
            disabled = _ok(admin.delete("/v1/users/rita"))
            assert disabled["disabled_at"] is not None
            assert rita.get("/v1/accepts").status_code == 401  # a disabled user's keys stop at once
        assert admin.delete("/v1/users/rita").status_code == 404
