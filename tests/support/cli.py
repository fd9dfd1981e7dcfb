"""`pql` in-process: the console script's path (`pqlengine.cli.main`) without a new Python.

A subprocess spends one to three seconds importing the stack before it does anything; this
runs the same entry point in the test's process. `main()` is what `pql` and `python -m
pqlengine` call: it turns errors the user can fix into one-line messages and exit code 1 and
lets a bug escape as a traceback. Here an escaping exception is printed to stderr with exit
code 1, as the Python interpreter does, so "no Traceback" assertions keep their meaning.
tests/test_cli.py checks that both real entry points print what this prints."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner


@dataclass(frozen=True)
class Ran:
    """What a `pql` run left: the fields of a `subprocess.CompletedProcess` the tests read."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def _exit_code(code: object) -> tuple[int, str]:
    """The process exit status and stderr text of `SystemExit(code)`, as Python makes them."""
    if code is None:
        return 0, ""
    if isinstance(code, int):
        return code, ""
    return 1, f"{code}\n"


def pql(*args: str, cwd: Path | str, env: Mapping[str, str] | None = None) -> Ran:
    """Run `pql *args` in `cwd` (restored afterwards: tests do not run in parallel) with
    stdout and stderr captured separately; `env` adds environment variables for the run."""
    from pqlengine import cli

    runner = CliRunner()
    previous = (os.getcwd(), sys.argv, sys.excepthook)
    with runner.isolation(env=env) as (out, err, _):
        sys.argv = ["pql", *args]
        try:
            os.chdir(cwd)
            cli.main()
            code, extra = 0, ""
        except SystemExit as exc:
            code, extra = _exit_code(exc.code)
        except Exception:  # a bug: the interpreter would print it and exit 1
            code, extra = 1, traceback.format_exc()
        finally:
            os.chdir(previous[0])
            sys.argv, sys.excepthook = previous[1], previous[2]  # Typer installs its own hook
        sys.stderr.write(extra)
        sys.stdout.flush()
        sys.stderr.flush()
        stdout, stderr = out.getvalue(), err.getvalue()
    return Ran(args, code, stdout.decode(), stderr.decode("utf-8", "backslashreplace"))
