"""WeCom's server API for the self-built app: access tokens (cached, refreshed when expired),
markdown and image messages, image upload."""

from __future__ import annotations

import threading
import time

import httpx

EXPIRED_TOKEN_CODES = {40014, 42001, 42007, 42009}


class WeComApiError(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeCom errcode {errcode}: {errmsg}")
        self.errcode = errcode


class WeComClient:
    def __init__(self, base_url: str, corp_id: str, secret: str, agent_id: str, timeout_s: float = 10) -> None:
        self.base_url = base_url.rstrip("/")
        self.corp_id = corp_id
        self.secret = secret
        self.agent_id = agent_id
        self.http = httpx.Client(timeout=timeout_s)
        self._token: str | None = None
        self._token_expires = 0.0
        self._lock = threading.Lock()

    def _fetch_token(self) -> str:
        reply = self.http.get(f"{self.base_url}/cgi-bin/gettoken",
                              params={"corpid": self.corp_id, "corpsecret": self.secret}).json()
        if reply.get("errcode", 0) != 0:
            raise WeComApiError(reply.get("errcode", -1), reply.get("errmsg", ""))
        self._token = reply["access_token"]
        # refresh five minutes early, or halfway for short-lived tokens
        lifetime = float(reply.get("expires_in", 7200))
        self._token_expires = time.monotonic() + max(lifetime - 300, lifetime / 2)
        return self._token

    def token(self, refresh: bool = False) -> str:
        with self._lock:
            if refresh or self._token is None or time.monotonic() >= self._token_expires:
                return self._fetch_token()
            return self._token

    def _call(self, method: str, path: str, params: dict | None = None, **kwargs) -> dict:
        """One API call; an expired token is fetched anew and the call retried once."""
        for attempt in (0, 1):
            query = {**(params or {}), "access_token": self.token(refresh=attempt == 1)}
            reply = self.http.request(method, f"{self.base_url}{path}", params=query, **kwargs).json()
            code = reply.get("errcode", 0)
            if code in EXPIRED_TOKEN_CODES and attempt == 0:
                continue
            if code != 0:
                raise WeComApiError(code, reply.get("errmsg", ""))
            return reply
        raise AssertionError("unreachable")

    def _agent(self) -> int | str:
        return int(self.agent_id) if self.agent_id.isdigit() else self.agent_id

    def send_markdown(self, user: str, content: str) -> dict:
        return self._call("POST", "/cgi-bin/message/send", json={
            "touser": user, "msgtype": "markdown", "agentid": self._agent(), "markdown": {"content": content}})

    def upload_image(self, png: bytes) -> str:
        reply = self._call("POST", "/cgi-bin/media/upload", params={"type": "image"},
                           files={"media": ("chart.png", png, "image/png")})
        return reply["media_id"]

    def upload_file(self, name: str, data: bytes) -> str:
        reply = self._call("POST", "/cgi-bin/media/upload", params={"type": "file"},
                           files={"media": (name, data, "text/csv")})
        return reply["media_id"]

    def send_file(self, user: str, media_id: str) -> dict:
        return self._call("POST", "/cgi-bin/message/send", json={
            "touser": user, "msgtype": "file", "agentid": self._agent(), "file": {"media_id": media_id}})

    def send_image(self, user: str, media_id: str) -> dict:
        return self._call("POST", "/cgi-bin/message/send", json={
            "touser": user, "msgtype": "image", "agentid": self._agent(), "image": {"media_id": media_id}})
