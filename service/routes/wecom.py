"""WeCom endpoints: the self-built app callback (XML), the AI bot callback (JSON, streams) and the
group-robot push. Each refuses bad signatures, receive ids, base64, padding and bodies with a 4xx,
logged without secrets; the app callback answers asynchronously and acknowledges at once."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from urllib.parse import unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from service.deps import ContextDep, ReaderDep
from service.errors import error_response
from service.schemas import PushRequest, PushResponse
from service.wecom.crypto import WeComCryptoError, aes_key, decrypt, encrypt, signature, verify_signature
from service.wecom.push import PushNotConfigured
from service.wecom.messages import aibot_encrypt, envelope_encrypt, parse_aibot_message, parse_app_message, strip_mention

log = logging.getLogger("chatbi.wecom")
router = APIRouter()


def _refused(error: WeComCryptoError) -> JSONResponse:
    log.warning("refused a WeCom callback: %s (%s)", error.code, error.reason)
    return error_response(400 if error.code != -40001 else 401, "wecom_refused", f"refused: {error.reason}")


def _check_time(timestamp: str, tolerance_s: int) -> None:
    if not re.fullmatch(r"[0-9]{1,12}", timestamp):
        raise WeComCryptoError(-40001, "timestamp is not a number")
    if tolerance_s and abs(time.time() - int(timestamp)) > tolerance_s:
        raise WeComCryptoError(-40001, "timestamp outside the replay window")


def _verify_url(request: Request, token: str, key: bytes, receive_id: str) -> Response:
    query = request.query_params
    echostr = unquote(query.get("echostr", "")).replace(" ", "+")
    verify_signature(token, query.get("timestamp", ""), query.get("nonce", ""), echostr, query.get("msg_signature", ""))
    plain, _ = decrypt(key, echostr, receive_id)
    return PlainTextResponse(plain)


def register_wecom_routes(router: APIRouter, callback_path: str) -> None:
    @router.get(callback_path, include_in_schema=False)
    def app_verify(request: Request, context: ContextDep) -> Response:
        settings = context.settings
        if context.wecom_bot is None:
            return error_response(404, "not_found", "Not Found")
        try:
            return _verify_url(request, settings.wecom_token, aes_key(settings.wecom_encoding_aes_key),
                               settings.wecom_corp_id)
        except WeComCryptoError as error:
            return _refused(error)

    @router.post(callback_path, include_in_schema=False)
    async def app_message(request: Request, context: ContextDep) -> Response:
        settings = context.settings
        if context.wecom_bot is None:
            return error_response(404, "not_found", "Not Found")
        query = request.query_params
        try:
            _check_time(query.get("timestamp", ""), settings.wecom_timestamp_tolerance_s)
            encrypted = envelope_encrypt((await request.body()).decode("utf-8", errors="replace"))
            verify_signature(settings.wecom_token, query["timestamp"], query.get("nonce", ""), encrypted,
                             query.get("msg_signature", ""))
            plain, _ = decrypt(aes_key(settings.wecom_encoding_aes_key), encrypted, settings.wecom_corp_id)
            message = parse_app_message(plain)
        except WeComCryptoError as error:
            return _refused(error)
        context.wecom_bot.accept(message)
        return Response(status_code=200)


@router.get("/wecom/aibot", include_in_schema=False)
def aibot_verify(request: Request, context: ContextDep) -> Response:
    settings = context.settings
    if context.aibot is None:
        return error_response(404, "not_found", "Not Found")
    try:
        return _verify_url(request, settings.wecom_aibot_token, aes_key(settings.wecom_aibot_encoding_aes_key), "")
    except WeComCryptoError as error:
        return _refused(error)


@router.post("/wecom/aibot", include_in_schema=False)
async def aibot_message(request: Request, context: ContextDep) -> Response:
    settings = context.settings
    if context.aibot is None:
        return error_response(404, "not_found", "Not Found")
    query = request.query_params
    token = settings.wecom_aibot_token
    try:
        key = aes_key(settings.wecom_aibot_encoding_aes_key)
        _check_time(query.get("timestamp", ""), settings.wecom_timestamp_tolerance_s)
        encrypted = aibot_encrypt(await request.body())
        verify_signature(token, query["timestamp"], query.get("nonce", ""), encrypted, query.get("msg_signature", ""))
        plain, _ = decrypt(key, encrypted, "")
        message = parse_aibot_message(plain)
    except WeComCryptoError as error:
        return _refused(error)
    kind = message.msgtype
    user = message.sender.userid
    if kind == "stream":
        reply = context.aibot.refresh(message.stream.id if message.stream else "", user)
    elif kind in ("text", "voice"):
        said = message.text if kind == "text" else message.voice
        question = strip_mention(said.content) if said else ""
        reply = context.aibot.start(user, question, message.response_url, message.msgid)
    elif kind == "event":
        return Response(status_code=200)
    else:
        reply = {"msgtype": "stream", "stream": {"id": secrets.token_hex(8), "finish": True,
                                                 "content": "目前只支持文字提问，请直接输入问题。"}}
    nonce = query.get("nonce", "")
    timestamp = str(int(time.time()))
    sealed = encrypt(key, json.dumps(reply, ensure_ascii=False), "")
    return JSONResponse({"encrypt": sealed, "msgsignature": signature(token, timestamp, nonce, sealed),
                         "timestamp": timestamp, "nonce": nonce})


@router.post("/api/v1/push", response_model=PushResponse, summary="Answer a question and push it to a group robot")
def push(body: PushRequest, context: ContextDep, principal: ReaderDep) -> PushResponse:
    robots = f"{context.settings.wecom_api_base.rstrip('/')}/cgi-bin/webhook/send?"
    if body.webhook_url and not body.webhook_url.startswith(robots):
        # the service only posts to WeCom's robot endpoint, never to an address a caller chooses
        raise PushNotConfigured(f"webhook_url 必须以 {robots} 开头", f"webhook_url must start with {robots}")
    return PushResponse(**context.push(body.question, body.webhook_url, principal))
