"""The FastAPI application: ``create_app()`` builds it; the lifespan loads the engine."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from api import errors
from api.keepalive import KeepAliveLimit
from api.routes import (
    admin,
    assignments,
    cohorts,
    feedback,
    health,
    identity,
    mentees,
    mentors,
    outbox,
    relationships,
    suggestions,
    ui,
)
from api.security import Guard, Limits, docs_csp, quiet_tracebacks
from recommender.engine import Engine, build_engine
from recommender.matching.lifecycle import Lifecycle
from recommender.matching.notifications import Courier, Postman
from recommender.retrieval.threads import request_threads
from recommender.settings import Settings
from recommender.storage.keys import Keys
from recommender.storage.outbox import Outbox

log = logging.getLogger(__name__)

DOCS_ASSETS = "/docs/assets"
"""Where Swagger UI's and ReDoc's scripts, style sheet and icon are served from: the static
folder of the ``fastapi-offline`` package, so the docs work with no network (FastAPI's own
``/docs`` and ``/redoc`` load them from a CDN)."""


def _with_csp(page: HTMLResponse, redoc: bool = False) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = docs_csp(bytes(page.body).decode(), redoc)
    return page


def install_docs(app: FastAPI) -> None:
    """``/docs`` (Swagger UI), its OAuth2 redirect page and ``/redoc``, all from local assets."""
    openapi_url = app.openapi_url or "/openapi.json"
    redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"
    app.mount(
        DOCS_ASSETS, StaticFiles(packages=[("fastapi_offline", "static")]), name="docs-assets"
    )

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _with_csp(
            get_swagger_ui_html(
                openapi_url=root + openapi_url,
                title=f"{app.title} - Swagger UI",
                swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
                swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
                oauth2_redirect_url=root + redirect_url,
                init_oauth=app.swagger_ui_init_oauth,
                swagger_ui_parameters=app.swagger_ui_parameters,
            )
        )

    @app.get(redirect_url, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return _with_csp(get_swagger_ui_oauth2_redirect_html())

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _with_csp(
            get_redoc_html(
                openapi_url=root + openapi_url,
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{root}{DOCS_ASSETS}/redoc.standalone.js",
                redoc_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
                with_google_fonts=False,
            ),
            redoc=True,  # ReDoc writes <style> elements and starts a blob: worker
        )


def create_app(
    settings: Settings | None = None, engine: Engine | None = None, own_process: bool = False
) -> FastAPI:
    """The API over ``engine`` (built from ``settings`` at start-up when not given).

    ``own_process``: the app is the process's one long-lived app (``mentor-match serve``),
    so what start-up loads may be frozen out of garbage collection.
    """
    settings = settings or (engine.settings if engine else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Routes that block run on worker threads; more of them than cores only makes them
        # take turns at the interpreter lock (and wait longer for it) under load.
        to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        with request_threads(settings.request_threads):
            async with _serving(app):
                yield

    @asynccontextmanager
    async def _serving(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = engine or build_engine(settings)
        app.state.store = app.state.engine.store
        app.state.keys = Keys(app.state.store.database)
        app.state.engine.warm_up()
        if settings.bootstrap_admin_token is not None:
            secret = settings.bootstrap_admin_token.get_secret_value()
            info = app.state.keys.ensure_bootstrap(secret)
            if info is None:
                log.warning(
                    "the bootstrap admin key was revoked and stays revoked; set "
                    "MENTOR_MATCH_BOOTSTRAP_ADMIN_TOKEN to a new secret to make another"
                )
            else:
                log.info("bootstrap admin key %s is active", info.id)
        else:
            app.state.keys.retire_bootstrap()
        courier = _start_courier(app, settings)
        report = app.state.engine.refresh()
        log.info(
            "engine ready: %d mentors indexed (%d embedded now)",
            len(app.state.engine.index),
            report.embedded_items,
        )
        if own_process:
            # What start-up loaded (model, profiles, index) lives as long as the process:
            # keep it out of the collector's full passes, which would otherwise walk it all
            # and stall every request in flight for the length of one (measured: p99 under
            # 50 clients 740 ms, 305-390 ms frozen).
            gc.collect()
            gc.freeze()
        yield
        courier.stop()
        app.state.engine.flush()
        if engine is None:
            app.state.store.close()

    app = FastAPI(
        title="mentor-match",
        version="0.1.0",
        summary="Ranked, explained mentor suggestions for trainees in medicine.",
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,  # also stops chunked bodies with no length
        docs_url=None,  # served by install_docs from local assets instead of a CDN
        redoc_url=None,
    )
    errors.install(app)
    install_docs(app)

    app.add_middleware(DeclaredLengthLimit, max_bytes=settings.max_body_bytes)
    for module in (
        health,
        suggestions,
        mentors,
        mentees,
        feedback,
        cohorts,
        assignments,
        relationships,
        identity,
        outbox,
        admin,
        ui,
    ):
        app.include_router(module.router)
    # Outermost of our layers: rate limits and authentication before anything else runs,
    # security headers on every answer, and the last catch for unexpected errors.
    app.state.settings = settings
    app.state.limits = Limits(settings)
    app.add_middleware(Guard, limits=app.state.limits, trusted_proxies=settings.trusted_proxies)
    app.add_middleware(KeepAliveLimit, limit=settings.keepalive_requests)
    quiet_tracebacks()
    return app


def _start_courier(app: FastAPI, settings: Settings) -> Courier:
    """The relationship lifecycle, and the thread that finds check-ins falling due and sends
    the outbox's messages (through ``settings``' SMTP server, if any)."""
    engine: Engine = app.state.engine
    postman = Postman(Outbox(engine.store.database), settings, engine.clock.now)
    courier = Courier(postman, settings.notify_every_s)
    app.state.lifecycle = Lifecycle(engine, nudge=courier.nudge)
    courier.start(app.state.lifecycle.sweep, engine.shown.flush)
    return courier


class DeclaredLengthLimit:
    """Pure ASGI middleware: 413 for a request whose ``Content-Length`` is over ``max_bytes``
    (or not a number) before any of it is read; bodies without one are bounded by FastAPI's
    ``max_body_size`` as they arrive."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = Headers(scope=scope).get("content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
                answer = JSONResponse(
                    {"detail": f"request body larger than {self.max_bytes} bytes"},
                    status_code=413,
                )
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)
