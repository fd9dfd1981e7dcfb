"""How many hypothesis examples a property runs: the profile named by PQL_HYPOTHESIS.

`ci` (the default: plain `pytest` and `make test`) keeps every property's full count; `dev`
(`make test-fast`) runs at most DEV_EXAMPLES of each, for a quick loop while editing."""

from __future__ import annotations

import os

PROFILES = ("ci", "dev")
DEV_EXAMPLES = 10


def profile() -> str:
    """The profile named by the environment variable PQL_HYPOTHESIS (default `ci`)."""
    name = os.environ.get("PQL_HYPOTHESIS", "ci") or "ci"
    if name not in PROFILES:
        raise ValueError(f"PQL_HYPOTHESIS={name!r} is not one of {', '.join(PROFILES)}")
    return name


def examples(n: int) -> int:
    """`n` examples under the ci profile, at most DEV_EXAMPLES under dev."""
    return n if profile() == "ci" else min(n, DEV_EXAMPLES)
