"""create_app(): the service context (settings, model, warehouse, parser, LLM) built once in the
lifespan; routes reach it through dependency aliases."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from service.body_limit import BodyLimit
from service.context import build_context
from service.errors import install_error_handlers
from service.observability import Metrics, RequestObserver, configure_logging

from service.routes import answers, api, ask, metricflow, web, wecom
from service.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        context = build_context(settings)
        app.state.context = context
        yield
        context.close()

    ops_open = settings.ops_open()
    app = FastAPI(title="chat-BI", version="0.1.0", lifespan=lifespan,
                  description="Ask business questions; answers come from one semantic layer.",
                  openapi_url="/openapi.json" if ops_open else None, docs_url="/docs" if ops_open else None,
                  redoc_url="/redoc" if ops_open else None)
    metrics = Metrics()
    configure_logging()
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, timeout_s=settings.body_timeout_s)
    app.add_middleware(RequestObserver, metrics=metrics)
    install_error_handlers(app)
    app.state.metrics = metrics
    app.include_router(api.router)
    if not ops_open:
        app.include_router(api.openapi_for_operators(app))
    app.include_router(metricflow.router)
    app.include_router(ask.router)
    app.include_router(answers.router)
    app.include_router(web.router)
    wecom.register_wecom_routes(app.router, settings.wecom_callback_path)
    app.include_router(wecom.router)
    app.mount("/static", StaticFiles(directory=settings.web_dir), name="static")
    return app
