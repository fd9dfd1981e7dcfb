"""The live service: Segment-compatible ingest, real-time qualification and the REST API."""


class ServiceError(ValueError):
    """The service cannot start (missing secret, store locked, ...). Defined here, not in
    `service`, so that the CLI can catch it without importing the service's dependencies
    (statsmodels and SciPy through live scoring: about 3.5 s per command)."""
