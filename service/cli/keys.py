"""CLI commands: `sanctions keys create|revoke|list` (API keys, stored hashed)."""

from __future__ import annotations

import typer

keys_app = typer.Typer(help="API keys for the HTTP service.", no_args_is_help=True)


def _engine():  # type: ignore[no-untyped-def]
    from lists.store import Store
    from service.settings import load_settings

    return Store(load_settings().database_url).engine


@keys_app.command("create")
def create(
    role: str = typer.Option(
        "", help="screen (screen, entities, lists) or admin (also reload, keys, audit); not with --user"
    ),
    user: str = typer.Option("", help="The named user the key belongs to (takes the user's role)"),
    name: str = typer.Option("", help="Who or what uses the key"),
) -> None:
    """Create a key; the secret is printed once and cannot be shown again."""
    from service.auth import KEY_ROLES, UnknownUser, create_key

    if user and role:
        typer.echo("error: --role and --user exclude each other: a user's key has the user's role", err=True)
        raise typer.Exit(2)
    if not user and role not in {r.value for r in KEY_ROLES}:
        typer.echo(f"error: give --user NAME, or --role screen|admin (not {role!r})", err=True)
        raise typer.Exit(2)
    try:
        key, token = create_key(_engine(), role or None, name, user=user or None)
    except UnknownUser as exc:
        typer.echo(f"error: --user: {exc}", err=True)
        raise typer.Exit(1) from None
    owner = f"  user: {key.user}" if key.user else ""
    typer.echo(f"key id: {key.key_id}  role: {key.role.value}{owner}  name: {key.name}", err=True)
    typer.echo("secret (shown only now; send as 'Authorization: Bearer <secret>' or 'X-API-Key'):", err=True)
    typer.echo(token)


@keys_app.command("revoke")
def revoke(key_id: str = typer.Argument(..., help="The key id shown by `keys create` / `keys list`")) -> None:
    """Revoke a key (servers stop accepting it within their key cache time, 5 s by default)."""
    from service.auth import revoke_key

    if not revoke_key(_engine(), key_id):
        typer.echo(f"error: no active key {key_id!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")


@keys_app.command("list")
def list_command() -> None:
    """Every key with its role and state (never the secrets)."""
    from service.auth import list_keys

    for key in list_keys(_engine()):
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        owner = f"  user {key.user}" if key.user else ""
        typer.echo(f"{key.key_id}  {key.role.value:8}  {state:24}  {key.name}{owner}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(keys_app, name="keys")
