"""`python -m pqlengine` runs the `pql` CLI."""

from __future__ import annotations

from pqlengine.cli import main

main()
