"""CRM deal exports -> conversions: keep closed-won deals, find each one's account.

A deal's account is found from its columns in order: the column pql.yaml names
(`columns: conversions: {entity_id: <deal column>}`), else the export's company columns by
kind: an id (matched to `accounts.account_id`), a domain or website (matched to
`accounts.domain`, both normalised: no scheme, `www.`, path or port), a name (matched to
`accounts.name`, case-insensitive, only when one account has it). Won deals that match
no account are not imported and are reported (count and first few).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pqlengine.ingest.formats import values
from pqlengine.ingest.formats.common import ImportContext, Importer, Row
from pqlengine.ingest.formats.sources import csv_rows
from pqlengine.ingest.readers import SourceError
from pqlengine.store import Store

UNMATCHED_SHOWN = 5
DATE_HINT = "is not a date (expected ISO, e.g. 2026-02-14)"
WON_NEEDS_DATE = "a won deal needs its close date"


@dataclass(frozen=True)
class DealLayout:
    """Where a vendor's deal export keeps what we need (header spellings, any case)."""

    vendor: str
    deal_id: tuple[str, ...]
    deal_name: tuple[str, ...]
    close_date: tuple[str, ...]
    amount: tuple[str, ...]
    plan: tuple[tuple[str, ...], ...]  # first column present wins
    won_flag: tuple[str, ...]  # a true/false column; preferred over the stage
    stage: tuple[str, ...]
    won_stages: frozenset[str]  # stage values meaning won, compared as lower-case letters
    account: tuple[tuple[str, tuple[str, ...]], ...]  # (kind, spellings)
    # Recurring-revenue columns as (months per period, spellings): 1 for a monthly figure,
    # 12 for an annual one; the first with a value in a row gives that deal's MRR.
    recurring: tuple[tuple[int, tuple[str, ...]], ...] = ()


class AccountIndex:
    """The store's accounts by id, normalised domain and lower-cased name."""

    def __init__(self, store: Store) -> None:
        rows = store.raw.execute("SELECT account_id, domain, name FROM accounts").fetchall()
        self.ids = {str(account_id) for account_id, _, _ in rows}
        self.by_domain = _unique((values.domain(d), a) for a, d, _ in rows)
        self.by_name = _unique(((n or "").strip().lower() or None, a) for a, _, n in rows)

    def match(self, kind: str, raw: str) -> str | None:
        """The account for one value of a column of this kind (None: none, or ambiguous)."""
        if kind in ("id", "any") and raw in self.ids:
            return raw
        if kind in ("domain", "any"):
            found = self.by_domain.get(values.domain(raw) or "")
            if found:
                return found
        if kind in ("name", "any"):
            return self.by_name.get(raw.strip().lower())
        return None


def _unique(pairs: Iterator[tuple[str | None, str]]) -> dict[str, str | None]:
    """key -> account, or None when several accounts share the key."""
    found: dict[str, str | None] = {}
    for key, account_id in pairs:
        if key is None:
            continue
        found[key] = account_id if found.get(key, account_id) == account_id else None
    return found


def account_columns(
    context: ImportContext, account: tuple[tuple[str, tuple[str, ...]], ...]
) -> dict[str, tuple[str, ...]]:
    """The header spellings to look for: the export's company columns and pql.yaml's own."""
    wanted = {f"account{i}": spellings for i, (_, spellings) in enumerate(account)}
    configured = context.configured("conversions", "entity_id")
    if configured:
        wanted["configured"] = (configured,)
    return wanted


def account_lookups(
    found: dict[str, str], account: tuple[tuple[str, tuple[str, ...]], ...]
) -> list[tuple[str, str]]:
    """(kind, column) to try in order: the configured column alone when the file has it, else
    the export's company columns present."""
    if "configured" in found:
        return [("any", found["configured"])]
    return [
        (kind, found[f"account{i}"])
        for i, (kind, _) in enumerate(account)
        if f"account{i}" in found
    ]


