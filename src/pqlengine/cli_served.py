"""CLI commands on a project `pql serve` holds: sent to the service, run there, printed here.

DuckDB lets no other process open a store file while the service has it open for writing.
So the CLI sends its argv to `POST /api/run`; the service runs the same Typer command on
its read worker with the project and a read connection of its store, the command's output
written to the request's buffers, and answers the output and exit code. Only commands that
read are run (READ_COMMANDS); files they write (report --out, --png) are written by the
service process, on the same machine, at the paths the CLI was given.
"""

from __future__ import annotations

import io
import json
import logging
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape

from pqlengine import cli_io
from pqlengine.live import ServiceError
from pqlengine.live.run_api import CommandRefused, RunRequest, RunResult
from pqlengine.live.served import ServeInfo, secret_from_env

if TYPE_CHECKING:
    from pqlengine.config import Project
    from pqlengine.store import Store

log = logging.getLogger("pqlengine.live")
# A read refused because the service's read queue is full is retried this often.
BUSY_RETRIES = 30


@dataclass(frozen=True)
class ReadCommand:
    """A command the service runs for the CLI: `path_arguments` are str parameters that
    may name a file (made absolute against the CLI's directory); `writes_when` are flags
    that make it write (then it is refused)."""

    path_arguments: tuple[str, ...] = ()
    writes_when: tuple[str, ...] = ()


READ_COMMANDS: dict[tuple[str, ...], ReadCommand] = {
    ("check",): ReadCommand(),
    ("qualify",): ReadCommand(),
    ("metrics",): ReadCommand(),
    ("outcomes",): ReadCommand(),
    ("leads",): ReadCommand(),
    ("discover",): ReadCommand(),
    ("drivers",): ReadCommand(),
    ("validate",): ReadCommand(),
    ("compare",): ReadCommand(path_arguments=("old", "new")),
    ("report",): ReadCommand(),
    ("suggest",): ReadCommand(writes_when=("write",)),
    ("model", "points"): ReadCommand(writes_when=("write",)),
    ("model", "check"): ReadCommand(),
    # Inside the service `pql targets` records no status (a read connection): --alert writes.
    ("targets",): ReadCommand(writes_when=("alert",)),
    ("calc",): ReadCommand(),
}
# What to do instead of a command that writes to the store.
INSTEAD = {
    ("ingest",): "send events to the service's /v1/batch (Segment-compatible), or stop the "
    "service and run pql ingest",
    ("model", "train"): "POST /api/model/train trains in the service",
    ("model", "score"): "the service scores open PQLs with the newest stored model itself",
}


class ServiceUnreachable(Exception):
    """The service named by serve.json does not answer."""


def run_through_service(service: ServeInfo, argv: list[str]) -> int:
    """Run `pql argv` in `service`, print its output here; the command's exit code."""
    try:
        token = secret_from_env("PQL_API_TOKEN")
    except ServiceError:
        raise ServiceError(
            f"the store is held by pql serve (pid {service.pid}, {service.url}); set "
            "PQL_API_TOKEN (or PQL_API_TOKEN_FILE) to the service's API token to run this "
            "command through it, or stop the service"
        ) from None
    shown = cli_io.current_io.get()
    body = {
        "argv": argv,
        "cwd": str(Path.cwd()),
        "now": datetime.now(UTC).isoformat(),
        "width": shown.console.width,
        "terminal": shown.console.is_terminal,
        "color_system": shown.console.color_system,
    }
    answer = _post(service, token, json.dumps(body).encode())
    cli_io.stdout().write(answer["stdout"])
    cli_io.stdout().flush()
    sys.stderr.write(answer["stderr"])
    return int(answer["exit_code"])


