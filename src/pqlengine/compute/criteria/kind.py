"""The interface of a criterion kind: one module per kind implements it."""

from __future__ import annotations

from typing import Any, Protocol

import ibis.expr.types as ir

from pqlengine.compute.criteria.base import Capabilities


class Kind(Protocol):
    """A criterion kind (docs/semantics.md "Criteria"). `before` is the entity's events at
    or after signup, before conversion, up to as_of: entity_id, event, ts, signup_at and
    the columns the kind asks for (`columns`)."""

    name: str
    # Whether its progress is a summed weight of items (so `points` apply).
    counting: bool

    def columns(self, criterion: Any) -> set[str]:
        """Event columns it reads besides entity_id, event and ts."""
        ...

    def aggregate(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Value | None:
        """satisfied_at as one aggregate over `before` grouped by entity (a shared scan),
        or None when it needs its own subquery (`satisfied`)."""
        ...

    def satisfied(self, before: ir.Table, criterion: Any, can: Capabilities, name: str) -> ir.Table:
        """s_id and `name` (satisfied_at) per entity that satisfies it."""
        ...

    def items(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        """entity_id, ts, weight: each item's weight at each instant it adds to the
        progress (counting kinds; the others raise)."""
        ...

    def progress_value(self, before: ir.Table, criterion: Any, can: Capabilities) -> ir.Table:
        """p_id, value per entity with progress (none when nothing counts yet): 2 devices,
        1.4e9 bytes, a longest run of 2 days, 18,000 seconds of workflow."""
        ...

    def progress_unit(self, criterion: Any) -> str:
        """What the progress counts ("Logged In", "bytes", "device_id", "users", "days")."""
        ...

    def describe(self, criterion: Any) -> str:
        """The criterion in words ("Invited Member ≥ 2", "sum of bytes ≥ 1 GB")."""
        ...

    def progress(self, criterion: Any, value: float | None) -> str:
        """Progress in words ("2 of 3 devices"); `value` from `progress_value`."""
        ...
