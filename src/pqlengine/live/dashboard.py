"""The dashboard served by `pql serve` at `/`: server-rendered pages over cached aggregates.

Routes parse the query string, fetch one cached aggregate (or a live read) and render a
template (CONVENTIONS #8); the numbers come from `compute.panels` / `compute.lead_queue`,
the charts from `report.render`. Login: the API token in a form sets a session cookie (an
HMAC of the token and the issue time, HttpOnly, SameSite=Strict, Secure unless the page is
served over plain HTTP on a loopback address), or the API token as a Bearer header.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from pqlengine import __version__
from pqlengine.compute.lead_queue import QUEUE_STATUSES, live_queue
from pqlengine.compute.metrics import Period, SegmentError
from pqlengine.live import queries
from pqlengine.live.panel_cache import Lookup, PanelCache
from pqlengine.live.tables import get_state
from pqlengine.report.jinja import STYLESHEET, definition_text, environment
from pqlengine.store import Store

# Statistics and chart modules (SciPy, Altair, vl-convert) are imported where they are
# used, in the cache's worker thread, so that `pql serve` starts as fast as without them.

if TYPE_CHECKING:
    from pqlengine.live.service import Service

HERE = Path(__file__).parent
STATIC = {
    "vega-bundle.js": HERE / "static" / "vega-bundle.js",
    "dashboard.js": HERE / "static" / "dashboard.js",
    "pql.css": STYLESHEET,
}
COOKIE = "pql_session"
SESSION_SECONDS = 12 * 3600
LEADS_PER_PAGE = 50
FAILED_LOGIN_DELAY_SECONDS = 0.5
PAGES = (("/", "Overview"), ("/cohorts", "Cohorts"), ("/drivers", "Drivers"),
         ("/outcomes", "Outcomes"), ("/leads", "Leads"), ("/definition", "Definition"),
         ("/calc", "Calculator"))  # fmt: skip
CALC_FIELDS = ("pqls", "rate", "target_customers", "target_revenue", "arpa")
SECURITY_HEADERS = {
    # vega compiles chart expressions with Function(): 'unsafe-eval' is for that alone.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' "
        "'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class BadParameter(ValueError):
    """A query parameter the page cannot use."""


@dataclass(frozen=True)
class View:
    """The pickers every page shares; they live in the query string (shareable URLs)."""

    period: Period = "month"
    as_of: datetime | None = None  # None: now
    by: str | None = None
    segment: str | None = None

    @property
    def as_of_text(self) -> str | None:
        """as_of as given back in links (ISO 8601)."""
        return None if self.as_of is None else self.as_of.isoformat().replace("+00:00", "Z")

    def query(self, **extra: Any) -> str:
        """`?period=...` for links that keep the pickers (empty values left out)."""
        values = {
            "period": None if self.period == "month" else self.period,
            "as_of": self.as_of_text,
            "by": self.by,
            "segment": self.segment if self.by else None,
            **extra,
        }
        kept = {k: v for k, v in values.items() if v not in (None, "")}
        return "?" + urlencode(kept) if kept else ""

    def moment(self) -> datetime:
        """The evaluation instant (now when not given)."""
        return self.as_of or datetime.now(UTC)


def parse_view(params: dict[str, str]) -> View:
    """The pickers from the query string; BadParameter says which one is wrong."""
    period = params.get("period") or "month"
    if period not in ("week", "month"):
        raise BadParameter(f"period: '{period}' is not week or month")
    as_of = None
    if params.get("as_of"):
        try:
            as_of = datetime.fromisoformat(params["as_of"].strip().replace("Z", "+00:00"))
        except ValueError:
            raise BadParameter(
                f"as_of: '{params['as_of']}' is not a date or timestamp (e.g. 2026-06-30)"
            ) from None
        as_of = as_of.replace(tzinfo=UTC) if as_of.tzinfo is None else as_of.astimezone(UTC)
    by = (params.get("by") or "").strip() or None
    segment = params.get("segment") if by else None
    for name, value, most in (("by", by, 100), ("segment", segment, 200)):
        if value is not None and len(value) > most:
            raise BadParameter(f"{name}: longer than {most} characters")
    return View(cast(Period, period), as_of, by, segment or None)


def session_value(token: str, issued: int) -> str:
    """The cookie: issue time and an HMAC of it keyed by the API token."""
    mac = hmac.new(token.encode(), f"pql-dashboard|{issued}".encode(), hashlib.sha256)
    return f"{issued}.{mac.hexdigest()}"


def valid_session(token: str, value: str | None, now: float) -> bool:
    """True for a cookie this token issued less than SESSION_SECONDS ago."""
    if not value:
        return False
    issued_text, _, _ = value.partition(".")
    if not issued_text.isdigit():
        return False
    issued = int(issued_text)
    if not issued <= now + 60 or now - issued > SESSION_SECONDS:
        return False
    return hmac.compare_digest(session_value(token, issued).encode(), value.encode())


def cookie_must_be_secure(request: Request) -> bool:
    """Secure unless the page is served over plain HTTP on a loopback interface."""
    if request.url.scheme == "https":
        return True
    server = request.scope.get("server") or ("", 0)
    host = str(server[0])
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this server only."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


class Dashboard:
    """The pages, their cache and their login."""

    def __init__(self, service: Service, store: Callable[[], Store]) -> None:
        self.service = service
        self.store = store
        self.project = service.project
        # service.store at each open: the store may have been reopened (live/faults.py).
        self.cache = PanelCache(lambda: service.store.cursor(), user_errors=(ValueError,))
        service.on_reopen(self.cache.forget_store)
        service.on_stop(self.cache.shutdown)
        self.templates = environment(HERE / "templates")

    # --- rendering -----------------------------------------------------------------

    def page(
        self,
        request: Request,
        template: str,
        view: View,
        status: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        """Render `template` with the context every page shares."""
        html = self.templates.get_template(template).render(
            request_path=request.url.path,
            view=view,
            nav_pages=PAGES,
            project_name=self.project.project,
            definition=self.project.definition,
            version=self.project.version,
            package_version=__version__,
            **context,
        )
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def watermark(self) -> int:
        """How far the evaluator has got through the inbox: cached entries are keyed by it."""
        return int(get_state(self.store(), "inbox_seq") or 0)

    def lookup(
        self,
        key: tuple[Any, ...],
        view: View,
        compute: Callable[[Store], Any],
        wait: bool = True,
    ) -> Lookup:
        full_key = (key[0], self.project.version, view.period, view.as_of_text, *key[1:])
        return self.cache.get(full_key, self.watermark(), compute, view.as_of is None, wait)

    def panels(self, view: View, wait: bool = True) -> Lookup:
        """Every aggregate panel and its chart specs (specs built once, with the numbers)."""

        def compute(store: Store) -> dict[str, Any]:
            from pqlengine.compute.panels import dashboard_panels
            from pqlengine.report.render import panel_charts

            found = dashboard_panels(
                store, self.project, view.moment(), view.period, view.by, view.segment
            )
            return {"panels": found, "charts": panel_charts(found)}

        return self.lookup(("panels", view.by, view.segment), view, compute, wait)

    def segments(self, wait_seconds: float = 3.0) -> dict[str, list[str]]:
        """Attributes and values the segment pickers offer (empty while first computed)."""

        def compute(store: Store) -> dict[str, list[str]]:
            from pqlengine.compute.panels import segment_choices

            return segment_choices(store, self.project)

        found = self.cache.get(
            ("segments", self.project.version),
            self.watermark(),
            compute,
            moving_clock=False,
            wait=wait_seconds > 0,
            wait_seconds=wait_seconds,
        )
        entry = found.entry
        return entry.value if entry is not None and entry.value is not None else {}

    def drivers(self, view: View) -> Lookup:
        """Discovery's ranked candidates at the view's as_of, with the lift chart."""

        def compute(store: Store) -> dict[str, Any]:
            from pqlengine.compute.discovery import discover
            from pqlengine.compute.panels import drivers_panel
            from pqlengine.report.render import driver_charts

            found = drivers_panel(discover(store, self.project, view.moment()))
            return {"drivers": found, "charts": driver_charts(found)}

        # Discovery has no cohort period or segment filter: one entry serves every picker.
        return self.lookup(
            ("drivers",), replace(view, period="month", by=None, segment=None), compute
        )

    def outcomes(self, view: View) -> Lookup:
        """`pql outcomes` at the view's as_of and period, with the retention chart."""

        def compute(store: Store) -> dict[str, Any]:
            from pqlengine.compute.outcomes import compute_outcomes
            from pqlengine.report.render import outcome_charts

            found = compute_outcomes(store, self.project, view.moment(), view.period)
            return {"outcomes": found, "charts": outcome_charts(found)}

        return self.lookup(("outcomes",), replace(view, by=None, segment=None), compute)

    def compared(self, view: View, old: str, new: str) -> Lookup:
        """`pql compare` of two stored versions at the view's as_of and period."""

        def compute(store: Store) -> dict[str, Any]:
            from pqlengine.compute.compare import compare, resolve_definition
            from pqlengine.report.render import compare_charts

            before = resolve_definition(store, self.project, old)
            after = resolve_definition(store, self.project, new)
            found = compare(store, before, after, view.moment(), view.period)
            return {"compared": found, "charts": compare_charts(found)}

        return self.lookup(("compare", old, new), replace(view, by=None, segment=None), compute)

    def targets(self, view: View) -> Lookup | None:
        """The targets of pql.yaml at the view's as_of (None when there are none)."""
        if not self.project.targets:
            return None

        def compute(store: Store) -> dict[str, Any]:
            from pqlengine.compute.targets import compute_targets

            return {"targets": compute_targets(store, self.project, view.moment())}

        return self.lookup(("targets",), replace(view, period="month", by=None, segment=None),
                           compute, wait=False)  # fmt: skip

    def calc_inputs(self, view: View) -> Lookup:
        """The calculator's store-derived inputs at the view's as_of."""

        def compute(store: Store) -> dict[str, Any]:
            from pqlengine.compute.calc import observed_inputs

            return {"observed": observed_inputs(store, self.project, view.moment())}

        return self.lookup(("calc",), replace(view, period="month", by=None, segment=None), compute)

    def common(self, view: View) -> dict[str, Any]:
        """What every page with pickers needs."""
        return {"segments": self.segments(), "query": view.query()}

    def render_found(
        self, request: Request, view: View, found: Lookup, template: str, **context: Any
    ) -> HTMLResponse:
        """A page over one cached aggregate: its values, or 'computing', or its error."""
        entry = found.entry
        values = entry.value if entry is not None and entry.value is not None else {}
        status = 400 if entry is not None and entry.error else 200
        merged = {"charts": {}, **context, **values, **self.common(view), "found": found}
        return self.page(request, template, view, status, **merged)


