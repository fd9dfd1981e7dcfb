"""`.pql/serve.json`: how a CLI command finds the `pql serve` that holds its store.

DuckDB lets one process open a store file for writing and no other process open it at
all meanwhile, so a command on a served project runs inside the service (`POST /api/run`).
The service writes this file once it listens and removes it when it stops cleanly; a
file left by a killed service names a dead pid and is ignored.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pqlengine.live import ServiceError

if TYPE_CHECKING:
    from pqlengine.config import Project

FILE_NAME = "serve.json"


@dataclass(frozen=True)
class ServeInfo:
    """Where a running service listens: `url` (loopback when it listens on every
    interface), its `pid`, when it started (ISO 8601 UTC) and the store it holds."""

    url: str
    pid: int
    started_at: str
    store: str

    def to_json(self) -> str:
        """The file's content."""
        return json.dumps(asdict(self), indent=2) + "\n"


def secret_from_env(name: str) -> str:
    """A secret from `NAME` or from the file named by `NAME_FILE`; never logged."""
    value = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if not value and path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ServiceError(f"{name}_FILE: cannot read {path}: {exc.strerror}") from None
    if not value:
        raise ServiceError(f"set {name} (or {name}_FILE) in the environment")
    return value


def serve_file(store_path: str) -> Path:
    """The discovery file next to the store file (`.pql/serve.json` by default)."""
    return Path(store_path).resolve().parent / FILE_NAME


def client_url(host: str, port: int) -> str:
    """The URL a local client uses for a service listening on `host`."""
    if host in ("0.0.0.0", "", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def write_serve_file(info: ServeInfo) -> Path:
    """Write the file atomically (a reader sees the old file or the whole new one)."""
    path = serve_file(info.store)
    partial = path.with_name(f".{FILE_NAME}.{os.getpid()}.tmp")
    partial.write_text(info.to_json(), encoding="utf-8")
    os.replace(partial, path)
    return path


def remove_serve_file(store_path: str, pid: int | None = None) -> None:
    """Remove the file if it names this process (`pid`, default ours): a newer service's
    file is left alone."""
    found = read_serve_file(store_path)
    if found is not None and found.pid == (pid or os.getpid()):
        serve_file(store_path).unlink(missing_ok=True)


def read_serve_file(store_path: str) -> ServeInfo | None:
    """The file's content, or None when it is absent or unreadable."""
    try:
        data = json.loads(serve_file(store_path).read_text(encoding="utf-8"))
        return ServeInfo(str(data["url"]), int(data["pid"]), str(data["started_at"]), data["store"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def running_service(store_path: str) -> ServeInfo | None:
    """The service holding `store_path`, if its file names a live process (a stale file
    from a killed service is ignored)."""
    found = read_serve_file(store_path)
    if found is None or found.pid == os.getpid() or not _alive(found.pid):
        return None
    if Path(found.store).resolve() != Path(store_path).resolve():
        return None
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    except OSError:
        return False
    return True


def find_served(project: Project) -> ServeInfo | None:
    """The running service holding the project's store, if any (`running_service`)."""
    return running_service(project.store_path)


def call_api(served: ServeInfo, method: str, path: str, params: dict[str, Any]) -> Any:
    """`method` /api`path` of the running service with PQL_API_TOKEN; its JSON, or a
    ServiceError with the API's error message."""
    import httpx

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
