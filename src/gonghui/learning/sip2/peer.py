# SPDX-License-Identifier: AGPL-3.0-or-later
"""A small SIP2 server standing in for the city library's system (tests, the demo, a
developer's machine): items and patrons in memory, the messages of ``protocol``, one thread
per connection. Run it as a process::

    python -m gonghui.learning.sip2.peer --port 6001 --items items.txt [--drop 11:before]
        [--loan-days 30]

``--items`` lists known barcodes (``barcode<TAB>title`` per line); ``--drop CMD:before``
closes the connection when a message ``CMD`` arrives (nothing applied), ``CMD:after``
applies it and then closes without answering — the two ways a transaction dies midway.
It prints ``listening <port>`` when ready.
"""

from __future__ import annotations

import argparse
import datetime as dt
import socketserver
import sys
import threading
from dataclasses import dataclass, field

from .protocol import AVAILABLE, CHARGED, Message, Sip2Error, decode, sip_date

LOAN_DAYS = 30


@dataclass
class Library:
    items: dict[str, dict] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)
    drop: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    log: list[str] = field(default_factory=list)
    loan_days: int = LOAN_DAYS

    def add_item(self, barcode: str, title: str = "") -> None:
        self.items.setdefault(barcode, {"title": title, "patron": "", "due": ""})

    def answer(self, msg: Message) -> Message | None:
        with self.lock:
            self.log.append(msg.command)
            handler = getattr(self, f"_m{msg.command}", None)
            if handler is None:
                raise Sip2Error(f"unsupported message {msg.command}")
            return handler(msg)

    def _m93(self, msg: Message) -> Message:
        return Message("94", {"ok": "1"})

    def _m99(self, msg: Message) -> Message:
        return Message("98", {"online": "Y", "checkin_ok": "Y", "checkout_ok": "Y",
                              "renewal_policy": "Y", "status_update_ok": "N",
                              "offline_ok": "N", "timeout": "010", "retries": "003",
                              "date": sip_date(), "protocol_version": "2.00"},
                       {"AO": msg.get("AO"), "BX": "YYYYNNNNYNNNNNNN"})  # fmt: skip

    def _m23(self, msg: Message) -> Message:
        patron = msg.get("AA")
        valid = bool(patron) and patron not in self.blocked
        status = (" " * 14) if valid else ("Y" * 4 + " " * 10)
        return Message(
            "24",
            {"patron_status": status, "language": "019", "date": sip_date()},
            {"AO": msg.get("AO"), "AA": patron, "AE": "", "BL": "Y" if valid else "N"},
        )

    def _m17(self, msg: Message) -> Message:
        item = self.items.get(msg.get("AB"))
        status = "01" if item is None else (CHARGED if item["patron"] else AVAILABLE)
        fields = {"AB": msg.get("AB"), "AJ": item["title"] if item else ""}
        if item and item["due"]:
            fields["AH"] = item["due"]
        return Message("18", {"circulation_status": status, "security_marker": "00",
                              "fee_type": "01", "date": sip_date()}, fields)  # fmt: skip

    def _m11(self, msg: Message) -> Message:
        patron, barcode = msg.get("AA"), msg.get("AB")
        item = self.items.get(barcode)
        base = {"ok": "0", "renewal_ok": "N", "magnetic": "N", "desensitize": "N",
                "date": sip_date()}  # fmt: skip
        fields = {"AO": msg.get("AO"), "AA": patron, "AB": barcode}
        if item is None:
            return Message("12", base, {**fields, "AJ": "", "AH": "", "AF": "Item not found"})
        if patron in self.blocked:
            return Message("12", base, {**fields, "AJ": item["title"], "AH": "",
                                         "AF": "Patron blocked"})  # fmt: skip
        if item["patron"] and item["patron"] != patron:
            return Message("12", base, {**fields, "AJ": item["title"], "AH": "",
                                         "AF": "Item charged to another patron"})  # fmt: skip
        item["patron"], item["due"] = patron, self._due()
        return Message("12", {**base, "ok": "1", "desensitize": "Y"},
                       {**fields, "AJ": item["title"], "AH": item["due"]})  # fmt: skip

    def _due(self) -> str:
        return (dt.date.today() + dt.timedelta(days=self.loan_days)).strftime("%Y%m%d") + (
            "    235900"
        )

    def _m29(self, msg: Message) -> Message:
        """Renew: the item must be charged to this patron; due again ``loan_days`` from
        today."""
        patron, barcode = msg.get("AA"), msg.get("AB")
        item = self.items.get(barcode)
        base = {"ok": "0", "renewal_ok": "N", "magnetic": "N", "desensitize": "N",
                "date": sip_date()}  # fmt: skip
        fields = {"AO": msg.get("AO"), "AA": patron, "AB": barcode,
                  "AJ": item["title"] if item else "", "AH": ""}  # fmt: skip
        if item is None:
            return Message("30", base, {**fields, "AF": "Item not found"})
        if patron in self.blocked:
            return Message("30", base, {**fields, "AF": "Patron blocked"})
        if item["patron"] != patron:
            return Message("30", base, {**fields, "AF": "Item not charged to this patron"})
        item["due"] = self._due()
        return Message("30", {**base, "ok": "1", "renewal_ok": "Y"}, {**fields, "AH": item["due"]})

    def _m09(self, msg: Message) -> Message:
        barcode = msg.get("AB")
        item = self.items.get(barcode)
        base = {"ok": "0", "resensitize": "N", "magnetic": "N", "alert": "N", "date": sip_date()}
        if item is None:
            return Message("10", base, {"AO": msg.get("AO"), "AB": barcode, "AQ": "",
                                         "AF": "Item not found"})  # fmt: skip
        was = item["patron"]
        item["patron"], item["due"] = "", ""
        return Message("10", {**base, "ok": "1", "resensitize": "Y", "alert": "N" if was else "Y"},
                       {"AO": msg.get("AO"), "AB": barcode, "AQ": msg.get("AP"),
                        "AJ": item["title"]})  # fmt: skip


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        library: Library = self.server.library  # type: ignore[attr-defined]
        while True:
            line = b""
            while not line.endswith(b"\r"):
                ch = self.rfile.read(1)
                if not ch:
                    return
                line += ch
            try:
                msg = decode(line)
            except Sip2Error:
                return
            mode = library.drop.get(msg.command)
            if mode == "before":
                return
            reply = library.answer(msg)
            if mode == "after":
                return
            if reply is not None:
                reply.sequence = msg.sequence
                self.wfile.write(reply.encode())
                self.wfile.flush()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], library: Library):
        super().__init__(address, _Handler)
        self.library = library


def serve_in_thread(library: Library, host: str = "127.0.0.1", port: int = 0) -> Server:
    """Start a peer on a thread of this process (the demo's set-up); ``server.shutdown()``."""
    server = Server((host, port), library)
    threading.Thread(target=server.serve_forever, daemon=True, name="sip2-peer").start()
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A SIP2 peer standing in for a library system")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6001)
    parser.add_argument("--items", help="file of barcode<TAB>title lines")
    parser.add_argument("--block", action="append", default=[], help="a blocked patron id")
    parser.add_argument("--drop", action="append", default=[], help="CMD:before or CMD:after")
    parser.add_argument("--loan-days", type=int, default=LOAN_DAYS, help="loan and renewal days")
    args = parser.parse_args(argv)
    library = Library(blocked=set(args.block), loan_days=args.loan_days)
    for spec in args.drop:
        command, _, mode = spec.partition(":")
        library.drop[command] = mode or "before"
    if args.items:
        with open(args.items, encoding="utf-8") as fh:
            for line in fh:
                barcode, _, title = line.rstrip("\n").partition("\t")
                if barcode:
                    library.add_item(barcode, title)
    server = Server((args.host, args.port), library)
    print(f"listening {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
