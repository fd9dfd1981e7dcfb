"""`POST /api/run`: a read command of the CLI, run in the service (cli_served.py).

The CLI cannot open a store the service holds (DuckDB's file lock), so it sends its argv
here; the command runs on the service's read worker (reads.py) with a read connection
of the service's store, and its output and exit code are answered.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from pqlengine.config import Project
    from pqlengine.live.service import Service
    from pqlengine.store import Store


class RunRequest(BaseModel):
    """A `pql` command line as the CLI was given it."""

    argv: Annotated[list[Annotated[str, Field(max_length=10_000)]], Field(max_length=200)]
    cwd: str = Field(description="the CLI's working directory: relative paths start there")
    now: datetime | None = Field(None, description="when the command was typed: its --as-of")
    width: Annotated[int, Field(ge=20, le=10_000)] | None = Field(
        None, description="the CLI's console width, characters"
    )
    terminal: bool = Field(False, description="whether the CLI's stdout is a terminal")
    color_system: Literal["standard", "256", "truecolor", "windows"] | None = None


class RunResult(BaseModel):
    """What the command wrote and its exit code."""

    exit_code: int
    stdout: str
    stderr: str


class CommandRefused(Exception):
    """A command the service does not run for the CLI (it writes, or is unknown)."""


# Runs one command (in the service's read worker): the CLI gives the service this.
CommandRunner = Callable[[RunRequest, "Project", "Store"], RunResult]
Reader = Callable[[Callable[["Store"], RunResult]], Awaitable[RunResult]]


def run_router(service: Service, read: Reader) -> APIRouter:
    """The /api/run route of `service` (mounted with the API token check); `read` runs a
    read on the service's read worker (503 when too many wait)."""
    from pqlengine.live.app import ApiError, ErrorResponse

    router = APIRouter(prefix="/api", tags=["api"])

    @router.post(
        "/run",
        response_model=RunResult,
        responses={
            403: {"model": ErrorResponse, "description": "A command that writes, or not local"},
            503: {"model": ErrorResponse, "description": "Too many reads waiting"},
        },
    )
    async def run(request: RunRequest, http: Request) -> RunResult:
        """Run a read command of the `pql` CLI (metrics, leads, report, ...) in the service
        and answer its output; `pql` does this itself when the service holds the store.
        From this machine only: a command may write files (report --out)."""
        if not _same_machine(http):
            raise ApiError(403, "not_local", "pql commands run only for clients on this machine")
        runner = service.run_command
        if runner is None:
            raise ApiError(404, "not_found", "this service runs no CLI commands")
        try:
            return await read(lambda store: runner(request, service.project, store))
        except CommandRefused as exc:
            raise ApiError(403, "write_command", str(exc), "argv") from None

    return router


def _same_machine(request: Request) -> bool:
    """Whether the client connects from loopback or from the address the server listens on."""
    client = request.client.host if request.client else None
    server = request.scope.get("server") or (None,)
    if client is None:
        return False
    try:
        return ipaddress.ip_address(client).is_loopback or client == server[0]
    except ValueError:  # not an IP address (a test client, a Unix socket)
        return False
