"""The AI bot (智能机器人) stream protocol: a new message is answered at once with a 'thinking'
stream; each refresh callback gets the full text so far (the interpretation, then the figures);
the last one has finish=true and the chart as a stream image. An answer ready only after the
refresh window goes to the message's response_url instead. A stream belongs to the user who asked:
a refresh from anyone else learns nothing, and a replayed message (same msgid) is answered with
its stream, never asked again."""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from service.bounded import BoundedMap
from service.chart_image import render_chart_png
from service.wecom.reply import answer_markdown

log = logging.getLogger("chatbi.wecom")
STREAM_LIMIT = 20_480
THINKING = "正在思考…"


@dataclass
class Stream:
    created: float
    owner: str
    response_url: str | None
    parts: list[str] = field(default_factory=list)  # filled by the answer job
    image: bytes | None = None
    done: bool = False
    shown: int = 0  # how many parts the user has seen


class AiBot:
    def __init__(self, ask: Callable[[str, str | None, str], dict], permalink: Callable[[str | None], str | None],
                 window_s: float = 330, workers: int = 4) -> None:
        self.ask = ask
        self.permalink = permalink
        self.window_s = window_s
        self.streams: dict[str, Stream] = {}
        self.conversations: BoundedMap[str, str] = BoundedMap(10_000)
        self.seen: BoundedMap[str, str] = BoundedMap(10_000)  # msgid -> its stream
        self.lock = threading.Lock()
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aibot")
        self.http = httpx.Client(timeout=10)

    def start(self, user: str, question: str, response_url: str | None, msgid: str = "") -> dict:
        stream_id = uuid.uuid4().hex
        if msgid and not self.seen.add_new(f"{user}:{msgid}", stream_id):
            return self.refresh(self.seen.get(f"{user}:{msgid}", ""), user)
        with self.lock:
            self._forget_old()
            self.streams[stream_id] = Stream(time.monotonic(), user, response_url)
        self.executor.submit(self._answer, stream_id, user, question)
        return {"msgtype": "stream", "stream": {"id": stream_id, "finish": False, "content": THINKING}}

    def refresh(self, stream_id: str, user: str) -> dict:
        with self.lock:
            stream = self.streams.get(stream_id)
            if stream is None or stream.owner != user:
                return {"msgtype": "stream", "stream": {"id": stream_id, "finish": True,
                                                        "content": "这条回答已过期，请重新提问。"}}
            if stream.parts and stream.shown < len(stream.parts):
                stream.shown += 1
            finish = stream.done and stream.shown >= len(stream.parts)
            content = "\n\n".join(stream.parts[:stream.shown]) or THINKING
            reply = {"id": stream_id, "finish": finish, "content": content.encode()[:STREAM_LIMIT].decode(errors="ignore")}
            if finish and stream.image:
                reply["msg_item"] = [{"msgtype": "image", "image": {
                    "base64": base64.b64encode(stream.image).decode(), "md5": hashlib.md5(stream.image).hexdigest()}}]
            if finish:
                self.streams.pop(stream_id, None)
        return {"msgtype": "stream", "stream": reply}

    def _answer(self, stream_id: str, user: str, question: str) -> None:
        try:
            body = self.ask(question, self.conversations.get(user), user)
            self.conversations.put(user, body["conversation_id"])
            permalink = self.permalink(body.get("answer_id"))
            interpretation = (body.get("interpretation") or {}).get("text")
            parts = [f"> 理解为: {interpretation}"] if interpretation else []
            parts.append(answer_markdown({**body, "interpretation": None}, permalink, STREAM_LIMIT - 200))
            image = render_chart_png(body)
        except Exception as error:
            log.exception("answering an AI bot message failed")
            text = error.message["zh"] if hasattr(error, "message") else "服务内部错误"
            parts, image = [f"抱歉，这个问题没能回答：{text}"], None
        with self.lock:
            stream = self.streams.get(stream_id)
            if stream is None:
                return
            stream.parts, stream.image, stream.done = parts, image, True
            late = time.monotonic() - stream.created > self.window_s
            if late:
                self.streams.pop(stream_id, None)
        if late and stream.response_url:
            content = "\n\n".join(parts).encode()[:STREAM_LIMIT].decode(errors="ignore")
            try:
                self.http.post(stream.response_url, json={"msgtype": "markdown", "markdown": {"content": content}})
            except httpx.HTTPError:
                log.warning("posting a late answer to response_url failed")

    def _forget_old(self) -> None:
        cutoff = time.monotonic() - 3600
        for stream_id in [k for k, s in self.streams.items() if s.created < cutoff]:
            del self.streams[stream_id]
