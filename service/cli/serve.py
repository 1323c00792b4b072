"""CLI command: `sanctions serve` (uvicorn running the API, optionally with several workers).

One worker runs Python on one core at a time (the GIL): for throughput, run one
worker per core (`--workers 2` on the 2-core reference machine; BENCHMARKS.md).
The default stays 1 because batch jobs run inside the server process and their
crash-resume path is built around one process. With several, gunicorn forks them
from this process once it has imported the service (service/http/prefork.py), so
they share those pages; each maps the index snapshot of the active list versions
(service/snapshot/; pages shared between workers). Settings reach the workers
through environment variables.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import typer

log = logging.getLogger("service.serve")

KEEP_ALIVE_SECONDS = 30  # payment systems keep connections open between payments


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on (0.0.0.0 in a container)"),
    port: int = typer.Option(8000, min=1, max=65535),
    workers: int = typer.Option(
        1,
        min=1,
        max=64,
        help="Worker processes (one per core for throughput); they map one shared index snapshot",
    ),
    no_auth: bool = typer.Option(False, "--no-auth", help="Turn authentication OFF (local development only)"),
    config: Path | None = typer.Option(None, help="Config file (TOML/YAML); default $SANCTIONS_CONFIG"),
    access_log: bool = typer.Option(True, help="One JSON line per request on stderr (logger service.access)"),
    refresh_every: str | None = typer.Option(
        None,
        "--refresh-every",
        help="Fetch the configured list sources this often, e.g. 1h or 30m (default $SANCTIONS_REFRESH_EVERY; off)",
    ),
) -> None:
    """Serve the screening HTTP API."""
    import uvicorn

    from service.http.prefork import loop_and_parser
    from service.settings import ENV_AUTH, ENV_CONFIG, SettingsError, load_settings

    if config is not None:
        os.environ[ENV_CONFIG] = str(config)
    if no_auth:
        os.environ[ENV_AUTH] = "off"
    os.environ["SANCTIONS_ACCESS_LOG"] = "on" if access_log else "off"
    if refresh_every is not None:
        from service.lists_keeper import ENV_REFRESH_EVERY, parse_duration

        try:
            parse_duration(refresh_every, "--refresh-every")
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        os.environ[ENV_REFRESH_EVERY] = refresh_every
    try:
        settings = load_settings()  # fail here, with the setting named, rather than in every worker
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not settings.auth_enabled:
        log.warning("AUTHENTICATION IS OFF (--no-auth): every caller is admin; for local development only")
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = tempfile.mkdtemp(prefix="prometheus-", dir=settings.data_dir)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        log.info("%d workers: Prometheus multiprocess mode in %s", workers, metrics_dir)
    if workers > 1:
        from service.http.prefork import PreforkServer, preload

        preload(settings)
        PreforkServer(host, port, workers, KEEP_ALIVE_SECONDS).run()
        return
    uvicorn.run(
        "service.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        access_log=False,  # uvicorn's own text lines: ours (service.http.access_log) say more, and no names
        log_level="info",
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        **loop_and_parser(),
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("serve")(serve)
