# SPDX-License-Identifier: AGPL-3.0-or-later
"""The encrypted private store: files with personal data (uploaded rosters, error
workbooks) that must live for a while, never in plain text and never for ever.

Files lie under ``GONGHUI_PRIVATE_ROOT`` (default ``var/private``; never under MEDIA_ROOT
or STATIC_ROOT, so no web route reaches them), one directory per ``area``. Each file is
``GHP1`` + its expiry (8 bytes, Unix seconds) + the content sealed with AES-256-GCM
(``crypto.encrypt_bytes``, bound to its area and name, so a file cannot be swapped for
another). ``purge_expired`` deletes what has expired (run periodically:
``gonghui.core.domain.uploads.purge_expired_uploads``, ``manage.py purge_uploads``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
import struct
import time
from pathlib import Path

from django.conf import settings

from . import crypto

MAGIC = b"GHP1"
_HEADER = struct.Struct(">Q")
_NAME = re.compile(r"^[a-z0-9_-]+/[0-9a-f]{32}$")


class Expired(LookupError):
    """The file is gone or past its expiry."""


def private_root() -> Path:
    return Path(getattr(settings, "GONGHUI_PRIVATE_ROOT", Path(settings.VAR_DIR) / "private"))


def _path(name: str) -> Path:
    if not _NAME.match(name or ""):
        raise Expired(name)
    return private_root() / name


def save(data: bytes, *, area: str, ttl: dt.timedelta) -> str:
    """Store ``data`` encrypted until ``ttl`` from now; returns its name (``area/hex``)."""
    name = f"{area}/{secrets.token_hex(16)}"
    path = _path(name)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    expires = int(time.time() + ttl.total_seconds())
    body = MAGIC + _HEADER.pack(expires) + crypto.encrypt_bytes(data, context=name.encode())
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb", opener=lambda p, f: os.open(p, f, 0o600)) as fh:
        fh.write(body)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    return name


def _expiry(head: bytes) -> int:
    if head[:4] != MAGIC or len(head) < 4 + _HEADER.size:
        return 0
    return _HEADER.unpack(head[4 : 4 + _HEADER.size])[0]


def read(name: str) -> bytes:
    """The plain content; ``Expired`` if the file is gone or past its expiry."""
    try:
        body = _path(name).read_bytes()
    except FileNotFoundError:
        raise Expired(name) from None
    if _expiry(body) < time.time():
        raise Expired(name)
    return crypto.decrypt_bytes(body[4 + _HEADER.size :], context=name.encode())


def delete(name: str) -> None:
    with contextlib.suppress(FileNotFoundError, Expired):
        _path(name).unlink()


def purge_expired(now: float | None = None) -> int:
    """Delete every expired file (and any left-over temporary or unreadable one);
    returns how many were deleted."""
    now = time.time() if now is None else now
    root = private_root()
    if not root.is_dir():
        return 0
    deleted = 0
    for area in root.iterdir():
        if not area.is_dir() or not re.match(r"^[a-z0-9_-]+$", area.name):
            continue
        for path in area.iterdir():
            if not path.is_file():
                continue
            if path.suffix == ".tmp":
                stale = path.stat().st_mtime < now - 3600
            elif re.match(r"^[0-9a-f]{32}$", path.name):
                with open(path, "rb") as fh:
                    stale = _expiry(fh.read(4 + _HEADER.size)) < now
            else:
                continue  # not ours (e.g. mutual-aid documents' own layout)
            if stale:
                path.unlink(missing_ok=True)
                deleted += 1
    return deleted
