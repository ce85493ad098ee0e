"""A local stand-in for WeCom's servers: gettoken, message/send, media/upload, the group robot
webhook and AI-bot response URLs. It records every request and can be told to answer the next
send with an error code (42001 = token expired, 93000 = bad webhook key)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class WeComStandIn:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.next_send_errors: list[int] = []
        self.tokens_issued = 0
        self.lock = threading.Lock()
        self.event = threading.Condition(self.lock)
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _reply(self, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self, body: bytes) -> dict:
                url = urlparse(self.path)
                entry = {"method": self.command, "path": url.path,
                         "query": {k: v[0] for k, v in parse_qs(url.query).items()},
                         "content_type": self.headers.get("content-type", ""), "body": body}
                try:
                    entry["json"] = json.loads(body) if body and "json" in entry["content_type"] else None
                except ValueError:
                    entry["json"] = None
                with standin.event:
                    standin.requests.append(entry)
                    standin.event.notify_all()
                return entry

            def do_GET(self) -> None:
                entry = self._record(b"")
                if entry["path"] == "/cgi-bin/gettoken":
                    with standin.lock:
                        standin.tokens_issued += 1
                        token = f"token-{standin.tokens_issued}"
                    self._reply({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})
                else:
                    self._reply({"errcode": 404, "errmsg": "unknown"})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                entry = self._record(body)
                path = entry["path"]
                if path in ("/cgi-bin/message/send", "/cgi-bin/webhook/send"):
                    with standin.lock:
                        error = standin.next_send_errors.pop(0) if standin.next_send_errors else 0
                    self._reply({"errcode": error, "errmsg": "ok" if not error else "refused", "msgid": "m1"})
                elif path == "/cgi-bin/media/upload":
                    self._reply({"errcode": 0, "errmsg": "ok", "type": "image", "media_id": "media-1"})
                else:
                    self._reply({"errcode": 0, "errmsg": "ok"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "WeComStandIn":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()

    def wait_for(self, predicate, timeout: float = 15) -> list[dict]:
        """Wait until the recorded requests satisfy ``predicate``; return them."""
        with self.event:
            self.event.wait_for(lambda: predicate(self.requests), timeout=timeout)
            return list(self.requests)
