"""What a definition reads from the store: event properties, entity attributes and sum
properties (the facts `pql check` looks up; plain data, no imports of Ibis)."""

from __future__ import annotations

from dataclasses import dataclass

from pqlengine.config import Scalar


@dataclass(frozen=True)
class PropertyUse:
    """A property `key` the definition reads on events named `event` (None: any event),
    with the values it must equal (empty: the key is read some other way)."""

    where: str
    event: str | None
    key: str
    options: tuple[Scalar, ...] = ()


@dataclass(frozen=True)
class AttributeUse:
    """A fit `where` key of the entity, with the values it must equal (empty: other)."""

    key: str
    options: tuple[Scalar, ...] = ()


@dataclass(frozen=True)
class SumUse:
    """A `sum` criterion's event name and numeric property."""

    event: str
    key: str
