"""The durable outbox: deliveries are rows in the store, sent at least once, retried with
exponential backoff and jitter, and dead-lettered after `max_attempts`."""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa

from pqlengine.clock import Clock, naive_now, system_clock
from pqlengine.config import (
    DriftDestination,
    HubSpotDestination,
    IntercomDestination,
    Live,
    Project,
    SalesforceDestination,
    WebhookDestination,
)
from pqlengine.destinations.payloads import AnyDestination, Request, build_requests
from pqlengine.destinations.signing import SIGNATURE_HEADER, sign
from pqlengine.store import Store, registered, transaction

STATUSES = ("pending", "delivered", "dead", "skipped")
log = logging.getLogger("pqlengine.outbox")
_ENV = "${"


class SecretError(ValueError):
    """A destination's secret or token is not available."""


@dataclass(frozen=True)
class Target:
    """A destination with its outbox label and resolved secret (never logged)."""

    label: str
    config: AnyDestination
    secret: str | None


def targets(project: Project, root: Path | None = None) -> list[Target]:
    """The project's destinations with unique labels and secrets read from env/files."""
    labels: list[str] = []
    found = []
    for index, destination in enumerate(project.destinations):
        label = destination.label
        if label in labels:
            label = f"{label}-{index + 1}"
        labels.append(label)
        found.append(Target(label, destination, _secret_of(destination, index, root)))
    return found


def _secret_of(destination: AnyDestination, index: int, root: Path | None) -> str | None:
    where = f"destinations[{index}]"
    if isinstance(destination, WebhookDestination):
        if destination.secret_file:
            path = Path(os.path.expandvars(destination.secret_file))
            path = path if path.is_absolute() or root is None else root / path
            try:
                return path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise SecretError(
                    f"{where}.secret_file: cannot read {path}: {exc.strerror}"
                ) from None
        return _expand(destination.secret, f"{where}.secret")
    if isinstance(
        destination,
        HubSpotDestination | SalesforceDestination | IntercomDestination | DriftDestination,
    ):
        return _expand(destination.token, f"{where}.token")
    return None


def _expand(value: str | None, where: str) -> str | None:
    if value is None or _ENV not in value:
        return value
    name = value.strip().removeprefix("${").removesuffix("}")
    secret = os.environ.get(name)
    if not secret:
        raise SecretError(f"{where}: environment variable {name} is not set")
    return secret


def delivery_id(transition_id: str, label: str, step: int = 0) -> str:
    """Stable id of one transition's delivery to one destination (the idempotency key);
    `step` numbers the later requests of a destination that needs several."""
    key = f"{transition_id}|{label}" + (f"|{step}" if step else "")
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def plan_deliveries(
    raw: Any,
    target: Target,
    transition: dict[str, Any],
    document: dict[str, Any],
    live: Live,
    now: datetime,
) -> list[dict[str, Any]]:
    """The outbox rows for one transition and destination ([]: not subscribed).

    Entered alerts that are stale (qualified long before we saw it) or inside the cooldown
    of an earlier one are kept as `skipped` rows with the reason, so the API shows why.
    A destination needing several requests (Intercom: attributes, then the tag) gets one
    row per request, each naming the one before it in `after_delivery_id`: the deliverer
    sends it only once that one is delivered (or skipped), and a dead one takes it along.
    """
    kind = transition["kind"]
    if kind not in target.config.on:
        return []
    status, reason = "pending", None
    if kind == "entered":
        # A re-qualification is judged by its own episode's start, not the first one's.
        qualified_at = transition.get("pql_since") or transition["qualified_at"]
        if qualified_at is not None and now - qualified_at > timedelta(
            hours=live.max_alert_age_hours
        ):
            status, reason = "skipped", "stale: qualified more than max_alert_age_hours ago"
        elif _in_cooldown(raw, target.label, transition["entity_id"], now, live):
            status, reason = "skipped", "cooldown: alerted within cooldown_hours"
    rows = []
    previous = None
    for step, request in enumerate(build_requests(target.config, document)):
        current = delivery_id(transition["transition_id"], target.label, step)
        rows.append(
            _outbox_row(current, previous, target, transition, request, status, reason, now)
        )
        previous = current
    return rows


