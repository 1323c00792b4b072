"""The web pages against a real server (auth on, SQLite and PostgreSQL), over HTTP and in Chromium.

HTTP tests check what a browser cannot easily show: the cookie's flags, CSRF refusals, roles,
the audit record a search leaves. Browser tests drive Debian's Chromium through Playwright as a
person would, with every request that is not to 127.0.0.1 aborted and counted (none may happen),
and save a screenshot to the artifacts folder when they fail. Without a Chromium they fail in CI
(CI=true or REQUIRE_BROWSER=1) and are skipped elsewhere.
"""

from __future__ import annotations

import base64
import csv
import dataclasses
import io
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from lists.model import ListCode
from tests.api_server import ApiServer, create_key, database, loaded_template

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("SANCTIONS_TEST_ARTIFACTS", REPO_ROOT / "var" / "artifacts"))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SICHUAN = "Sichuan Juxinhe Network Technology Co Ltd"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class WebServer:
    server: ApiServer
    db_url: str
    backend: str
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # person -> (key id, token)

    @property
    def url(self) -> str:
        return self.server.base_url

    def token(self, person: str) -> str:
        return self.keys[person][1]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """One real server per backend for the whole module (its index takes a while to build)."""
    directory = tmp_path_factory.mktemp(f"web-{request.param}")
    with database(request.param, directory, loaded_template()) as url:
        keys = {
            "Ada Admin": create_key(url, "admin", "Ada Admin"),
            "Sam Screener": create_key(url, "screen", "Sam Screener"),
            "Sol Screener": create_key(url, "screen", "Sol Screener"),
            "ana": user_key(url, "ana", "analyst"),
            "bob": user_key(url, "bob", "approver"),
            "cid": user_key(url, "cid", "approver"),
        }
        with ApiServer(url, directory, env={"SANCTIONS_BATCH_WORKERS": "1"}) as server:
            server.wait_ready()
            yield WebServer(server, url, request.param, keys)


def user_key(database_url: str, name: str, role: str) -> tuple[str, str]:
    """A named user (analyst, approver) and a key of theirs, made as `sanctions users create` does."""
    from lists.store import Store
    from service.auth import create_key as make_key
    from service.review.users import create_user

    store = Store(database_url)
    try:
        create_user(store.engine, name, role)
        key, token = make_key(store.engine, name=f"{name}'s key", user=name)
    finally:
        store.close()
    return key.key_id, token


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


@contextmanager
def signed_in(web: WebServer, person: str) -> Iterator[httpx.Client]:
    """An HTTP client holding the session cookie of `person`."""
    with httpx.Client(base_url=web.url, timeout=60, headers={"Accept": "text/html"}) as client:
        token = csrf_of(client.get("/login").text)
        answer = client.post("/login", data={"api_key": web.token(person), "csrf_token": token, "next": "/"})
        assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text
        yield client


# --- over HTTP ----------------------------------------------------------------------------------


def test_pages_need_sign_in_and_the_cookie_is_httponly_strict_and_holds_no_key(web: WebServer) -> None:
    with httpx.Client(base_url=web.url, timeout=30, headers={"Accept": "text/html"}) as client:
        for path in ("/", "/batch", "/lists", "/designations/ofac:52749"):
            answer = client.get(path)
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/login?next=")
        login = client.get("/login")
        assert login.status_code == 200 and "API key" in login.text
        assert "default-src 'self'" in login.headers["content-security-policy"]
        cookie = login.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()

        wrong = client.post("/login", data={"api_key": "ssk_nope_nope", "csrf_token": csrf_of(login.text)})
        assert wrong.status_code == 401 and "unknown or revoked" in wrong.text
        no_csrf = client.post("/login", data={"api_key": web.token("Sam Screener")})
        assert no_csrf.status_code == 403 and "security token" in no_csrf.text

        token = csrf_of(client.get("/login").text)
        ok = client.post(
            "/login", data={"api_key": web.token("Sam Screener"), "csrf_token": token, "next": "//evil"}
        )
        assert ok.status_code == 303 and ok.headers["location"] == "/"  # no open redirect
        # The cookie is signed, not encrypted: it must carry the key id, never the key's secret.
        payload = client.cookies["sanctions_session"].split(".")[0]
        session = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
        assert set(session) == {"key_id", "csrf"} and session["key_id"] == web.keys["Sam Screener"][0]
        assert web.token("Sam Screener").split("_", 2)[2] not in json.dumps(session)
        assert csrf_of(client.get("/").text) != token  # a fresh token after signing in
        page = client.get("/")
        assert page.status_code == 200 and "Sam Screener" in page.text

        client.post("/logout", data={"csrf_token": csrf_of(page.text)})
        assert client.get("/").status_code == 303


