#!/usr/bin/env python
"""Drive a roster import through the console page of a running ``make demo``.

Logs in as the demo's county staff (password login, as a person would), uploads a generated
workbook of ``--rows`` members for one demo union, polls the status partial the page polls
(``/console/imports/<id>/status/``, as htmx does every second), confirms when the preview
is ready, and prints the progress seen until the import is done, with the times.

Nothing here runs the import: the web server answers and the task worker started by
``make demo`` (honcho, Procfile) does the work. Needs the demo's database to read one union
and its enterprises' names (``GONGHUI_VAR_DIR`` / ``DATABASE_URL`` as for the demo).

    make demo            # in one terminal
    .venv/bin/python bench/demo_roster_import.py --base-url http://127.0.0.1:8000
"""

import argparse
import datetime as dt
import http.cookiejar
import io
import os
import re
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADERS = [
    "所属工会", "姓名", "性别", "出生日期", "民族", "证件类型", "证件号码", "学历", "技能等级",
    "移动电话", "户籍类型", "政治面貌", "工作单位", "是否农民工", "会籍变化类型", "会籍变化日期",
    "会籍变化原因", "会员证号", "入会日期",
]  # fmt: skip


def union_and_enterprises() -> tuple[int, str, list[str]]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from gonghui.orgs.models import Enterprise, OrgUnit

    union = (
        OrgUnit.objects.filter(kind="grassroots", enterprises__isnull=False)
        .order_by("path")
        .first()
    )
    names = list(Enterprise.objects.filter(union=union).values_list("name", flat=True)[:5])
    return union.pk, union.name, names


def workbook(rows: int, union: str, enterprises: list[str]) -> bytes:
    from openpyxl import Workbook

    from gonghui.core.validators import id_check_char

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("会员名册")
    ws.append(HEADERS)
    base = dt.date(1970, 1, 1)
    stamp = int(time.time()) % 900 + 100  # another run, other people
    for i in range(rows):
        birth = base + dt.timedelta(days=i)
        body = f"330481{birth:%Y%m%d}{stamp:03d}"  # one birth date per row: unique
        sex = "男" if int(body[16]) % 2 else "女"
        ws.append([union, f"导入测试{i:05d}", sex, f"{birth:%Y-%m-%d}", "汉族", "居民身份证",
                   body + id_check_char(body), "高中", "无", f"137{stamp:03d}{i:05d}", "城镇",
                   "群众", enterprises[i % len(enterprises)], "否", "入会", "2024-01-05", "",
                   "", ""])  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class Browser:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def get(self, path: str) -> tuple[int, str, str]:
        res = self.opener.open(self.base + path, timeout=60)
        return res.status, res.geturl(), res.read().decode()

    def post(self, path: str, data: bytes, content_type: str) -> tuple[int, str, str]:
        req = urllib.request.Request(self.base + path, data=data, method="POST", headers={  # noqa: S310
            "Content-Type": content_type, "X-CSRFToken": self.csrf(),
            "Referer": self.base + path,
        })  # fmt: skip
        res = self.opener.open(req, timeout=300)
        return res.status, res.geturl(), res.read().decode()

    def post_form(self, path: str, fields: dict) -> tuple[int, str, str]:
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.csrf()}).encode()
        return self.post(path, body, "application/x-www-form-urlencoded")


def multipart(fields: dict, name: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                     f"{value}\r\n".encode())  # fmt: skip
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/vnd.openxmlformats-'
            "officedocument.spreadsheetml.sheet\r\n\r\n")  # fmt: skip
    parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--mobile", default="13900000001", help="the demo's county_staff")
    parser.add_argument("--password", default=None)
    parser.add_argument("--poll", type=float, default=0.25,
                        help="seconds between two looks at the status (the page: 1)")  # fmt: skip
    args = parser.parse_args()
    union_id, union, enterprises = union_and_enterprises()
    from gonghui.orgs.demo.accounts import DEMO_PASSWORD

    data = workbook(args.rows, union, enterprises)
    print(f"workbook: {args.rows} rows for {union} ({len(data) / 1024:.0f} KiB)")
    b = Browser(args.base_url)
    b.get("/accounts/login/")
    status, url, _ = b.post_form("/accounts/login/", {
        "mode": "password", "next": "/", "mobile": args.mobile,
        "password": args.password or DEMO_PASSWORD,
    })  # fmt: skip
    assert "/accounts/login/" not in url, "login failed"
    b.get("/console/imports/")
    body, ctype = multipart({"csrfmiddlewaretoken": b.csrf(), "union": union_id}, "file",
                            "roster.xlsx", data)  # fmt: skip
    t0 = time.monotonic()
    status, url, page = b.post("/console/imports/", body, ctype)
    match = re.search(r"/console/imports/(\d+)/", url)
    assert match, f"upload refused ({status}): {re.findall(r'error[^<]*<[^>]*>([^<]+)', page)}"
    pk = int(match.group(1))
    print(f"uploaded: import #{pk}, page answered in {time.monotonic() - t0:.1f} s")
    seen, confirmed_at, last = [], None, None
    while True:
        _, _, part = b.get(f"/console/imports/{pk}/status/")
        state = re.search(r'data-status="(\w+)"', part).group(1)
        progress = re.search(r'<span class="mono">(\d+) / (\d+)</span>', part)
        now = time.monotonic() - t0
        line = (state, progress.group(1) if progress else None)
        if line != last:
            seen.append((now, *line))
            print(f"  {now:6.1f} s  {state:<11} {line[1] or '':>6} / {args.rows}")
            last = line
        if state == "previewed" and confirmed_at is None:
            confirmed_at = now
            b.post_form(f"/console/imports/{pk}/confirm/", {})
        if state in ("done", "failed", "cancelled"):
            break
        if now > 1800:
            print("gave up after 30 minutes")
            return 1
        time.sleep(args.poll)
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', part))
    moving = sorted({int(p) for _, s, p in seen if p is not None and s == "validating"})
    writing = sorted({int(p) for _, s, p in seen if p is not None and s == "importing"})
    print(f"result: {state} after {now:.1f} s (validation until {confirmed_at or 0:.1f} s, "
          f"then confirmed and written); counts {counts}")  # fmt: skip
    print(f"progress values seen: validating {moving}, writing {writing}")
    return 0 if state == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
