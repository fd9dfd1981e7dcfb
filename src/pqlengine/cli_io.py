"""Where the running `pql` command writes, and what it runs against: per-command context
(ContextVars), so that a command run inside `pql serve` for a CLI (cli_served.py) writes to
its request's buffers and reads the service's store while other requests run on other
threads (sys.stdout cannot be swapped there)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO, cast

from rich.console import Console

if TYPE_CHECKING:
    from pqlengine.config import Project
    from pqlengine.store import Store


@dataclass(frozen=True)
class Io:
    """Where a command writes: `console` (tables), `errors` (stderr lines) and `stdout`
    (JSON, CSV, YAML; None: the process's sys.stdout at the time of writing)."""

    console: Console
    errors: Console
    stdout: TextIO | None = None


# Wide when piped (Rich would assume 80 columns), one line per error message.
_terminal = Io(
    Console(width=None if sys.stdout.isatty() else 160), Console(stderr=True, soft_wrap=True)
)
current_io: ContextVar[Io] = ContextVar("pql_io", default=_terminal)


class _CurrentConsole:
    """Stands for the running command's console (`console`) or error console (`errors`)."""

    def __init__(self, pick: Callable[[Io], Console]) -> None:
        self._pick = pick

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pick(current_io.get()), name)


console = cast(Console, _CurrentConsole(lambda io: io.console))
errors = cast(Console, _CurrentConsole(lambda io: io.errors))


def stdout() -> TextIO:
    """The running command's standard output."""
    return current_io.get().stdout or sys.stdout


# The instant a command run through `pql serve` was typed (the CLI sends it): its default
# --as-of, so that waiting for the service's read worker does not move it.
invoked_at: ContextVar[datetime | None] = ContextVar("pql_invoked_at", default=None)
# Set inside `pql serve` to the service's project and read connection; set by `main` to
# False once the service named by serve.json did not answer (open the store directly).
served_store: ContextVar[tuple[Project, Store] | None] = ContextVar("pql_served", default=None)
use_service: ContextVar[bool] = ContextVar("pql_use_service", default=True)
