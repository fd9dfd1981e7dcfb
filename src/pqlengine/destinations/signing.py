"""HMAC-SHA256 webhook signatures: what we send and how a receiver checks it.

Header `X-PQL-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
Signing the timestamp with the body lets receivers reject replays older than a tolerance.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-PQL-Signature"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The signature header value for `body` sent at `timestamp` (unix seconds)."""
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.".encode() + body, hashlib.sha256)
    return f"t={moment},v1={digest.hexdigest()}"


def verify(secret: str, header: str, body: bytes, tolerance_seconds: int = 300) -> bool:
    """True when `header` signs `body` with `secret` and is no older than the tolerance."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        moment = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - moment) > tolerance_seconds:
        return False
    expected = sign(secret, body, moment).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
