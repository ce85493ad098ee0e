"""create_app(): the service context (settings, model, warehouse, parser, LLM) built once in the
lifespan; routes reach it through dependency aliases."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.middleware.base import BaseHTTPMiddleware

from service.context import build_context
from service.errors import error_response, install_error_handlers
from service.observability import Metrics, RequestObserver, configure_logging
from fastapi.staticfiles import StaticFiles

from service.routes import answers, api, ask, web, wecom
from service.settings import Settings


class BodyLimit(BaseHTTPMiddleware):
    """Refuse bodies over the limit before reading them (413)."""

    def __init__(self, app, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def dispatch(self, request: Request, call_next):
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return error_response(413, "body_too_large", f"request body over {self.max_bytes} bytes")
        return await call_next(request)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        context = build_context(settings)
        app.state.context = context
        yield
        context.close()

    app = FastAPI(title="chat-BI", version="0.1.0", lifespan=lifespan,
                  description="Ask business questions; answers come from one semantic layer.")
    metrics = Metrics()
    configure_logging()
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestObserver, metrics=metrics)
    install_error_handlers(app)
    app.state.metrics = metrics
    app.include_router(api.router)
    app.include_router(ask.router)
    app.include_router(answers.router)
    app.include_router(web.router)
    wecom.register_wecom_routes(app.router, settings.wecom_callback_path)
    app.include_router(wecom.router)
    app.mount("/static", StaticFiles(directory=settings.web_dir), name="static")
    return app
