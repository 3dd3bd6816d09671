"""The scimlink command line."""

from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from scimlink.db.engine import make_session_factory, transaction
from scimlink.db.migrate import upgrade
from scimlink.directory.admins import ROLES, create_admin
from scimlink.errors import ScimlinkError
from scimlink.logs import configure_logging
from scimlink.runtime import open_database
from scimlink.settings import Settings, SettingsError, get_settings

app = typer.Typer(
    help="scimlink: outbound SCIM 2.0 provisioning.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
admin_app = typer.Typer(help="Admins and API tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(admin_app, name="admin")


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


def _settings() -> Settings:
    try:
        return get_settings()
    except SettingsError as error:
        raise _fail(f"{error}. Fix the environment variable and try again.") from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address.")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port.")] = None,
    no_worker: Annotated[
        bool,
        typer.Option("--no-worker", help="Serve the API only; run workers separately."),
    ] = False,
) -> None:
    """Run the API and (unless --no-worker) a sync worker."""
    from scimlink.api.app import create_app

    settings = _settings()
    configure_logging(settings.log_level, settings.log_format)
    engine = open_database(settings, migrate=True)
    api = create_app(settings, engine, run_worker=not no_worker)
    uvicorn.run(
        api,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        proxy_headers=False,
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date."""
    settings = _settings()
    configure_logging(settings.log_level, settings.log_format)
    engine = open_database(settings)
    upgrade(engine)
    typer.echo("The database schema is up to date.")


@admin_app.command("create")
def admin_create(
    name: Annotated[str, typer.Argument(help="The admin's user name.")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")] = "admin",
) -> None:
    """Create an admin and print its API token (shown only once, last line)."""
    settings = _settings()
    engine = open_database(settings, migrate=True)
    try:
        with transaction(make_session_factory(engine)) as session:
            admin, token = create_admin(session, name, role)
    except ScimlinkError as exc:
        raise _fail(exc.detail) from exc
    typer.echo(f"Created {admin.role} {admin.username!r}. Its API token:")
    typer.echo(token)


@app.command("import-users")
def import_users_command(
    file: Annotated[Path, typer.Argument(help="A UTF-8 CSV file with a header.")],
    directory: Annotated[
        str, typer.Option("--directory", help="Directory name (or id) to import into.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would change; store nothing.")
    ] = False,
) -> None:
    """Create or update users from a CSV file; bad rows are listed by line."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from scimlink.db.models import Directory
    from scimlink.directory.csv_import import import_users
    from scimlink.directory.directories import find_directory_by_name

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read {str(file)!r}: {exc.strerror}") from exc
    settings = _settings()
    engine = open_database(settings, migrate=True)
    console = Console()
    # Physical lines less the header: exact unless cells span lines.
    expected = max(data.count(b"\n") + (not data.endswith(b"\n")) - 1, 0)
    columns = (TextColumn("Importing"), BarColumn(), MofNCompleteColumn())
    try:
        with (
            transaction(make_session_factory(engine)) as session,
            Progress(*columns, console=console, transient=True) as bar,
        ):
            found = find_directory_by_name(session, directory)
            found = found or session.get(Directory, directory)
            if found is None:
                raise _fail(f"no directory named {directory!r} (nor with that id).")
            task = bar.add_task("import", total=expected)
            report = import_users(
                session,
                found.id,
                data,
                dry_run=dry_run,
                progress=lambda done: bar.update(task, completed=min(done, expected)),
            )
    except ScimlinkError as exc:
        for error in exc.errors:
            typer.secho(f"error: {error.field}: {error.message}", fg="red", err=True)
        summary = "nothing was imported" if exc.errors else exc.detail
        raise _fail(f"{summary}; fix the file and import it again.") from exc

    def verb(count: int) -> str:
        return "would be" if dry_run else ("was" if count == 1 else "were")

    rows = "row" if report.total == 1 else "rows"
    console.print(
        f"{report.total} {rows} read from {file.name} into {found.name!r}: "
        f"{report.created} {verb(report.created)} created, "
        f"{report.updated} {verb(report.updated)} updated, "
        f"{len(report.rejected)} rejected."
    )
    if report.rejected:
        table = Table("Line", "Email", "Reason", title="Rejected rows")
        for rejection in report.rejected:
            table.add_row(str(rejection.line), rejection.email or "", rejection.reason)
        console.print(table)


@app.command()
def worker(
    threads: Annotated[
        int | None, typer.Option(help="Concurrent pushes (default from settings).")
    ] = None,
) -> None:
    """Run a sync worker alone; any number may share one database."""
    import signal
    import threading

    from scimlink.connectors.vault import load_vault
    from scimlink.sync.worker import Worker

    settings = _settings()
    configure_logging(settings.log_level, settings.log_format)
    engine = open_database(settings, migrate=True)
    runner = Worker(
        make_session_factory(engine),
        load_vault(settings),
        threads=threads or settings.worker_threads,
        poll_seconds=settings.worker_poll_seconds,
        reconcile_interval_seconds=settings.reconcile_interval_seconds,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    runner.start()
    stop.wait()
    runner.stop()
