"""HubSpot: the deals export (CRM > Deals > Export, CSV, with associated companies).

Columns are property labels: "Record ID", "Deal Name", "Deal Stage", "Close Date",
"Amount", "Pipeline", "Deal Type", and with associations "Associated Company IDs" /
"Associated Company" (several separated by ';'). Exports by API use internal names
(dealname, dealstage, closedate, hs_is_closed_won), accepted too. "Monthly recurring
revenue" (hs_mrr) fills the conversion's `mrr`; else "Annual recurring revenue" (hs_arr) / 12.
"""

from __future__ import annotations

from pqlengine.ingest.formats.crm import DealLayout, deal_importer

LAYOUT = DealLayout(
    vendor="HubSpot",
    deal_id=("Record ID", "Deal ID", "hs_object_id"),
    deal_name=("Deal Name", "dealname"),
    close_date=("Close Date", "closedate"),
    amount=("Amount", "amount"),
    plan=(("Plan",), ("Deal Type", "dealtype"), ("Pipeline", "pipeline")),
    won_flag=("Is Closed Won", "hs_is_closed_won"),
    stage=("Deal Stage", "dealstage"),
    won_stages=frozenset({"closedwon"}),
    account=(
        ("domain", ("Company Domain Name", "Company Domain", "Domain", "Website URL", "Website")),
        (
            "id",
            (
                "Associated Company IDs (Primary)",
                "Associated Company IDs",
                "Associated Company ID",
                "Company ID",
            ),
        ),
        ("name", ("Associated Company (Primary)", "Associated Company", "Company Name")),
    ),
    # HubSpot's calculated deal properties (from the deal's recurring line items).
    recurring=(
        (1, ("Monthly recurring revenue", "hs_mrr")),
        (12, ("Annual recurring revenue", "hs_arr")),
    ),
)


IMPORTER = deal_importer(
    "hubspot-deals",
    "HubSpot deals export (CSV): closed-won deals as conversions",
    LAYOUT,
)