def test_search_is_audited_like_the_api_and_refused_without_csrf(web: WebServer) -> None:
    with signed_in(web, "Sam Screener") as client:
        page = client.get("/")
        refused = client.post("/search", data={"name": SICHUAN})
        assert refused.status_code == 403
        answer = client.post(
            "/search", data={"name": SICHUAN, "type": "entity", "csrf_token": csrf_of(page.text)}
        )
        assert answer.status_code == 200
        assert "ofac:52749" in answer.text and "Why it matched" in answer.text and "same word" in answer.text
        screening_id = re.search(r"audit id <code>([0-9a-f-]{36})</code>", answer.text).group(1)  # type: ignore[union-attr]
    record = httpx.get(
        f"{web.url}/v1/screenings/{screening_id}",
        headers={"Authorization": f"Bearer {web.token('Ada Admin')}"},
        timeout=30,
    ).json()
    assert record["endpoint"] == "screen" and record["decision"] == "hit"  # POST /v1/screen's own path
    assert record["api_key_id"] == web.keys["Sam Screener"][0]
    assert record["result"]["matches"][0]["entity_id"] == "ofac:52749"
    assert set(record["list_versions"]) == {"ofac", "ofac-nonsdn", "un", "internal"}


def test_bad_search_input_names_the_field(web: WebServer) -> None:
    with signed_in(web, "Sam Screener") as client:
        token = csrf_of(client.get("/").text)
        blank = client.post(
            "/search", data={"name": "   ", "csrf_token": token}, headers={"HX-Request": "true"}
        )
        assert blank.status_code == 422 and "name: " in blank.text and "non-space" in blank.text
        control = client.post("/search", data={"name": "Ali\x07ce", "csrf_token": token})
        assert control.status_code == 422 and "control character" in control.text
        bad_list = client.post("/search", data={"name": "Alice", "lists": "nolist", "csrf_token": token})
        assert bad_list.status_code == 422 and "lists" in bad_list.text
        no_eu = client.post(  # a known list with no active version: refused by name, never "clear"
            "/search",
            data={"name": "Alice", "lists": "eu", "csrf_token": token},
            headers={"HX-Request": "true"},
        )
        assert no_eu.status_code == 422 and "no active version of eu" in no_eu.text, no_eu.text
        assert "clear" not in no_eu.text.lower()
        bad_type = client.post("/search", data={"name": "Alice", "type": "robot", "csrf_token": token})
        assert bad_type.status_code == 422 and "type" in bad_type.text


def test_revoking_a_key_ends_its_web_session(web: WebServer) -> None:
    key_id, token = create_key(web.db_url, "screen", "Short-lived")
    web.keys["Short-lived"] = (key_id, token)
    with signed_in(web, "Short-lived") as client:
        assert client.get("/").status_code == 200
        admin = {"Authorization": f"Bearer {web.token('Ada Admin')}"}
        assert httpx.delete(f"{web.url}/v1/keys/{key_id}", headers=admin, timeout=30).status_code in (
            200,
            204,
        )
        assert client.get("/").status_code == 303


