"""Parsing WeCom callback bodies: the XML envelope and message of the self-built app, the JSON
envelope and message of the AI bot (pydantic models: wrong shapes, deep nesting and bad bytes are
refused the same way). Hostile input ends in WeComCryptoError(-40002), never a crash."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.wecom.crypto import WeComCryptoError

MAX_BODY = 200_000


@dataclass(frozen=True)
class AppMessage:
    to_user: str
    from_user: str
    create_time: str
    msg_type: str
    content: str
    msg_id: str
    agent_id: str
    event: str = ""


def _xml(text: str) -> ElementTree.Element:
    if len(text) > MAX_BODY or re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise WeComCryptoError(-40002, "XML with a DOCTYPE or entity, or too large")
    try:
        return ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise WeComCryptoError(-40002, f"malformed XML ({error})")


def envelope_encrypt(body: str) -> str:
    """The <Encrypt> text of a callback body."""
    node = _xml(body).find("Encrypt")
    if node is None or not (node.text or "").strip():
        raise WeComCryptoError(-40002, "no <Encrypt> in the body")
    return node.text.strip()


def parse_app_message(plain: str) -> AppMessage:
    root = _xml(plain)

    def field(name: str) -> str:
        node = root.find(name)
        return (node.text or "").strip() if node is not None else ""

    if not field("MsgType") or not field("FromUserName"):
        raise WeComCryptoError(-40002, "message without MsgType or FromUserName")
    return AppMessage(field("ToUserName"), field("FromUserName"), field("CreateTime"), field("MsgType"),
                      field("Content"), field("MsgId"), field("AgentID"), field("Event"))


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class AiBotEnvelope(_Lenient):
    encrypt: str = Field(min_length=1, max_length=MAX_BODY)


class AiBotUser(_Lenient):
    userid: str = Field("", max_length=256)


class AiBotContent(_Lenient):
    content: str = Field("", max_length=8_192)


class AiBotStreamRef(_Lenient):
    id: str = Field("", max_length=128)


class AiBotMessage(_Lenient):
    """A decrypted AI-bot callback: a question (text or voice), a stream refresh, or an event."""

    msgid: str = Field("", max_length=128)
    msgtype: str = Field(min_length=1, max_length=32)
    sender: AiBotUser = Field(default_factory=AiBotUser, alias="from")
    response_url: str | None = Field(None, max_length=2_048)
    text: AiBotContent | None = None
    voice: AiBotContent | None = None
    stream: AiBotStreamRef | None = None


def _validated(model: type[BaseModel], data: bytes | str, what: str):
    try:
        return model.model_validate_json(data)
    except ValidationError as error:
        reason = error.errors()[0]["msg"] if error.errors() else "invalid"
        raise WeComCryptoError(-40002, f"{what}: {reason}")


def aibot_encrypt(body: bytes) -> str:
    if len(body) > MAX_BODY:
        raise WeComCryptoError(-40002, "body too large")
    return _validated(AiBotEnvelope, body, "malformed envelope").encrypt


def parse_aibot_message(plain: str) -> AiBotMessage:
    return _validated(AiBotMessage, plain, "malformed message")


def strip_mention(text: str) -> str:
    """Group messages start with the bot's @mention.

    >>> strip_mention("@ChatBI 上个月的GMV")
    '上个月的GMV'
    """
    return re.sub(r"^(\s*@\S+\s*)+", "", text).strip()
