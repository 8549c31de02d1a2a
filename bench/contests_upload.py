"""Benchmark: a large video uploaded in resumable tus chunks against a plain loopback copy.

    .venv/bin/python bench/contests_upload.py               # 1 GB, temporary SQLite file
    .venv/bin/python bench/contests_upload.py --mb 256      # a quicker run
    .venv/bin/python bench/contests_upload.py --mb 256 --runs 3 \
        --database-url postgres://postgres@127.0.0.1:5432/postgres   # as in production

A scratch database (migrated; SQLite, or PostgreSQL with ``--database-url``) holds one
contest, one entry and its union officer; the site
runs under gunicorn (one sync worker, as in production) on a free loopback port. The file
is a real MP4 clip made by the wheel's FFmpeg followed by a ``free`` box of padding up to
``--mb`` megabytes, so FFmpeg's check, the poster frame and the sealing all run on the
full size.

Side by side, measured in this process:

- **loopback copy**: the same file sent over a TCP socket on 127.0.0.1 to a receiver that
  writes it to disk (what the network and the disk allow);
- **tus upload**: login, ``POST /contests/tus/``, then ``PATCH`` in ``--chunk-mb`` chunks
  (default 8, as the phone page), until the server answered the last one (FFmpeg's check
  and poster included); the server's peak resident memory (``VmHWM`` of the gunicorn
  worker) when the upload starts, before its last PATCH and at the end.

With ``--runs N`` the copy and the upload alternate N times against one server (each
upload replaces the entry's video), so load from other jobs on the machine falls on both
sides alike; every pair's ratio is printed and the range reported. The CPU seconds each
side spent are printed too (the copy: this process, both ends; the upload: the gunicorn
worker), a figure that other jobs' load disturbs far less than wall time.

Targets: tus throughput ≥ 50 % of the loopback copy; server peak RSS < 150 MB.
"""

import argparse
import base64
import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from scratch import scratch_database  # noqa: E402 - after the path

SPEED_TARGET, RSS_TARGET_MB = 0.5, 150
MOBILE, PASSWORD = "13900005555", "Bench-Upload-2026"


def make_file(path: Path, megabytes: int, ffmpeg: str) -> int:
    clip = path.with_suffix(".clip.mp4")
    subprocess.run(  # noqa: S603 - fixed arguments, the wheel's FFmpeg
        [ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
         "testsrc=duration=5:size=640x360:rate=25", "-pix_fmt", "yuv420p", "-y", str(clip)],
        check=True,
    )  # fmt: skip
    head = clip.read_bytes()
    total = megabytes * 1024 * 1024
    pad = total - len(head)
    block = bytes(4 * 1024 * 1024)
    with open(path, "wb") as out:
        out.write(head)
        out.write(pad.to_bytes(4, "big") + b"free")  # an MP4 box every parser skips
        left = pad - 8
        while left > 0:
            out.write(block[: min(left, len(block))])
            left -= min(left, len(block))
    return total


def loopback_copy(path: Path, dest: Path) -> float:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def receive():
        conn, _ = server.accept()
        with conn, open(dest, "wb") as out:
            while data := conn.recv(1024 * 1024):
                out.write(data)
            out.flush()
            os.fsync(out.fileno())

    t = threading.Thread(target=receive)
    cpu = time.process_time()
    t.start()
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as sock, open(path, "rb") as fh:
        sock.sendfile(fh)
    t.join()
    server.close()
    return time.perf_counter() - start, time.process_time() - cpu


