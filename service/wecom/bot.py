"""The self-built app bot: each WeCom user has a conversation; a message is acknowledged at once
and answered in the background through the active-send API (markdown, then the chart image, or a
customer list's CSV as a file message)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from service.bounded import BoundedMap
from service.chart_image import render_chart_png
from service.wecom.client import WeComApiError, WeComClient
from service.wecom.messages import AppMessage
from service.wecom.reply import APP_LIMIT, answer_markdown

log = logging.getLogger("chatbi.wecom")

HELP_WORDS = {"帮助", "help", "?", "？", "怎么用", "使用说明"}
RESET_WORDS = {"新对话", "reset", "重新开始", "清空", "new"}
GREETINGS = {"你好", "您好", "hi", "hello", "hey", "嗨", "在吗", "早上好", "下午好", "晚上好"}


def help_text(examples: list[str]) -> str:
    lines = ["**我是 ChatBI，可以用一句话查数据。**", "直接提问，例如:"] + [f"- {q}" for q in examples] + [
        "追问也可以：「那按渠道拆分呢」「换成上个月」「只看天猫」。", "发送「新对话」重新开始。"]
    return "\n".join(lines)


class WeComBot:
    def __init__(self, ask: Callable[[str, str | None, str], dict], client: WeComClient,
                 permalink: Callable[[str | None], str | None], examples: list[str], workers: int = 4,
                 export: Callable[[dict, str], tuple[str, bytes]] | None = None) -> None:
        self.ask = ask  # (question, conversation_id, wecom user) -> kept /ask response body
        self.export = export  # (a list answer, wecom user) -> (file name, CSV), for a role that may export
        self.client = client
        self.permalink = permalink
        self.examples = examples
        self.seen: BoundedMap[str, bool] = BoundedMap(10_000)  # WeCom retries a callback it thinks was lost
        self.conversations: BoundedMap[str, str] = BoundedMap(10_000)
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wecom")

    def accept(self, message: AppMessage) -> bool:
        """Queue a message for answering; False when it is a retry already seen."""
        key = message.msg_id or f"{message.from_user}:{message.create_time}"
        if not self.seen.add_new(key, True):
            return False
        self.executor.submit(self._answer, message)
        return True

    def _answer(self, message: AppMessage) -> None:
        user = message.from_user
        try:
            if message.msg_type == "event":
                if message.event == "enter_agent":
                    self.client.send_markdown(user, help_text(self.examples[:3]))
                return
            if message.msg_type != "text":
                self.client.send_markdown(user, "目前只支持文字提问，请直接输入问题，例如：" + self.examples[0])
                return
            text = message.content.strip()
            if text.lower() in HELP_WORDS:
                self.client.send_markdown(user, help_text(self.examples))
                return
            if text.lower() in RESET_WORDS:
                self.conversations.pop(user)
                self.client.send_markdown(user, "好的，已开始新对话。请提问。")
                return
            if text.lower() in GREETINGS:
                self.client.send_markdown(user, f"你好！我是 ChatBI，直接问我数据就行，比如「{self.examples[0]}」。发送「帮助」查看更多。")
                return
            body = self.ask(text, self.conversations.get(user), user)
            self.conversations.put(user, body["conversation_id"])
            self.client.send_markdown(user, answer_markdown(body, self.permalink(body.get("answer_id")), APP_LIMIT))
            png = render_chart_png(body)
            if png:
                self.client.send_image(user, self.client.upload_image(png))
            listed = body.get("analysis") or {}
            if self.export and listed.get("kind") == "customer_list" and listed.get("exportable") and listed["count"]:
                self.client.send_file(user, self.client.upload_file(*self.export(body, user)))
        except WeComApiError as error:
            log.warning("WeCom refused a reply to %s: errcode %s", user, error.errcode)
        except Exception as error:  # a failed answer must not kill the worker; tell the user
            log.exception("answering a WeCom message failed")
            try:
                message_text = getattr(error, "message", {}).get("zh") if hasattr(error, "message") else None
                self.client.send_markdown(user, f"抱歉，这个问题没能回答：{message_text or '服务内部错误'}")
            except Exception:
                log.exception("could not tell the user about the failure")
