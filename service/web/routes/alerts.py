"""Alerts pages: the review queue, one alert with its case history and the four-eyes steps, the accept list.

Thin, like service/api/alerts.py: the work is service.alerts (the core) and
service.review (decisions, approvals, assignment, accept list, case report), called
with the signed-in person's principal, so the same rules hold as over the API:
analysts decide, a *different* approver approves or sends back, every step lands
in the alert's history with the person's name.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lists.model import ListCode
from service.alerts import get_alert, list_alerts
from service.api.screen_review import review_settings
from service.auth import Role
from service.review.accepts import list_accepts, revoke_accept
from service.review.decisions import STATUSES, ReviewError, approve, assign, decide, pending_proposal
from service.review.reports import build_report
from service.review.users import list_users
from service.web.explain import explain
from service.web.pages import PageError, render, require_admin_user, services_of, user_of
from service.web.session import WebUser, check_csrf

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
OUTCOME_LABELS = {
    "true_match": "true match",
    "false_positive": "false positive",
    "escalated": "escalate",
    "delisted": "delisted",
}
REVIEWING_ROLES = (Role.ANALYST, Role.APPROVER, Role.ADMIN)


def _reviewer(user: WebUser) -> WebUser:
    if not user.principal.allows(Role.ANALYST):
        raise PageError(
            403,
            "Not allowed",
            f"Alerts are reviewed by analysts and approvers; your role is {user.principal.role.value}.",
        )
    return user


def reviewer_of(request: Request) -> WebUser:
    return _reviewer(user_of(request))


def _blank(value: str | None) -> str | None:
    return (value or "").strip() or None


@router.get("/alerts", response_class=HTMLResponse)
def queue(
    request: Request,
    status: Annotated[str | None, Query(max_length=16)] = None,
    list_code: Annotated[str | None, Query(alias="list", max_length=32)] = None,
    assigned_to: Annotated[str | None, Query(max_length=64)] = None,
    party_id: Annotated[str | None, Query(max_length=128)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    user: WebUser = Depends(reviewer_of),
) -> HTMLResponse:
    filters = {
        "status": _blank(status),
        "list": _blank(list_code),
        "assigned_to": _blank(assigned_to),
        "party_id": _blank(party_id),
    }
    if filters["status"] not in (None, *STATUSES):
        raise PageError(422, "Unknown status", f"Status is one of {', '.join(STATUSES)}.")
    if filters["list"] not in (None, *(code.value for code in ListCode)):
        raise PageError(422, "Unknown list", f"List is one of {', '.join(c.value for c in ListCode)}.")
    engine = services_of(request).store.engine
    found = list_alerts(
        engine,
        status=filters["status"],
        list_code=filters["list"],
        assigned_to=filters["assigned_to"],
        party_id=filters["party_id"],
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    context = {
        "alerts": found.items,
        "total": found.total,
        "page": page,
        "pages": max(1, -(-found.total // PAGE_SIZE)),
        "filters": filters,
        "statuses": STATUSES,
        "list_codes": [code.value for code in ListCode],
        "users": [u for u in list_users(engine) if u.active and u.role in REVIEWING_ROLES],
        "outcome_labels": OUTCOME_LABELS,
    }
    return render(request, "alerts.html", context, user=user)


def _alert_page(
    request: Request, user: WebUser, alert_id: str, *, failure: str | None = None, status: int = 200
) -> HTMLResponse:
    engine = services_of(request).store.engine
    alert = get_alert(engine, alert_id)
    if alert is None:
        raise PageError(404, "No such alert", f"No alert {alert_id!r}.")
    proposal = pending_proposal(alert)
    principal = user.principal
    mine = proposal is not None and proposal.by == principal.actor
    escalator = next((e.actor for e in reversed(alert.history) if e.action == "escalated"), None)
    escalated_by_me = alert.status == "escalated" and escalator == principal.actor
    context: dict[str, Any] = {
        "alert": alert,
        "why": explain((alert.result or {}).get("explanation") or {}),
        "proposal": proposal,
        "outcome_labels": OUTCOME_LABELS,
        "can_decide": alert.status == "open"
        or (alert.status == "escalated" and principal.allows(Role.APPROVER)),
        "can_approve": alert.status == "proposed" and principal.allows(Role.APPROVER) and not mine,
        "can_send_back": alert.status in ("proposed", "escalated")
        and principal.allows(Role.APPROVER)
        and not mine
        and not escalated_by_me,
        "waiting_for_other": mine,
        "users": [u for u in list_users(engine) if u.active and u.role in REVIEWING_ROLES],
        "failure": failure,
    }
    return render(request, "alert.html", context, user=user, status=status)


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(alert_id: str, request: Request, user: WebUser = Depends(reviewer_of)) -> HTMLResponse:
    return _alert_page(request, user, alert_id)


async def _step(request: Request, user: WebUser, alert_id: str, work: Any) -> Response:
    """Run one review step; on refusal show the alert again with the reason (four eyes, conflict...)."""
    try:
        await run_in_threadpool(work)
    except ReviewError as exc:
        return _alert_page(request, user, alert_id, failure=exc.detail, status=exc.status)
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


@router.post("/alerts/{alert_id}/decision", response_model=None)
async def decision(
    alert_id: str,
    request: Request,
    outcome: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    csrf_token: Annotated[str | None, Form()] = None,
    user: WebUser = Depends(reviewer_of),
) -> Response:
    check_csrf(request, csrf_token)
    engine = services_of(request).store.engine
    settings = review_settings(request)
    return await _step(
        request,
        user,
        alert_id,
        lambda: decide(
            engine, alert_id, outcome=outcome, note=note, principal=user.principal, settings=settings
        ),
    )


@router.post("/alerts/{alert_id}/approval", response_model=None)
async def approval(
    alert_id: str,
    request: Request,
    action: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    csrf_token: Annotated[str | None, Form()] = None,
    user: WebUser = Depends(reviewer_of),
) -> Response:
    check_csrf(request, csrf_token)
    if not user.principal.allows(Role.APPROVER):
        return _alert_page(request, user, alert_id, failure="Approving needs the approver role.", status=403)
    engine = services_of(request).store.engine
    settings = review_settings(request)
    return await _step(
        request,
        user,
        alert_id,
        lambda: approve(
            engine,
            alert_id,
            action=action,
            note=_blank(note),
            principal=user.principal,
            settings=settings,
        ),
    )


@router.post("/alerts/{alert_id}/assign", response_model=None)
async def assignment(
    alert_id: str,
    request: Request,
    assigned_to: Annotated[str, Form()] = "",
    csrf_token: Annotated[str | None, Form()] = None,
    user: WebUser = Depends(reviewer_of),
) -> Response:
    check_csrf(request, csrf_token)
    engine = services_of(request).store.engine
    return await _step(
        request,
        user,
        alert_id,
        lambda: assign(
            engine, alert_id, assigned_to=_blank(assigned_to), note=None, principal=user.principal
        ),
    )


@router.get("/alerts/{alert_id}/report.pdf", response_model=None)
def case_report(alert_id: str, request: Request, user: WebUser = Depends(reviewer_of)) -> Response:
    case = build_report(services_of(request).store.engine, alert_id, generated_by=user.actor)
    if case is None:
        raise PageError(404, "No such alert", f"No alert {alert_id!r}.")
    from service.review.pdf import render_case_pdf  # fpdf: 18 MB a process, only for reports

    return Response(
        render_case_pdf(case),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="case-{alert_id}.pdf"'},
    )


@router.get("/accepts", response_class=HTMLResponse)
def accept_list(
    request: Request,
    show: Annotated[str, Query(pattern="^(active|inactive|all)$")] = "active",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    user: WebUser = Depends(reviewer_of),
) -> HTMLResponse:
    active = {"active": True, "inactive": False, "all": None}[show]
    found = list_accepts(
        services_of(request).store.engine, active=active, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    context = {
        "accepts": found.items,
        "total": found.total,
        "show": show,
        "page": page,
        "pages": max(1, -(-found.total // PAGE_SIZE)),
    }
    return render(request, "accepts.html", context, user=user)


@router.post("/accepts/{accept_id}/revoke", response_model=None)
def revoke(
    accept_id: str,
    request: Request,
    note: Annotated[str, Form(max_length=4000)] = "",
    csrf_token: Annotated[str | None, Form()] = None,
    user: WebUser = Depends(reviewer_of),
) -> Response:
    check_csrf(request, csrf_token)
    require_admin_user(user)
    if revoke_accept(services_of(request).store.engine, accept_id, user.actor, _blank(note)) is None:
        raise PageError(404, "No such accept entry", f"No unrevoked accept entry {accept_id!r}.")
    return RedirectResponse("/accepts?show=all", status_code=303)
