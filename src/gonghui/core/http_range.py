# SPDX-License-Identifier: AGPL-3.0-or-later
"""The one parser of HTTP ``Range`` request headers (RFC 9110 §14), for every view that
streams a file in pieces (contest videos, course videos).

Only a single byte range is served; the rules, as RFC 9110 lets a server choose them:

- no header, another unit than ``bytes``, a malformed header or several ranges: ``None``,
  the caller answers 200 with the whole representation (a server may ignore a Range
  header it does not support, §14.2);
- ``bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` (the last ``n`` bytes) within a file of
  ``length`` bytes: a :class:`ByteRange`, the end clipped to the file;
- a well-formed range that cannot be satisfied (``a`` at or beyond the end, a suffix of
  0 bytes, an empty file): :class:`RangeNotSatisfiable`, the caller answers 416 with
  ``Content-Range: bytes */length`` (:func:`not_satisfiable`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from django.http import HttpResponse

_SPEC = re.compile(r"bytes[ \t]*=[ \t]*(\d*)[ \t]*-[ \t]*(\d*)", re.IGNORECASE)
#: More digits than any file size: refuse before int() works on a huge number.
_MAX_DIGITS = 19


class ByteRange(NamedTuple):
    first: int
    last: int  # inclusive
    total: int

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    @property
    def content_range(self) -> str:
        return f"bytes {self.first}-{self.last}/{self.total}"


class RangeNotSatisfiable(Exception):
    def __init__(self, total: int):
        super().__init__(f"range not satisfiable for {total} bytes")
        self.total = total

    @property
    def content_range(self) -> str:
        return f"bytes */{self.total}"


def parse_range(header: str | None, length: int) -> ByteRange | None:
    """The single byte range ``header`` asks for in a representation of ``length`` bytes;
    ``None`` to serve it whole; raises :class:`RangeNotSatisfiable` (see the module)."""
    m = _SPEC.fullmatch((header or "").strip())
    if not m:
        return None
    start, end = m.groups()
    if (not start and not end) or len(start) > _MAX_DIGITS or len(end) > _MAX_DIGITS:
        return None
    if not start:  # suffix: the last ``end`` bytes
        n = int(end)
        if n == 0 or length <= 0:
            raise RangeNotSatisfiable(length)
        return ByteRange(max(0, length - n), length - 1, length)
    first = int(start)
    last = int(end) if end else length - 1
    if end and last < first:
        return None  # invalid syntax (§14.1.1): ignored
    if first >= length:
        raise RangeNotSatisfiable(length)
    return ByteRange(first, min(last, length - 1), length)


def not_satisfiable(exc: RangeNotSatisfiable) -> HttpResponse:
    """The 416 answer for an unsatisfiable range."""
    res = HttpResponse(status=416)
    res["Content-Range"] = exc.content_range
    res["Accept-Ranges"] = "bytes"
    return res
