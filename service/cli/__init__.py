"""The `sanctions` command: one entry point, each command group in its own module."""

from __future__ import annotations

import typer

from service.cli import alerts, batch, keys, lists, parties, payments, screen, serve, webhooks
from service.cli import users as users_cli

app = typer.Typer(
    name="sanctions",
    help="Sanctions screening: load lists, screen names, serve the API.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def root() -> None:
    """Sanctions screening: load lists, screen names, serve the API."""


@app.command()
def version() -> None:
    """Print the installed version."""
    from importlib.metadata import version as pkg_version

    typer.echo(pkg_version("sanctions-screening"))


for module in (lists, screen, serve, keys, batch, parties, alerts, webhooks, payments):
    module.register(app)
users_cli.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