def _outbox_row(
    delivery: str,
    after: str | None,
    target: Target,
    transition: dict[str, Any],
    request: Request,
    status: str,
    reason: str | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "delivery_id": delivery,
        "after_delivery_id": after,
        "transition_id": transition["transition_id"],
        "destination": target.label,
        "destination_type": target.config.type,
        "entity_id": transition["entity_id"],
        "kind": transition["kind"],
        "method": request.method,
        "url": request.url,
        "body": request.body,
        "status": status,
        "reason": reason,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": None,
        "last_status_code": None,
        "created_at": now,
        "delivered_at": None,
    }


def _in_cooldown(raw: Any, label: str, entity_id: str, now: datetime, live: Live) -> bool:
    if live.cooldown_hours <= 0:
        return False
    row = raw.execute(
        "SELECT count(*) FROM outbox WHERE destination = ? AND entity_id = ? AND kind = 'entered' "
        "AND status IN ('pending', 'delivered') AND created_at > ?",
        [label, entity_id, now - timedelta(hours=live.cooldown_hours)],
    ).fetchone()
    return bool(row and row[0])


def backoff_seconds(attempt: int, live: Live, rng: random.Random | None = None) -> float:
    """Wait before retry `attempt` (1-based): half fixed, half jittered, capped."""
    ceiling = min(live.retry_max_seconds, live.retry_base_seconds * 2 ** (attempt - 1))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


@dataclass(frozen=True)
class _Outcome:
    """What one attempt came to: `status` "pending" (a retry at `retry_at`), "delivered",
    "dead" or "skipped"."""

    delivery: str
    status: str
    attempts: int
    code: int | None = None
    error: str | None = None
    reason: str | None = None
    at: datetime | None = None  # delivered_at of a delivered row
    retry_at: datetime | None = None


_OUTCOME_SCHEMA = pa.schema(
    [
        ("delivery_id", pa.string()),
        ("status", pa.string()),
        ("attempts", pa.int32()),
        ("code", pa.int32()),
        ("error", pa.string()),
        ("reason", pa.string()),
        ("delivered_at", pa.timestamp("us")),
        ("retry_at", pa.timestamp("us")),
    ]
)