def setup(url: str, tmp: str) -> int:
    """Migrate the scratch database and create the contest, entry and officer; the entry's id."""
    from demand_analysis import setup_django

    setup_django(url, tmp)
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from gonghui.contests.domain import contests as c
    from gonghui.contests.domain import registration
    from gonghui.contests.enums import EventKind
    from gonghui.core.actors import SYSTEM
    from gonghui.orgs.domain.access import assign_role
    from gonghui.orgs.domain.units import create_org_unit
    from gonghui.orgs.enums import OrgKind, Role
    from gonghui.orgs.models import Membership, Person

    root = create_org_unit(None, name="基准市总工会", kind=OrgKind.CITY, actor=SYSTEM)
    union = create_org_unit(root, name="基准基层工会", kind=OrgKind.GRASSROOTS, actor=SYSTEM)
    from django.contrib.auth import get_user_model

    officer = get_user_model()(username="bench_officer")
    officer.set_mobile(MOBILE)
    officer.set_password(PASSWORD)
    officer.save()
    assign_role(officer, role=Role.UNION_OFFICER, org_unit=union, actor=SYSTEM)
    person = Person.objects.create(name="基准", id_number="110101199001011237", sex="M",
                                   birth_date=dt.date(1990, 1, 1), id_digest="bench")  # fmt: skip
    Membership.objects.create(person=person, union=union, joined_on=dt.date(2020, 1, 1))
    now = timezone.now()
    contest = c.create_contest(
        root, actor=SYSTEM, name="基准上传", max_video_mb=4096, tiers=[],
        events=[c.EventIn("展示", EventKind.EXHIBITION, "individual")],
        rounds=[c.RoundIn("决赛", "final", 0, now + dt.timedelta(days=1),
                          now + dt.timedelta(days=2))],
    )  # fmt: skip
    c.transition(contest, actor=SYSTEM, to="registration")
    entry = registration.register_entry(contest.events.get(), actor=officer, unit=union,
                                        people=[person])  # fmt: skip
    return entry.pk


