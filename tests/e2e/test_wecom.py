"""The WeCom channels end to end: a real service with the app callback and the AI bot switched on,
a local stand-in of WeCom's servers, real encryption with the spec's algorithm."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from pathlib import Path

import httpx
import pytest

from service.context import build_context
from service.settings import Settings
from service.wecom.aibot import AiBot
from service.wecom.crypto import aes_key, decrypt, encrypt, signature
from tests.e2e.conftest import start_service

ARTIFACTS = Path(os.environ.get("CHATBI_ARTIFACTS", Path(__file__).parents[2] / "artifacts")) / "wecom"
CORP = "wx5823bf96d3bd56c7"  # the public test vector's corp id, token and key
TOKEN = "QDG6eK"
KEY_TEXT = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
KEY = aes_key(KEY_TEXT)
BOT_TOKEN = "jF9WQd6XtH7"
BOT_KEY_TEXT = "8tcbqHabYBnQ2N7ID8BXtkordA4b1MzossELoCPvK8z"
BOT_KEY = aes_key(BOT_KEY_TEXT)


@pytest.fixture(scope="module")
def wecom_server(warehouse_path, tmp_path_factory, standin):
    process, base = start_service(
        warehouse_path, tmp_path_factory.mktemp("wecom") / "chatbi.sqlite", CHATBI_REFERENCE_DATE="2025-07-01",
        WECOM_CORP_ID=CORP, WECOM_TOKEN=TOKEN, WECOM_ENCODING_AES_KEY=KEY_TEXT, WECOM_AGENT_ID="1000002",
        WECOM_SECRET="app-secret", WECOM_API_BASE=standin.base_url, WECOM_AIBOT_TOKEN=BOT_TOKEN,
        WECOM_AIBOT_ENCODING_AES_KEY=BOT_KEY_TEXT, CHATBI_PUBLIC_URL="https://bi.example.com")
    yield base
    process.terminate()
    process.wait(timeout=10)


def app_message(content: str, msg_id: str, user: str = "zhangsan", msg_type: str = "text") -> str:
    return (f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId><AgentID>1000002</AgentID></xml>")


def post_app(server: str, plain: str, receive_id: str = CORP, timestamp: int | None = None, tamper: bool = False):
    sealed = encrypt(KEY, plain, receive_id)
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    sig = signature(TOKEN, stamp, "nonce1", sealed)
    if tamper:
        sig = "0" * 40
    body = f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><AgentID>1000002</AgentID><Encrypt><![CDATA[{sealed}]]></Encrypt></xml>"
    return httpx.post(f"{server}/wecom/callback", params={"msg_signature": sig, "timestamp": stamp, "nonce": "nonce1"},
                      content=body.encode(), timeout=10)


def sends_to(requests: list[dict], user: str, kind: str = "markdown") -> list[dict]:
    return [r["json"] for r in requests if r["path"] == "/cgi-bin/message/send" and r["json"]
            and r["json"]["touser"] == user and r["json"]["msgtype"] == kind]


def test_url_verification_with_the_public_vector(wecom_server):
    echostr = "P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D"
    url = (f"{wecom_server}/wecom/callback?msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
           f"&timestamp=1409659589&nonce=263014780&echostr={echostr}")
    response = httpx.get(url)
    assert response.status_code == 200 and response.text == "1616140317555161061"


def test_a_question_is_acknowledged_at_once_and_answered_by_active_send(wecom_server, standin, reference):
    standin.clear()
    started = time.monotonic()
    response = post_app(wecom_server, app_message("上个月的订单数", "1001"))
    assert response.status_code == 200 and response.content == b""
    assert time.monotonic() - started < 1.0
    requests = standin.wait_for(lambda rs: sends_to(rs, "zhangsan"))
    token_call = next(r for r in requests if r["path"] == "/cgi-bin/gettoken")
    assert token_call["query"] == {"corpid": CORP, "corpsecret": "app-secret"}
    send = sends_to(requests, "zhangsan")[0]
    assert send["agentid"] == 1000002
    orders = reference.execute("SELECT COUNT(*) FROM orders WHERE pay_time >= '2025-06-01' AND pay_time < '2025-07-01'").fetchone()[0]
    content = send["markdown"]["content"]
    assert f"{orders:,}" in content and "订单数" in content
    assert "[查看完整结果](https://bi.example.com/a/" in content
    assert len(content.encode()) <= 2048


def test_a_breakdown_also_sends_the_chart_image(wecom_server, standin):
    standin.clear()
    post_app(wecom_server, app_message("各渠道上个月的成交金额", "1002", user="lisi"))
    requests = standin.wait_for(lambda rs: sends_to(rs, "lisi", "image"))
    upload = next(r for r in requests if r["path"] == "/cgi-bin/media/upload")
    assert upload["query"]["type"] == "image" and b"\x89PNG" in upload["body"]
    png = upload["body"][upload["body"].index(b"\x89PNG"):upload["body"].rindex(b"\r\n--")]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "chart.png").write_bytes(png)
    (ARTIFACTS / "reply.md").write_text(sends_to(requests, "lisi")[0]["markdown"]["content"], encoding="utf-8")
    assert sends_to(requests, "lisi", "image")[0]["image"]["media_id"] == "media-1"


def test_follow_ups_work_per_user(wecom_server, standin):
    standin.clear()
    post_app(wecom_server, app_message("上个月天猫的成交金额", "1003", user="wangwu"))
    standin.wait_for(lambda rs: sends_to(rs, "wangwu"))
    post_app(wecom_server, app_message("那按城市拆分呢", "1004", user="wangwu"))
    requests = standin.wait_for(lambda rs: len(sends_to(rs, "wangwu")) >= 2)
    assert "按城市" in sends_to(requests, "wangwu")[1]["markdown"]["content"]


def test_a_retried_callback_is_answered_once(wecom_server, standin):
    standin.clear()
    for _ in range(3):
        assert post_app(wecom_server, app_message("今年的退款率", "1005", user="zhaoliu")).status_code == 200
    standin.wait_for(lambda rs: sends_to(rs, "zhaoliu"))
    time.sleep(1.0)
    assert len(sends_to(standin.requests, "zhaoliu")) == 1


def test_an_expired_token_is_refreshed_and_the_send_retried(wecom_server, standin):
    standin.clear()
    issued = standin.tokens_issued
    standin.next_send_errors = [42001]
    post_app(wecom_server, app_message("上个月的成交金额", "1006", user="sunqi"))
    requests = standin.wait_for(lambda rs: len([r for r in rs if r["path"] == "/cgi-bin/message/send"]) >= 2)
    sends = [r for r in requests if r["path"] == "/cgi-bin/message/send"]
    assert standin.tokens_issued == issued + 1
    assert sends[0]["query"]["access_token"] != sends[1]["query"]["access_token"]


@pytest.mark.parametrize("text, expected", [("帮助", "直接提问"), ("你好", "你好"), ("新对话", "新对话")])
def test_help_greeting_and_reset(wecom_server, standin, text, expected):
    standin.clear()
    user = f"user-{abs(hash(text))}"
    post_app(wecom_server, app_message(text, f"2{abs(hash(text)) % 10_000}", user=user))
    requests = standin.wait_for(lambda rs: sends_to(rs, user))
    assert expected in sends_to(requests, user)[0]["markdown"]["content"]


def test_non_text_messages_get_a_polite_note(wecom_server, standin):
    standin.clear()
    post_app(wecom_server, app_message("", "1007", user="image-user", msg_type="image"))
    requests = standin.wait_for(lambda rs: sends_to(rs, "image-user"))
    assert "只支持文字" in sends_to(requests, "image-user")[0]["markdown"]["content"]


def test_bad_inputs_are_refused_with_4xx(wecom_server):
    assert post_app(wecom_server, app_message("x", "3001"), tamper=True).status_code == 401
    assert post_app(wecom_server, app_message("x", "3002"), receive_id="other-corp").status_code == 400
    assert post_app(wecom_server, app_message("x", "3003"), timestamp=int(time.time()) - 3600).status_code == 401
    stamp = str(int(time.time()))
    for sealed in ("%%%not-base64%%%", base64.b64encode(b"\x00" * 32).decode()):
        body = f"<xml><Encrypt><![CDATA[{sealed}]]></Encrypt></xml>"
        sig = signature(TOKEN, stamp, "n", sealed)
        response = httpx.post(f"{wecom_server}/wecom/callback", params={"msg_signature": sig, "timestamp": stamp,
                                                                        "nonce": "n"}, content=body)
        assert response.status_code == 400 and response.json()["error"]["code"] == "wecom_refused"
    malformed = httpx.post(f"{wecom_server}/wecom/callback", params={"msg_signature": "x", "timestamp": stamp,
                                                                     "nonce": "n"}, content=b"<xml><Encrypt>")
    assert malformed.status_code == 400
    assert httpx.get(f"{wecom_server}/wecom/callback", params={"msg_signature": "x", "timestamp": "1",
                                                               "nonce": "n", "echostr": "abc"}).status_code == 401


def test_the_callback_is_off_without_settings(server):
    assert httpx.get(f"{server}/wecom/callback").status_code == 404
    assert httpx.post(f"{server}/wecom/aibot", content=b"{}").status_code == 404


def aibot_post(server: str, message: dict) -> dict:
    sealed = encrypt(BOT_KEY, json.dumps(message, ensure_ascii=False), "")
    stamp = str(int(time.time()))
    response = httpx.post(f"{server}/wecom/aibot", params={"msg_signature": signature(BOT_TOKEN, stamp, "n2", sealed),
                                                           "timestamp": stamp, "nonce": "n2"},
                          json={"encrypt": sealed}, timeout=10)
    assert response.status_code == 200, response.text
    reply = response.json()
    assert reply["nonce"] == "n2"
    assert reply["msgsignature"] == signature(BOT_TOKEN, reply["timestamp"], "n2", reply["encrypt"])
    return json.loads(decrypt(BOT_KEY, reply["encrypt"], "")[0])


def test_ai_bot_streams_thinking_then_interpretation_then_figures_and_chart(wecom_server):
    first = aibot_post(wecom_server, {"msgid": "a1", "aibotid": "bot", "chattype": "group", "chatid": "c1",
                                      "from": {"userid": "u1"}, "response_url": "http://127.0.0.1:9/none",
                                      "msgtype": "text", "text": {"content": "@ChatBI 各渠道上个月的订单数"}})
    stream = first["stream"]
    assert first["msgtype"] == "stream" and stream["finish"] is False and "思考" in stream["content"]
    seen = []
    for _ in range(40):
        refresh = aibot_post(wecom_server, {"msgid": "a1", "aibotid": "bot", "chattype": "group", "from": {"userid": "u1"},
                                            "msgtype": "stream", "stream": {"id": stream["id"]}})["stream"]
        seen.append(refresh)
        if refresh["finish"]:
            break
        time.sleep(0.1)
    final = seen[-1]
    assert final["finish"] is True
    assert any(s["content"].startswith("> 理解为: 订单数 · 按渠道") and not s["finish"] for s in seen)
    assert "天猫" in final["content"] and final["content"].startswith("> 理解为")
    image = final["msg_item"][0]["image"]
    assert hashlib.md5(base64.b64decode(image["base64"])).hexdigest() == image["md5"]


def test_ai_bot_answers_after_the_window_go_to_the_response_url(warehouse_path, tmp_path, standin):
    context = build_context(Settings(db_path=warehouse_path, state_path=tmp_path / "s.sqlite",
                                     reference_date="2025-07-01"))
    bot = AiBot(lambda q, c, u: context.ask_and_keep(q, c), context.permalink, window_s=0)
    standin.clear()
    bot.start("u9", "上个月的订单数", f"{standin.base_url}/cgi-bin/aibot/response?response_code=abc")
    requests = standin.wait_for(lambda rs: any(r["path"] == "/cgi-bin/aibot/response" for r in rs))
    late = next(r for r in requests if r["path"] == "/cgi-bin/aibot/response")
    assert late["query"]["response_code"] == "abc" and late["json"]["msgtype"] == "markdown"
    assert "订单数" in late["json"]["markdown"]["content"]
    context.close()


def test_group_robot_push_sends_markdown_and_an_image_with_its_md5(wecom_server, standin):
    standin.clear()
    webhook = f"{standin.base_url}/cgi-bin/webhook/send?key=k1"
    response = httpx.post(f"{wecom_server}/api/v1/push", json={"question": "各渠道上个月的成交金额", "webhook_url": webhook},
                          timeout=30)
    assert response.status_code == 200 and response.json()["errcodes"] == [0, 0]
    posts = [r["json"] for r in standin.requests if r["path"] == "/cgi-bin/webhook/send"]
    assert posts[0]["msgtype"] == "markdown" and len(posts[0]["markdown"]["content"].encode()) <= 4096
    image = posts[1]["image"]
    assert hashlib.md5(base64.b64decode(image["base64"])).hexdigest() == image["md5"]


def test_a_refused_push_reports_wecoms_errcode(wecom_server, standin):
    standin.next_send_errors = [93000]
    response = httpx.post(f"{wecom_server}/api/v1/push", json={"question": "上个月的成交金额",
                                                               "webhook_url": f"{standin.base_url}/cgi-bin/webhook/send?key=bad"})
    assert response.status_code == 502 and "93000" in response.json()["error"]["message"]


def test_the_push_queue_keeps_to_the_rate_limit():
    from service.wecom.push import RateLimiter

    limiter = RateLimiter(count=3, period_s=0.6)
    started = time.monotonic()
    for _ in range(4):
        limiter.wait()
    assert time.monotonic() - started >= 0.55


def test_push_command(warehouse_path, tmp_path, standin):
    import subprocess
    import sys

    standin.clear()
    done = subprocess.run([sys.executable, "-m", "service.cli", "push", "上个月的成交金额", "--db", str(warehouse_path),
                           "--webhook", f"{standin.base_url}/cgi-bin/webhook/send?key=k2"],
                          capture_output=True, text=True, env={"CHATBI_STATE_PATH": str(tmp_path / "s.sqlite"),
                                                               "CHATBI_REFERENCE_DATE": "2025-07-01"})
    assert done.returncode == 0, done.stderr
    assert any(r["query"].get("key") == "k2" for r in standin.requests)


def test_push_posts_only_to_wecoms_robot_endpoint(wecom_server):
    response = httpx.post(f"{wecom_server}/api/v1/push", json={"question": "上个月的成交金额",
                                                               "webhook_url": "http://127.0.0.1:1/steal"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "push_not_configured"


def test_why_a_metric_changed_arrives_with_its_waterfall_image(wecom_server, standin):
    standin.clear()
    post_app(wecom_server, app_message("上个月GMV为什么变了", "1702", user="wangwu"))
    requests = standin.wait_for(lambda rs: sends_to(rs, "wangwu", "image"))
    assert "环比" in sends_to(requests, "wangwu")[0]["markdown"]["content"]
    upload = next(r for r in requests if r["path"] == "/cgi-bin/media/upload")
    png = upload["body"][upload["body"].index(b"\x89PNG"):upload["body"].rindex(b"\r\n--")]
    (ARTIFACTS / "waterfall.png").write_bytes(png)
