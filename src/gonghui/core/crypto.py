# SPDX-License-Identifier: AGPL-3.0-or-later
"""Encryption of personal data at rest.

Values are sealed with AES-256-GCM under a key derived (HKDF-SHA256) from
``settings.GONGHUI_DATA_KEY``; exact lookup uses an HMAC-SHA256 digest under a second
derived key, so the database never holds the plain value and equal values can still
be found. Ciphertexts carry a version prefix so keys can be rotated later.

``encrypt_many`` and ``digester`` serve bulk work (roster imports): the same values as
``encrypt`` and ``digest``, with the per-call overhead (key lookup, one system call per
nonce, HMAC key setup) paid once.
"""

import base64
import hashlib
import os
from collections.abc import Callable, Sequence
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "v1:"
NONCE_BYTES = 12


@lru_cache(maxsize=4)
def _keys(master: str) -> tuple[AESGCM, bytes, tuple]:
    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
            master.encode()
        )

    digest_key = derive(b"gonghui-pii-digest")
    # HMAC (RFC 2104) with the key's inner and outer pads hashed once: each digest then
    # copies two SHA-256 states instead of setting the key up again.
    block = digest_key.ljust(hashlib.sha256().block_size, b"\0")
    pads = (
        hashlib.sha256(bytes(b ^ 0x36 for b in block)),
        hashlib.sha256(bytes(b ^ 0x5C for b in block)),
    )
    return AESGCM(derive(b"gonghui-pii-encrypt")), digest_key, pads


def _current() -> tuple[AESGCM, bytes, tuple]:
    return _keys(settings.GONGHUI_DATA_KEY)


def _seal(aead: AESGCM, nonce: bytes, plain: str) -> str:
    sealed = aead.encrypt(nonce, plain.encode(), None)
    return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def encrypt(plain: str) -> str:
    return _seal(_current()[0], os.urandom(NONCE_BYTES), plain)


def encrypt_many(plains: Sequence[str]) -> list[str]:
    """``[encrypt(p) for p in plains]``, drawing all the random nonces in one system call
    (never kept beyond this call, so no two processes can share one)."""
    aead = _current()[0]
    nonces = os.urandom(NONCE_BYTES * len(plains))
    return [
        _seal(aead, nonces[i : i + NONCE_BYTES], plain)
        for i, plain in zip(range(0, len(nonces), NONCE_BYTES), plains, strict=True)
    ]


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("unknown ciphertext version")
    raw = base64.b64decode(token[len(PREFIX) :])
    aead = _current()[0]
    return aead.decrypt(raw[:12], raw[12:], None).decode()


def _hmac_hex(pads: tuple, plain: str) -> str:
    inner = pads[0].copy()
    inner.update(plain.encode())
    outer = pads[1].copy()
    outer.update(inner.digest())
    return outer.hexdigest()


def digest(plain: str) -> str:
    """Keyed hash for exact lookup (normalised by the caller)."""
    return _hmac_hex(_current()[2], plain)


def digester() -> Callable[[str], str]:
    """``digest`` bound to the current key, for loops over many values."""
    pads = _current()[2]
    return lambda plain: _hmac_hex(pads, plain)


def encrypt_bytes(plain: bytes, *, context: bytes = b"") -> bytes:
    """Binary AES-256-GCM: nonce + ciphertext, bound to ``context`` (associated data)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + _current()[0].encrypt(nonce, plain, context)


TAG_BYTES = 16


def encrypt_bytes_into(plain, out, *, context: bytes = b"") -> int:
    """``encrypt_bytes`` written into the writable buffer ``out`` (at least
    ``len(plain) + NONCE_BYTES + TAG_BYTES`` long) without a new object per call, for
    loops sealing many large pieces; returns the number of bytes written."""
    nonce = os.urandom(NONCE_BYTES)
    end = NONCE_BYTES + len(plain) + TAG_BYTES
    view = memoryview(out)
    view[:NONCE_BYTES] = nonce
    _current()[0].encrypt_into(nonce, plain, context, view[NONCE_BYTES:end])
    return end


def decrypt_bytes(sealed: bytes, *, context: bytes = b"") -> bytes:
    return _current()[0].decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)
