"""A real `pql serve` subprocess on loopback, and a local webhook receiver."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import yaml

WRITE_KEY = "test-write-key"
API_TOKEN = "test-api-token"
WEBHOOK_SECRET = "test-webhook-secret"
STARTUP_SECONDS = 120.0


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    """One request the receiver got."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    status: int

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


@dataclass
class Receiver:
    """A threaded HTTP server recording every request; `fail_next` makes it answer 500."""

    requests: list[Received] = field(default_factory=list)
    failures_left: int = 0
    always_fail: bool = False
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """Base URL."""
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Receiver:
        """Listen on a free port in a background thread."""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                failing = owner.always_fail or owner.failures_left > 0
                if owner.failures_left > 0:
                    owner.failures_left -= 1
                headers = {k: v for k, v in self.headers.items()}
                status = 500 if failing else 200
                owner.requests.append(
                    Received(self.command, self.path, headers, body, time.monotonic(), status)
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": false}' if failing else b'{"ok": true}')

            do_POST = _handle
            do_PATCH = _handle

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Shut the server down."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def at(self, path_prefix: str) -> list[Received]:
        """Requests received under `path_prefix`, in arrival order."""
        return [r for r in self.requests if r.path.startswith(path_prefix)]


def wait_for(check: Callable[[], Any], timeout: float = 30.0, every: float = 0.05) -> Any:
    """Poll `check` until it returns something truthy; fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(every)


def write_project(directory: Path, receiver_url: str | None, **overrides: Any) -> Path:
    """A pql.yaml for live tests: an account must invite a member and create 2 documents."""
    config: dict[str, Any] = {
        "project": "acme",
        "entity": "account",
        "signup": {"source": "accounts"},
        "conversion": {"event": "Subscription Started"},
        "definition": {
            "name": "activation",
            "criteria": [
                {"id": "invited", "event": "Invited Member", "at_least": 1},
                {"id": "docs", "event": "Created Document", "at_least": 2},
            ],
            "qualify": "all",
            "fit": {"exclude_free_email_domains": True, "min_employees": 5},
        },
        "live": {"retry_base_seconds": 0.05, "retry_max_seconds": 0.5, "evaluate_every_ms": 50},
    }
    if receiver_url is not None:
        config["destinations"] = [
            {
                "type": "webhook",
                "url": f"{receiver_url}/hook",
                "secret": "${PQL_WEBHOOK_SECRET}",
                "max_attempts": 5,
            }
        ]
    config.update(overrides)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "pql.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return directory


class LiveServer:
    """`python -m pqlengine serve` as a child process."""

    def __init__(self, project_dir: Path, port: int | None = None) -> None:
        self.project_dir = project_dir
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = project_dir / "server.log"

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        """Start and wait until /healthz answers."""
        env = {
            **os.environ,
            "PQL_WRITE_KEY": WRITE_KEY,
            "PQL_API_TOKEN": API_TOKEN,
            "PQL_WEBHOOK_SECRET": WEBHOOK_SECRET,
        }
        command = [sys.executable, "-m", "pqlengine", "serve", "-C", str(self.project_dir)]
        command += ["--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log.read_text()}")

    def kill9(self) -> None:
        """SIGKILL: no shutdown code runs."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGINT, as Ctrl-C; then wait."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)

    def settled(self, timeout: float = 30.0) -> None:
        """Wait until every accepted message has been evaluated."""

        def caught_up() -> bool:
            health = httpx.get(f"{self.url}/healthz", timeout=10).json()
            return bool(health["evaluation_lag"] == 0)

        wait_for(caught_up, timeout)

    def api(self, path: str, **params: Any) -> Any:
        """GET /api/... with the token; the JSON body."""
        response = httpx.get(
            f"{self.url}{path}",
            params=params,
            headers={"Authorization": f"Bearer {API_TOKEN}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, payload: Any, **kwargs: Any) -> httpx.Response:
        """POST JSON with the write key as Basic auth (unless `auth` is given)."""
        kwargs.setdefault("auth", (WRITE_KEY, ""))
        return httpx.post(f"{self.url}{path}", json=payload, timeout=30, **kwargs)
