"""Structured JSON logs (no secrets, no query strings), security headers on every response, and
Prometheus metrics of requests and queries."""

from __future__ import annotations

import json
import logging
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
                                "base-uri 'self'; frame-ancestors 'none'; form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": round(record.created, 3), "level": record.levelname.lower(), "logger": record.name,
                 "message": record.getMessage()}
        for key in ("method", "path", "status", "latency_ms", "user"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(entry, ensure_ascii=False)


def configure_logging() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("chatbi")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("chatbi_requests_total", "HTTP requests", ["route", "status"], registry=self.registry)
        self.latency = Histogram("chatbi_request_seconds", "HTTP request latency", ["route"], registry=self.registry,
                                 buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
        self.queries = Gauge("chatbi_warehouse_queries_total", "queries run on the warehouse", registry=self.registry)
        self.cache_hits = Gauge("chatbi_cache_hits_total", "answers served from the cache", registry=self.registry)
        self.active = Gauge("chatbi_active_queries", "queries running now", registry=self.registry)

    def render(self, warehouse_stats: dict) -> bytes:
        self.queries.set(warehouse_stats["queries"])
        self.cache_hits.set(warehouse_stats["cache_hits"])
        self.active.set(warehouse_stats["active"])
        return generate_latest(self.registry)


class RequestObserver(BaseHTTPMiddleware):
    """Adds the security headers; logs and counts each request by its route template."""

    def __init__(self, app, metrics: Metrics) -> None:
        super().__init__(app)
        self.metrics = metrics
        self.log = logging.getLogger("chatbi.http")

    async def dispatch(self, request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = time.perf_counter() - started
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        self.metrics.requests.labels(template, str(response.status_code)).inc()
        self.metrics.latency.labels(template).observe(elapsed)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        self.log.info("request", extra={"method": request.method, "path": request.url.path,
                                        "status": response.status_code, "latency_ms": round(elapsed * 1000, 1),
                                        "user": getattr(request.state, "user", None)})
        return response