class Deliverer:
    """Sends due outbox rows from a small thread pool; every attempt is recorded. The
    senders only send: the polling thread records their outcomes, all those in by then in
    one transaction (a commit per delivery held deliveries to a few per second), and only
    then lets the rows be polled again."""

    def __init__(
        self,
        store: Store,
        project: Project,
        found: list[Target],
        workers: int = 4,
        clock: Clock = system_clock,
    ):
        self._store = store.cursor()
        self._clock = clock  # the evaluator's: rows are due at the instants it wrote
        self._lock = threading.Lock()
        self._live = project.live
        self._targets = {t.label: t for t in found}
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pql-send")
        self._client = httpx.Client(follow_redirects=False)
        self._in_flight: set[str] = set()  # sent or being sent, outcome not recorded yet
        self._outcomes: queue.SimpleQueue[_Outcome] = queue.SimpleQueue()
        self.wake = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pql-outbox", daemon=True)
        # Told of every failed poll; truthy when it is a store fault (a full disk), not a bug.
        self.failed: Callable[[Exception], object] = lambda exc: None

    def start(self) -> None:
        """Start polling the outbox."""
        self._thread.start()

    def stop(self) -> None:
        """Stop polling; let in-flight sends finish and record their outcomes."""
        self._stopped.set()
        self.wake.set()
        self._thread.join(timeout=10)
        self._pool.shutdown(wait=True)
        self._client.close()
        try:
            self._record_outcomes()
        except Exception:  # a store fault at shutdown: the rows are sent again at the start
            log.exception("recording the last delivery outcomes failed")

    def _run(self) -> None:
        while not self._stopped.is_set():
            self.wake.wait(timeout=0.25)
            self.wake.clear()
            try:
                self._record_outcomes()
                self._dispatch_due()
            except Exception as exc:  # keep delivering; the next poll retries
                if not self.failed(exc):  # a store fault is logged once, by the service
                    log.exception("outbox poll failed; retrying")
                time.sleep(0.5)

    def _dispatch_due(self) -> None:
        now = naive_now(self._clock)
        with self._lock:
            rows = self._store.raw.execute(
                "SELECT delivery_id, destination, kind, entity_id, method, url, body, attempts "
                "FROM outbox o WHERE status = 'pending' AND next_attempt_at <= ? "
                "AND (after_delivery_id IS NULL OR EXISTS (SELECT 1 FROM outbox p "
                "WHERE p.delivery_id = o.after_delivery_id "
                "AND p.status IN ('delivered', 'skipped'))) "
                "ORDER BY next_attempt_at LIMIT 200",
                [now],
            ).fetchall()
        rows = [row for row in rows if row[0] not in self._in_flight]
        customers = self._customers({row[3] for row in rows if row[2] == "entered"})
        for row in rows:
            self._in_flight.add(row[0])
            self._pool.submit(self._deliver, row, row[3] in customers)

    def _customers(self, entity_ids: set[str]) -> set[str]:
        """The entities of `entity_ids` that have converted (their entered alert is skipped)."""
        if not entity_ids:
            return set()
        marks = ", ".join("?" for _ in entity_ids)
        with self._lock:
            rows = self._store.raw.execute(
                f"SELECT entity_id FROM pql_state WHERE entity_id IN ({marks}) "
                "AND converted_at IS NOT NULL",
                sorted(entity_ids),
            ).fetchall()
        return {r[0] for r in rows}

    def _deliver(self, row: tuple[Any, ...], customer: bool) -> None:
        """Send one polled outbox row (a sender thread) and hand in the outcome."""
        delivery, label, kind, _, method, url, body, attempts = row
        try:
            outcome = self._attempt(delivery, label, kind, method, url, body, attempts, customer)
        except Exception:  # not recorded: polled and sent again (same Idempotency-Key)
            log.exception("delivery %s failed", delivery)
            outcome = _Outcome(delivery, "", attempts)
        self._outcomes.put(outcome)
        self.wake.set()

    def _attempt(
        self,
        delivery: str,
        label: str,
        kind: str,
        method: str,
        url: str,
        body: str,
        attempts: int,
        customer: bool,
    ) -> _Outcome:
        target = self._targets.get(label)
        if target is None:
            return _Outcome(delivery, "dead", attempts, error="destination no longer configured")
        if kind == "entered" and customer:
            return _Outcome(delivery, "skipped", attempts, reason="already a customer")
        status_code, error = self._send(target, delivery, method, url, body.encode())
        attempts += 1
        now = naive_now(self._clock)
        if error is None:
            return _Outcome(delivery, "delivered", attempts, status_code, at=now)
        if attempts >= target.config.max_attempts:
            return _Outcome(delivery, "dead", attempts, status_code, error)
        wait = timedelta(seconds=backoff_seconds(attempts, self._live))
        return _Outcome(delivery, "pending", attempts, status_code, error, retry_at=now + wait)

    def _record_outcomes(self) -> None:
        """Write the outcomes the senders have handed in, in one transaction; the rows are
        polled again only after (a failed write leaves them to be sent again)."""
        outcomes: list[_Outcome] = []
        while True:
            try:
                outcomes.append(self._outcomes.get_nowait())
            except queue.Empty:
                break
        recorded = [o for o in outcomes if o.status]
        try:
            if recorded:
                self._write(recorded)
        finally:
            for outcome in outcomes:
                self._in_flight.discard(outcome.delivery)
        if recorded:
            self.wake.set()  # rows waiting for these (after_delivery_id) may be due now

    def _write(self, outcomes: list[_Outcome]) -> None:
        table = pa.Table.from_pylist(
            [
                {
                    "delivery_id": o.delivery,
                    "status": o.status,
                    "attempts": o.attempts,
                    "code": o.code,
                    "error": o.error,
                    "reason": o.reason,
                    "delivered_at": o.at,
                    "retry_at": o.retry_at,
                }
                for o in outcomes
            ],
            schema=_OUTCOME_SCHEMA,
        )
        raw = self._store.raw
        # The changed rows are deleted and inserted anew, not UPDATEd: DuckDB keeps a
        # committed UPDATE's old versions while an older transaction is open (in the service
        # one always is), and refuses every checkpoint meanwhile, so the WAL grew without end.
        with self._lock, registered(raw, "_outcomes", table), transaction(raw):
            raw.execute(
                "CREATE OR REPLACE TEMP TABLE _outbox_new AS SELECT o.* REPLACE ("
                "n.status AS status, n.attempts AS attempts, n.code AS last_status_code, "
                "n.error AS last_error, n.delivered_at AS delivered_at, "
                "coalesce(n.reason, o.reason) AS reason, "
                "coalesce(n.retry_at, o.next_attempt_at) AS next_attempt_at) "
                "FROM outbox o JOIN _outcomes n USING (delivery_id)"
            )
            # The requests that follow a dead one are not sent without it (re-queued with it).
            raw.execute(
                "INSERT INTO _outbox_new SELECT o.* REPLACE ('dead' AS status, "
                "'not sent: the request before it (' || n.delivery_id || ') is dead' "
                "AS last_error) FROM outbox o JOIN _outcomes n "
                "ON n.status = 'dead' AND o.after_delivery_id = n.delivery_id "
                "WHERE o.status = 'pending' AND o.delivery_id NOT IN "
                "(SELECT delivery_id FROM _outcomes)"
            )
            raw.execute(
                "DELETE FROM outbox WHERE delivery_id IN (SELECT delivery_id FROM _outbox_new)"
            )
            raw.execute("INSERT INTO outbox SELECT * FROM _outbox_new")
            raw.execute("DROP TABLE _outbox_new")

    def _send(
        self, target: Target, delivery: str, method: str, url: str, body: bytes
    ) -> tuple[int | None, str | None]:
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": delivery,
            "User-Agent": "pqlengine",
        }
        if isinstance(target.config, WebhookDestination) and target.secret:
            headers[SIGNATURE_HEADER] = sign(target.secret, body)
        elif target.secret:
            headers["Authorization"] = f"Bearer {target.secret}"
        if isinstance(target.config, IntercomDestination):
            headers["Intercom-Version"] = target.config.api_version
            headers["Accept"] = "application/json"
        try:
            response = self._client.request(
                method, url, content=body, headers=headers, timeout=target.config.timeout_seconds
            )
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"[:500]
        if 200 <= response.status_code < 300:
            return response.status_code, None
        return response.status_code, f"HTTP {response.status_code}: {response.text[:300]}"


