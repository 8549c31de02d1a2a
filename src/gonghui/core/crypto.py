"""Encryption of personal data at rest.

Values are sealed with AES-256-GCM under a key derived (HKDF-SHA256) from
``settings.GONGHUI_DATA_KEY``; exact lookup uses an HMAC-SHA256 digest under a second
derived key, so the database never holds the plain value and equal values can still
be found. Ciphertexts carry a version prefix so keys can be rotated later.
"""

import base64
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "v1:"


@lru_cache(maxsize=4)
def _keys(master: str) -> tuple[AESGCM, bytes]:
    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
            master.encode()
        )

    return AESGCM(derive(b"gonghui-pii-encrypt")), derive(b"gonghui-pii-digest")


def _current() -> tuple[AESGCM, bytes]:
    return _keys(settings.GONGHUI_DATA_KEY)


def encrypt(plain: str) -> str:
    aead, _ = _current()
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, plain.encode(), None)
    return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("unknown ciphertext version")
    raw = base64.b64decode(token[len(PREFIX) :])
    aead, _ = _current()
    return aead.decrypt(raw[:12], raw[12:], None).decode()


def digest(plain: str) -> str:
    """Keyed hash for exact lookup (normalised by the caller)."""
    _, key = _current()
    return hmac.digest(key, plain.encode(), "sha256").hex()  # one-shot C path
