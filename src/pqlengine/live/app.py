"""HTTP routes: Segment-compatible ingest under /v1, the read API under /api.

Routes only parse, call one library function and render (CONVENTIONS #8). Every error,
ours or the framework's, has one shape: {"error": {"code", "message", "field"}}.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import re
import threading
import zlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from pqlengine import __version__
from pqlengine.compute.metrics import SegmentError, compute_metrics
from pqlengine.destinations.outbox import DeliveryNotFound, NotDead
from pqlengine.ingest.segment import (
    MAX_BATCH_BYTES,
    MAX_MESSAGE_BYTES,
    Message,
    MessageProblem,
    parse_batch,
)
from pqlengine.live import queries
from pqlengine.live.faults import RETRY_AFTER_SECONDS
from pqlengine.live.priority import lower_priority
from pqlengine.live.training import TrainingBusy, model_status, training_json
from pqlengine.live.writer import UnstorableMessages
from pqlengine.store import Store

if TYPE_CHECKING:
    from pqlengine.live.service import Service

LeadStatus = Literal[
    "all",
    "pql",
    "converted_pql",
    "lapsed",
    "converted_without_qualifying",
    "failed_fit",
    "not_qualified",
]
LeadSort = Literal[
    "qualified_at", "-qualified_at", "score", "-score", "entity_id", "-entity_id",
    "employees", "-employees", "updated_at", "-updated_at",
]  # fmt: skip
MAX_OFFSET = 1_000_000_000
MESSAGE_PATHS = ("track", "identify", "group", "page", "screen", "alias")
_local = threading.local()
T = TypeVar("T")


class ApiError(Exception):
    """An error answered with `status` and the common JSON shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.extra = extra or {}
        self.headers = headers


class ErrorDetail(BaseModel):
    """What went wrong, machine- and human-readable."""

    code: str
    message: str
    field: str | None


class ErrorResponse(BaseModel):
    """The one error shape of the whole API."""

    error: ErrorDetail


class ModelInService(BaseModel):
    """The stored model open PQLs are scored with."""

    version: str
    created_at: str
    trained_as_of: str
    window_days: int
    calibration: str | None


class TrainingRun(BaseModel):
    """A training run in the service: running, done (with the stored version) or failed."""

    status: Literal["running", "done", "failed"]
    window_days: int
    started_at: str
    finished_at: str | None
    version: str | None
    error: str | None


class ModelStatus(BaseModel):
    """What `pql_score` of open PQLs is now: "model:<version>" or "criteria_progress"."""

    score_source: str
    model: ModelInService | None
    note: str | None = Field(description="why no model is used, when none is")
    training: TrainingRun | None


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in (
        (400, "Invalid request (parameter, JSON, or message)"),
        (401, "Missing or wrong credentials"),
        (404, "Not found"),
        (408, "Request body not received in time"),
        (413, "Body or message too large"),
        (415, "Unsupported Content-Encoding"),
        (503, "Store unavailable"),
        (507, "Disk full where the store is; retry after Retry-After seconds"),
    )
}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """The one error shape."""
    return {"error": {"code": code, "message": message, "field": field}}


