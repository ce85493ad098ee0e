"""WeCom message crypto against the public test vectors of spec/wecom.md section 5."""

from __future__ import annotations

import base64
from urllib.parse import unquote

import pytest

from service.wecom.crypto import WeComCryptoError, aes_key, decrypt, encrypt, signature, verify_signature
from service.wecom.messages import envelope_encrypt, parse_app_message
from service.wecom.reply import fit_bytes

V2_KEY = aes_key("jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C")
V2_CORP = "wx5823bf96d3bd56c7"
V2_XML = ("RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvu"
          "JTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+Ltw"
          "Gc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t"
          "9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe"
          "0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==")
V2_JSON = ("CZWs4CWRpI4VolQlvn4dlEC1alN2MUEY2VklGehgBVLBrlVF7SyT+SV+Toj43l4ayJ9UMGKphktKKmP7B2j/P1ey67XB8PBgS7Wr5/8+w/yW"
           "riZv3Vmoo/MH3/1HsIWZrPQ3N2mJrelStIfI2Y8kLKXA7EhfZgZX4o+ffdkZDM76SEl79Ib9mw7TGjZ9Aw/x/A2VjNbV1E8BtEbRxYYcQipp"
           "YNw7hr8sFfa3nW1xLdxokt8QkRX83vK3DFP2F6TQFPL2Tu98UwhcUpPvdJBuu1/yiOQIScppV3eOuLWEsko=")
V3_KEY = aes_key("kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR")
V3_CORP = "wx49f0ab532d5d035a"
V3_ECHO = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
V3_DECRYPT = ("RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzx"
              "h6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOA"
              "QqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe"
              "7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=")
V3_REPLY = ("<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA["
            "wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n"
            "<CreateTime>1411525903</CreateTime>\n</xml>")
V3_ENCRYPTED = ("9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAt"
                "ObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6"
                "o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi"
                "1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3")


def pad_of(key: bytes, encrypted: str) -> int:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    return (decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize())[-1]


def test_url_verification_vector():
    echostr = unquote("P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D")
    verify_signature("QDG6eK", "1409659589", "263014780", echostr, "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3")
    assert decrypt(V2_KEY, echostr, V2_CORP)[0] == "1616140317555161061"


def test_xml_message_vector_with_pad_30_round_trips():
    verify_signature("QDG6eK", "1409659813", "1372623149", V2_XML, "477715d11cdb4164915debcba66cb864d751f3e6")
    plain, prefix = decrypt(V2_KEY, V2_XML, V2_CORP)
    message = parse_app_message(plain)
    assert (message.from_user, message.content, message.msg_id, message.agent_id) == \
        ("mycreate", "hello", "4561255354251345929", "218")
    assert pad_of(V2_KEY, V2_XML) == 30
    assert encrypt(V2_KEY, plain, V2_CORP, prefix) == V2_XML


def test_json_message_vector():
    verify_signature("QDG6eK", "1409659813", "1372623149", V2_JSON, "0623cbc5a8cbee5bcc137c70de99575366fc2af3")
    plain, _ = decrypt(V2_KEY, V2_JSON, V2_CORP)
    assert '"Content":"hello"' in plain and '"FromUserName":"mycreate"' in plain


def test_wechatpy_vectors_and_pad_1():
    verify_signature("123456", "1411443780", "437374425", V3_ECHO, "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96")
    assert decrypt(V3_KEY, V3_ECHO, V3_CORP)[0] == "5927782489442352469"
    with pytest.raises(WeComCryptoError) as wrong_nonce:
        verify_signature("123456", "1411443780", "437374424", V3_ECHO, "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96")
    assert wrong_nonce.value.code == -40001
    verify_signature("123456", "1411525903", "461056294", V3_DECRYPT, "74d92dfeb87ba7c714f89d98870ae5eb62dff26d")
    plain, _ = decrypt(V3_KEY, V3_DECRYPT, V3_CORP)
    assert parse_app_message(plain).content == "test" and parse_app_message(plain).from_user == "messense"
    assert pad_of(V3_KEY, V3_DECRYPT) == 1


def test_deterministic_encryption_vector():
    encrypted = encrypt(V3_KEY, V3_REPLY, V3_CORP, b"1234567890123456")
    assert encrypted == V3_ENCRYPTED
    assert signature("123456", "1411525903", "461056294", encrypted) == "407518b7649e86ef23978113f92d27afa9296533"


def test_ailingbot_vector():
    key = aes_key("8tcbqHabYBnQ2N7ID8BXtkordA4b1MzossELoCPvK8z")
    sealed = "9eOdb3odwWMVTiGRTm+uiVrx3SGwzjGyq6oWu4b2tWC51YbHQasEVD9ZdS6Nx+XBxB2C/qxZ8bl8+qRBUb8CVg=="
    verify_signature("jF9WQd6XtH7", "1647328566", "1648278214", sealed, "0af7077e1d70aed01bf9a6f40b2b52a7536ec807")
    assert decrypt(key, sealed, "ww54047ef57875c719")[0] == "7205136330722672511"


@pytest.mark.parametrize("encrypted, receive_id, code", [
    (V2_XML, "wrong-corp", -40005),
    ("not base64 !!", V2_CORP, -40010),
    (base64.b64encode(b"x" * 20).decode(), V2_CORP, -40007),
    (base64.b64encode(b"\x00" * 32).decode(), V2_CORP, -40008),
])
def test_bad_inputs_are_refused_with_the_library_codes(encrypted, receive_id, code):
    with pytest.raises(WeComCryptoError) as refused:
        decrypt(V2_KEY, encrypted, receive_id)
    assert refused.value.code == code


@pytest.mark.parametrize("key", ["short", "!" * 43])
def test_bad_aes_keys_are_refused(key):
    with pytest.raises(WeComCryptoError):
        aes_key(key)


@pytest.mark.parametrize("body", ["<xml><Encrypt>", "<!DOCTYPE x [<!ENTITY a 'b'>]><xml><Encrypt>&a;</Encrypt></xml>",
                                  "<xml></xml>", "not xml"])
def test_malformed_envelopes_are_refused(body):
    with pytest.raises(WeComCryptoError) as refused:
        envelope_encrypt(body)
    assert refused.value.code == -40002


def test_round_trip_of_chinese_text_for_every_padding():
    for size in range(1, 70):
        message = "问" * size
        assert decrypt(V2_KEY, encrypt(V2_KEY, message, V2_CORP), V2_CORP)[0] == message


def test_markdown_is_cut_on_a_character_boundary():
    assert len(fit_bytes("成交金额" * 1000, 2048).encode()) <= 2048
