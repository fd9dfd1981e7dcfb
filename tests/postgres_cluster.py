"""A throwaway PostgreSQL cluster on loopback (Debian `postgresql` package), driven by psql.

initdb and pg_ctl refuse to run as root, so under root the server runs as the `postgres`
user in a temporary directory it owns; psql runs as the caller (trust auth on 127.0.0.1).
"""

from __future__ import annotations

import csv
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

NULL_MARKER = "<null>"


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL server bin directory, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major_version)
    if not found or shutil.which("psql") is None:
        return None
    return Path(found[-1]).parent


def _major_version(initdb: str) -> int:
    part = Path(initdb).parent.parent.name
    return int(part) if part.isdigit() else 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Cluster:
    """A running server: run scripts with `psql`, read results written with `\\o`."""

    port: int
    version: str

    def psql(self, script: str, *, database: str = "postgres") -> str:
        """Run `script` with psql (stop at the first error); returns stdout."""
        done = subprocess.run(
            [
                "psql",
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "--csv",
                "-P",
                f"null={NULL_MARKER}",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-f",
                "-",
            ],
            input=script,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql failed ({done.returncode}):\n{done.stderr}")
        return done.stdout


def read_csv_result(path: Path) -> tuple[list[str], list[list[str | None]]]:
    """Header and rows of a psql --csv result file (NULL_MARKER -> None)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    return header, [[None if v == NULL_MARKER else v for v in row] for row in body]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def running_cluster(bin_dir: Path, server_timezone: str = "UTC") -> Iterator[Cluster]:
    """initdb + pg_ctl start in a temp dir; stopped and removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="pql-pg-"))
    data, sockets, log = root / "data", root / "sockets", root / "server.log"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(sockets, "postgres", "postgres")
    port = _free_port()
    options = " ".join(
        [
            f"-p {port}",
            f"-k {sockets}",
            "-c listen_addresses=127.0.0.1",
            f"-c TimeZone={server_timezone}",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
        ]
    )
    started = False
    try:
        _run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-locale",
                "-E",
                "UTF8",
            ]
        )
        start = [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log)]
        try:
            _run([*start, "-w", "start"])
        except RuntimeError as exc:
            shown = log.read_text(errors="replace") if log.exists() else "(none)"
            raise RuntimeError(f"{exc}\nserver log:\n{shown}") from None
        started = True
        version = Cluster(port=port, version="").psql("SHOW server_version;").splitlines()[1]
        yield Cluster(port=port, version=version)
    finally:
        if started:
            _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(root, ignore_errors=True)


def _run(command: list[str]) -> None:
    done = subprocess.run(_as_server_user(command), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
