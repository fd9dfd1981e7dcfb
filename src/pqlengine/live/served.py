"""`.pql/serve.json`: where a running `pql serve` of a project listens, so that a command
that finds the store locked by it can ask its API instead (written at start, removed at a
clean stop; a stale file after kill -9 is ignored because the store is then not locked)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from pqlengine.config import Project
from pqlengine.live import ServiceError

SERVED_FILE = "serve.json"


@dataclass(frozen=True)
class Served:
    """A running service of the project: base URL and process id."""

    url: str
    pid: int


def served_path(project: Project) -> Path:
    """`.pql/serve.json` of the project."""
    return (project.root or Path()) / ".pql" / SERVED_FILE


def announce(project: Project, url: str) -> Path:
    """Write serve.json for this process."""
    path = served_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"url": url, "pid": os.getpid()}), encoding="utf-8")
    return path


def withdraw(path: Path) -> None:
    """Remove serve.json if this process wrote it."""
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def find_served(project: Project) -> Served | None:
    """The running service named by serve.json, or None."""
    try:
        found = json.loads(served_path(project).read_text(encoding="utf-8"))
        return Served(str(found["url"]), int(found["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def call_api(served: Served, method: str, path: str, params: dict[str, Any]) -> Any:
    """`method` /api`path` of the running service with PQL_API_TOKEN; its JSON, or a
    ServiceError with the API's error message."""
    token = os.environ.get("PQL_API_TOKEN")
    if not token:
        raise ServiceError(
            f"the store is held by pql serve at {served.url} (pid {served.pid}); "
            "set PQL_API_TOKEN to go through its API"
        )
    given = {k: v for k, v in params.items() if v is not None}
    try:
        response = httpx.request(
            method,
            f"{served.url}/api{path}",
            params=given,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
    except httpx.HTTPError as exc:
        raise ServiceError(f"pql serve at {served.url} did not answer: {exc}") from None
    try:
        body = response.json()
    except ValueError:  # not our service (another program on that port), or no body
        body = None
    if response.status_code >= 400 or not isinstance(body, dict):
        error = body.get("error") if isinstance(body, dict) else None
        message = error.get("message") if isinstance(error, dict) else response.text[:200]
        raise ServiceError(f"pql serve at {served.url}: {response.status_code} {message}")
    return body
