"""Salesforce: an Opportunity export (Data Loader / Bulk API CSV, or a report as CSV).

Data Loader writes API names, upper-cased: "ID", "ACCOUNTID", "NAME", "STAGENAME", "ISWON",
"CLOSEDATE" (2026-02-14), "AMOUNT", "TYPE", and relationship fields as "ACCOUNT.WEBSITE",
"ACCOUNT.NAME". A report export uses labels: "Opportunity ID", "Account ID", "Website",
"Account Name", "Stage", "Won", "Close Date", "Amount", "Type". Headers match in any case.
The standard Opportunity has no recurring-revenue field, so `mrr` stays empty; pql.yaml's
`outcomes: {mrr: {per: month|year}}` then reads the MRR from `amount` (docs/semantics.md).
"""

from __future__ import annotations

from pqlengine.ingest.formats.crm import DealLayout, deal_importer

LAYOUT = DealLayout(
    vendor="Salesforce",
    deal_id=("Id", "Opportunity ID"),
    deal_name=("Name", "Opportunity Name"),
    close_date=("CloseDate", "Close Date"),
    amount=("Amount",),
    plan=(("Type", "Opportunity Type"),),
    won_flag=("IsWon", "Won"),
    stage=("StageName", "Stage"),
    won_stages=frozenset({"closedwon"}),
    account=(
        ("id", ("AccountId", "Account ID", "Account.Id")),
        ("domain", ("Account.Website", "Website", "Account Website")),
        ("name", ("Account.Name", "Account Name")),
    ),
)


IMPORTER = deal_importer(
    "salesforce-opportunities",
    "Salesforce opportunities export (CSV): won opportunities as conversions",
    LAYOUT,
)
