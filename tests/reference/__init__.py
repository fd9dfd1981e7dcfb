"""Slow, obviously-correct reference implementation of docs/semantics.md (the test oracle)."""