def _post(service: ServeInfo, token: str, body: bytes) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{service.url}/api/run",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    for _ in range(BUSY_RETRIES):
        try:
            # No timeout: a report on a big store takes minutes, like without the service.
            with urllib.request.urlopen(request) as response:
                return dict(json.loads(response.read()))
        except urllib.error.HTTPError as exc:
            if exc.code == 503 and exc.headers.get("Retry-After"):
                time.sleep(float(exc.headers["Retry-After"]))
                continue
            raise ServiceError(_refusal(service, exc)) from None
        except (urllib.error.URLError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServiceUnreachable(
                f"pql serve (pid {service.pid}) named by serve.json does not answer at "
                f"{service.url} ({reason}); opening the store directly"
            ) from None
    raise ServiceError(f"pql serve at {service.url} stayed busy with other reads; retry later")


def _refusal(service: ServeInfo, exc: urllib.error.HTTPError) -> str:
    try:
        message = json.loads(exc.read())["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = f"HTTP {exc.code}"
    if exc.code == 401:
        message = f"the API token was refused ({message}); PQL_API_TOKEN must be the service's"
    return f"pql serve (pid {service.pid}, {service.url}): {message}"


def run_in_service(
    request: RunRequest,
    project: Project,
    store: Store,
    *,
    command: typer.Typer,
    error_lines: Callable[[Exception], list[str] | None],
) -> RunResult:
    """Run the read command `request.argv` with `project` and `store` (in the service, on
    its read worker); its output and exit code. CommandRefused for a writing command."""
    out, err = io.StringIO(), io.StringIO()
    console = Console(
        file=out,
        width=request.width,
        force_terminal=request.terminal,
        color_system=request.color_system,
    )
    # No colour and no live progress bar on stderr: a transient bar is cursor movements.
    errors = Console(file=err, soft_wrap=True, force_terminal=False, color_system=None)
    tokens = (
        cli_io.current_io.set(cli_io.Io(console, errors, out)),
        cli_io.served_store.set((project, store)),
        cli_io.invoked_at.set(request.now),
    )
    try:
        code = _invoke(request.argv, Path(request.cwd), project, command, error_lines)
    finally:
        cli_io.invoked_at.reset(tokens[2])
        cli_io.served_store.reset(tokens[1])
        cli_io.current_io.reset(tokens[0])
    return RunResult(exit_code=code, stdout=out.getvalue(), stderr=err.getvalue())


def _invoke(
    argv: list[str],
    cwd: Path,
    project: Project,
    command: typer.Typer,
    error_lines: Callable[[Exception], list[str] | None],
) -> int:
    """Parse and run one command as `pql` would; its exit code."""
    # Typer's click (vendored in recent Typer) is used through its methods only.
    root = typer.main.get_command(command)
    try:
        context = _leaf_context(root, argv)
        with context:
            _check_command(context, cwd, project)
            context.command.invoke(context)
        return 0
    except CommandRefused:
        raise
    except typer.Exit as exc:
        return int(exc.exit_code)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # a usage error
            exc.show(file=cli_io.current_io.get().errors.file)
            return int(exc.exit_code)
        lines = error_lines(exc)
        if lines is None:
            log.exception("pql %s failed in the service", " ".join(argv))
            lines = [f"internal error in the service ({type(exc).__name__}); see its log"]
        for line in lines:
            cli_io.errors.print(f"[red]error[/red] {escape(line)}", highlight=False)
        return 1


def _leaf_context(root: Any, argv: list[str]) -> Any:
    """The parsed context of the (sub)command `argv` names."""
    context = root.make_context("pql", list(argv))
    while hasattr(context.command, "resolve_command"):  # a group
        rest = [*context._protected_args, *context.args]
        name, command, args = context.command.resolve_command(context, rest)
        if command is None or name is None:
            raise CommandRefused(f"no command in 'pql {' '.join(argv)}'")
        context = command.make_context(name, args, parent=context)
    return context


def _check_command(context: Any, cwd: Path, project: Project) -> None:
    """Refuse writing commands and other projects; make paths absolute against `cwd`."""
    path = tuple(context.command_path.split()[1:])
    name = "pql " + " ".join(path)
    allowed = READ_COMMANDS.get(path)
    if allowed is None:
        instead = INSTEAD.get(path, "stop the service to run it")
        raise CommandRefused(f"{name} writes to the store, which the service holds: {instead}")
    for flag in allowed.writes_when:
        if context.params.get(flag):
            raise CommandRefused(
                f"{name} --{flag} writes to the store, which the service holds: run it "
                "without --write, or stop the service"
            )
    for key, value in context.params.items():
        if isinstance(value, Path) and not value.is_absolute():
            context.params[key] = cwd / value
        elif key in allowed.path_arguments and isinstance(value, str) and (cwd / value).exists():
            context.params[key] = str(cwd / value)
    asked = context.params.get("project_dir")
    served = project.root.resolve() if project.root is not None else None
    if isinstance(asked, Path) and served is not None and asked.resolve() != served:
        raise CommandRefused(f"{name}: the service serves the project in {served}, not {asked}")
