"""create_app(): builds the FastAPI application and mounts the routers."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from kefu import __version__, wiring
from kefu.accounts.api import router as accounts_router
from kefu.automation.api import router as automation_router
from kefu.channels.api import router as channels_router
from kefu.complaints.api import router as complaints_router
from kefu.conversations.api import router as conversations_router
from kefu.core.errors import ErrorBody, KefuError
from kefu.core.heap import freeze_startup_heap
from kefu.customers.api import router as customers_router
from kefu.nlp.api import router as nlp_router
from kefu.privacy.api import router as privacy_router
from kefu.qa.api import router as qa_router
from kefu.realtime.gateway import router as realtime_router
from kefu.routing.api import router as routing_router
from kefu.sla.api import router as sla_router
from kefu.sso.api import router as sso_router
from kefu.sso.api import sign_in_router as sso_sign_in_router
from kefu.web.api_docs import router as api_docs_router
from kefu.web.body_limit import BodySizeLimit
from kefu.web.console import router as console_router
from kefu.web.health import router as health_router
from kefu.web.proxy_headers import TrustedProxyHeaders
from kefu.web.qa_pages import router as qa_pages_router
from kefu.web.rendering import STATIC_DIR
from kefu.web.security_headers import SecurityHeaders
from kefu.web.widget import router as widget_router
from kefu.webhooks.api import router as webhooks_router
from kefu.wfm.api import router as wfm_router
from kefu.wiring import Container

log = logging.getLogger(__name__)

ROUTERS = [
    conversations_router, customers_router, accounts_router, webhooks_router, nlp_router, qa_router,
    health_router, wfm_router, sla_router, channels_router, privacy_router, routing_router,
    automation_router, complaints_router,
    sso_router, sso_sign_in_router,
]
"""Matched in this order, route by route, on every request: the busiest first (no path is in two)."""

_HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "validation_error", 429: "rate_limited",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorBody, "description": "Client error (validation errors are 422 with field paths)"}
}


def create_app(container: Container, *, start_worker: bool | None = None) -> FastAPI:
    """Build the application around a container; optionally run the in-process worker."""
    run_worker = container.settings.run_worker if start_worker is None else start_worker

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = container.settings.resolved_web_threads()
        if run_worker:
            wiring.start_worker(container)
        try:
            yield
        finally:
            if run_worker:
                container.runtime.stop()

    app = FastAPI(
        title="Kefu API",
        version=__version__,
        description="Kefu (客服) intelligent customer-service platform.",
        docs_url=None,  # web.api_docs serves Swagger UI from the package instead of a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.container = container
    app.state.session_factory, app.state.principals = wiring.web_sessions(container)
    app.add_middleware(BodySizeLimit, max_bytes=container.settings.max_request_bytes)
    app.add_middleware(SecurityHeaders)
    origins = [origin.strip() for origin in container.settings.cors_origins.split(",") if origin.strip()]
    if origins:  # CORS is off unless KEFU_CORS_ORIGINS names the origins allowed
        app.add_middleware(
            CORSMiddleware, allow_origins=origins, allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-CSRF-Token"], max_age=600,
        )
    app.add_middleware(TrustedProxyHeaders, trusted=container.settings.trusted_proxies)
    _install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router, prefix="/api/v1", responses=ERROR_RESPONSES)
    app.include_router(api_docs_router)
    app.include_router(console_router)
    app.include_router(qa_pages_router)
    app.include_router(realtime_router)
    app.include_router(widget_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def _error(
    status: int, code: str, message: str, details: Any = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={"error": {"code": code, "message": message, "details": details}},
        headers=headers,
    )


_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def _path_pattern(template: str) -> re.Pattern[str]:
    """A regex matching the concrete paths of an OpenAPI path template such as /customers/{customer_id}."""
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts) + "$")


def _allowed_methods(request: Request) -> str | None:
    """Every documented method of the request's path (Starlette names only the first route's)."""
    table: list[tuple[re.Pattern[str], set[str]]] | None = getattr(request.app.state, "allow_table", None)
    if table is None:
        table = [
            (_path_pattern(path), {method.upper() for method in operations if method in _HTTP_METHODS})
            for path, operations in request.app.openapi()["paths"].items()
        ]
        request.app.state.allow_table = table
    methods = set().union(*(methods for pattern, methods in table if pattern.match(request.scope["path"])))
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods)) or None


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(KefuError)
    async def _kefu_error(_request: Request, exc: KefuError) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status_code, content=exc.as_body(), headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
            for err in exc.errors()
        ]
        return _error(422, "validation_error", "request validation failed", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        headers = exc.headers
        if exc.status_code == 405:
            allowed = _allowed_methods(request)
            headers = {**(headers or {}), "Allow": allowed} if allowed else headers
        return _error(exc.status_code, code, str(exc.detail), headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return _error(500, "internal_error", "internal server error")


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` with several web processes: settings from the environment."""
    from kefu.config.settings import Settings
    from kefu.wiring import build_container

    app = create_app(build_container(Settings()))
    freeze_startup_heap()
    return app