class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)
        h = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
             "Referer": f"http://127.0.0.1:{self.port}/", **(headers or {})}  # fmt: skip
        conn.request(method, path, body=body, headers=h)
        res = conn.getresponse()
        data = res.read()
        for k, v in res.getheaders():
            if k.lower() == "set-cookie":
                name, value = v.split(";", 1)[0].split("=", 1)
                self.cookies[name] = value
        conn.close()
        return res.status, dict(res.getheaders()), data

    def login(self):
        _s, _h, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "mode": "password",
                                       "mobile": MOBILE, "password": PASSWORD})  # fmt: skip
        status, _h, _b = self.request(
            "POST", "/accounts/login/", body,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        assert status == 302, f"login failed: {status}"


def tus_upload(port: int, path: Path, size: int, entry_id: int, chunk: int, rss) -> tuple:
    """(seconds of the upload, seconds of its last PATCH, the worker's RSS in MB when the
    upload starts (after login and a page), its peak before the last PATCH)."""
    client = Client(port)
    client.login()
    client.request("GET", "/contests/")
    client.request("GET", "/contests/")
    rss_start = rss()
    rss_chunks = rss_start
    tus = {"Tus-Resumable": "1.0.0", "X-CSRFToken": client.cookies.get("csrftoken", "")}
    meta = "entry " + base64.b64encode(str(entry_id).encode()).decode()
    start = time.perf_counter()
    status, headers, body = client.request(
        "POST", "/contests/tus/", b"", {**tus, "Upload-Length": str(size), "Upload-Metadata": meta}
    )
    assert status == 201, (status, body[:200])
    location = urllib.parse.urlparse(headers["Location"]).path
    offset = 0
    last = 0.0
    with open(path, "rb") as fh:
        while offset < size:
            data = fh.read(chunk)
            if offset + len(data) >= size:
                rss_chunks = rss()
            t = time.perf_counter()
            status, headers, body = client.request("PATCH", location, data, {
                **tus, "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            })  # fmt: skip
            assert status == 204, (status, body[:300])
            offset = int(headers["Upload-Offset"])
            last = time.perf_counter() - t
    return time.perf_counter() - start, last, rss_start, rss_chunks


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the gunicorn worker(s) under ``pid``."""
    total = 0.0
    for child in children(pid):
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def peak_rss_mb(pid: int) -> float:
    best = 0.0
    for child in [pid, *children(pid)]:
        try:
            text = Path(f"/proc/{child}/status").read_text()
        except OSError:
            continue
        m = re.search(r"VmHWM:\s+(\d+) kB", text)
        if m:
            best = max(best, int(m[1]) / 1024)
    return best


def children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1024)
    parser.add_argument("--chunk-mb", type=int, default=8)
    parser.add_argument("--runs", type=int, default=1, help="copy and upload alternated N times")
    parser.add_argument("--database-url", default="",
                        help="postgres://… : a scratch PostgreSQL database on that server "
                             "(as in production) instead of a temporary SQLite file")  # fmt: skip
    args = parser.parse_args()
    pairs = []
    with (
        tempfile.TemporaryDirectory(prefix="gonghui-bench-upload-") as tmp,
        scratch_database(args.database_url, "gonghui_bench_upload", tmp) as (url, label),
    ):
        entry_id = setup(url, tmp)
        from gonghui.contests.domain.videos import ffmpeg_exe

        src = Path(tmp) / "video.mp4"
        size = make_file(src, args.mb, ffmpeg_exe())
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "DATABASE_URL": url, "GONGHUI_VAR_DIR": tmp, "DEBUG": "0",
               "DJANGO_SETTINGS_MODULE": "gonghui.settings", "PYTHONPATH": str(ROOT / "src"),
               "ALLOWED_HOSTS": "127.0.0.1"}  # fmt: skip
        server = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "-m", "gunicorn", "gonghui.wsgi", "-b", f"127.0.0.1:{port}", "-w",
             "1", "--timeout", "900", "--log-level", "warning"], env=env, cwd=str(ROOT),
        )  # fmt: skip
        try:
            for _ in range(300):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            Client(port).request("GET", "/accounts/login/")
            base_rss = peak_rss_mb(server.pid)
            for _ in range(args.runs):
                copy_s, copy_cpu = loopback_copy(src, Path(tmp) / "copy.bin")
                (Path(tmp) / "copy.bin").unlink()
                cpu = cpu_seconds(server.pid)
                tus_s, last_s, start_rss, chunks_rss = tus_upload(
                    port, src, size, entry_id, args.chunk_mb * 1024 * 1024,
                    lambda: peak_rss_mb(server.pid),
                )  # fmt: skip
                tus_cpu = cpu_seconds(server.pid) - cpu
                pairs.append((copy_s, copy_cpu, tus_s, tus_cpu, last_s))
                if len(pairs) == 1:
                    first_rss = (start_rss, chunks_rss)
            rss = peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    mb = size / 1024 / 1024
    start_rss, chunks_rss = first_rss
    print(f"database: {label}")
    print(
        f"server peak RSS: {base_rss:.0f} MB after start-up and one page, {start_rss:.0f} MB "
        f"after login and the contests page (the upload starts), {chunks_rss:.0f} MB before "
        f"the first upload's last PATCH (+{chunks_rss - start_rss:.0f} MB for all the chunks), "
        f"{rss:.0f} MB at the end (+{rss - start_rss:.0f} MB during {len(pairs)} upload(s))"
    )
    shares = []
    for i, (copy_s, copy_cpu, tus_s, tus_cpu, last_s) in enumerate(pairs, 1):
        share = copy_s / tus_s
        shares.append(share)
        print(f"run {i}: {mb:.0f} MB: loopback copy {copy_s:.2f} s ({mb / copy_s:.0f} MB/s, "
              f"{copy_cpu:.2f} CPU s); tus upload in {args.chunk_mb} MB chunks {tus_s:.2f} s "
              f"({mb / tus_s:.0f} MB/s, worker {tus_cpu:.2f} CPU s, last PATCH with the sync, "
              f"FFmpeg check and poster {last_s:.2f} s) = {share:.0%} of the copy")  # fmt: skip
    ok = min(shares) >= SPEED_TARGET and rss < RSS_TARGET_MB
    print(f"{mb:.0f} MB in {args.chunk_mb} MB chunks, {len(pairs)} run(s): tus at "
          f"{min(shares):.0%}-{max(shares):.0%} of the loopback copy (target >= "
          f"{SPEED_TARGET:.0%}); server peak RSS {rss:.0f} MB (target < {RSS_TARGET_MB} MB) "
          f"{'met' if ok else 'MISSED'}")  # fmt: skip
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
