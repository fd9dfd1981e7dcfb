"""Reads behind the REST API: leads, one lead's story, transitions and the outbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pqlengine.compute.criteria import describe, progress_text
from pqlengine.compute.entities import entity_events
from pqlengine.compute.qualify import criteria_progress, qualification, to_record
from pqlengine.config import Project
from pqlengine.store import Store

LEAD_SORTS = ("qualified_at", "score", "entity_id", "employees", "updated_at")
TIMELINE_LIMIT = 200


class NotFound(LookupError):
    """No such entity / row."""


def list_leads(
    store: Store,
    project: Project,
    status: str | None,
    search: str | None,
    sort: str,
    limit: int,
    offset: int,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A page of entities from pql_state with their fit data; `sort` may start with '-';
    `now` (default: the real time) dates hours_since_qualified."""
    column = sort.removeprefix("-")
    if column not in LEAD_SORTS:
        raise ValueError(f"sort must be one of {', '.join(LEAD_SORTS)} (prefix - for descending)")
    direction = "DESC" if sort.startswith("-") else "ASC"
    if project.entity == "account":
        fit = "SELECT account_id AS fid, name, domain, employees, plan, NULL AS email FROM accounts"
    else:
        fit = (
            "SELECT user_id AS fid, NULL AS name, NULL AS domain, NULL AS employees, "
            "NULL AS plan, email FROM users"
        )
    where, params = ["s.definition_version = ?"], [project.version]
    if status is not None:
        where.append("s.status = ?")
        params.append(status)
    order = f"{'f' if column == 'employees' else 's'}.{column} {direction} NULLS LAST, s.entity_id"
    fields = (
        "s.entity_id, s.status, s.qualified_at, s.converted_at, s.score, s.criteria_met, "
        "s.updated_at, f.name, f.domain, f.employees, f.plan, f.email, s.score_source, "
        "s.reasons, s.pql_since, s.lapsed_at, s.next_change_at"
    )
    joined = f"pql_state s LEFT JOIN ({fit}) f ON f.fid = s.entity_id"
    if search or column == "employees":
        # The fit data filters or orders: every row is joined with it.
        if search:
            where.append(
                "(s.entity_id ILIKE ? OR f.name ILIKE ? OR f.domain ILIKE ? OR f.email ILIKE ?)"
            )
            params.extend([f"%{search}%"] * 4)
        base = f"FROM {joined} WHERE {' AND '.join(where)}"
        total_row = store.raw.execute(f"SELECT count(*) {base}", params).fetchone()
        query = f"SELECT {fields} {base} ORDER BY {order} LIMIT ? OFFSET ?"
    else:
        # The page is chosen from pql_state alone and only its rows get their fit data (the
        # fit id is unique): on a 1M-entity store, no join of every entity per read.
        base = f"FROM pql_state s WHERE {' AND '.join(where)}"
        total_row = store.raw.execute(f"SELECT count(*) {base}", params).fetchone()
        page = f"SELECT * {base} ORDER BY {order} LIMIT ? OFFSET ?"
        query = (
            f"SELECT {fields} FROM ({page}) s LEFT JOIN ({fit}) f ON f.fid = s.entity_id "
            f"ORDER BY {order}"
        )
    rows = store.raw.execute(query, [*params, limit, offset]).fetchall()
    now = _naive(now)
    items = []
    for row in rows:
        qualified = row[2]
        items.append(
            {
                "entity_id": row[0],
                "status": row[1],
                "qualified_at": iso(qualified),
                "hours_since_qualified": None
                if qualified is None
                else round((now - qualified).total_seconds() / 3600, 2),
                "converted_at": iso(row[3]),
                "pql_since": iso(row[14]),
                "lapsed_at": iso(row[15]),
                "next_change_at": iso(row[16]),
                "score": row[4],
                "score_source": row[12],
                "reasons": json.loads(row[13]) if row[13] else [],
                "criteria_met": json.loads(row[5]) if row[5] else [],
                "updated_at": iso(row[6]),
                "fit": {"name": row[7], "domain": row[8], "employees": row[9], "plan": row[10]}
                | ({"email": row[11]} if row[11] else {}),
            }
        )
    total = int(total_row[0]) if total_row else 0
    return {"items": items, "total": total, "limit": limit, "offset": offset, "sort": sort}


