"""An alert when a target goes off track (docs/semantics.md "Alert when a target goes off
track"): statuses are recorded per target, and a change to `off_track` queues one delivery
per webhook and Slack destination in the same outbox that sends PQL transitions."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pqlengine.config import Project, SlackDestination, WebhookDestination
from pqlengine.destinations.outbox import Target, delivery_id, targets

KIND = "target_off_track"
STATUS_TABLE = "target_status"
_OUTBOX_COLUMNS = (
    "delivery_id, transition_id, destination, destination_type, entity_id, kind, method, url, "
    "body, status, reason, attempts, next_attempt_at, last_error, last_status_code, "
    "created_at, delivered_at"
)


def alertable(project: Project) -> list[Target]:
    """The destinations a target alert goes to (webhooks and Slack), secrets resolved."""
    return alert_destinations(targets(project, project.root))


def alert_destinations(found: list[Target]) -> list[Target]:
    """Of resolved destinations, the ones a target alert goes to (webhooks and Slack)."""
    return [t for t in found if isinstance(t.config, WebhookDestination | SlackDestination)]


def target_document(
    report: dict[str, Any], project_name: str, previous: str | None, alert_id: str, now: datetime
) -> dict[str, Any]:
    """The webhook body: which target, where it stands and where it is heading."""
    return {
        "type": f"pql.{KIND}",
        "id": alert_id,
        "project": project_name,
        "target": {k: report[k] for k in ("name", "metric", "value", "by", "segment")},
        "current": report["current"],
        "current_ci": report["current_ci"],
        "projected": report["projected"],
        "prediction_interval": report["prediction_interval"],
        "probability": report["probability"],
        "status": report["status"],
        "previous_status": previous,
        "detected_at": now.isoformat() + "Z",
    }


def _number(metric: str, value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1%}" if metric in ("pql_to_paid", "pql_rate") else f"{value:.3g}"


def slack_target_message(document: dict[str, Any]) -> dict[str, Any]:
    """A Block Kit message naming the target, its current value and its chance."""
    target = document["target"]
    metric = target["metric"]
    title = f"Target {target['name']} is off track"
    chance = document["probability"]
    lines = (
        f"*Target:* {metric} {_number(metric, target['value'])} by {target['by']}"
        + (f" ({target['segment']})" if target["segment"] else ""),
        f"*Now:* {_number(metric, document['current'])}",
        f"*Projected:* {_number(metric, document['projected'])}"
        + (
            f", {chance:.0%} chance of reaching it at the current pace"
            if chance is not None
            else ""
        ),
    )
    return {
        "text": title,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}},
        ],
    }


def record_statuses(
    raw: Any, reports: list[dict[str, Any]], project_name: str, found: list[Target], now: datetime
) -> list[str]:
    """Record each target's status; queue an alert for each change to off_track (once:
    the delivery id is derived from target, the change's ordinal and destination). Returns the
    delivery ids queued. `now` is naive UTC. The caller holds the outbox table."""
    raw.execute(
        f"CREATE TABLE IF NOT EXISTS {STATUS_TABLE} "
        "(target VARCHAR PRIMARY KEY, status VARCHAR, changed_at TIMESTAMP)"
    )
    queued: list[str] = []
    raw.execute("BEGIN")  # the status and its alert are recorded together or not at all
    try:
        _record(raw, reports, project_name, found, now, queued)
        raw.execute("COMMIT")
    except Exception:
        raw.execute("ROLLBACK")
        raise
    return queued


def _record(
    raw: Any,
    reports: list[dict[str, Any]],
    project_name: str,
    found: list[Target],
    now: datetime,
    queued: list[str],
) -> None:
    for report in reports:
        name = report["name"]
        row = raw.execute(f"SELECT status FROM {STATUS_TABLE} WHERE target = ?", [name]).fetchone()
        previous = None if row is None else str(row[0])
        if previous == report["status"]:
            continue
        raw.execute(f"DELETE FROM {STATUS_TABLE} WHERE target = ?", [name])
        raw.execute(f"INSERT INTO {STATUS_TABLE} VALUES (?, ?, ?)", [name, report["status"], now])
        if report["status"] != "off_track":
            continue
        # The n-th time this target went off track: a stable id whatever the clock says.
        earlier = raw.execute(
            "SELECT count(DISTINCT transition_id) FROM outbox WHERE kind = ? AND entity_id = ?",
            [KIND, name],
        ).fetchone()
        alert_id = f"target|{name}|off_track|{int(earlier[0]) + 1}"
        document = target_document(report, project_name, previous, alert_id, now)
        for target in found:
            config = target.config
            if isinstance(config, WebhookDestination):
                body = document
            elif isinstance(config, SlackDestination):
                body = slack_target_message(document)
            else:
                continue  # CRM destinations take leads, not targets (see `alertable`)
            key = delivery_id(alert_id, target.label)
            if raw.execute("SELECT 1 FROM outbox WHERE delivery_id = ?", [key]).fetchone():
                continue
            raw.execute(
                f"INSERT INTO outbox ({_OUTBOX_COLUMNS}) VALUES "
                "(?, ?, ?, ?, ?, ?, 'POST', ?, ?, 'pending', NULL, 0, ?, NULL, NULL, ?, NULL)",
                [key, alert_id, target.label, config.type, name, KIND, config.url,
                 json.dumps(body, sort_keys=True, default=str), now, now],
            )  # fmt: skip
            queued.append(key)
