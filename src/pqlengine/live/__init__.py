"""The live service: Segment-compatible ingest, real-time qualification and the REST API."""
