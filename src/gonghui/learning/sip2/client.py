# SPDX-License-Identifier: AGPL-3.0-or-later
"""A SIP2 client for the city library's system: one connection per transaction (a kiosk's
transactions are rare; no pool to leave half-open), login when an account is configured,
a timeout on every read. A connection that drops raises ``ConnectionLost``."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
from dataclasses import dataclass

from .protocol import ConnectionLost, Message, Sip2Error, decode, sip_date

TIMEOUT = 5.0


@dataclass
class Peer:
    host: str
    port: int
    institution: str = ""
    location: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def parse(cls, address: str, **kw: str) -> Peer:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(address)
        return cls(host=host, port=int(port), **kw)


class Connection:
    def __init__(self, peer: Peer, timeout: float = TIMEOUT):
        self.peer = peer
        self.sequence = 0
        try:
            self.sock = socket.create_connection((peer.host, peer.port), timeout=timeout)
        except OSError as exc:
            raise ConnectionLost(str(exc)) from None
        self.sock.settimeout(timeout)
        self.buffer = b""
        if peer.user:
            reply = self.call(Message("93", {"uid_algorithm": "0", "pwd_algorithm": "0"},
                                      {"CN": peer.user, "CO": peer.password,
                                       "CP": peer.location}))  # fmt: skip
            if reply.fixed.get("ok") != "1":
                raise Sip2Error("login refused")

    def close(self) -> None:
        with contextlib.suppress(OSError):  # already gone
            self.sock.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _read(self) -> bytes:
        while b"\r" not in self.buffer:
            try:
                chunk = self.sock.recv(4096)
            except OSError as exc:
                raise ConnectionLost(str(exc)) from None
            if not chunk:
                raise ConnectionLost("peer closed the connection")
            self.buffer += chunk
            if len(self.buffer) > 65536:
                raise Sip2Error("message too long")
        line, _, self.buffer = self.buffer.partition(b"\r")
        return line

    def call(self, message: Message) -> Message:
        self.sequence = (self.sequence + 1) % 10
        message.sequence = self.sequence
        try:
            self.sock.sendall(message.encode())
        except OSError as exc:
            raise ConnectionLost(str(exc)) from None
        reply = decode(self._read())
        expected = f"{int(message.command) + 1:02d}"
        if reply.command != expected:
            raise Sip2Error(f"expected {expected}, got {reply.command}")
        return reply

    # -- the transactions ------------------------------------------------------------------
    def _base(self) -> dict[str, str]:
        return {"AO": self.peer.institution}

    def patron_status(self, patron: str) -> Message:
        return self.call(Message("23", {"language": "019", "date": sip_date()},
                                 {**self._base(), "AA": patron, "AC": "", "AD": ""}))  # fmt: skip

    def item_information(self, barcode: str) -> Message:
        return self.call(Message("17", {"date": sip_date()},
                                 {**self._base(), "AB": barcode, "AC": ""}))  # fmt: skip

    def checkout(self, patron: str, barcode: str) -> Message:
        return self.call(Message(
            "11", {"renewal_policy": "N", "no_block": "N", "date": sip_date(),
                   "nb_due_date": " " * 18},
            {**self._base(), "AA": patron, "AB": barcode, "AC": ""},
        ))  # fmt: skip

    def renew(self, patron: str, barcode: str) -> Message:
        return self.call(Message(
            "29", {"third_party": "N", "no_block": "N", "date": sip_date(),
                   "nb_due_date": " " * 18},
            {**self._base(), "AA": patron, "AB": barcode, "AC": ""},
        ))  # fmt: skip

    def checkin(self, barcode: str, *, location: str = "") -> Message:
        now = sip_date()
        return self.call(Message(
            "09", {"no_block": "N", "date": now, "return_date": now},
            {"AP": location or self.peer.location, **self._base(), "AB": barcode, "AC": ""},
        ))  # fmt: skip


def parse_due(value: str) -> dt.date | None:
    """A due date as peers send it: SIP date (``YYYYMMDD…``) or ``YYYY-MM-DD``."""
    digits = value.strip().replace("-", "")[:8]
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
