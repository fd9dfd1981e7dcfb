"""Request bodies for each destination type, built from one PQL transition."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, assert_never
from urllib.parse import quote

from pqlengine.config import (
    DriftDestination,
    HubSpotDestination,
    IntercomDestination,
    SalesforceDestination,
    SlackDestination,
    WebhookDestination,
)

SALESFORCE_REASONS_FIELD = "PQL_Reasons__c"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
AnyDestination = (
    WebhookDestination
    | SlackDestination
    | HubSpotDestination
    | SalesforceDestination
    | IntercomDestination
    | DriftDestination
)


@dataclass(frozen=True)
class Request:
    """What the outbox will send (secret headers are added at send time)."""

    method: str
    url: str
    body: str


def transition_document(
    transition: dict[str, Any], project_name: str, entity: str
) -> dict[str, Any]:
    """The canonical JSON document of a transition (the generic webhook body)."""
    return {
        "type": f"pql.{transition['kind']}",
        "kind": transition["kind"],
        "id": transition["transition_id"],
        "project": project_name,
        "entity_type": entity,
        "entity_id": transition["entity_id"],
        "cause": transition["cause"],
        "status": transition["status_to"],
        "previous_status": transition["status_from"],
        "definition": {
            "name": transition["definition_name"],
            "version": transition["definition_version"],
        },
        "qualified_at": _iso(transition["qualified_at"]),
        # The episode this alert opens (later than qualified_at when re-qualified), and
        # the instant a lapse happened (whenever the pass that saw it ran).
        "pql_since": _iso(transition.get("pql_since")),
        "lapsed_at": _iso(transition.get("lapsed_at")),
        "score": transition["score"],
        "score_source": transition["score_source"],
        "reasons": transition["reasons"],
        "criteria_met": transition["criteria_met"],
        "progress": transition.get("progress", []),
        "trigger": None
        if transition["trigger_event_id"] is None
        else {
            "event_id": transition["trigger_event_id"],
            "event": transition["trigger_event"],
            "ts": _iso(transition["trigger_ts"]),
        },
        "fit": transition["fit"],
        "detected_at": _iso(transition["detected_at"]),
    }


def build_requests(destination: AnyDestination, document: dict[str, Any]) -> list[Request]:
    """The HTTP requests, in sending order, that tell `destination` about the transition in
    `document` (one for most destinations; Intercom's tag is a second)."""
    if isinstance(destination, WebhookDestination):
        return [Request("POST", destination.url, _dumps(document))]
    if isinstance(destination, SlackDestination):
        return [Request("POST", destination.url, _dumps(slack_message(document)))]
    if isinstance(destination, HubSpotDestination):
        return [hubspot_request(destination, document)]
    if isinstance(destination, SalesforceDestination):
        return [salesforce_request(destination, document)]
    if isinstance(destination, IntercomDestination):
        return intercom_requests(destination, document)
    if isinstance(destination, DriftDestination):
        return [drift_request(destination, document)]
    assert_never(destination)


def slack_message(document: dict[str, Any]) -> dict[str, Any]:
    """A Block Kit message: who, the score and its top reasons, which criteria, the fit data,
    and when."""
    who = document["fit"].get("name") or document["entity_id"]
    title = slack_title(document, who)
    fit = document["fit"]
    fit_bits = [
        f"*{label}:* {fit[key]}"
        for key, label in (("domain", "Domain"), ("employees", "Employees"), ("plan", "Plan"))
        if fit.get(key) not in (None, "")
    ]
    criteria = ", ".join(document["criteria_met"]) or "none"
    fields = [
        {"type": "mrkdwn", "text": f"*{document['entity_type'].title()}:* {document['entity_id']}"},
        {"type": "mrkdwn", "text": f"*Score:* {score_label(document)}"},
        {"type": "mrkdwn", "text": f"*Criteria met:* {criteria}"},
        {"type": "mrkdwn", "text": f"*Qualified at:* {document['qualified_at'] or '-'}"},
        *(
            {"type": "mrkdwn", "text": f"*{label}:* {document[key]}"}
            for key, label in (("lapsed_at", "Lapsed at"), ("pql_since", "Re-qualified at"))
            if document.get(key) and (key == "lapsed_at" or document["cause"] == "requalified")
        ),
        *({"type": "mrkdwn", "text": bit} for bit in fit_bits),
    ]
    trigger = document["trigger"]
    context = f"Definition {document['definition']['name']} ({document['definition']['version']})"
    if trigger:
        context += f" · triggered by {trigger['event']} at {trigger['ts']}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {"type": "section", "fields": fields[:10]},
    ]
    if document["reasons"]:
        bullets = "\n".join(f"• {reason['text']}" for reason in document["reasons"])
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*Why:*\n{bullets}"}})
    if document.get("progress"):
        lines = "\n".join(f"• {step['text']}" for step in document["progress"])
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*Progress:*\n{lines}"}}
        )
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    return {"text": title, "blocks": blocks}


def slack_title(document: dict[str, Any], who: str) -> str:
    """The headline in words: new, re-qualified, lapsed, or no longer a PQL (with why)."""
    cause = document["cause"]
    if document["kind"] == "entered":
        return f"Re-qualified as a PQL: {who}" if cause == "requalified" else f"New PQL: {who}"
    if cause == "lapsed":
        return f"PQL lapsed: {who} (stopped meeting the definition)"
    return f"No longer a PQL: {who} ({cause})"