# The default view is computed at start on stores of up to this many entities. Over 1M
# accounts it took about 50 s of CPU and 3 GB in the first minutes, when a restarted
# service takes the SDKs' retried backlog: durable ingest at 1M flat out was 5,180 events/s
# with it and 6,195 without (bench/RESULTS.md "2026-12-07 (night)"). On a larger store the
# first visit computes it (the page says so and reloads itself).
WARM_AT_START_ENTITIES = 100_000


def _params(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items()}


def mount_dashboard(app: FastAPI, service: Service, store: Callable[[], Store]) -> None:
    """Add the dashboard pages, login and static files to `app`."""
    board = Dashboard(service, store)
    router = APIRouter(include_in_schema=False)
    token = service.api_token

    def signed_in(request: Request) -> bool:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and given:
            return hmac.compare_digest(given.strip().encode(), token.encode())
        return valid_session(token, request.cookies.get(COOKIE), time.time())

    def to_login(request: Request) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)

    def guarded(
        render: Callable[[Request, View], Response],
    ) -> Callable[[Request], Response]:
        def route(request: Request) -> Response:
            if not signed_in(request):
                return to_login(request)
            try:
                view = parse_view(_params(request))
            except BadParameter as exc:
                return board.page(request, "error.html", View(), 400, message=str(exc))
            return render(request, view)

        return route

    @router.get("/static/{name}")
    def static(name: str) -> Response:
        path = STATIC.get(name)
        if path is None or not path.exists():
            return Response("not found", status_code=404, media_type="text/plain")
        media = "text/css" if name.endswith(".css") else "text/javascript"
        headers = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}
        return FileResponse(path, media_type=media, headers=headers)

    @router.get("/login")
    def login_form(request: Request) -> Response:
        next_path = safe_next(request.query_params.get("next"))
        return board.page(request, "login.html", View(), next_path=next_path, message=None)

    @router.post("/login")
    async def login(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        given = (form.get("token") or [""])[0].strip()
        next_path = safe_next((form.get("next") or ["/"])[0])
        if not hmac.compare_digest(given.encode(), token.encode()):
            await asyncio.sleep(FAILED_LOGIN_DELAY_SECONDS)  # slows down guessing
            return board.page(
                request, "login.html", View(), 401, next_path=next_path,
                message="That is not the API token (PQL_API_TOKEN) of this server.",
            )  # fmt: skip
        secure = cookie_must_be_secure(request)
        if secure and request.url.scheme != "https":
            return board.page(
                request, "login.html", View(), 400, next_path=next_path,
                message="This page is served over plain HTTP on a network interface, so the "
                "session cookie would travel in clear text. Serve it behind HTTPS, or reach "
                "it through an SSH tunnel to 127.0.0.1, or send the token as a Bearer header.",
            )  # fmt: skip
        response = RedirectResponse(next_path, status_code=303)
        response.set_cookie(
            COOKIE,
            session_value(token, int(time.time())),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="strict",
            secure=secure,
            path="/",
        )
        return response

    @router.post("/logout")
    def logout() -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    def overview(request: Request, view: View) -> Response:
        return board.render_found(
            request, view, board.panels(view), "overview.html", panels=None,
            targets_found=board.targets(view),
        )  # fmt: skip

    def calc(request: Request, view: View) -> Response:
        from pqlengine.stats.calc import calculator

        found = board.calc_inputs(view)
        entry = found.entry
        observed = entry.value["observed"] if entry is not None and entry.value else None
        given: dict[str, float | None] = {}
        for name in CALC_FIELDS:
            text = (request.query_params.get(name) or "").strip()
            try:
                given[name] = float(text) if text else None
            except ValueError:
                return board.page(request, "error.html", view, 400, message=f"{name}: not a number")
        # A pre-filled store value sent back unchanged stays the store's (with its interval).
        for name, key in (("pqls", "pqls_per_month"), ("rate", "rate"), ("arpa", "arpa")):
            if observed is not None and given[name] == observed.get(key):
                given[name] = None
        result, problem = None, None
        if observed is not None or (given["pqls"] is not None and given["rate"] is not None):
            try:
                result = calculator(
                    given["pqls"], given["rate"], given["arpa"], observed,
                    given["target_customers"], given["target_revenue"],
                )  # fmt: skip
            except ValueError as exc:
                problem = str(exc)
        return board.render_found(
            request, view, found, "calc.html", observed=None, result=result, problem=problem,
            given=given,
        )  # fmt: skip

    def cohorts(request: Request, view: View) -> Response:
        return board.render_found(request, view, board.panels(view), "cohorts.html", panels=None)

    def drivers(request: Request, view: View) -> Response:
        return board.render_found(request, view, board.drivers(view), "drivers.html", drivers=None)

    def outcomes(request: Request, view: View) -> Response:
        found = board.outcomes(view)
        return board.render_found(request, view, found, "outcomes.html", outcomes=None)

    def leads(request: Request, view: View) -> Response:
        try:
            page = max(1, int(request.query_params.get("page") or 1))
        except ValueError:
            return board.page(request, "error.html", view, 400, message="page: not a number")
        status = request.query_params.get("status") or "pql"
        if status not in QUEUE_STATUSES:
            message = f"status: '{status}' is not one of {', '.join(QUEUE_STATUSES)}"
            return board.page(request, "error.html", view, 400, message=message)
        try:
            queue = live_queue(
                board.store(), board.project, datetime.now(UTC), view.by, view.segment,
                LEADS_PER_PAGE, (page - 1) * LEADS_PER_PAGE, status,
            )  # fmt: skip
        except SegmentError as exc:
            return board.page(request, "error.html", view, 400, message=str(exc))
        pages = max(1, -(-queue["total"] // LEADS_PER_PAGE))
        return board.page(
            request, "leads.html", view, **board.common(view), queue=queue, page=page,
            pages=pages,
        )  # fmt: skip

    def lead(request: Request, view: View) -> Response:
        entity_id = request.path_params["entity_id"]
        try:
            detail = queries.lead_detail(board.store(), board.project, entity_id)
        except queries.NotFound as exc:
            return board.page(request, "error.html", view, 404, message=str(exc))
        return board.page(request, "lead.html", view, **board.common(view), lead=detail)

    def definition(request: Request, view: View) -> Response:
        versions = board.store().definitions()
        known = [v["version"] for v in versions]
        current = board.project.version
        old = request.query_params.get("old") or next(
            (v for v in reversed(known) if v != current), None
        )
        new = request.query_params.get("new") or current
        context: dict[str, Any] = {
            "yaml_text": definition_text(board.project),
            "versions": versions,
            "old": old,
            "new": new,
            "compared": None,
        }
        if not (old and new and old != new):
            return board.page(
                request, "definition.html", view, **board.common(view), found=None, charts={},
                **context,
            )  # fmt: skip
        if old not in known or new not in known:
            return board.page(
                request, "error.html", view, 400,
                message=f"old/new must be versions seen by this store ({', '.join(known)})",
            )  # fmt: skip
        found = board.compared(view, old, new)
        return board.render_found(request, view, found, "definition.html", **context)

    for path, render in (
        ("/", overview),
        ("/cohorts", cohorts),
        ("/drivers", drivers),
        ("/outcomes", outcomes),
        ("/leads", leads),
        ("/leads/{entity_id:path}", lead),
        ("/definition", definition),
        ("/calc", calc),
    ):
        router.add_api_route(path, guarded(render), methods=["GET"], response_class=HTMLResponse)
    app.include_router(router)
    if _signups(service.store, service.project.entity) <= WARM_AT_START_ENTITIES:
        # The pickers and the default view are computed before anyone asks for them.
        board.segments(wait_seconds=0)
        board.panels(View(), wait=False)


def _signups(store: Store, entity: str) -> int:
    """The entities of the store (rows of `accounts` or `users`): a count DuckDB keeps."""
    row = store.raw.execute(f"SELECT count(*) FROM {entity}s").fetchone()
    return int(row[0]) if row else 0
