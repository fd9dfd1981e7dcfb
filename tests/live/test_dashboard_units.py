"""Dashboard pieces without a server: session cookie, pickers, cache, redaction, formats."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.requests import Request

from pqlengine.live.dashboard import (
    SESSION_SECONDS,
    BadParameter,
    View,
    cookie_must_be_secure,
    parse_view,
    safe_next,
    session_value,
    valid_session,
)
from pqlengine.live.panel_cache import PanelCache
from pqlengine.report import format as fmt
from pqlengine.report.jinja import redact


def test_session_cookie_is_bound_to_token_and_time() -> None:
    now = time.time()
    cookie = session_value("secret-token", int(now))
    assert valid_session("secret-token", cookie, now)
    assert not valid_session("other-token", cookie, now)
    assert not valid_session("secret-token", cookie, now + SESSION_SECONDS + 1)
    assert not valid_session("secret-token", session_value("secret-token", int(now) + 3600), now)
    tampered = cookie[:-1] + ("0" if cookie[-1] != "0" else "1")
    assert not valid_session("secret-token", tampered, now)
    for junk in (None, "", "abc", "12.", ".deadbeef"):
        assert not valid_session("secret-token", junk, now)
    assert "secret-token" not in cookie


def request_to(scheme: str, server_host: str) -> Request:
    scope: dict[str, Any] = {
        "type": "http",
        "scheme": scheme,
        "server": (server_host, 8765),
        "path": "/login",
        "headers": [(b"host", f"{server_host}:8765".encode())],
        "query_string": b"",
        "method": "POST",
    }
    return Request(scope)


@pytest.mark.parametrize(
    ("scheme", "host", "secure"),
    [
        ("http", "127.0.0.1", False),
        ("http", "::1", False),
        ("http", "localhost", False),
        ("http", "10.0.0.5", True),
        ("http", "0.0.0.0", True),
        ("https", "127.0.0.1", True),
        ("https", "10.0.0.5", True),
    ],
)
def test_cookie_is_secure_unless_plain_http_on_loopback(
    scheme: str, host: str, secure: bool
) -> None:
    assert cookie_must_be_secure(request_to(scheme, host)) is secure


def test_login_only_redirects_to_local_paths() -> None:
    assert safe_next("/leads?page=2") == "/leads?page=2"
    for bad in (None, "", "https://evil.example/", "//evil.example", "/\\evil", "leads"):
        assert safe_next(bad) == "/"


def test_pickers_parse_and_round_trip() -> None:
    assert parse_view({}) == View()
    view = parse_view({"period": "week", "as_of": "2026-11-01", "by": "plan", "segment": "free"})
    assert view == View("week", datetime(2026, 11, 1, tzinfo=UTC), "plan", "free")
    assert view.query() == "?period=week&as_of=2026-11-01T00%3A00%3A00Z&by=plan&segment=free"
    assert parse_view({"segment": "free"}).segment is None  # a segment needs its `by`
    assert parse_view({"as_of": "2026-11-01T12:00:00+02:00"}).as_of == datetime(
        2026, 11, 1, 10, tzinfo=UTC
    )
    with pytest.raises(BadParameter, match="period"):
        parse_view({"period": "year"})
    with pytest.raises(BadParameter, match="as_of"):
        parse_view({"as_of": "yesterday"})
    with pytest.raises(BadParameter, match="by"):
        parse_view({"by": "x" * 101})


class Counter:
    """A compute function that counts calls and can be made slow or failing."""

    def __init__(self, delay: float = 0.0, error: Exception | None = None) -> None:
        self.calls = 0
        self.delay = delay
        self.error = error
        self.release = threading.Event()
        self.release.set()

    def __call__(self, store: Any) -> int:
        self.calls += 1
        self.release.wait(5)
        time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return self.calls


def test_cache_computes_once_per_watermark_and_serves_stale_while_refreshing() -> None:
    cache = PanelCache(lambda: None, wait_seconds=5)  # type: ignore[arg-type, return-value]
    compute = Counter()
    first = cache.get(("panels", 1), 7, compute, moving_clock=False)
    assert first.fresh and first.entry is not None and first.entry.value == 1
    again = cache.get(("panels", 1), 7, compute, moving_clock=False)
    assert again.fresh and compute.calls == 1  # served from memory
    compute.release.clear()
    stale = cache.get(("panels", 1), 8, compute, moving_clock=False)  # new events arrived
    assert not stale.fresh and stale.entry is not None and stale.entry.value == 1
    compute.release.set()
    deadline = time.monotonic() + 5
    while not cache.get(("panels", 1), 8, compute, moving_clock=False, wait=False).fresh:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert compute.calls == 2
    cache.shutdown()


def test_cache_ages_out_entries_for_a_moving_clock() -> None:
    cache = PanelCache(lambda: None, max_age_seconds=0.0)  # type: ignore[arg-type, return-value]
    compute = Counter()
    cache.get(("now",), 1, compute, moving_clock=True)
    assert not cache.get(("now",), 1, compute, moving_clock=True, wait=False).fresh
    assert cache.get(("fixed",), 1, compute, moving_clock=False).fresh
    cache.shutdown()


def test_cache_reports_errors_and_gives_up_waiting() -> None:
    cache = PanelCache(lambda: None, wait_seconds=0.2)  # type: ignore[arg-type, return-value]
    failing = cache.get(("bad",), 1, Counter(error=ValueError("unknown segment 'x'")), False)
    assert failing.entry is not None and failing.entry.error == "unknown segment 'x'"
    crash = cache.get(("crash",), 1, Counter(error=RuntimeError("boom")), False)
    assert crash.entry is not None and crash.entry.error is not None
    assert "RuntimeError" in crash.entry.error and "boom" not in crash.entry.error
    slow = cache.get(("slow",), 1, Counter(delay=1.0), False)
    assert slow.entry is None and slow.pending
    cache.shutdown()


def test_literal_secrets_are_masked_but_env_references_kept() -> None:
    text = (
        "destinations:\n"
        "  - {type: webhook, url: 'https://x', secret: '${PQL_WEBHOOK_SECRET}'}\n"
        "  - type: hubspot\n"
        "    token: pat-na1-12345\n"
        "    api_key: ${HUBSPOT_KEY}\n"
    )
    masked = redact(text)
    assert "pat-na1-12345" not in masked and "token: •••• (hidden)" in masked
    assert "${HUBSPOT_KEY}" in masked and "${PQL_WEBHOOK_SECRET}" in masked


def test_numbers_are_formatted_for_people() -> None:
    assert fmt.pct(0.1234) == "12.3%" and fmt.pct(None) == "–"
    assert fmt.pct_interval([0.098, 0.151]) == "9.8–15.1%"
    assert fmt.days(4.21) == "4.2 days" and fmt.days(1.0) == "1.0 day"
    assert fmt.compact(1234) == "1.2k" and fmt.compact(999) == "999"
    assert fmt.compact(2_500_000) == "2.5M" and fmt.compact(999_999) == "1.0M"
    assert fmt.integer(1234567) == "1,234,567"
    assert fmt.ratio(2.345) == "2.3×" and fmt.p_value(0.0004) == "< 0.001"
    assert fmt.age(0.5) == "30 min" and fmt.age(5.25) == "5.2 h" and fmt.age(72) == "3.0 days"
    assert fmt.when("2026-01-05T10:00:00Z") == "2026-01-05 10:00 UTC"


def test_a_heavy_entry_is_not_recomputed_for_four_times_its_duration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pqlengine.live import panel_cache

    monkeypatch.setattr("pqlengine.live.reads.HEAVY_SECONDS", 0.05)
    cache = PanelCache(lambda: None, wait_seconds=5)  # type: ignore[arg-type, return-value]
    compute = Counter(delay=0.1)
    assert cache.get(("heavy",), 1, compute, moving_clock=False).fresh
    spaced = cache.get(("heavy",), 2, compute, moving_clock=False)  # new events arrived
    assert spaced.spaced and not spaced.fresh and not spaced.pending and compute.calls == 1
    assert spaced.next_at is not None and spaced.entry is not None
    assert spaced.next_at > spaced.entry.computed_at
    assert spaced.spacing_seconds == pytest.approx(panel_cache.SPACING * spaced.entry.seconds)
    time.sleep(spaced.spacing_seconds)
    later = cache.get(("heavy",), 2, compute, moving_clock=False, wait=False)
    assert not later.spaced and later.pending  # recomputing now
    cache.shutdown()
