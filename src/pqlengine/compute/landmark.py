"""The landmark design shared by discover and validate: look at an entity only up to a
fixed instant after its signup (the landmark), and count conversion only after it.

Conditioning on what happens before a conversion biases any comparison in which converting
early stops an entity from showing the behaviour (an entity that pays before it would
qualify is never a PQL). Fixing the landmark first, and leaving out (and counting) the
entities that convert before it, removes that bias.
"""

from __future__ import annotations

from datetime import datetime

import ibis
import ibis.expr.types as ir

from pqlengine.compute.entities import as_of_literal


def landmark_frame(
    table: ir.Table, as_of: datetime, window_days: int, conversion_window_days: int
) -> ir.Table:
    """`table` (with signup_at, converted_at) narrowed to the entities whose whole horizon
    [signup_at, signup_at + window_days + conversion_window_days] is over at `as_of`, with
    window_end (the landmark, signup_at + window_days), converted_in_window (converted
    before the landmark: to be left out and reported) and converted (converted in
    [window_end, window_end + conversion_window_days])."""
    window = ibis.interval(days=window_days)
    horizon = ibis.interval(days=window_days + conversion_window_days)
    ready = table.filter(table.signup_at + horizon <= as_of_literal(as_of))
    window_end = ready.signup_at + window
    return ready.mutate(
        window_end=window_end,
        converted_in_window=ready.converted_at.notnull() & (ready.converted_at < window_end),
        converted=ready.converted_at.notnull()
        & (ready.converted_at >= window_end)
        & (ready.converted_at <= ready.signup_at + horizon),
    )