def test_roles_decide_what_a_page_offers(web: WebServer) -> None:
    with signed_in(web, "Sam Screener") as client:
        page = client.get("/lists")
        assert page.status_code == 200 and "Reload lists" not in page.text
        refused = client.post("/lists/reload", data={"csrf_token": csrf_of(page.text)})
        assert refused.status_code == 403 and "admin" in refused.text
    with signed_in(web, "Ada Admin") as client:
        assert "Reload lists" in client.get("/lists").text


def test_a_batch_job_is_seen_only_by_its_owner_and_admins(web: WebServer) -> None:
    rows = f"customer_id,name\nc1,{SICHUAN}\nc2,Zebulon Quartermaine-Oduya\n"
    with signed_in(web, "Sam Screener") as sam:
        token = csrf_of(sam.get("/batch").text)
        answer = sam.post(
            "/batch",
            data={"csrf_token": token, "id_column": "customer_id", "output_format": "csv"},
            files={"file": ("sam.csv", rows.encode(), "text/csv")},
        )
        assert answer.status_code == 303, answer.text
        job_url = answer.headers["location"]
        assert sam.get(job_url).status_code == 200 and "sam.csv" in sam.get("/batch").text
        empty = sam.post("/batch", data={"csrf_token": token}, files={"file": ("e.csv", b"", "text/csv")})
        assert empty.status_code == 422 and "empty" in empty.text
        nameless = sam.post(
            "/batch", data={"csrf_token": token}, files={"file": ("n.csv", b"id,city\n1,Paris\n", "text/csv")}
        )
        assert nameless.status_code == 422 and "no name column" in nameless.text
    with signed_in(web, "Sol Screener") as sol:
        assert sol.get(job_url).status_code == 404
        assert sol.get(f"{job_url}/download").status_code == 404
        assert "sam.csv" not in sol.get("/batch").text
    with signed_in(web, "Ada Admin") as ada:
        assert ada.get(job_url).status_code == 200 and "sam.csv" in ada.get("/batch").text


def test_designation_page_and_unknown_pages(web: WebServer) -> None:
    with signed_in(web, "Sam Screener") as client:
        page = client.get("/designations/ofac:52749")
        assert page.status_code == 200
        for text in (
            "SICHUAN JUXINHE NETWORK TECHNOLOGY CO., LTD.",
            "91510600399136451Q",
            "CYBER3",
            "listed",
        ):
            assert text in page.text
        missing = client.get("/designations/ofac:99999999")
        assert missing.status_code == 404 and "No such designation" in missing.text
        assert client.get("/no-such-page").status_code == 404
        assert "Page not found" in client.get("/no-such-page").text
    api = httpx.get(f"{web.url}/v1/no-such-endpoint", timeout=30)  # the API's errors stay JSON
    assert api.status_code == 404 and api.json()["error"] == "not_found"
    spec = httpx.get(f"{web.url}/openapi.json", timeout=30).json()
    assert not [
        path for path in spec["paths"] if not path.startswith(("/v1/", "/healthz", "/readyz", "/metrics"))
    ]


def test_docs_use_only_assets_the_server_serves(web: WebServer) -> None:
    for path, assets in (
        (
            "/docs",
            ["/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/vendor/swagger-ui/swagger-ui.css"],
        ),
        ("/redoc", ["/static/vendor/redoc/redoc.standalone.js"]),
    ):
        page = httpx.get(f"{web.url}{path}", timeout=30)
        assert page.status_code == 200
        urls = re.findall(r"""(?:src|href)=["']([^"']+)""", page.text)
        assert urls and all(url.startswith("/") for url in urls), urls
        for asset in assets:
            assert asset in urls
            served = httpx.get(f"{web.url}{asset}", timeout=30)
            assert served.status_code == 200 and len(served.content) > 100_000


# --- in Chromium --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1" or os.environ.get("CI", "").lower() in ("1", "true"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def browser_tab(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A fresh tab at 1280 px; requests to anywhere but 127.0.0.1 are aborted and listed."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    outside: list[str] = []

    def only_local(route: Any) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        yield tab, outside
    finally:
        context.close()


