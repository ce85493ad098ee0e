"""Group robot (webhook) pushes: an answer as markdown (<= 4096 bytes) and its chart as an image
(base64 + md5), at most 20 messages a minute per robot, queued in order."""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections import deque

import httpx

from semantic_layer.errors import SemanticError
from service.chart_image import render_chart_png
from service.wecom.reply import ROBOT_LIMIT, answer_markdown


class PushFailed(SemanticError):
    code = "push_failed"
    status = 502


class PushNotConfigured(SemanticError):
    code = "push_not_configured"


class RateLimiter:
    """At most ``count`` events per ``period_s``; callers wait their turn in order."""

    def __init__(self, count: int = 20, period_s: float = 60.0) -> None:
        self.count, self.period_s = count, period_s
        self.sent: deque[float] = deque()
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:  # holding the lock while sleeping keeps callers in order: a queue
            now = time.monotonic()
            while self.sent and now - self.sent[0] >= self.period_s:
                self.sent.popleft()
            if len(self.sent) >= self.count:
                time.sleep(self.period_s - (now - self.sent[0]))
                self.sent.popleft()
            self.sent.append(time.monotonic())


class GroupRobot:
    def __init__(self, limiter: RateLimiter | None = None, timeout_s: float = 10) -> None:
        self.limiter = limiter or RateLimiter()
        self.http = httpx.Client(timeout=timeout_s)

    def _send(self, webhook_url: str, payload: dict) -> int:
        self.limiter.wait()
        try:
            reply = self.http.post(webhook_url, json=payload).json()
        except (httpx.HTTPError, ValueError) as error:
            raise PushFailed(f"推送失败: {type(error).__name__}", f"push failed: {type(error).__name__}")
        code = int(reply.get("errcode", -1))
        if code != 0:
            raise PushFailed(f"企业微信拒绝了推送（errcode {code}: {reply.get('errmsg', '')}）",
                             f"WeCom refused the push (errcode {code}: {reply.get('errmsg', '')})")
        return code

    def push(self, webhook_url: str, body: dict, permalink: str | None) -> list[int]:
        codes = [self._send(webhook_url, {"msgtype": "markdown",
                                          "markdown": {"content": answer_markdown(body, permalink, ROBOT_LIMIT)}})]
        png = render_chart_png(body)
        if png:
            codes.append(self._send(webhook_url, {"msgtype": "image", "image": {
                "base64": base64.b64encode(png).decode(), "md5": hashlib.md5(png).hexdigest()}}))
        return codes