def lead_detail(
    store: Store, project: Project, entity_id: str, now: datetime | None = None
) -> dict[str, Any]:
    """One entity at `now` (default: the real time): qualification, episodes, progress per
    criterion, why, timeline, transitions."""
    now = _naive(now)
    table = qualification(store, project, now, only=[entity_id])
    rows = table.to_pyarrow().to_pylist()
    if not rows:
        raise NotFound(f"no {project.entity} '{entity_id}' in the store")
    record = to_record(rows[0], project)
    counts = criteria_progress(store, project, now, [entity_id]).get(entity_id, {})
    progress = [
        {
            "id": c.id,
            "kind": c.kind,
            "label": describe(c),
            "event": getattr(c, "event", None),
            "at_least": getattr(c, "at_least", None),
            "count": counts[c.id],
            "progress": progress_text(c, counts[c.id]),
            "satisfied_at": iso(record["criteria"][c.id]),
            "weight": project.definition.weight_of(c),
        }
        for c in project.definition.criteria
    ]
    events = entity_events(
        store, project, now, columns=("event_id", "event", "ts", "properties"), only=[entity_id]
    )
    newest = events.order_by(events.ts.desc(), events.event_id).limit(TIMELINE_LIMIT)
    timeline = newest.to_pyarrow().to_pylist()
    transitions = list_rows(store, "pql_transitions", {"entity_id": entity_id}, 100, 0)
    return {
        "entity_id": entity_id,
        "status": record["status"],
        **live_score(store, project, entity_id),
        "qualified_at": iso(record["qualified_at"]),
        "signup_at": iso(record["signup_at"]),
        "converted_at": iso(record["converted_at"]),
        "active_days": record["active_days"],
        "last_seen_at": iso(record["last_seen_at"]),
        "pql_since": iso(record["pql_since"]),
        "lapsed_at": iso(record["lapsed_at"]),
        "episodes": [[iso(start), iso(end)] for start, end in record["episodes"]],
        "fit": record["fit"],
        "fit_failed": record["fit_failed"],
        "criteria": progress,
        "why": explain(record, progress, project),
        "timeline": [
            {
                "event_id": e["event_id"],
                "event": e["event"],
                "ts": iso(e["ts"]),
                "properties": json.loads(e["properties"]) if e["properties"] else {},
            }
            for e in timeline
        ],
        "transitions": transitions["items"],
    }


def live_score(store: Store, project: Project, entity_id: str) -> dict[str, Any]:
    """score, score_source, reasons and scored_at from the evaluator's last look at the entity
    (None and [] when it has not evaluated it under the definition in service)."""
    row = store.raw.execute(
        "SELECT score, score_source, reasons, updated_at FROM pql_state "
        "WHERE entity_id = ? AND definition_version = ?",
        [entity_id, project.version],
    ).fetchone()
    if row is None:
        return {"score": None, "score_source": None, "reasons": [], "scored_at": None}
    reasons = json.loads(row[2]) if row[2] else []
    return {"score": row[0], "score_source": row[1], "reasons": reasons, "scored_at": iso(row[3])}


def explain(record: dict[str, Any], progress: list[dict[str, Any]], project: Project) -> str:
    """One sentence on why the entity has its status."""
    definition = project.definition
    met = [p["id"] for p in progress if p["satisfied_at"]]
    missing = [f"{p['id']} ({p['progress']})" for p in progress if not p["satisfied_at"]]
    status = record["status"]
    if status in ("pql", "converted_pql"):
        head = f"Qualified at {iso(record['qualified_at'])}: met {', '.join(met) or 'nothing'}"
        return head + (" and later converted." if status == "converted_pql" else ".")
    if status == "lapsed":
        return (
            f"Qualified at {iso(record['qualified_at'])}, no PQL since "
            f"{iso(record['lapsed_at'])}: the definition stopped holding (a score fallen below "
            "the threshold, a rolling window emptied or no activity within the expiry)."
        )
    if status == "failed_fit":
        return f"Behaviour qualifies but the fit fails: {', '.join(record['fit_failed'])}."
    if status == "converted_without_qualifying":
        return "Converted before meeting the definition."
    needed = definition.min_active_days
    days = f"; active on {record['active_days']} of {needed} required days" if needed else ""
    return (
        f"Not yet: met {', '.join(met) or 'no criteria'}; still missing "
        f"{', '.join(missing) or 'nothing'}{days}."
    )


def list_rows(
    store: Store, table: str, filters: dict[str, Any], limit: int, offset: int
) -> dict[str, Any]:
    """A page of pql_transitions or outbox rows, newest first, filtered by equality."""
    order = {"pql_transitions": "detected_at", "outbox": "created_at"}[table]
    given = {k: v for k, v in filters.items() if v is not None}
    where = " AND ".join(f"{k} = ?" for k in given) or "TRUE"
    params = list(given.values())
    total_row = store.raw.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()
    cursor = store.raw.execute(
        f"SELECT * FROM {table} WHERE {where} ORDER BY {order} DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    names = [d[0] for d in cursor.description]
    items = []
    for row in cursor.fetchall():
        item = dict(zip(names, row, strict=True))
        for key, value in item.items():
            if isinstance(value, datetime):
                item[key] = iso(value)
        for key in ("criteria_met", "reasons"):
            if isinstance(item.get(key), str):
                item[key] = json.loads(item[key])
        if table == "outbox":
            item.pop("body", None)
        items.append(item)
    total = int(total_row[0]) if total_row else 0
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def health(store: Store) -> dict[str, Any]:
    """Watermarks and queue sizes: is the service keeping up?"""
    raw = store.raw
    inbox = raw.execute("SELECT coalesce(max(seq), 0), count(*) FROM live_inbox").fetchone()
    done = raw.execute("SELECT value FROM live_state WHERE key = 'inbox_seq'").fetchone()
    outbox = dict(raw.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
    top = int(inbox[0]) if inbox else 0
    evaluated = int(done[0]) if done else 0
    return {
        "status": "ok",
        "messages": int(inbox[1]) if inbox else 0,
        "inbox_seq": top,
        "evaluated_seq": evaluated,
        "evaluation_lag": top - evaluated,
        "outbox": {k: int(v) for k, v in outbox.items()},
    }


def _naive(now: datetime | None) -> datetime:
    """`now` (or the real time) as naive UTC."""
    moment = datetime.now(UTC) if now is None else now
    return moment.astimezone(UTC).replace(tzinfo=None)


def iso(value: Any) -> str | None:
    """A UTC ISO 8601 string with Z (None stays None)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat() + "Z"
    return str(value)
