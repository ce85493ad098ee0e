"""Parsing WeCom callback bodies: the XML envelope and message of the self-built app, the JSON
envelope and message of the AI bot. Hostile input ends in WeComCryptoError(-40002), never a crash."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

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


def aibot_encrypt(body: bytes) -> str:
    if len(body) > MAX_BODY:
        raise WeComCryptoError(-40002, "body too large")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WeComCryptoError(-40002, "malformed JSON")
    if not isinstance(data, dict) or not isinstance(data.get("encrypt"), str):
        raise WeComCryptoError(-40002, "no encrypt field")
    return data["encrypt"]


def parse_aibot_message(plain: str) -> dict:
    try:
        data = json.loads(plain)
    except ValueError:
        raise WeComCryptoError(-40002, "malformed JSON message")
    if not isinstance(data, dict) or not isinstance(data.get("msgtype"), str):
        raise WeComCryptoError(-40002, "message without msgtype")
    return data


def strip_mention(text: str) -> str:
    """Group messages start with the bot's @mention.

    >>> strip_mention("@ChatBI 上个月的GMV")
    '上个月的GMV'
    """
    return re.sub(r"^(\s*@\S+\s*)+", "", text).strip()
