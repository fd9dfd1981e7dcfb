"""Checks of a definition against the data in the store (`pql check`).

A definition can be valid and still match nothing: an event name, a property key, a value
or a fit trait that the data never has (a typo), a conversion event that never happens.
Each warning names what the store does hold that is closest (did-you-mean).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from pqlengine.compute.stored_names import Stored, stored
from pqlengine.compute.uses import AttributeUse, PropertyUse, SumUse
from pqlengine.compute.where_values import NUMBER_PATTERN, canonical_text, is_operator, plain
from pqlengine.config import (
    DistinctCriterion,
    Project,
    Scalar,
    SequenceCriterion,
    SumCriterion,
    WhereValue,
)
from pqlengine.store import Store

# Keys listed when none is close to a mistyped one.
KEYS_LISTED = 8


@dataclass(frozen=True)
class DataCheck:
    """What the stored data says about the definition: `errors` make every metric
    meaningless (exit code 1), `warnings` are suspicious (sorted)."""

    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"errors": list(self.errors), "warnings": list(self.warnings)}


def check_data(store: Store, project: Project) -> DataCheck:
    """Compare the names, keys and values pql.yaml uses with what the store holds."""
    properties = property_uses(project)
    sums = sorted(
        {SumUse(c.event, c.property) for c in _sum_criteria(project)},
        key=lambda use: (use.event, use.key),
    )
    attributes = attribute_uses(project)
    table = "accounts" if project.entity == "account" else "users"
    found = stored(store, properties, sums, attributes, table)
    if found.total_events == 0:
        return DataCheck((), ("the store has no events yet (run `pql ingest`)",))
    warnings = _name_warnings(project, found)
    warnings += _property_warnings(properties, found)
    warnings += _sum_warnings(project, found)
    warnings += _attribute_warnings(store, project, attributes, found)
    errors = []
    conversion = project.conversion.event
    if conversion is not None and conversion not in found.event_counts:
        errors.append(
            f"conversion.event: no event named '{conversion}' in the store, so every "
            f"conversion, PQL-to-paid rate and model would be 0"
            f"{did_you_mean(conversion, found.event_counts)}"
        )
    return DataCheck(tuple(errors), tuple(sorted(set(warnings))))


def property_uses(project: Project) -> list[PropertyUse]:
    """Every property key the criteria read, per event name, with equality values."""
    uses = []
    for criterion in project.definition.criteria:
        label = f"criterion '{criterion.id}'"
        if isinstance(criterion, SequenceCriterion):
            for number, step in enumerate(criterion.steps, start=1):
                uses += _where_uses(f"{label} step {number}", step.event, step.where)
            continue
        uses += _where_uses(label, criterion.event, criterion.where)
        if isinstance(criterion, SumCriterion | DistinctCriterion):
            uses.append(PropertyUse(label, criterion.event, criterion.property))
    return uses


def attribute_uses(project: Project) -> list[AttributeUse]:
    """The fit `where` keys with their equality values."""
    where = project.definition.fit.where or {}
    return [AttributeUse(key, equality_options(spec)) for key, spec in where.items()]


def equality_options(spec: WhereValue) -> tuple[Scalar, ...]:
    """The values a `where` entry must equal (a scalar, a list, eq, in); () otherwise."""
    if is_operator(spec):
        return ()
    value = plain(spec)
    if isinstance(value, dict):
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def did_you_mean(word: str, candidates: Any) -> str:
    """' (did you mean 'x'?)' for the closest candidate, '' when none is close."""
    listed = sorted(str(c) for c in candidates)
    by_lower = {c.lower(): c for c in reversed(listed)}
    if word.lower() in by_lower and by_lower[word.lower()] != word:
        return f" (did you mean '{by_lower[word.lower()]}'?)"
    close = difflib.get_close_matches(word.lower(), sorted(by_lower), n=1, cutoff=0.6)
    return f" (did you mean '{by_lower[close[0]]}'?)" if close else ""


def same_value(option: Scalar, stored_text: str) -> bool:
    """Whether a stored value (as text) can equal `option` (lenient where the text hides
    the JSON type: the string "3" and the number 3 look alike, so both count)."""
    if stored_text == canonical_text(option):
        return True
    if isinstance(option, bool) or not isinstance(option, int | float):
        return False
    return re.fullmatch(NUMBER_PATTERN, stored_text) is not None and float(stored_text) == option


def _sum_criteria(project: Project) -> list[SumCriterion]:
    return [c for c in project.definition.criteria if isinstance(c, SumCriterion)]


def _where_uses(label: str, event: str | None, where: Any) -> list[PropertyUse]:
    return [
        PropertyUse(label, event, key, equality_options(spec))
        for key, spec in (where or {}).items()
    ]


def _name_warnings(project: Project, found: Stored) -> list[str]:
    names = found.event_counts
    warnings = []
    for criterion in project.definition.criteria:
        for name in criterion.event_names or []:
            if name not in names:
                warnings.append(
                    f"criterion '{criterion.id}': no event named '{name}' in the store"
                    f"{did_you_mean(name, names)}"
                )
    activity = project.definition.activity
    if activity is not None and activity.event not in names:
        warnings.append(
            f"activity: no event named '{activity.event}' in the store, so nobody is active "
            f"and nobody is a PQL{did_you_mean(activity.event, names)}"
        )
    signup = project.signup.event
    if signup is not None and signup not in names:
        warnings.append(
            f"signup: no event named '{signup}' in the store{did_you_mean(signup, names)}"
        )
    return warnings


def _property_warnings(uses: list[PropertyUse], found: Stored) -> list[str]:
    warnings = []
    for use in uses:
        if use.event is not None and use.event not in found.event_counts:
            continue  # the event name is reported
        keys = _keys_of(found, use.event)
        events = "event" if use.event is None else f"'{use.event}' event"
        if use.key not in keys:
            hint = did_you_mean(use.key, keys) or _listed(keys, use.event)
            warnings.append(f"{use.where}: no {events} has a property '{use.key}'{hint}")
            continue
        values = _values_of(found, use.event, use.key)
        for option in use.options:
            if not any(same_value(option, text) for text in values):
                warnings.append(
                    f"{use.where}: no {events} has {use.key} = {_shown(option)}"
                    f"{did_you_mean(canonical_text(option), values)}"
                )
    return warnings


def _sum_warnings(project: Project, found: Stored) -> list[str]:
    warnings = []
    for criterion in _sum_criteria(project):
        events, non_numeric = found.sums.get(SumUse(criterion.event, criterion.property), (0, 0))
        if non_numeric:
            warnings.append(
                f"criterion '{criterion.id}': {non_numeric:,} of {events:,} '{criterion.event}' "
                f"events ({_share(non_numeric, events)}) have a non-numeric "
                f"{criterion.property}; they count 0"
            )
    return warnings


def _attribute_warnings(
    store: Store, project: Project, uses: list[AttributeUse], found: Stored
) -> list[str]:
    if not uses:
        return []
    table = "accounts" if project.entity == "account" else "users"
    columns = [c for c in store.table(table).columns if c != "traits"]
    known = set(columns) | found.attribute_keys
    warnings = []
    for use in uses:
        if use.key not in known:
            warnings.append(
                f"fit.where: '{use.key}' is neither a column of {table} nor a trait of any "
                f"{project.entity}{did_you_mean(use.key, known)}"
            )
            continue
        values = found.attribute_values.get(use.key, set())
        for option in use.options:
            if not any(same_value(option, text) for text in values):
                warnings.append(
                    f"fit.where: no {project.entity} has {use.key} = {_shown(option)}"
                    f"{did_you_mean(canonical_text(option), values)}"
                )
    return warnings


def _keys_of(found: Stored, event: str | None) -> set[str]:
    if event is not None:
        return found.keys.get(event, set())
    return {key for keys in found.keys.values() for key in keys}


def _values_of(found: Stored, event: str | None, key: str) -> set[str]:
    if event is not None:
        return found.values.get((event, key), set())
    return {v for (_, k), values in found.values.items() if k == key for v in values}


def _listed(keys: set[str], event: str | None) -> str:
    events = "events" if event is None else f"'{event}' events"
    if not keys:
        return f" ({events} have no properties)"
    shown = sorted(keys)[:KEYS_LISTED]
    more = f" and {len(keys) - len(shown)} more" if len(keys) > len(shown) else ""
    return f" ({events} have {', '.join(shown)}{more})"


def _shown(option: Scalar) -> str:
    return f"'{option}'" if isinstance(option, str) else canonical_text(option)


def _share(part: int, whole: int) -> str:
    share = part / whole if whole else 0.0
    return "<0.1%" if 0 < share < 0.001 else f"{share:.1%}"
