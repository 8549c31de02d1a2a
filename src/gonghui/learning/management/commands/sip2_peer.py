# SPDX-License-Identifier: AGPL-3.0-or-later
"""Run the stand-in SIP2 peer (``gonghui.learning.sip2.peer``) for a development machine or
the demo, loaded with the copies of the reading rooms whose SIP2 address is on this host and
the port given, items on loan charged to their borrowers. Production rooms point at the city
library's own SIP2 server instead."""

from django.core.management.base import BaseCommand

from gonghui.learning.enums import LoanState
from gonghui.learning.models import BookCopy, Loan
from gonghui.learning.sip2 import peer


class Command(BaseCommand):
    help = "Serve a stand-in SIP2 peer for the reading rooms (development and demo)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=6001)

    def handle(self, *args, host: str, port: int, **options):
        shelf = peer.Library()
        address = f"{host}:{port}"
        for barcode, title in BookCopy.objects.filter(room__sip2_address=address).values_list(
            "barcode", "title__title"
        ):
            shelf.add_item(barcode, title)
        for barcode, card in Loan.objects.filter(
            state=LoanState.ON_LOAN, room__sip2_address=address
        ).values_list("copy__barcode", "card__number"):
            if barcode in shelf.items:
                shelf.items[barcode]["patron"] = card
        server = peer.Server((host, port), shelf)
        self.stdout.write(f"SIP2 peer with {len(shelf.items)} items listening on {address}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
