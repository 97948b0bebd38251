"""The viewer's web app: a JSON API over the sources and their indexes, and one page (plain
JS and CSS shipped in the package) that renders every view from it.

Every page URL (`/s/<slug>/records?error=Timeout`, `/s/<slug>/records/42`, ...) serves the
same page, which reads the URL: deep links work for anyone running the same command.
Queries run in worker threads (SQLite, files); a background task takes in what changed on
disk every second (a dataset still being written, a rewritten verify report).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tracefabric.asgi.guard import RequestGuard
from tracefabric.errors import TracefabricError, error_body

from .access import AccessMiddleware
from .index.query import BadQuery, RecordQuery
from .sources import DatasetView, DocumentView, EvaluationView, FailuresView, Source
from .views import evaluation
from .views.overview import overview
from .views.timeline import record_view
from .views.workspace import replay_workspace

STATIC = Path(__file__).parent / "static"
REFRESH_S = 1.0
log = logging.getLogger("tracefabric.viewer")

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class ViewError(Exception):
    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error_type, self.message = status, error_type, message


def _encode(content: Any) -> bytes:
    try:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:  # integers beyond 64 bits, which a record may hold
        return json.dumps(content, ensure_ascii=False, default=str).encode("utf-8")


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return _encode(content)


def _params(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    return params


def _int(request: Request, name: str, default: int) -> int:
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ViewError(400, "InvalidQuery", f"{name}: {value!r} is not a whole number") from None


class Viewer:
    def __init__(self, sources: list[Source]) -> None:
        self.sources = {source.slug: source for source in sources}

    def source(self, slug: str, kind: type[Source] | tuple[type[Source], ...]) -> Any:
        source = self.sources.get(slug)
        if source is None:
            raise ViewError(
                404, "NotFound", f"no source {slug!r} (this viewer has: {', '.join(self.sources)})"
            )
        if not isinstance(source, kind):
            raise ViewError(404, "NotFound", f"{slug!r} is a {source.kind}, which has no such view")
        return source

    # -- endpoints ----------------------------------------------------------------------
    async def list_sources(self, request: Request) -> JSON:
        return JSON(await run_in_threadpool(lambda: [s.describe() for s in self.sources.values()]))

    async def overview(self, request: Request) -> JSON:
        view = self.source(request.path_params["slug"], DatasetView)
        return JSON(await run_in_threadpool(overview, view))

    async def status(self, request: Request) -> JSON:
        source = self.source(request.path_params["slug"], Source)
        return JSON(await run_in_threadpool(source.describe))

    async def records(self, request: Request) -> JSON:
        view: DatasetView = self.source(request.path_params["slug"], DatasetView)
        query = RecordQuery.from_params(_params(request))
        offset, limit = _int(request, "offset", 0), _int(request, "limit", 50)

        def run() -> dict[str, Any]:
            page = view.records.list(query, offset=offset, limit=limit)
            for item in page["items"]:
                item["key"] = view.key(item["split"], item["line"])
            return page

        return JSON(await run_in_threadpool(run))

    async def facets(self, request: Request) -> JSON:
        view: DatasetView = self.source(request.path_params["slug"], DatasetView)
        return JSON(await run_in_threadpool(view.facets, request.query_params.getlist("topic")))

    def _record(self, view: DatasetView, key: str) -> tuple[Any, dict[str, Any], str, int]:
        place = view.parse_key(key)
        found = view.records.record(*place) if place else None
        if found is None:
            raise ViewError(404, "NotFound", f"no record {key!r} in {view.slug}")
        row, record = found
        return row, record, place[0], place[1]  # type: ignore[index]

    async def record(self, request: Request) -> JSON:
        view: DatasetView = self.source(request.path_params["slug"], DatasetView)
        query = RecordQuery.from_params(_params(request))

        def run() -> dict[str, Any]:
            row, record, split, line = self._record(view, request.path_params["key"])
            near = view.records.neighbours(query, row["id"])
            for side in ("previous", "next"):
                if near[side]:
                    near[side] = view.key(near[side]["split"], near[side]["line"])
            return {
                "key": request.path_params["key"],
                "split": split,
                "line": line,
                "view": record_view(record),
                "record": record,
                "verify": view.records.verify_status(split, line),
                "neighbours": near,
                "replayable": view.dataset.run_paths.run_json.is_file()
                and isinstance(record.get("trace"), dict),
            }

        return JSON(await run_in_threadpool(run))

    async def replay(self, request: Request) -> JSON:
        view: DatasetView = self.source(request.path_params["slug"], DatasetView)
        _, record, _, line = await run_in_threadpool(self._record, view, request.path_params["key"])
        result = await asyncio.to_thread(
            replay_workspace, record, view.dataset.origin, line, view.dataset.run_paths.run_json
        )
        return JSON(result)

    def _failures(self, slug: str) -> Any:
        source = self.source(slug, (DatasetView, FailuresView))
        if source.failures is None:
            raise ViewError(404, "NotFound", f"{slug!r} has no failures file next to it")
        return source.failures

    async def failures(self, request: Request) -> JSON:
        index = self._failures(request.path_params["slug"])
        params = _params(request)
        offset, limit = _int(request, "offset", 0), _int(request, "limit", 50)

        def run() -> dict[str, Any]:
            return {"summary": index.summary(), **index.list(params, offset=offset, limit=limit)}

        return JSON(await run_in_threadpool(run))

    async def failure(self, request: Request) -> JSON:
        index = self._failures(request.path_params["slug"])
        line = request.path_params["line"]
        params = _params(request)

        def run() -> dict[str, Any]:
            found = index.entry("failures", line)
            if found is None:
                raise ViewError(404, "NotFound", f"no line {line} in the failures file")
            row, entry = found
            raw = entry.get("raw") if isinstance(entry, dict) else None
            is_record = isinstance(raw, dict) and isinstance(raw.get("messages"), list)
            near = index.neighbours(params, row["id"])
            return {
                "line": line,
                "entry": {k: v for k, v in entry.items() if k != "raw"} if isinstance(entry, dict) else entry,
                "raw": raw,
                "view": record_view(raw) if is_record else None,
                "neighbours": {side: near[side]["line"] if near[side] else None for side in near},
            }

        return JSON(await run_in_threadpool(run))

    async def run_info(self, request: Request) -> JSON:
        source = self.source(request.path_params["slug"], (DatasetView, DocumentView))

        def run() -> Any:
            if isinstance(source, DatasetView):
                info = source.run_info
                if info is None:
                    raise ViewError(
                        404, "NotFound", f"no {source.dataset.run_paths.run_json.name} next to the dataset"
                    )
                return {"path": str(source.dataset.run_paths.run_json), "run": info}
            return {"path": str(source.path), "run": source.document()}

        return JSON(await run_in_threadpool(run))

    async def evaluation(self, request: Request) -> JSON:
        source: EvaluationView = self.source(request.path_params["slug"], EvaluationView)
        document = await run_in_threadpool(source.document)
        answer = {"path": str(source.path), "report": evaluation.normalise(document)}
        other = request.query_params.get("compare")
        if other:
            second: EvaluationView = self.source(other, EvaluationView)
            second_document = await run_in_threadpool(second.document)
            answer["compare"] = {
                "slug": other,
                "path": str(second.path),
                "report": evaluation.normalise(second_document),
                "metrics": evaluation.compare(document, second_document),
            }
        return JSON(answer)

    async def evaluation_task(self, request: Request) -> JSON:
        source: EvaluationView = self.source(request.path_params["slug"], EvaluationView)
        document = await run_in_threadpool(source.document)
        task = evaluation.task_view(document, request.path_params["task"])
        if task is None:
            raise ViewError(404, "NotFound", f"no task {request.path_params['task']!r} in {source.slug}")
        return JSON(task)

    async def page(self, request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"cache-control": "no-store"})

    # -- keeping up with the files ------------------------------------------------------
    async def keep_up(self) -> None:
        failing: dict[str, str] = {}  # logged once, not every second, until it recovers
        while True:
            await asyncio.sleep(REFRESH_S)
            for slug, source in self.sources.items():
                try:
                    await run_in_threadpool(source.refresh)
                except Exception as exc:  # a bad moment on disk must not stop the viewer
                    problem = f"{type(exc).__name__}: {exc}"
                    if failing.get(slug) != problem:
                        log.warning("cannot take in the changes of %s: %s", source.path, problem)
                    failing[slug] = problem
                else:
                    if failing.pop(slug, None) is not None:
                        log.warning("%s: changes taken in again", source.path)


async def _view_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ViewError)
    return JSON(error_body(exc.error_type, exc.message), status_code=exc.status)


async def _bad_query(request: Request, exc: Exception) -> Response:
    return JSON(error_body("InvalidQuery", str(exc)), status_code=400)


async def _source_error(request: Request, exc: Exception) -> Response:
    return JSON(error_body("SourceError", str(exc)), status_code=500)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    kind = (
        "NotFound"
        if exc.status_code == 404
        else "MethodNotAllowed"
        if exc.status_code == 405
        else "HTTPError"
    )
    return JSON(error_body(kind, str(exc.detail)), status_code=exc.status_code)


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.exception("internal error serving %s", request.url.path, exc_info=exc)
    return JSON(error_body("InternalError", f"internal error: {type(exc).__name__}"), status_code=500)


class _SecurityHeaders:
    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, sending)


def create_app(sources: list[Source], *, token: str, port: int, host: str = "127.0.0.1") -> Any:
    viewer = Viewer(sources)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(viewer.keep_up())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    routes = [
        Route("/api/sources", viewer.list_sources),
        Route("/api/s/{slug}/status", viewer.status),
        Route("/api/s/{slug}/overview", viewer.overview),
        Route("/api/s/{slug}/facets", viewer.facets),
        Route("/api/s/{slug}/records", viewer.records),
        Route("/api/s/{slug}/records/{key}", viewer.record),
        Route("/api/s/{slug}/records/{key}/replay", viewer.replay, methods=["POST"]),
        Route("/api/s/{slug}/failures", viewer.failures),
        Route("/api/s/{slug}/failures/{line:int}", viewer.failure),
        Route("/api/s/{slug}/run", viewer.run_info),
        Route("/api/e/{slug}", viewer.evaluation),
        Route("/api/e/{slug}/tasks/{task}", viewer.evaluation_task),
        Route("/api/{rest:path}", _api_not_found),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Route("/{rest:path}", viewer.page),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            ViewError: _view_error,
            BadQuery: _bad_query,
            TracefabricError: _source_error,
            HTTPException: _http_error,
            Exception: _internal_error,
        },
    )
    app.state.viewer = viewer
    return AccessMiddleware(_SecurityHeaders(app), guard=RequestGuard(host, port), token=token, port=port)


async def _api_not_found(request: Request) -> Response:
    raise ViewError(404, "NotFound", f"no API route {request.url.path}")
