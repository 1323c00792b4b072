"""CLI commands: `sanctions users create|list|disable` (named users who review alerts)."""

from __future__ import annotations

import typer

users_app = typer.Typer(help="Named users: analysts, approvers and admins.", no_args_is_help=True)


def _engine():  # type: ignore[no-untyped-def]
    from lists.store import Store
    from service.settings import load_settings

    return Store(load_settings().database_url).engine


@users_app.command("create")
def create(
    name: str = typer.Argument(..., help="The user's name, as records will show it"),
    role: str = typer.Option(
        ..., help="analyst (screen, propose), approver (also approve others' proposals) or admin (everything)"
    ),
) -> None:
    """Create a user; then `sanctions keys create --user NAME` gives them a key."""
    from service.review.users import UserError, create_user

    try:
        user = create_user(_engine(), name, role, created_by="cli")
    except UserError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"created user {user.name} ({user.role.value})")


@users_app.command("list")
def list_command() -> None:
    """Every user with role and state."""
    from service.review.users import list_users

    for user in list_users(_engine()):
        state = f"disabled {user.disabled_at:%Y-%m-%d %H:%M}" if user.disabled_at else "active"
        typer.echo(f"{user.name:24}  {user.role.value:8}  {state}")


@users_app.command("disable")
def disable(name: str = typer.Argument(..., help="The user to disable")) -> None:
    """Disable a user: every key of theirs stops working (within the servers' key cache time)."""
    from service.review.users import disable_user

    if not disable_user(_engine(), name, disabled_by="cli"):
        typer.echo(f"error: no active user {name!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"disabled {name}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(users_app, name="users")
