"""A local stand-in for an OpenAI-compatible provider: POST /v1/chat/completions answers with the
next scripted reply (a tool call, JSON-mode content, or a stall), and records every request."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ScriptedProvider:
    def __init__(self) -> None:
        self.replies: list[dict] = []
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                with provider._lock:
                    provider.requests.append(body)
                    reply = provider.replies.pop(0) if provider.replies else {"content": "{}"}
                if "stall" in reply:
                    time.sleep(reply["stall"])
                payload = provider.completion(body, reply)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(200)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def script(self, *replies: dict) -> None:
        with self._lock:
            self.replies = list(replies)
            self.requests = []

    @staticmethod
    def completion(request: dict, reply: dict) -> dict:
        """A chat completion: a tool call when the request offered tools, else message content."""
        arguments = reply.get("arguments")
        raw = reply.get("raw")
        message: dict = {"role": "assistant", "content": None}
        if request.get("tools"):
            name = request["tools"][0]["function"]["name"]
            text = raw if raw is not None else json.dumps(arguments, ensure_ascii=False)
            message["tool_calls"] = [{"id": "call_1", "type": "function",
                                      "function": {"name": name, "arguments": text}}]
            finish = "tool_calls"
        else:
            message["content"] = raw if raw is not None else json.dumps(arguments, ensure_ascii=False)
            finish = "stop"
        return {"id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()), "model": "standin",
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}

    def start(self) -> "ScriptedProvider":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
