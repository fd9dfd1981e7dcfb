"""Shared test infrastructure: config builders, an in-process CLI, cached demo projects and
the hypothesis example counts of the current profile."""
