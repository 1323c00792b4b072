"""CLI commands: `sanctions alerts list|show|decide|approve|assign|report|export` (the review desk).

Decisions from the command line name their user (`--user`), who must be an
active user with the role the step needs; four eyes hold here as over HTTP.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from service.cli.lists import open_store

alerts_app = typer.Typer(
    name="alerts", help="Alerts opened by monitoring and screening.", no_args_is_help=True
)
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)


def _print_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n")


@alerts_app.command("list")
def list_(
    status: Annotated[str | None, typer.Option(help="open, closed, ...")] = None,
    party_id: Annotated[str | None, typer.Option("--party", help="Only this party's alerts.")] = None,
    list_code: Annotated[str | None, typer.Option("--list", help="Only this list's alerts.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Alerts, newest first."""
    from service.alerts import list_alerts

    store = open_store()
    try:
        page = list_alerts(
            store.engine, status=status, party_id=party_id, list_code=list_code, limit=limit, offset=offset
        )
    finally:
        store.close()
    if as_json:
        _print_json(page.model_dump(mode="json"))
        return
    table = Table(title=f"alerts ({page.total:,})")
    for column in ("alert", "party", "entity", "matched name", "score", "status", "created (UTC)"):
        table.add_column(column)
    for alert in page.items:
        table.add_row(
            alert.alert_id[:8],
            alert.party_id or "-",
            alert.entity_id,
            alert.matched_name,
            f"{alert.score:.2f}",
            alert.status + (f" ({alert.outcome})" if alert.outcome else ""),
            alert.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    out.print(table)


@alerts_app.command("show")
def show(
    alert_id: Annotated[str, typer.Argument(help="Alert id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """One alert with its result and history."""
    from service.alerts import get_alert

    store = open_store()
    try:
        alert = get_alert(store.engine, alert_id)
    finally:
        store.close()
    if alert is None:
        err.print(f"error: no alert {alert_id!r}", markup=False)
        raise typer.Exit(1)
    data = alert.model_dump(mode="json")
    if as_json:
        _print_json(data)
        return
    for key in (
        "alert_id",
        "party_id",
        "entity_id",
        "list_code",
        "matched_name",
        "score",
        "status",
        "outcome",
    ):
        out.print(f"{key}: {data[key]}", markup=False, highlight=False)
    out.print(
        f"why: {data['result'].get('explanation', {}).get('summary', '')}", markup=False, highlight=False
    )
    for event in data["history"]:
        out.print(
            f"  {event['at']}  {event['actor']}  {event['action']}  {event['note'] or ''}", markup=False
        )


def _engine():  # type: ignore[no-untyped-def]
    return open_store().engine


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _principal(engine: Any, name: str) -> Any:
    """The acting user, as the API would see them (an active user; their role)."""
    from service.auth import Principal
    from service.review.users import get_user

    user = get_user(engine, name)
    if user is None or not user.active:
        raise _fail(f"--user: no active user {name!r}", 2)
    return Principal(key_id=None, role=user.role, user=user.name)


def _alert_json(alert: Any) -> dict[str, Any]:
    from service.review.decisions import pending_proposal

    proposal = pending_proposal(alert)
    return {**alert.model_dump(mode="json"), "proposal": proposal.as_dict() if proposal else None}


def _run_step(step: Any) -> None:
    from service.review.decisions import ReviewError

    try:
        alert = step()
    except ReviewError as exc:
        raise _fail(exc.detail, 2 if exc.status == 422 else 1) from None
    typer.echo(f"alert {alert.alert_id}: {alert.status}" + (f" ({alert.outcome})" if alert.outcome else ""))


@alerts_app.command("decide")
def decide_command(
    alert_id: str = typer.Argument(...),
    outcome: str = typer.Option(..., help="true_match | false_positive | escalated"),
    note: str = typer.Option(..., help="why (required)"),
    user: str = typer.Option(..., help="the deciding user"),
) -> None:
    """Propose an outcome (it then waits for a different user's approval, unless configured otherwise)."""
    from service.auth import Role
    from service.review.config import load_review_settings
    from service.review.decisions import decide

    engine = _engine()
    principal = _principal(engine, user)
    if not principal.allows(Role.ANALYST):
        raise _fail(f"{user} cannot decide", 1)
    settings = load_review_settings()
    _run_step(
        lambda: decide(engine, alert_id, outcome=outcome, note=note, principal=principal, settings=settings)
    )


@alerts_app.command("approve")
def approve_command(
    alert_id: str = typer.Argument(...),
    user: str = typer.Option(..., help="the approving user (not the proposal's author)"),
    send_back: bool = typer.Option(False, "--send-back", help="send the proposal back instead"),
    note: str = typer.Option("", help="required to send back"),
) -> None:
    """Approve (or send back) the pending proposal."""
    from service.auth import Role
    from service.review.config import load_review_settings
    from service.review.decisions import approve

    engine = _engine()
    principal = _principal(engine, user)
    if not principal.allows(Role.APPROVER):
        raise _fail(f"{user} is not an approver", 1)
    settings = load_review_settings()
    action = "send_back" if send_back else "approve"
    _run_step(
        lambda: approve(
            engine, alert_id, action=action, note=note or None, principal=principal, settings=settings
        )
    )


@alerts_app.command("assign")
def assign_command(
    alert_id: str = typer.Argument(...),
    to: str = typer.Option("", help="the user to assign it to (empty: unassign)"),
    user: str = typer.Option(..., help="who assigns"),
) -> None:
    """Assign an alert to a user."""
    from service.review.decisions import assign

    engine = _engine()
    principal = _principal(engine, user)
    _run_step(lambda: assign(engine, alert_id, assigned_to=to or None, note=None, principal=principal))


@alerts_app.command("report")
def report_command(
    alert_id: str = typer.Argument(...),
    output: Path = typer.Option(..., "-o", "--output", help="case.pdf or case.json"),
) -> None:
    """Write the case report of one alert as PDF (.pdf) or JSON (any other name)."""
    from service.review.pdf import render_case_pdf
    from service.review.reports import build_report

    case = build_report(_engine(), alert_id, generated_by="cli")
    if case is None:
        raise _fail(f"no alert {alert_id!r}")
    if output.suffix.lower() == ".pdf":
        output.write_bytes(render_case_pdf(case))
    else:
        output.write_bytes(orjson.dumps(case, option=orjson.OPT_INDENT_2))
    typer.echo(f"wrote {output}", err=True)


def _day(value: str, option: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _fail(
            f"{option}: expected a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM), got {value!r}", 2
        ) from None
    if len(value) <= 10:  # a date: its midnight
        parsed = datetime.combine(date.fromisoformat(value[:10]), time(0))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


@alerts_app.command("export")
def export_command(
    start: str = typer.Option(..., "--from", help="first day (YYYY-MM-DD, UTC), inclusive"),
    end: str = typer.Option(..., "--to", help="last day (YYYY-MM-DD, UTC), inclusive; or a time, exclusive"),
    output: Path = typer.Option(..., "-o", "--output", help="cases.csv"),
) -> None:
    """One CSV row per alert opened in the period, with its outcome and who decided it."""
    from datetime import timedelta

    from service.review.export import export_cases

    first = _day(start, "--from")
    last = _day(end, "--to")
    if len(end) <= 10:
        last += timedelta(days=1)  # the whole last day
    if last <= first:
        raise _fail("--to is before --from", 2)
    count = export_cases(_engine(), first, last, output)
    typer.echo(f"wrote {count} cases to {output}", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")
