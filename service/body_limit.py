"""Request bodies are counted as they arrive, on every route, before authentication or parsing:
past the limit the request ends in 413 and the rest is never read (a chunked body has no
Content-Length to trust); a body that has not arrived within the time allowed ends in 408. A pure
ASGI middleware, so nothing upstream buffers the body first."""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import error_response


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, timeout_s: float = 30) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int = 413) -> None:
        code, message = (("body_too_large", f"request body over {self.max_bytes} bytes") if status == 413 else
                         ("body_timeout", f"request body not received within {self.timeout_s:g} s"))
        response = error_response(status, code, message, headers={"Connection": "close"})
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        chunks, size = [], 0
        deadline = time.monotonic() + self.timeout_s
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                await self._refuse(scope, receive, send, 408)
                return
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the counted body over once, then listens to the client again."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()
    return replayed