def create_app(service: Service) -> FastAPI:
    """The FastAPI application serving `service`."""
    app = FastAPI(
        title="pqlengine",
        version=__version__,
        description="Segment-compatible ingest, PQL leads, transitions and deliveries.",
        responses=_ERRORS,
        # Swagger UI and ReDoc load their JavaScript from a CDN; many servers are offline.
        docs_url=None,
        redoc_url=None,
    )

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        body = error_body(exc.code, exc.message, exc.field) | exc.extra
        return JSONResponse(body, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        # Starlette's own headers stay: `Allow` on a 405 says which methods the path takes.
        return JSONResponse(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        field = ".".join(str(p) for p in first["loc"][1:]) or None
        return JSONResponse(
            error_body("invalid_parameter", f"{field}: {first['msg']}", field), status_code=400
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        message = f"internal error ({type(exc).__name__}); see the server log"
        return JSONResponse(error_body("internal_error", message), status_code=500)

    def store() -> Store:
        # One DuckDB connection per worker thread, to the database the service holds open.
        # Keyed by the store: after a reopen (live/faults.py) the old cursors are closed.
        # The routes that use it are reads: their threads yield the CPU to ingest and passes.
        lower_priority()
        cached = getattr(_local, "store", None)
        if cached is None or getattr(_local, "owner", None) is not service.store:
            cached = service.store.cursor()
            _local.store, _local.owner = cached, service.store
        return cached

    def read_token(request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode(), service.api_token.encode()
        ):
            raise ApiError(
                401,
                "unauthorized",
                "send the API token as 'Authorization: Bearer <PQL_API_TOKEN>'",
                headers={"WWW-Authenticate": "Bearer"},
            )

    api = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(read_token)])

    async def read(compute: Callable[[Store], T]) -> T:
        # Heavy reads on the service's one read worker (live/reads.py), not a pool thread.
        from pqlengine.live.reads import ReadsBusy

        try:
            future = service.reads.submit(compute)
        except ReadsBusy as exc:
            headers = {"Retry-After": str(exc.retry_after_seconds)}
            raise ApiError(503, "busy", str(exc), headers=headers) from None
        return await asyncio.wrap_future(future)

    @app.get(
        "/healthz",
        tags=["service"],
        responses={503: {"description": "The store takes no writes (disk full, reopening)"}},
    )
    def healthz() -> JSONResponse:
        """Liveness plus how far evaluation and delivery have got; 503 with `store` saying
        why (disk full since ..., last error) while the store takes no writes."""
        report: dict[str, Any] = {}
        try:
            report = queries.health(store())
        except Exception as exc:  # e.g. the store is closed for a reopen that failed
            if service.store_failed(exc) is None and service.health.fault is None:
                raise
        loader = service.evaluator.cache.loader
        report["evaluator"] = {
            "passes": service.evaluator.passes,
            "last_pass_ms": round(service.evaluator.last_pass_ms, 1),
            "last_pass_entities": service.evaluator.last_pass_entities,
            # Median, 95th percentile and longest of the latest passes (an alert waits for
            # the pass under way, then its own).
            "recent_pass_ms": _spread(service.evaluator.recent_pass_ms),
            # Entities evaluated since the start: all, due (a lapse), their read came in.
            "evaluated": dict(service.evaluator.evaluated),
            # Passes that read `events` for entities not cached yet (live/entity_cache.py).
            "cold_reads": service.evaluator.cache.cold_reads,
            "last_pass_cold": service.evaluator.cache.last_cold,
            # Cold entities' events read in the background while passes go on.
            "background_reads": loader.reads,
            "last_background_read_ms": round(loader.last_read_ms, 1),
            "waiting_for_read": loader.waiting(),
            # Cold entities with no history, cached without a read.
            "new_entities": service.evaluator.cache.new_entities,
            # The entity cache now, and the entities it dropped for room since the start.
            "cached_entities": service.evaluator.cache.entities(),
            "cached_rows": service.evaluator.cache.rows(),
            "cache_rows_limit": service.evaluator.cache.max_rows,
            "evicted": service.evaluator.cache.evicted,
        }
        checked = service.target_watch.last
        if service.target_watch.active:
            report["targets"] = {
                "checked_at": None if checked is None else _iso(checked.checked_at),
                "statuses": {} if checked is None else checked.statuses,
                "alerts_queued": 0 if checked is None else checked.queued,
                "error": None if checked is None else checked.error,
            }
        writer = service.writer
        report["writer"] = {
            "commits": writer.commits,
            "last_commit_ms": round(writer.last_commit_ms, 1),
            # Messages found in the dedupe window (live/dedupe.py) and not stored again, and
            # how many message ids the window holds now (at most about 10M).
            "duplicates": writer.duplicates,
            "dedupe_window": writer.window.held,
            # Registry rows appended by commits, merged by the compactor (registry.py).
            "registry_rows_pending": writer.compactor.pending,
            "compactions": writer.compactor.compactions,
            # WAL checkpoints the service ran itself (live/writer.py Compactor).
            "checkpoints": writer.compactor.checkpoints,
            "last_checkpoint_ms": round(writer.compactor.last_checkpoint_ms, 1),
            "checkpoints_refused": writer.compactor.checkpoints_refused,
        }
        fault = service.health.fault
        report["store"] = (
            {"state": "ok", "path": service.store.path} if fault is None else fault.to_json()
        )
        report["store"]["reopened"] = service.health.reopened
        if fault is None:
            return JSONResponse(report)
        report["status"] = fault.kind
        return JSONResponse(report, status_code=503)

    async def ingest(request: Request, kind: str | None) -> JSONResponse:
        received_at = service.clock()
        limit = MAX_BATCH_BYTES if kind is None else MAX_MESSAGE_BYTES
        # Auth before parsing: a wrong header is refused before the body is read; without
        # one, the key must be in the raw body before the JSON parser sees it.
        header_ok = _check_write_key(request, service.write_key)
        body = await _read_body(request, limit, service.project.live.body_timeout_seconds)
        if not header_ok and not _write_key_in_body(body, service.write_key):
            raise _unauthorized()
        payload = _parse_json(body)
        if kind is None:
            batch = payload.get("batch")
            if not isinstance(batch, list):
                raise ApiError(
                    400, "invalid_batch", "'batch' must be an array of messages", "batch"
                )
            context = payload.get("context")
            messages = [_with_context(m, context) for m in batch]
        else:
            messages = [{**payload, "type": kind}]
        good, problems = parse_batch(
            messages,
            received_at,
            service.project.live.account_id_from,
            sent_at=payload.get("sentAt"),
            indexed=kind is None,
        )
        result, refused = await _write(good, received_at)
        problems = _with_refused(problems, refused, len(messages), indexed=kind is None)
        accepted = len(good) - len(refused)
        if problems:
            first = problems[0]
            where = first.field if first.index is None else f"batch[{first.index}].{first.field}"
            where = where.rstrip(".")
            too_large = any(p.code == "message_too_large" for p in problems)
            raise ApiError(
                413 if too_large else 400,
                "message_too_large" if too_large else "invalid_message",
                f"{len(problems)} rejected, {accepted} accepted; first: {first.message}",
                where or None,
                {
                    "accepted": accepted,
                    "problems": [p.to_json() for p in problems],
                    "duplicates": result["duplicates"],
                },
            )
        return JSONResponse({"success": True, **result})

    async def _write(
        good: list[Message], received_at: datetime
    ) -> tuple[dict[str, int], dict[int, str]]:
        """Commit `good`: the counts, and the positions the store refused (why)."""
        refused: dict[int, str] = {}
        try:
            written = await asyncio.wrap_future(
                service.submit(good, received_at.replace(tzinfo=None))
            )
        except UnstorableMessages as exc:
            written, refused = exc.written, exc.refused
        except Exception as exc:
            raise _unstored(service, exc) from None
        return {"accepted": written.accepted, "duplicates": written.duplicates}, refused

    @app.post("/v1/batch", tags=["ingest"], summary="Segment batch")
    async def batch(request: Request) -> JSONResponse:
        """Segment Tracking API batch: up to 500 KB, 32 KB per message."""
        return await ingest(request, None)

    def single(kind: str) -> None:
        async def route(request: Request) -> JSONResponse:
            return await ingest(request, kind)

        route.__name__ = kind
        route.__doc__ = f"Segment Tracking API {kind} call (32 KB at most)."
        app.post(f"/v1/{kind}", tags=["ingest"], summary=f"Segment {kind}")(route)

    for kind in MESSAGE_PATHS:
        single(kind)

    @api.get("/leads")
    def leads(
        status: LeadStatus = "pql",
        q: Annotated[str | None, Query(max_length=200, description="id/name/domain")] = None,
        sort: LeadSort = "-qualified_at",
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> dict[str, Any]:
        """Entities and their live status (default: open PQLs, newest first)."""
        chosen = None if status == "all" else status
        try:
            return queries.list_leads(
                store(), service.project, chosen, q, sort, limit, offset, now=service.clock()
            )
        except ValueError as exc:
            raise ApiError(400, "invalid_parameter", str(exc), "sort") from None

    @api.get("/leads/{entity_id}")
    def lead(entity_id: str) -> dict[str, Any]:
        """One lead: criteria progress, why, timeline and transitions."""
        try:
            return queries.lead_detail(store(), service.project, entity_id, now=service.clock())
        except queries.NotFound as exc:
            raise ApiError(404, "not_found", str(exc), "entity_id") from None

    @api.get("/metrics")
    async def metrics(
        request: Request,
        period: Literal["week", "month"] = "month",
        by: Annotated[str | None, Query(max_length=100)] = None,
    ) -> JSONResponse:
        """The four PQL metrics by signup cohort, as `pql metrics --format json`. A result
        that took a second or more is served again for four times as long (`Age` says how
        old it is; `Cache-Control: no-cache` asks for a new one)."""
        from pqlengine.live.reads import ReadsBusy
        from pqlengine.output import to_json

        now = service.clock()
        fresh = "no-cache" in request.headers.get("cache-control", "").lower()
        key = ("metrics", service.project.version, period, by)
        try:
            future = service.reads.submit_spaced(
                key, lambda s: compute_metrics(s, service.project, now, period, by), fresh
            )
        except ReadsBusy as exc:
            headers = {"Retry-After": str(exc.retry_after_seconds)}
            raise ApiError(503, "busy", str(exc), headers=headers) from None
        try:
            found = await asyncio.wrap_future(future)
        except SegmentError as exc:
            raise ApiError(400, "invalid_parameter", str(exc), "by") from None
        headers = {"Age": str(int(found.age_seconds))}
        return JSONResponse(json.loads(to_json(found.value)), headers=headers)

    @api.get("/definitions")
    def definitions() -> dict[str, Any]:
        """Definition versions seen by this store, and the one in service."""
        rows = store().definitions()
        items = [
            {"version": r["version"], "name": r["name"], "first_seen_at": _iso(r["first_seen_at"])}
            for r in rows
        ]
        return {"current": service.project.version, "items": items}

    @api.get("/model", response_model=ModelStatus)
    def model() -> dict[str, Any]:
        """The model scoring open PQLs (or why none), and the last training in the service."""
        return model_status(service.evaluator.scorer, service.trainer.last)

    @api.post(
        "/model/train",
        status_code=202,
        response_model=TrainingRun,
        responses={409: {"model": ErrorResponse, "description": "A training is running"}},
    )
    def retrain(
        window_days: Annotated[int, Query(ge=1, le=365, description="days after signup")] = 14,
    ) -> dict[str, Any]:
        """Train a model as of now in the background (`pql model train` cannot open the store
        while the service holds it); open PQLs are scored with it once it is stored."""
        try:
            return training_json(service.trainer.start(window_days))
        except TrainingBusy as exc:
            raise ApiError(409, "training_running", str(exc)) from None

    @api.get("/transitions")
    def transitions(
        entity_id: str | None = None,
        kind: Literal["entered", "left"] | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> dict[str, Any]:
        """Entered / left PQL transitions, newest first."""
        filters = {"entity_id": entity_id, "kind": kind}
        return queries.list_rows(store(), "pql_transitions", filters, limit, offset)

    @api.get("/outbox")
    def outbox(
        status: Literal["pending", "delivered", "dead", "skipped"] | None = None,
        destination: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> dict[str, Any]:
        """Deliveries with attempts, last error and dead letters, newest first."""
        filters = {"status": status, "destination": destination}
        return queries.list_rows(store(), "outbox", filters, limit, offset)

    @api.post(
        "/outbox/retry",
        responses={409: {"model": ErrorResponse, "description": "Not a dead delivery"}},
    )
    def retry_dead(
        status: Literal["dead"] = "dead", destination: str | None = None
    ) -> dict[str, Any]:
        """Re-queue every dead delivery (of `destination`): same delivery id and
        Idempotency-Key, attempts from 0, due now."""
        return service.requeue_dead(store(), None, destination).to_json()

    @api.post(
        "/outbox/{delivery_id}/retry",
        responses={409: {"model": ErrorResponse, "description": "Not a dead delivery"}},
    )
    def retry_delivery(delivery_id: str, destination: str | None = None) -> dict[str, Any]:
        """Re-queue one dead delivery (same delivery id and Idempotency-Key)."""
        try:
            return service.requeue_dead(store(), delivery_id, destination).to_json()
        except DeliveryNotFound as exc:
            raise ApiError(404, "not_found", str(exc), "delivery_id") from None
        except NotDead as exc:
            raise ApiError(409, "not_dead", str(exc), "delivery_id") from None

    app.include_router(api)
    from pqlengine.live.run_api import run_router

    app.include_router(run_router(service, read), dependencies=[Depends(read_token)])
    from pqlengine.live.dashboard import mount_dashboard

    mount_dashboard(app, service, store)
    return app


def _unstored(service: Service, exc: Exception) -> ApiError:
    """507 when the disk is full, 503 otherwise; both with Retry-After."""
    # While the store is reopened the refusal names the fault that made it necessary.
    fault = service.store_failed(exc) or service.health.fault
    retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if fault is None:
        message = f"could not store the messages: {type(exc).__name__}"
        return ApiError(503, "store_unavailable", message, headers=retry)
    if fault.kind == "disk_full":
        return ApiError(507, "insufficient_storage", fault.message(), headers=retry)
    return ApiError(503, "store_unavailable", fault.message(), headers=retry)


async def _read_body(request: Request, limit: int, timeout_seconds: float) -> bytes:
    """The request body, gunzipped, refusing more than `limit` bytes (413) or a body that
    has not fully arrived `timeout_seconds` after the headers (408)."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip", ""):
        raise ApiError(415, "unsupported_encoding", f"Content-Encoding '{encoding}': use gzip")
    try:
        # A client trickling its body would otherwise hold a connection and a request for
        # as long as it likes.
        async with asyncio.timeout(timeout_seconds):
            raw = await _received(request, limit, 4 * limit if encoding == "gzip" else limit)
    except TimeoutError:
        raise ApiError(
            408,
            "request_timeout",
            f"the request body did not arrive within {timeout_seconds:g} s",
            headers={"Connection": "close"},
        ) from None
    if encoding != "gzip":
        return raw
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        body = inflater.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise ApiError(400, "invalid_gzip", f"body is not valid gzip: {exc}") from None
    if len(body) > limit or inflater.unconsumed_tail:
        raise _too_large(limit)
    return body


async def _received(request: Request, limit: int, raw_limit: int) -> bytes:
    """The body as sent, refusing more than `raw_limit` bytes."""
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > raw_limit:
            raise _too_large(limit)
    return bytes(raw)


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413, "payload_too_large", f"request body is larger than {limit // 1024} KB", None
    )


def _parse_json(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_json", "body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        message = f"body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise ApiError(400, "invalid_json", message) from None
    except RecursionError:
        message = "body is not acceptable JSON: arrays and objects nest too deeply"
        raise ApiError(400, "invalid_json", message) from None
    except ValueError:  # Python refuses integer literals of more than 4300 digits
        message = "body is not acceptable JSON: a number has more than 4300 digits"
        raise ApiError(400, "invalid_json", message) from None
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_json", "body must be a JSON object")
    return payload


def _check_write_key(request: Request, write_key: str) -> bool:
    """HTTP Basic with the write key as user (what Segment SDKs send), checked before the
    body is read: True when the header holds the key, False when there is no header (the
    body may carry the key), 401 when the header is there but wrong."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if not scheme:
        return False
    given = b""
    if scheme.lower() == "basic":
        try:
            given = base64.b64decode(value.strip(), validate=True).split(b":", 1)[0]
        except binascii.Error:
            given = b""
    if given and hmac.compare_digest(given, write_key.encode()):
        return True
    raise _unauthorized()


# `"writeKey": "<key>"` in the raw body; a key with JSON escapes in it is not recognised.
_BODY_WRITE_KEY = re.compile(rb'"writeKey"\s*:\s*"([^"\\]{1,1024})"')


def _write_key_in_body(body: bytes, write_key: str) -> bool:
    """Whether the body carries the write key as a `"writeKey"` string, found by a scan of
    the raw (size-limited) bytes, so an anonymous client never reaches the JSON parser."""
    expected = write_key.encode()
    found = [m.group(1) for m in _BODY_WRITE_KEY.finditer(body)]
    return any(hmac.compare_digest(given, expected) for given in found)


def _unauthorized() -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        "send the write key as HTTP Basic user (empty password) or as 'writeKey'",
        headers={"WWW-Authenticate": 'Basic realm="pql"'},
    )


def _with_refused(
    problems: list[MessageProblem], refused: dict[int, str], count: int, indexed: bool
) -> list[MessageProblem]:
    """Validation problems plus the messages the store refused (by position among the
    accepted ones), in request order."""
    if not refused:
        return problems
    rejected = {p.index for p in problems}
    places: list[int | None] = [i for i in range(count) if i not in rejected] if indexed else [None]
    stored = [MessageProblem(places[p], "", f"not stored: {why}") for p, why in refused.items()]
    return sorted([*problems, *stored], key=lambda p: -1 if p.index is None else p.index)


def _with_context(message: Any, context: Any) -> Any:
    if not isinstance(message, dict) or not isinstance(context, dict):
        return message
    inner = message.get("context")
    merged = {**context, **inner} if isinstance(inner, dict) else context
    return {**message, "context": merged}


def _iso(value: Any) -> str | None:
    return queries.iso(value)


def _spread(values: Iterable[float]) -> dict[str, float | None]:
    """p50, p95 and max of `values` (nearest rank), rounded to 0.1; None when empty."""
    ordered = sorted(values)
    if not ordered:
        return {"p50": None, "p95": None, "max": None}
    ranks = {"p50": 0.5, "p95": 0.95, "max": 1.0}
    last = len(ordered) - 1
    return {name: round(ordered[min(last, int(q * len(ordered)))], 1) for name, q in ranks.items()}
