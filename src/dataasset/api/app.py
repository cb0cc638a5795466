"""The FastAPI application factory: routers, error mapping, the console's static files."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from dataasset import __version__
from dataasset.api import errors
from dataasset.api.routers import ROUTERS
from dataasset.core import jobs
from dataasset.core.calendar import load_calendar
from dataasset.core.db import make_engine, session_factory
from dataasset.core.workflow import definitions as workflow_definitions
from dataasset.settings import Settings, get_settings

STATIC = Path(__file__).resolve().parent.parent / "static"
_NOT_BUILT = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>数据资产管理平台</title>
<body><h1>数据资产管理平台</h1><p>控制台尚未构建：请运行 <code>make install</code>
（或 <code>cd web && npm install && npm run build</code>）。API 文档见 <a href="/docs">/docs</a>。</p>
</body></html>"""


def _operation_id(route: APIRoute) -> str:
    return route.name


class UploadLimit(BaseHTTPMiddleware):
    """Refuse request bodies larger than the configured limit before reading them."""

    def __init__(self, app: object, limit: int, limits: dict[str, int] | None = None) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.limit = limit
        self.limits = limits or {}  # path → its own limit (data files for discovery scans)

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        length = request.headers.get("content-length")
        limit = self.limits.get(request.url.path, self.limit)
        if length is not None and length.isdigit() and int(length) > limit + 64 * 1024:
            mb = limit // (1024 * 1024)
            return JSONResponse(
                status_code=413,
                content={"code": "file_too_large", "message": f"上传内容过大：最大 {mb} MB", "errors": []},
            )
        return await call_next(request)


def create_app(
    settings: Settings | None = None, *, database_url: str | None = None, jobs_immediate: bool = False
) -> FastAPI:
    """Build the app. Tests pass their own settings or database URL; the schema must be migrated.
    Background jobs are queued for a consumer (``serve`` starts one); ``jobs_immediate`` runs each
    job at once after its request commits (tests)."""
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level.upper())
    # rules are data validated at start: a bad file stops the app with the file and field named
    workflow_definitions.configure(
        [workflow_definitions.WORKFLOW_DIR, settings.var_dir / "rules" / "workflows"]
    )
    load_calendar()
    app = FastAPI(
        title="数据资产管理平台 dataasset",
        version=__version__,
        description="数据资产盘点、登记、评估、入表、运营、交易与监管平台的 API。",
        generate_unique_id_function=_operation_id,
    )
    engine = make_engine(database_url or settings.resolved_database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    app.state.secret_key = settings.resolved_secret_key()
    jobs.configure(settings, app.state.session_factory, immediate=jobs_immediate)
    app.add_middleware(
        UploadLimit,
        limit=settings.max_upload_bytes,
        limits={"/api/discovery/uploads": settings.max_scan_upload_bytes},
    )
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    _mount_console(app)
    return app


def _mount_console(app: FastAPI) -> None:
    index = STATIC / "index.html"
    if (STATIC / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=STATIC / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    def console(path: str) -> Response:
        if path.startswith("api/") or path == "api":
            return JSONResponse(status_code=404, content={"code": "not_found", "message": "请求的资源不存在"})
        candidate = (STATIC / path).resolve()
        if path and candidate.is_file() and STATIC.resolve() in candidate.parents:
            return FileResponse(candidate)
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return HTMLResponse(_NOT_BUILT)