def save_screenshot(tab: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"), full_page=True)


@contextmanager
def screenshot_on_failure(tab: Any, name: str) -> Iterator[None]:
    """For a second tab in a test (the `page` fixture covers the first)."""
    try:
        yield
    except BaseException:
        save_screenshot(tab, name)
        raise


@pytest.fixture
def page(browser: Any, web: WebServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A browser tab; no request may leave 127.0.0.1, and a failing test leaves a screenshot."""
    with browser_tab(browser) as (tab, outside):
        yield tab
        failed = [
            when
            for when in ("setup", "call")
            if getattr(request.node, f"rep_{when}", None) is not None
            and getattr(request.node, f"rep_{when}").failed
        ]
        if failed:
            save_screenshot(tab, request.node.name)
    assert not outside, f"the page tried to reach outside 127.0.0.1: {outside}"


def sign_in_as(page: Any, web: WebServer, person: str, path: str = "/") -> None:
    page.goto(f"{web.url}{path}")
    page.get_by_label("API key").fill(web.token(person))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{web.url}{path}")


def test_browser_search_enter_shows_the_hit_with_its_explanation(page: Any, web: WebServer) -> None:
    from playwright.sync_api import expect

    sign_in_as(page, web, "Sam Screener")
    expect(page.get_by_label("Name", exact=True)).to_be_focused()  # typing can start at once
    page.keyboard.type(SICHUAN)
    page.keyboard.press("Enter")
    match = page.locator("article.match").filter(has_text="ofac:52749")
    expect(match).to_be_visible()
    expect(page.locator(".decision")).to_contain_text("Hit")
    expect(match.get_by_role("heading", name="Why it matched")).to_be_visible()
    words = match.locator("table.words tbody tr")
    expect(words.filter(has_text="juxinhe")).to_contain_text("same word")
    expect(match).to_contain_text("primary name")
    expect(match).to_contain_text("CYBER3")
    match.get_by_role("link", name="SICHUAN JUXINHE NETWORK TECHNOLOGY CO., LTD.").click()
    expect(page.get_by_role("heading", name="History across list versions")).to_be_visible()
    expect(page.locator("body")).to_contain_text("91510600399136451Q")


def test_browser_docs_render_offline(page: Any, web: WebServer) -> None:
    from playwright.sync_api import expect

    page.goto(f"{web.url}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Sanctions screening API")
    expect(page.locator(".opblock-summary-path").filter(has_text="/v1/screen").first).to_be_visible()
    page.goto(f"{web.url}/redoc")
    # ReDoc lays out the whole spec before its first heading: seconds on a loaded 2-core host.
    expect(page.get_by_role("heading", name=re.compile("Sanctions screening API"))).to_be_visible(
        timeout=30_000
    )


def test_browser_batch_upload_progress_and_download(page: Any, web: WebServer, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    upload = tmp_path / "customers.csv"
    upload.write_text(
        f"customer_id,name,country\nc1,{SICHUAN},China\nc2,Zebulon Quartermaine-Oduya,NZ\nc3,YIN Kecheng,\n",
        encoding="utf-8",
    )
    sign_in_as(page, web, "Sol Screener", "/batch")
    page.get_by_label("Customer file", exact=True).set_input_files(str(upload))
    page.get_by_label("Your row id column").fill("customer_id")
    page.get_by_role("button", name="Upload and screen").click()
    expect(page.get_by_role("heading", name="customers.csv")).to_be_visible()
    expect(page.locator("[data-state]")).to_have_attribute(
        "data-state", "done", timeout=120_000
    )  # htmx polls
    expect(page.locator("[data-rows-done]")).to_contain_text("3 of 3")
    expect(page.locator("[data-hits]")).to_have_text("2")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download results").click()
    download = download_info.value
    assert download.suggested_filename == "customers_results.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    by_id = {row["customer_id"]: row for row in rows}
    assert by_id["c1"]["decision"] == "hit" and by_id["c1"]["top_entity_id"] == "ofac:52749"
    assert by_id["c2"]["decision"] == "clear"
    assert by_id["c3"]["decision"] == "hit"
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Batch").click()
    expect(page.locator("table.jobs")).to_contain_text("customers.csv")


def test_four_eyes_and_roles_on_the_alert_pages(web: WebServer) -> None:
    """Over HTTP: a screen key sees no alerts; an analyst cannot approve; nobody approves their own step."""
    with signed_in(web, "Sam Screener") as sam:
        assert "/alerts" not in sam.get("/").text
        assert sam.get("/alerts").status_code == 403
    with signed_in(web, "bob") as bob:
        page = bob.get("/")
        answer = bob.post(
            "/search",
            data={
                "name": "YIN, Kecheng",
                "type": "person",
                "party_id": "four-eyes-1",
                "csrf_token": csrf_of(page.text),
            },
        )
        alert_id = re.search(r'href="/alerts/([0-9a-f-]{36})"', answer.text).group(1)  # type: ignore[union-attr]
        token = csrf_of(bob.get(f"/alerts/{alert_id}").text)
        missing_note = bob.post(
            f"/alerts/{alert_id}/decision", data={"outcome": "true_match", "note": " ", "csrf_token": token}
        )
        assert missing_note.status_code == 422 and "needs a note" in missing_note.text
        proposed = bob.post(
            f"/alerts/{alert_id}/decision",
            data={"outcome": "true_match", "note": "same dob", "csrf_token": token},
        )
        assert proposed.status_code == 303
        own = bob.post(f"/alerts/{alert_id}/approval", data={"action": "approve", "csrf_token": token})
        assert own.status_code == 403 and "a different user must review it" in own.text
        assert "four eyes" in bob.get(f"/alerts/{alert_id}").text.lower()
    with signed_in(web, "ana") as ana:
        token = csrf_of(ana.get(f"/alerts/{alert_id}").text)
        refused = ana.post(f"/alerts/{alert_id}/approval", data={"action": "approve", "csrf_token": token})
        assert refused.status_code == 403 and "approver role" in refused.text
    with signed_in(web, "cid") as cid:
        page = cid.get(f"/alerts/{alert_id}")
        assert 'value="approve"' in page.text
        sent_back = cid.post(
            f"/alerts/{alert_id}/approval",
            data={"action": "send_back", "note": "check the passport", "csrf_token": csrf_of(page.text)},
        )
        assert sent_back.status_code == 303
    admin = {"Authorization": f"Bearer {web.token('Ada Admin')}"}
    alert = httpx.get(f"{web.url}/v1/alerts/{alert_id}", headers=admin, timeout=30).json()
    assert alert["status"] == "open"
    assert [(e["actor"], e["action"]) for e in alert["history"]] == [
        ("bob", "opened"),
        ("bob", "proposed"),
        ("cid", "sent_back"),
    ]


def test_browser_lists_page_shows_the_bundled_lists_are_stale(page: Any, web: WebServer) -> None:
    from playwright.sync_api import expect

    sign_in_as(page, web, "Sam Screener", "/lists")
    for code in ("ofac", "ofac-nonsdn", "un"):  # bundled snapshots, aged from their publish dates
        cell = page.locator(f'[data-list-age="{code}"]')
        expect(cell).to_contain_text("stale")
        expect(cell).to_contain_text("publish date")
    expect(page.locator('[data-list-age="internal"]')).to_contain_text("no age limit")
    expect(page.get_by_role("alert").filter(has_text="stale")).to_contain_text("ofac, ofac-nonsdn, un")


def test_browser_decide_and_approve_an_alert_as_two_users(browser: Any, page: Any, web: WebServer) -> None:
    from playwright.sync_api import expect

    # ana, an analyst, screens a customer: the hit becomes an alert, which she proposes to close.
    sign_in_as(page, web, "ana")
    page.get_by_label("Name", exact=True).fill(SICHUAN)
    page.get_by_label("Party id").fill("customer-1042")
    page.keyboard.press("Enter")
    page.locator(".decision").get_by_role("link", name="ofac:52749").click()
    expect(page.locator("[data-alert-status]")).to_have_text("open")
    page.get_by_label("False positive").check()
    page.get_by_label("Note").fill("Our customer is a bakery in Chengdu, registration 915101000000000000.")
    page.get_by_role("button", name="Submit decision").click()
    expect(page.locator("[data-alert-status]")).to_have_text("proposed")
    expect(page.get_by_role("status").filter(has_text="four eyes")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    alert_url = page.url

    # bob, an approver, finds it in the queue and approves it.
    with browser_tab(browser) as (bob, outside), screenshot_on_failure(bob, "decide_and_approve_bob"):
        sign_in_as(bob, web, "bob", "/alerts")
        bob.get_by_label("Status").select_option("proposed")
        bob.get_by_role("button", name="Filter").click()
        bob.locator("table.alerts tbody tr").filter(has_text="customer-1042").get_by_role(
            "link"
        ).first.click()
        assert bob.url == alert_url
        expect(bob.get_by_role("status").filter(has_text="Proposed")).to_contain_text("by ana")
        bob.get_by_role("button", name="Approve").click()
        expect(bob.locator("[data-alert-status]")).to_have_text("closed")
        history = bob.locator("table.history tbody")
        expect(history.locator('tr[data-action="proposed"]')).to_contain_text("ana")
        expect(history.locator('tr[data-action="approved"]')).to_contain_text("bob")
        bob.goto(f"{web.url}/accepts")
        entry = bob.locator("table tbody tr").filter(has_text="ofac:52749")
        expect(entry).to_contain_text("ana / bob")
    assert not outside, f"bob's tab tried to reach outside 127.0.0.1: {outside}"

    # The accepted false positive no longer alerts for this customer.
    page.goto(f"{web.url}/")
    page.get_by_label("Name", exact=True).fill(SICHUAN)
    page.get_by_label("Party id").fill("customer-1042")
    page.keyboard.press("Enter")
    expect(page.locator("article.match").filter(has_text="ofac:52749")).to_contain_text(
        "accepted false positive"
    )


def test_lists_diff_and_a_removed_designation(web: WebServer) -> None:
    """A new UN version (one entry removed, one renamed) loaded beside the server: its changes and history."""
    from lists import sources
    from lists.store import Store

    store = Store(web.db_url)
    try:
        old = store.active_versions()["un"]
        parsed = sources.parse_list(ListCode.UN, sources.bundled_sources()[ListCode.UN])
        gone, renamed = parsed.designations[0], parsed.designations[1]
        changed = [
            d.model_copy(update={"primary_name": "RENAMED FOR THE DIFF"}) if d is renamed else d
            for d in parsed.designations
            if d is not gone
        ]
        new = store.load(dataclasses.replace(parsed, designations=changed))
        ofac_id = store.active_versions()["ofac"].id
    finally:
        store.close()
    with signed_in(web, "Sam Screener") as client:
        assert 'action="/lists/un/diff"' in client.get("/lists").text
        diff = client.get(f"/lists/un/diff?from={old.id}&to={new.id}")
        assert diff.status_code == 200
        assert "0 added, 1 removed, 1 changed" in diff.text
        assert gone.entity_id in diff.text and gone.primary_name in diff.text
        assert renamed.entity_id in diff.text and "RENAMED FOR THE DIFF" in diff.text
        removed = client.get(f"/designations/{gone.entity_id}")
        assert removed.status_code == 404 and "not in the active version" in removed.text
        assert "removed" in removed.text and old.label in removed.text
        mixed = client.get(f"/lists/un/diff?from={ofac_id}&to={new.id}")
        assert mixed.status_code == 422 and "different lists" in mixed.text
        assert client.get(f"/lists/un/diff?from=abc&to={new.id}").status_code == 422
