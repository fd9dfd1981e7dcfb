"""Stripe: the dashboard's Subscriptions export (Billing > Subscriptions > Export, CSV).

Columns: "id", "Customer ID", "Customer Name", "Customer Email", "Customer Description",
"Plan", "Product", "Quantity", "Currency", "Interval" (day, week, month, year), "Amount"
(per interval per unit, in the currency's major unit: 49.00), "Status", "Created (UTC)",
"Start (UTC)" (or "Start Date (UTC)"), "Current Period Start/End (UTC)", "Trial Start (UTC)",
"Trial End (UTC)", "Canceled At (UTC)", "Ended At (UTC)", "Cancellation Reason", and one
"<key> (metadata)" column per subscription metadata key. Times look like 2026-01-05 10:00.

One conversion per paid subscription:
- `converted_at` = when paying started: the later of "Start (UTC)" and "Trial End (UTC)".
- `amount` = Amount x Quantity (one billing interval's charge); `plan` = Product, else Plan.
- `mrr` = Amount x Quantity per month: x 1 for month, / 12 for year, x 52 / 12 for week,
  x 365.25 / 12 for day, divided by "Interval Count" when the export has that column.
- `churned_at` = "Ended At (UTC)", or "Canceled At (UTC)" when the status says it ended
  (canceled, incomplete_expired) and no end is given; an active subscription canceled at
  period end has not churned yet.
- Not imported (counted in a note): subscriptions that never paid: status trialing,
  incomplete, incomplete_expired or paused, or ended at or before their trial end.
- The account: pql.yaml's column, else an "account_id"-like metadata column, the customer
  email's domain, then the customer name or description (crm.AccountIndex).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from pqlengine.ingest.formats import values
from pqlengine.ingest.formats.common import ImportContext, Importer, Row
from pqlengine.ingest.formats.crm import (
    AccountIndex,
    account_columns,
    account_lookups,
    describe_row,
    match_account,
    unmatched_note,
)
from pqlengine.ingest.formats.sources import csv_rows
from pqlengine.ingest.readers import SourceError

DAYS_PER_MONTH = 365.25 / 12
# Months in one billing interval: MRR = charge per interval / this.
MONTHS_PER_INTERVAL = {"month": 1.0, "year": 12.0, "week": 12 / 52, "day": 1 / DAYS_PER_MONTH}
# Paused: a trial ended without a payment method (Stripe's only way into `paused`).
NEVER_PAID = frozenset({"trialing", "incomplete", "incomplete_expired", "paused"})
ENDED = frozenset({"canceled", "incomplete_expired"})
TIME_HINT = "is not a timestamp (Stripe exports UTC times like 2026-01-05 10:00)"
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "Subscription ID"),
    "status": ("Status",),
    "amount": ("Amount", "Plan Amount"),
    "quantity": ("Quantity",),
    "interval": ("Interval", "Plan Interval"),
    "interval_count": ("Interval Count", "Plan Interval Count"),
    "product": ("Product", "Product Name"),
    "plan": ("Plan", "Plan Name", "Price"),
    "start": ("Start (UTC)", "Start Date (UTC)", "Created (UTC)"),
    "trial_end": ("Trial End (UTC)",),
    "canceled_at": ("Canceled At (UTC)",),
    "ended_at": ("Ended At (UTC)",),
}
ACCOUNT = (
    (
        "id",
        tuple(
            f"{key} (metadata)"
            for key in ("account_id", "workspace_id", "company_id", "org_id", "team_id")
        ),
    ),
    ("domain", ("Customer Email",)),
    ("name", ("Customer Name", "Customer Description")),
)


def read_subscriptions(path: Path, context: ImportContext) -> Iterator[Row]:
    """Conversions for the paid subscriptions of a Stripe subscriptions export."""
    found, header, records = csv_rows(path, {**COLUMNS, **account_columns(context, ACCOUNT)})
    lookups = account_lookups(found, ACCOUNT)
    missing = [COLUMNS[c][0] for c in ("status", "amount", "interval", "start") if c not in found]
    if missing or not lookups:
        lacks = [*missing] + ([] if lookups else ["a customer column (Customer Email)"])
        raise SourceError(
            f"not a Stripe subscriptions export: it lacks {', '.join(lacks)}; "
            f"the file has: {', '.join(header)}"
        )
    accounts: AccountIndex | None = None
    unmatched: list[str] = []
    never_paid = 0
    for line, record in records:
        subscription = _subscription(line, record, found, context)
        if subscription is None:
            continue
        if not subscription:
            never_paid += 1
            continue
        accounts = accounts or AccountIndex(context.store)
        account_id = match_account(record, lookups, accounts)
        if account_id is None:
            unmatched.append(describe_row(line, record, {"deal_id": found.get("id", "")}, lookups))
            continue
        yield line, "conversions", {"entity_id": account_id, **subscription}
    if never_paid:
        context.notes.append(
            f"{never_paid} Stripe subscriptions never paid (trialing, incomplete, paused, or "
            "ended within their trial) and were not imported"
        )
    if unmatched:
        context.notes.append(unmatched_note(unmatched, "paid Stripe subscriptions"))


def _subscription(
    line: int, record: dict[str, Any], found: dict[str, str], context: ImportContext
) -> dict[str, Any] | None:
    """The conversion's columns; {} for one that never paid; None after reporting a bad value."""
    before = len(context.problems)
    status = (values.text(record[found["status"]]) or "").lower()
    times = {
        name: _time(line, record, found.get(name), context)
        for name in ("start", "trial_end", "canceled_at", "ended_at")
    }
    amount = _number(line, record, found["amount"], values.amount, context)
    quantity = _number(line, record, found.get("quantity"), values.whole, context, "a whole")
    count = _number(line, record, found.get("interval_count"), values.whole, context, "a whole")
    interval = (values.text(record[found["interval"]]) or "").lower()
    if interval not in MONTHS_PER_INTERVAL:
        known = ", ".join(MONTHS_PER_INTERVAL)
        raw_interval = record[found["interval"]]
        context.problem(line, found["interval"], f"{raw_interval!r} is not one of {known}")
    start, trial_end = times["start"], times["trial_end"]
    if start is None and len(context.problems) == before:
        context.problem(line, found["start"], "is empty (a subscription needs its start)")
    if len(context.problems) > before or start is None:
        return None
    ended_at = times["ended_at"] or (times["canceled_at"] if status in ENDED else None)
    paying_from = max(start, trial_end) if trial_end is not None else start
    if status in NEVER_PAID or (ended_at is not None and ended_at <= paying_from):
        return {}
    charge = (amount or 0.0) * (quantity if quantity is not None else 1)
    months = MONTHS_PER_INTERVAL[interval] * (count or 1)
    plan = values.text(record.get(found.get("product", ""))) or values.text(
        record.get(found.get("plan", ""))
    )
    return {
        "converted_at": paying_from,
        "amount": charge,
        "plan": plan,
        "mrr": charge / months,
        "churned_at": ended_at,
    }


def _time(
    line: int, record: dict[str, Any], column: str | None, context: ImportContext
) -> datetime | None:
    if column is None:
        return None
    try:
        return values.timestamp(record[column])
    except ValueError:
        context.problem(line, column, f"{record[column]!r} {TIME_HINT}")
        return None


def _number(
    line: int,
    record: dict[str, Any],
    column: str | None,
    parse: Callable[[Any], float | None],
    context: ImportContext,
    kind: str = "",
) -> float | None:
    """`parse` of the column's value (None when absent or empty); a bad value is reported."""
    if column is None or values.text(record[column]) is None:
        return None
    try:
        number = parse(record[column])
    except ValueError as exc:
        context.problem(line, column, f"{record[column]!r} {exc}")
        return None
    if number is None or number < 0:
        context.problem(line, column, f"{record[column]!r} is not {kind or 'a'} number >= 0")
        return None
    return number


IMPORTER = Importer(
    name="stripe-subscriptions",
    summary="Stripe subscriptions export (CSV): paid subscriptions as conversions with MRR",
    tables=("conversions",),
    suffixes=(".csv",),
    read=read_subscriptions,
)
