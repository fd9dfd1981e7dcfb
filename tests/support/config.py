"""Builders for pql.yaml-shaped dicts."""

from __future__ import annotations

from typing import Any


def base_config(**overrides: Any) -> dict[str, Any]:
    """A minimal pql.yaml-shaped dict; keyword arguments replace top-level keys."""
    config: dict[str, Any] = {
        "project": "t",
        "entity": "account",
        "signup": {"source": "accounts"},
        "conversion": {"event": "Paid"},
        "observation_days": 30,
        "conversion_window_days": 90,
        "definition": {
            "name": "d",
            "criteria": [{"id": "a", "event": "A"}],
            "qualify": "all",
        },
    }
    config.update(overrides)
    return config
