# SPDX-License-Identifier: AGPL-3.0-or-later
"""SIP2 (3M Standard Interchange Protocol 2.00) messages: the subset a self-service point
uses — login (93/94), SC status (99/98), patron status (23/24), item information (17/18),
checkout (11/12), checkin (09/10), renew (29/30) — with error detection (AY sequence, AZ checksum).

A message is a two-digit command, fixed-length fields, then variable fields ``XXvalue|``,
then ``AY<n>AZ<checksum>`` and ``\\r``. The checksum is the two's complement of the 16-bit
sum of the message's bytes up to and including ``AZ``, as four upper-case hex digits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ENCODING = "utf-8"  # Chinese titles and names; the peer must agree (Koha: "utf8")
TERMINATOR = b"\r"

#: Fixed-field lengths after the command, per message type (in order).
FIXED: dict[str, list[tuple[str, int]]] = {
    "93": [("uid_algorithm", 1), ("pwd_algorithm", 1)],
    "94": [("ok", 1)],
    "99": [("status", 1), ("max_print_width", 3), ("protocol_version", 4)],
    "98": [("online", 1), ("checkin_ok", 1), ("checkout_ok", 1), ("renewal_policy", 1),
           ("status_update_ok", 1), ("offline_ok", 1), ("timeout", 3), ("retries", 3),
           ("date", 18), ("protocol_version", 4)],
    "23": [("language", 3), ("date", 18)],
    "24": [("patron_status", 14), ("language", 3), ("date", 18)],
    "17": [("date", 18)],
    "18": [("circulation_status", 2), ("security_marker", 2), ("fee_type", 2), ("date", 18)],
    "11": [("renewal_policy", 1), ("no_block", 1), ("date", 18), ("nb_due_date", 18)],
    "12": [("ok", 1), ("renewal_ok", 1), ("magnetic", 1), ("desensitize", 1), ("date", 18)],
    "09": [("no_block", 1), ("date", 18), ("return_date", 18)],
    "10": [("ok", 1), ("resensitize", 1), ("magnetic", 1), ("alert", 1), ("date", 18)],
    "29": [("third_party", 1), ("no_block", 1), ("date", 18), ("nb_due_date", 18)],
    "30": [("ok", 1), ("renewal_ok", 1), ("magnetic", 1), ("desensitize", 1), ("date", 18)],
}  # fmt: skip

#: Item circulation status codes (18): the two this module acts on.
AVAILABLE = "03"
CHARGED = "04"


class Sip2Error(Exception):
    """A protocol problem (bad checksum, unknown message)."""


class ConnectionLost(Sip2Error):
    """The peer closed the connection or did not answer in time."""


def sip_date(when: dt.datetime | None = None) -> str:
    """``YYYYMMDDZZZZHHMMSS`` (local time, four spaces for the zone)."""
    when = when or dt.datetime.now()
    return when.strftime("%Y%m%d") + "    " + when.strftime("%H%M%S")


def checksum(data: bytes) -> str:
    return format((-sum(data)) & 0xFFFF, "04X")


def _clean(value: object) -> str:
    return str(value).replace("|", "/").replace("\r", " ").replace("\n", " ")


@dataclass
class Message:
    command: str
    fixed: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    sequence: int | None = None

    def encode(self) -> bytes:
        parts = [self.command]
        for name, length in FIXED.get(self.command, []):
            value = str(self.fixed.get(name, ""))
            if len(value) != length:
                value = value[:length].ljust(length)
            parts.append(value)
        for code, value in self.fields.items():
            parts.append(f"{code}{_clean(value)}|")
        body = "".join(parts)
        if self.sequence is not None:
            body += f"AY{self.sequence % 10}AZ"
            raw = body.encode(ENCODING)
            return raw + checksum(raw).encode() + TERMINATOR
        return body.encode(ENCODING) + TERMINATOR

    def get(self, code: str, default: str = "") -> str:
        return self.fields.get(code, default)


def decode(raw: bytes) -> Message:
    """Parse one message (with or without the terminator); checks the checksum if any."""
    raw = raw.rstrip(b"\r\n")
    if b"AZ" in raw[-6:]:
        at = raw.rfind(b"AZ")
        if checksum(raw[: at + 2]) != raw[at + 2 :].decode("ascii", "replace").upper():
            raise Sip2Error("checksum mismatch")
    text = raw.decode(ENCODING, errors="replace")
    if len(text) < 2 or not text[:2].isdigit():
        raise Sip2Error("not a SIP2 message")
    command, pos = text[:2], 2
    fixed: dict[str, str] = {}
    for name, length in FIXED.get(command, []):
        fixed[name] = text[pos : pos + length]
        pos += length
    rest = text[pos:]
    sequence = None
    if "AY" in rest and rest.rfind("AY") >= len(rest) - 9:
        at = rest.rfind("AY")
        tail = rest[at:]
        if tail[2:3].isdigit():
            sequence = int(tail[2])
        rest = rest[:at]
    fields: dict[str, str] = {}
    for part in rest.split("|"):
        if len(part) >= 2:
            fields.setdefault(part[:2], part[2:])
    return Message(command, fixed, fields, sequence)
