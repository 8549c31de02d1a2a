#!/usr/bin/env python
"""Benchmark: does the login page answer a registered number and an unknown one in the
same time? (issue 12, item 8: account enumeration by timing)

On a scratch SQLite database with the production password hasher (PBKDF2-SHA256 at
Django's default iterations), one account is created. Then, for the registered number and
for an unknown one, alternating, the script posts wrong passwords to ``/accounts/login/``
through Django's test client: the first ``GONGHUI_LOGIN_MAX_FAILURES`` attempts (the
number is not locked yet) and then ``--rounds`` attempts while locked. It prints the
median time of each phase for both numbers side by side, and the answer each got, and
exits non-zero if the answers differ or the medians differ by more than 20 %.

Before issue 12 a locked registered number answered in ~8 ms (no hashing) and an unknown
one in ~0.35 s.

    .venv/bin/python bench/login_timing.py [--rounds 15]
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from demand_analysis import setup_django

REGISTERED, UNKNOWN = "13912340001", "13912340002"
_ERROR = re.compile(r'<p class="form-errors" role="alert">([^<]*)</p>')


def attempt(client, mobile: str) -> tuple[float, str]:
    start = time.perf_counter()
    res = client.post(
        "/accounts/login/", {"mode": "password", "mobile": mobile, "password": "Wrong-pass-2026"}
    )
    seconds = time.perf_counter() - start
    match = _ERROR.search(res.content.decode())
    return seconds, match.group(1) if match else f"HTTP {res.status_code}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="attempts per number once locked")
    args = parser.parse_args()
    os.environ["LOG_LEVEL"] = "ERROR"  # each refused login logs a 400 warning
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(f"sqlite:///{tmp}/bench.sqlite3", tmp)
        from django.conf import settings
        from django.contrib.auth.hashers import get_hasher
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import setup_test_environment

        setup_test_environment()
        settings.ALLOWED_HOSTS = ["testserver"]
        call_command("migrate", verbosity=0)
        from gonghui.accounts.models import User

        user = User(username="bench", display_name="基准")
        user.set_mobile(REGISTERED)
        user.set_password("Right-pass-2026x")
        user.save()
        hasher = get_hasher()
        print(f"hasher: {hasher.algorithm}, {getattr(hasher, 'iterations', '?')} iterations")
        clients = {REGISTERED: Client(), UNKNOWN: Client()}
        times = {m: {"before": [], "locked": []} for m in clients}
        answers = {m: {"before": set(), "locked": set()} for m in clients}
        for phase, n in (("before", settings.GONGHUI_LOGIN_MAX_FAILURES - 1), ("locked", None)):
            rounds = n if n is not None else args.rounds
            if phase == "locked":  # the attempt that locks, not timed
                for mobile, client in clients.items():
                    attempt(client, mobile)
            for _ in range(rounds):
                for mobile, client in clients.items():
                    seconds, answer = attempt(client, mobile)
                    times[mobile][phase].append(seconds)
                    answers[mobile][phase].add(answer)
        ok = True
        print(
            f"{'phase':<8} {'registered (median ms)':>24} {'unknown (median ms)':>22} {'ratio':>7}"
        )
        for phase in ("before", "locked"):
            reg = statistics.median(times[REGISTERED][phase]) * 1000
            unk = statistics.median(times[UNKNOWN][phase]) * 1000
            ratio = reg / unk
            ok &= 0.8 <= ratio <= 1.25
            print(f"{phase:<8} {reg:>24.1f} {unk:>22.1f} {ratio:>7.2f}")
        for phase in ("before", "locked"):
            same = answers[REGISTERED][phase] == answers[UNKNOWN][phase]
            ok &= same and len(answers[REGISTERED][phase]) == 1
            print(f"answers {phase}: registered {sorted(answers[REGISTERED][phase])} "
                  f"unknown {sorted(answers[UNKNOWN][phase])}")  # fmt: skip
        print("OK: same answers, medians within 20 %" if ok else "MISSED: answers or timing differ")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
