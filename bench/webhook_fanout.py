#!/usr/bin/env python
"""Benchmark: what do webhooks cost the change that emits an event, and how fast do
deliveries go out?

On a scratch SQLite database, a county and one reform item are made. The script times
``update_reform_item`` (a domain write that emits ``reform.updated``), each in its own
committed transaction, ``--rounds`` times in three set-ups, alternating rounds: no
subscription at all; 10 subscriptions to other events (the listener looks, writes
nothing); 10 subscriptions to ``reform.updated`` (ten deliveries written, scoped by their
tokens, and ten tasks queued after each commit). It prints the median of each and its
ratio to the first. Then it runs the queued delivery tasks against a receiver on
127.0.0.1 (signature checked, answers 200) and prints deliveries per second. Target: an
update with 10 subscribers takes at most 3× one without.

    .venv/bin/python bench/webhook_fanout.py [--rounds 60]
"""

import argparse
import hashlib
import hmac
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from demand_analysis import setup_django

SUBSCRIBERS = 10


def receiver(secrets_ok: list, secrets: set):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ts = self.headers["X-Gonghui-Timestamp"]
            sig = self.headers["X-Gonghui-Signature"]
            secrets_ok.append(any(
                hmac.compare_digest("sha256=" + hmac.new(s.encode(), ts.encode() + b"." + body,
                                                         hashlib.sha256).hexdigest(), sig)
                for s in secrets
            ))  # fmt: skip
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["GONGHUI_WEBHOOK_ALLOW_HTTP"] = "1"
        setup_django(f"sqlite:///{tmp}/bench.sqlite3", tmp)
        from django.core.management import call_command
        from django_tasks_db.management.commands.db_worker import Worker
        from django_tasks_db.models import DBTaskResult

        call_command("migrate", verbosity=0)
        from gonghui.core.actors import SYSTEM
        from gonghui.integration.domain.webhooks import create_subscription, set_subscription_active
        from gonghui.integration.models import WebhookDelivery
        from gonghui.orgs.domain.access import issue_api_token
        from gonghui.orgs.domain.units import create_org_unit
        from gonghui.orgs.enums import OrgKind, Role
        from gonghui.reform.domain.items import create_reform_item, update_reform_item

        county = create_org_unit(None, name="基准县总工会", kind=OrgKind.COUNTY, actor=SYSTEM)
        item = create_reform_item(county, actor=SYSTEM, title="基准事项", category="process",
                                  goal="基准目标")  # fmt: skip
        ok: list = []
        secrets: set = set()
        server = receiver(ok, secrets)
        url = f"http://127.0.0.1:{server.server_port}/hook"
        groups = {"other": [], "reform": []}
        for group, events in (("other", ["plan.announced"]), ("reform", ["reform.updated"])):
            for n in range(SUBSCRIBERS):
                token, _ = issue_api_token(county, name=f"{group}{n}", role=Role.FEDERATION_STAFF,
                                           actor=SYSTEM)  # fmt: skip
                sub, secret = create_subscription(token, name=f"{group}{n}", url=url,
                                                  events=events, actor=SYSTEM)  # fmt: skip
                secrets.add(secret)
                groups[group].append(sub)

        def use(active: set[str]) -> None:
            for group, subs in groups.items():
                for sub in subs:
                    set_subscription_active(sub, active=group in active, actor=SYSTEM)

        def one(n: int) -> float:
            start = time.perf_counter()
            update_reform_item(item, actor=SYSTEM, title=f"基准事项{n}", category="process",
                               goal="基准目标", due_on=None)  # fmt: skip
            return time.perf_counter() - start

        setups = {"none": set(), "10 other": {"other"}, "10 reform": {"reform"}}
        times = {name: [] for name in setups}
        n = 0
        for _ in range(args.rounds):
            for name, active in setups.items():
                use(active)
                n += 1
                times[name].append(one(n))
        base = statistics.median(times["none"])
        print(f"update_reform_item, median of {args.rounds} (SQLite):")
        for name, values in times.items():
            median = statistics.median(values)
            print(f"  {name:<10} {median * 1000:7.2f} ms   {median / base:5.2f}×")
        queued = WebhookDelivery.objects.count()
        worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                        startup_delay=False, max_tasks=None, worker_id="bench",
                        excluded_queue_names=[])  # fmt: skip
        start = time.perf_counter()
        done = 0
        while (result := DBTaskResult.objects.ready().first()) is not None:
            result.claim(worker.worker_id)
            worker.run_task(result)
            done += 1
        seconds = time.perf_counter() - start
        delivered = WebhookDelivery.objects.filter(state="delivered").count()
        print(f"deliveries: {queued} written, {delivered} delivered in {seconds:.2f} s "
              f"({delivered / seconds:.0f}/s, one worker), signatures valid: "
              f"{sum(ok)}/{len(ok)}")  # fmt: skip
        server.shutdown()
        ratio = statistics.median(times["10 reform"]) / base
        if ratio > 3:
            print(f"MISSED: 10 subscribers cost {ratio:.2f}× (target ≤ 3×)")
            return 1
        return 0


if __name__ == "__main__":
    sys.exit(main())