def score_label(document: dict[str, Any]) -> str:
    """ "73/100 (model 0123456789ab)" or "67/100 (criteria progress)"."""
    source = str(document["score_source"])
    where = "criteria progress" if source == "criteria_progress" else source.replace(":", " ", 1)
    return f"{document['score']:.0f}/100 ({where})"


def reasons_text(reasons: list[dict[str, Any]]) -> str:
    """The reasons' texts on one line, "; "-separated (the CRM text property)."""
    return "; ".join(str(reason["text"]) for reason in reasons)


def crm_properties(document: dict[str, Any]) -> dict[str, Any]:
    """pql_status, pql_score, pql_qualified_at and pql_reasons as the CRM fields carry them."""
    entered = document["type"] == "pql.entered"
    return {
        "pql_status": "pql" if entered else document["status"],
        "pql_score": round(float(document["score"]), 1),
        "pql_qualified_at": document["qualified_at"] if entered else None,
        "pql_reasons": reasons_text(document["reasons"] or document.get("progress", [])),
    }


def hubspot_request(destination: HubSpotDestination, document: dict[str, Any]) -> Request:
    """CRM v3 object update: PATCH /crm/v3/objects/{companies|contacts}/{id}?idProperty=..."""
    objects = "companies" if document["entity_type"] == "account" else "contacts"
    id_property = destination.id_property or ("domain" if objects == "companies" else "email")
    lookup = {"domain": document["fit"].get("domain"), "email": document["fit"].get("email")}
    record_id = lookup.get(id_property) or document["entity_id"]
    properties = crm_properties(document)
    # HubSpot wants strings; an empty string clears a property.
    body = {"properties": {k: "" if v is None else str(v) for k, v in properties.items()}}
    url = (
        f"{destination.base_url.rstrip('/')}/crm/v3/objects/{objects}/"
        f"{quote(str(record_id), safe='')}?idProperty={quote(id_property, safe='')}"
    )
    return Request("PATCH", url, _dumps(body))


def salesforce_request(destination: SalesforceDestination, document: dict[str, Any]) -> Request:
    """sObject upsert by external id: PATCH .../sobjects/{Object}/{ExternalIdField}/{id}."""
    properties = crm_properties(document)
    fields = destination.fields
    if "fields" not in destination.model_fields_set:
        # The default mapping also carries the reasons; a `fields:` of one's own lists what
        # it wants, so a setup without a reasons field keeps working.
        fields = {**fields, "pql_reasons": SALESFORCE_REASONS_FIELD}
    body = {fields[k]: v for k, v in properties.items() if k in fields}
    url = (
        f"{destination.base_url.rstrip('/')}/services/data/{destination.api_version}/sobjects/"
        f"{destination.object}/{destination.external_id_field}/"
        f"{quote(str(document['entity_id']), safe='')}"
    )
    return Request("PATCH", url, _dumps(body))


def pql_attributes(document: dict[str, Any], ticks_per_second: int) -> dict[str, Any]:
    """pql_status, pql_score and pql_qualified_at as whole ticks since the epoch (1 per
    second: Intercom's Unix seconds; 1000: Drift's milliseconds), floored; null once left."""
    properties = crm_properties(document)
    qualified_at = properties["pql_qualified_at"]
    if qualified_at is not None:
        moment = datetime.fromisoformat(str(qualified_at).replace("Z", "+00:00"))
        qualified_at = (moment - _EPOCH) // timedelta(microseconds=1_000_000 // ticks_per_second)
    return {
        "pql_status": properties["pql_status"],
        "pql_score": properties["pql_score"],
        "pql_qualified_at": qualified_at,
    }


def intercom_requests(destination: IntercomDestination, document: dict[str, Any]) -> list[Request]:
    """Custom attributes on the company (POST /companies, created if new, by `company_id`) or
    the contact (PUT /contacts/{id}, Intercom's contact id); then the tag (POST /tags)."""
    base = destination.base_url.rstrip("/")
    entity_id = str(document["entity_id"])
    attributes = pql_attributes(document, 1)
    company = document["entity_type"] == "account"
    if company:
        update = Request(
            "POST",
            f"{base}/companies",
            _dumps({"company_id": entity_id, "custom_attributes": attributes}),
        )
    else:
        url = f"{base}/contacts/{quote(entity_id, safe='')}"
        update = Request("PUT", url, _dumps({"custom_attributes": attributes}))
    if destination.tag is None:
        return [update]
    # Entering tags, leaving untags; companies by our company_id, contacts by Intercom id.
    target: dict[str, Any] = {"company_id": entity_id} if company else {"id": entity_id}
    if document["kind"] == "left":
        target["untag"] = True
    group = "companies" if company else "users"
    tag = Request("POST", f"{base}/tags", _dumps({"name": destination.tag, group: [target]}))
    return [update, tag]


def drift_request(destination: DriftDestination, document: dict[str, Any]) -> Request:
    """Contact attributes: PATCH /contacts/{Drift contact id} with {"attributes": {...}}."""
    contact = quote(str(document["entity_id"]), safe="")
    url = f"{destination.base_url.rstrip('/')}/contacts/{contact}"
    return Request("PATCH", url, _dumps({"attributes": pql_attributes(document, 1000)}))


def _dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text if text.endswith("Z") or "+" in text[10:] else text + "Z"
