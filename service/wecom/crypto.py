"""WeCom's message crypto (WXBizMsgCrypt), as pure functions: AES-256-CBC with the key's first 16
bytes as IV, PKCS#7 padding to 32-byte blocks, plaintext = 16 random bytes + 4-byte big-endian
length + message + receive id, and SHA1 signatures over the sorted strings."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class WeComCryptoError(Exception):
    """A refused input; ``code`` is the official library's error code (-40001 ...)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key: base64 of the 43-character EncodingAESKey plus '='.

    >>> len(aes_key("jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"))
    32
    """
    if len(encoding_aes_key) != 43:
        raise WeComCryptoError(-40004, "EncodingAESKey must be 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error:
        raise WeComCryptoError(-40004, "EncodingAESKey is not base64")
    if len(key) != 32:
        raise WeComCryptoError(-40004, "EncodingAESKey does not decode to 32 bytes")
    return key


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


def verify_signature(token: str, timestamp: str, nonce: str, encrypted: str, given: str) -> None:
    if not hmac.compare_digest(signature(token, timestamp, nonce, encrypted), (given or "").lower()):
        raise WeComCryptoError(-40001, "signature mismatch")


def _cipher(key: bytes) -> Cipher:
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def encrypt(key: bytes, message: str, receive_id: str, prefix: bytes | None = None) -> str:
    body = message.encode()
    plain = (prefix or os.urandom(16)) + struct.pack(">I", len(body)) + body + receive_id.encode()
    pad = BLOCK - len(plain) % BLOCK
    plain += bytes([pad]) * pad
    encryptor = _cipher(key).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(key: bytes, encrypted: str, receive_id: str) -> tuple[str, bytes]:
    """The message and the 16-byte random prefix; refuses a wrong receive id."""
    try:
        data = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError):
        raise WeComCryptoError(-40010, "ciphertext is not base64")
    if not data or len(data) % 16:
        raise WeComCryptoError(-40007, "ciphertext length is not a multiple of the AES block")
    decryptor = _cipher(key).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise WeComCryptoError(-40008, "bad padding")
    plain = plain[:-pad]
    if len(plain) < 20:
        raise WeComCryptoError(-40008, "decrypted buffer too short")
    (length,) = struct.unpack(">I", plain[16:20])
    if 20 + length > len(plain):
        raise WeComCryptoError(-40008, "message length beyond the buffer")
    try:
        message = plain[20:20 + length].decode()
        found_id = plain[20 + length:].decode()
    except UnicodeDecodeError:
        raise WeComCryptoError(-40008, "message is not UTF-8")
    if not hmac.compare_digest(found_id.encode(), receive_id.encode()):
        raise WeComCryptoError(-40005, "receive id mismatch")
    return message, plain[:16]
