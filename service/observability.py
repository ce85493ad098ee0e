"""Structured JSON logs (no secrets, no query strings), security headers on every response, and
Prometheus metrics of requests and queries."""

from __future__ import annotations

import json
import logging
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class RequestObserver:
    """Adds the security headers; logs and counts each request by its route template, including
    the ones that end in an unexpected exception (counted as 500, logged with the error)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.log = logging.getLogger("chatbi.http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 499  # no response: the client went away first (nginx's convention)

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        failed = True
        try:
            await self.app(scope, receive, observed)
            failed = False
        except Exception:
            status = 500
            raise
        finally:
            elapsed = time.perf_counter() - started
            template = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.requests.labels(template, str(status)).inc()
            self.metrics.latency.labels(template).observe(elapsed)
            fields = {"method": scope["method"], "path": scope["path"], "status": status,
                      "latency_ms": round(elapsed * 1000, 1), "user": scope.get("state", {}).get("user")}
            if failed:
                self.log.exception("request failed", extra=fields)
            else:
                self.log.info("request", extra=fields)