class DeliveryNotFound(LookupError):
    """No outbox row has this delivery id."""


class NotDead(ValueError):
    """Only dead deliveries are re-queued (a pending one is already queued, a delivered or
    skipped one is final)."""


@dataclass(frozen=True)
class Requeued:
    """Dead deliveries put back in the queue: same delivery id (the receiver's
    Idempotency-Key), attempts back to 0, due now."""

    delivery_ids: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """{"requeued": n, "delivery_ids": [...]}."""
        return {"requeued": len(self.delivery_ids), "delivery_ids": list(self.delivery_ids)}


def requeue_dead(
    raw: Any, now: datetime, delivery: str | None = None, destination: str | None = None
) -> Requeued:
    """Re-queue one dead delivery (`delivery`, with the dead requests that follow it) or
    every dead one (of `destination`); the deliverer then sends them with a fresh budget of
    `max_attempts`."""
    if delivery is not None:
        row = raw.execute(
            "SELECT status, destination FROM outbox WHERE delivery_id = ?", [delivery]
        ).fetchone()
        if row is None or (destination is not None and row[1] != destination):
            raise DeliveryNotFound(f"no delivery {delivery} in the outbox")
        if row[0] != "dead":
            raise NotDead(f"delivery {delivery} is {row[0]}: only dead deliveries are re-queued")
    conditions = ["status = 'dead'"]
    params: list[Any] = [now]
    if delivery is not None:
        conditions.append("(delivery_id = ? OR after_delivery_id = ?)")
        params.extend([delivery, delivery])
    if destination is not None:
        conditions.append("destination = ?")
        params.append(destination)
    rows = raw.execute(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ? "
        f"WHERE {' AND '.join(conditions)} RETURNING delivery_id",
        params,
    ).fetchall()
    return Requeued(tuple(sorted(r[0] for r in rows)))