def read_deals(path: Path, context: ImportContext, layout: DealLayout) -> Iterator[Row]:
    """Conversions for the closed-won deals of a CSV export."""
    wanted: dict[str, tuple[str, ...]] = {
        "deal_id": layout.deal_id,
        "deal_name": layout.deal_name,
        "close_date": layout.close_date,
        "amount": layout.amount,
        "won_flag": layout.won_flag,
        "stage": layout.stage,
    }
    wanted.update({f"plan{i}": spellings for i, spellings in enumerate(layout.plan)})
    wanted.update({f"recurring{i}": spellings for i, (_, spellings) in enumerate(layout.recurring)})
    wanted.update(account_columns(context, layout.account))
    found, header, records = csv_rows(path, wanted)
    lookups = account_lookups(found, layout.account)
    _check_columns(found, header, layout, bool(lookups))
    plan_column = next(
        (found[f"plan{i}"] for i in range(len(layout.plan)) if f"plan{i}" in found), None
    )
    accounts: AccountIndex | None = None
    unmatched: list[str] = []
    for line, record in records:
        if not _won(line, record, found, layout, context):
            continue
        column = found["close_date"]
        close_date = context.time(line, column, record[column], DATE_HINT, WON_NEEDS_DATE)
        try:
            deal_amount = values.amount(record.get(found.get("amount", "")))
        except ValueError as exc:
            context.problem(line, found["amount"], f"{record[found['amount']]!r} {exc}")
            continue
        readable, mrr = _mrr(line, record, found, layout, context)
        if close_date is None or not readable:
            continue
        accounts = accounts or AccountIndex(context.store)
        account_id = match_account(record, lookups, accounts)
        if account_id is None:
            unmatched.append(describe_row(line, record, found, lookups))
            continue
        plan = values.text(record.get(plan_column)) if plan_column else None
        conversion = {
            "entity_id": account_id,
            "converted_at": close_date,
            "amount": deal_amount,
            "plan": plan,
            "mrr": mrr,
        }
        yield line, "conversions", conversion
    if unmatched:
        context.notes.append(unmatched_note(unmatched, f"closed-won {layout.vendor} deals"))


def _mrr(
    line: int,
    record: dict[str, Any],
    found: dict[str, str],
    layout: DealLayout,
    context: ImportContext,
) -> tuple[bool, float | None]:
    """(readable, the deal's monthly recurring revenue or None); bad values are reported."""
    for index, (months, _) in enumerate(layout.recurring):
        column = found.get(f"recurring{index}")
        if column is None:
            continue
        try:
            value = values.amount(record.get(column))
        except ValueError as exc:
            context.problem(line, column, f"{record[column]!r} {exc}")
            return False, None
        if value is not None:
            return True, value / months
    return True, None


def _check_columns(
    found: dict[str, str], header: list[str], layout: DealLayout, has_company: bool
) -> None:
    missing = []
    if "close_date" not in found:
        missing.append(f"a close date column ({' or '.join(layout.close_date[:2])})")
    if "won_flag" not in found and "stage" not in found:
        spellings = (*layout.won_flag[:1], *layout.stage[:1])
        missing.append(f"a won or stage column ({' or '.join(spellings)})")
    if not has_company:
        names = [spellings[0] for _, spellings in layout.account]
        missing.append(
            f"a company column ({', '.join(names)}; or name yours in pql.yaml: "
            "columns: conversions: {entity_id: <column>})"
        )
    if missing:
        raise SourceError(
            f"not a {layout.vendor} deals export: it lacks {'; '.join(missing)}; "
            f"the file has: {', '.join(header)}"
        )


def _won(
    line: int,
    record: dict[str, Any],
    found: dict[str, str],
    layout: DealLayout,
    context: ImportContext,
) -> bool:
    if "won_flag" in found:
        try:
            return values.flag(record[found["won_flag"]]) is True
        except ValueError as exc:
            context.problem(line, found["won_flag"], f"{record[found['won_flag']]!r} {exc}")
            return False
    stage = re.sub(r"[^a-z]", "", str(record[found["stage"]]).lower())
    return stage in layout.won_stages


def match_account(
    record: dict[str, Any], lookups: list[tuple[str, str]], accounts: AccountIndex
) -> str | None:
    """The account of the first (kind, column) lookup whose value matches one, or None."""
    for kind, column in lookups:
        # Association columns list several companies separated by ';' (primary first).
        for part in str(record.get(column) or "").split(";"):
            if part.strip():
                found = accounts.match(kind, part.strip())
                if found:
                    return found
    return None


def describe_row(
    line: int, record: dict[str, Any], found: dict[str, str], lookups: list[tuple[str, str]]
) -> str:
    """ "line N 'label' (the company values tried)" for the unmatched note."""
    label = values.text(record.get(found.get("deal_name", ""))) or values.text(
        record.get(found.get("deal_id", ""))
    )
    tried = [values.text(record.get(column)) for _, column in lookups]
    shown = ", ".join(t for t in tried if t) or "no company given"
    return f"line {line}" + (f" '{label}'" if label else "") + f" ({shown})"


def unmatched_note(unmatched: list[str], what: str) -> str:
    """Why `what` (e.g. "closed-won HubSpot deals") were not imported, with the first few."""
    first = "; ".join(unmatched[:UNMATCHED_SHOWN])
    more = (
        f"; and {len(unmatched) - UNMATCHED_SHOWN} more" if len(unmatched) > UNMATCHED_SHOWN else ""
    )
    return (
        f"{len(unmatched)} {what} match no account and were not "
        f"imported: {first}{more}. Ingest accounts with their domain first, or name the "
        "column holding your account id in pql.yaml (columns: conversions: {entity_id: ...})"
    )


def deal_importer(name: str, summary: str, layout: DealLayout) -> Importer:
    """The importer of a CRM's deal export laid out as `layout`."""

    def read(path: Path, context: ImportContext) -> Iterator[Row]:
        return read_deals(path, context, layout)

    return Importer(name, summary, ("conversions",), (".csv",), read)
