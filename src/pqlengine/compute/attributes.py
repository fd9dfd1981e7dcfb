"""Entity attributes: the one place that says what an account or a user *is* (fit, the
lead queue, drivers, the model's firmographics and the live service's payloads read it)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from pqlengine.config import Project
from pqlengine.store import Tables


def entity_table(tables: Tables, project: Project) -> ir.Table:
    """The entity's own table: accounts or users."""
    return tables.table("accounts" if project.entity == "account" else "users")


def entity_attributes(tables: Tables, project: Project) -> ir.Table:
    """One row per row of the entity's own table: its columns as they are (fit `where`
    reads them, and `traits`), plus
    - attr_id: the entity id;
    - attr_name, attr_employees, attr_plan, attr_domain: its account's (the user's
      account for a user entity);
    - attr_email: the user's email (NULL for accounts);
    - attr_fit_domain: the lower-cased domain the free-mail check reads: the account's
      domain, or the part of the user's email after the last @ (NULL when none)."""
    accounts = tables.table("accounts")
    if project.entity == "account":
        return accounts.mutate(
            attr_id=accounts.account_id,
            attr_name=accounts.name,
            attr_employees=accounts.employees,
            attr_plan=accounts.plan,
            attr_domain=accounts.domain,
            attr_email=ibis.null("string"),
            attr_fit_domain=accounts.domain.lower(),
        )
    users = tables.table("users")
    firms = accounts.select(
        attr_account="account_id",
        attr_name="name",
        attr_employees="employees",
        attr_plan="plan",
        attr_domain="domain",
    )
    joined = users.left_join(firms, users.account_id == firms.attr_account)
    return joined.drop("attr_account").mutate(
        attr_id=joined.user_id,
        attr_email=joined.email,
        attr_fit_domain=joined.email.re_extract(r"@([^@]+)$", 1).lower().nullif(""),
    )
