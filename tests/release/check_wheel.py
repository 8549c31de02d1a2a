"""Install the built wheel in a fresh virtual environment and serve pages from it.

    python tests/release/check_wheel.py dist      (make release-check; CI runs it)

What it proves about a release: the wheel installs with pip from its declared dependencies,
the `gonghui` command migrates an empty SQLite database, and gunicorn serves the health check,
a public page (in Chinese, and in English from the compiled catalogue) and the npm vendor
files that page links, from the collected static files shipped in the wheel — with no source
checkout, no node_modules and no collectstatic; `check --deploy` passes and the new-county
command imports the example tree. Exits non-zero on the first failure.
"""

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

PORT = int(os.environ.get("GONGHUI_CHECK_PORT", "18071"))
BASE = f"http://127.0.0.1:{PORT}"


_START = time.monotonic()


def step(message: str) -> None:
    print(f"-- [{time.monotonic() - _START:5.1f} s] {message}", flush=True)


def get(path: str, language: str = "zh-hans") -> tuple[int, str, bytes]:
    headers = {"Accept-Language": language}
    request = urllib.request.Request(BASE + path, headers=headers)  # noqa: S310 (http, ours)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (http, ours)
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def check(condition: bool, message: str) -> None:
    if not condition:
        sys.exit(f"FAILED: {message}")
    print(f"   ok: {message}", flush=True)


def main() -> None:
    dist = Path(sys.argv[1] if len(sys.argv) > 1 else "dist").resolve()
    wheels = sorted(dist.glob("gonghui-*.whl"))
    check(len(wheels) == 1, f"one wheel in {dist} ({[w.name for w in wheels]})")
    check(len(list(dist.glob("gonghui-*.tar.gz"))) == 1, "one sdist beside it")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gonghui-wheel-") as tmp:
        work = Path(tmp)
        venv = work / "venv"
        step(f"python -m venv {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        # The versions CI tested (requirements.lock) as constraints: the same set, found faster.
        lock = Path(__file__).resolve().parents[2] / "requirements.lock"
        constraints = ["--constraint", str(lock)] if lock.is_file() else []
        step(f"pip install {wheels[0].name} {' '.join(constraints)}")
        subprocess.run(
            [venv / "bin" / "pip", "install", "--quiet", "--disable-pip-version-check",
             *constraints, wheels[0]],
            check=True,
        )  # fmt: skip
        # Run outside the checkout, with nothing of it on the path: only the wheel counts.
        env = {
            "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
            "HOME": os.environ.get("HOME", str(work)),
            "GONGHUI_ENV": "production",
            "SECRET_KEY": "release-check-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "GONGHUI_DATA_KEY": "release-check-data-key-0123456789abcdefghijklmnop",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"sqlite:///{work / 'fresh.sqlite3'}",
            "LOG_LEVEL": "WARNING",
        }
        where = subprocess.run(
            [venv / "bin" / "python", "-c", "import gonghui; print(gonghui.__file__)"],
            cwd=work, env=env, check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        check(where.startswith(str(venv)), f"gonghui imported from the venv ({where})")
        version = subprocess.run(
            [venv / "bin" / "gonghui", "--version"],
            cwd=work, env=env, check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        check(wheels[0].name.startswith(f"gonghui-{version}-"), f"gonghui --version is {version}")
        step("gonghui check --deploy (the production profile, HTTPS settings as shipped)")
        deploy_env = {k: v for k, v in env.items() if k != "SECURE_SSL_REDIRECT"}
        subprocess.run(
            [venv / "bin" / "gonghui", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=work, env=deploy_env, check=True,
        )  # fmt: skip
        step("gonghui migrate (fresh SQLite file)")
        subprocess.run(
            [venv / "bin" / "gonghui", "migrate", "--noinput", "-v", "0"], cwd=work, env=env,
            check=True,
        )  # fmt: skip
        example = Path(__file__).resolve().parents[2] / "docs" / "deploy" / "units-example.csv"
        if example.is_file():
            step("gonghui import_units docs/deploy/units-example.csv (the new-county path)")
            out = subprocess.run(
                [venv / "bin" / "gonghui", "import_units", str(example)],
                cwd=work, env=env, check=True, capture_output=True, text=True,
            ).stdout.strip()  # fmt: skip
            check(out == "imported 6 unit(s) and 2 enterprise(s)", f"import_units: {out}")
        step(f"gunicorn gonghui.wsgi on {BASE}")
        server = subprocess.Popen(
            [venv / "bin" / "gunicorn", "gonghui.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "1"],
            cwd=work, env=env,
        )  # fmt: skip
        try:
            for _ in range(100):
                try:
                    status, _type, body = get("/healthz")
                    break
                except (urllib.error.URLError, ConnectionError):
                    if server.poll() is not None:
                        sys.exit("FAILED: gunicorn exited")
                    time.sleep(0.2)
            else:
                sys.exit("FAILED: no answer from gunicorn")
            check(status == 200 and body == b'{"status": "ok"}', f"/healthz answers {body!r}")

            status, content_type, body = get("/t/plans/")
            page = body.decode()
            check(status == 200 and content_type.startswith("text/html"), "/t/plans/ is 200")
            check("<h1>培训公告</h1>" in page, "/t/plans/ shows its Chinese heading")
            status, _type, body = get("/accounts/login/", language="en")
            check(status == 200 and "Log in" in body.decode(), "the English catalogue is compiled")

            links = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
            vendor = [link for link in links if link.startswith("/static/vendor/")]
            check(
                any("/vendor/htmx/htmx.min." in link for link in vendor)
                and any("/vendor/pico/pico.min." in link for link in vendor),
                f"the page links hashed npm vendor files ({vendor})",
            )
            for link in links:
                status, _type, body = get(link)
                check(status == 200 and len(body) > 100, f"{link} is served ({len(body)} bytes)")
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"release check passed in {time.monotonic() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
