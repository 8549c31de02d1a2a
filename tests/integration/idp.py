"""The development OpenID Connect provider (gonghui.integration.devprovider) as a separate
process on 127.0.0.1, for the live-server tests and the browser test."""

import datetime as dt
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.factories import make_id_number

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID, CLIENT_SECRET = "gonghui-test", "idp-test-secret-0123456789"


@dataclass(frozen=True)
class Identity:
    key: int  # the provider's identity id (order given at start)
    name: str
    id_number: str
    mobile: str


#: Who the provider knows. The tests create (or not) matching people on our side.
WORKER = Identity(1, "王建国", make_id_number(dt.date(1985, 3, 8), seq=701), "13900000701")
STRANGER = Identity(2, "赵未知", make_id_number(dt.date(1979, 11, 2), seq=702), "13900000702")
STAFF = Identity(3, "钱主任", "", "13900000703")
MIXED = Identity(4, "孙混合", make_id_number(dt.date(1990, 6, 6), seq=704), "13900000704")
IDENTITIES = (WORKER, STRANGER, STAFF, MIXED)


class Provider:
    def __init__(self, callback: str, directory: Path):
        args = [sys.executable, "-m", "gonghui.integration.devprovider", "--port", "0",
                "--dir", str(directory), "--client-id", CLIENT_ID,
                "--client-secret", CLIENT_SECRET, "--redirect-uri", callback]  # fmt: skip
        for i in IDENTITIES:
            args += ["--identity", f"{i.name}|{i.id_number}|{i.mobile}"]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        self.process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        deadline = time.monotonic() + 120
        line = ""
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if line.startswith("ready "):
                break
            if not line and self.process.poll() is not None:
                raise RuntimeError("the development provider did not start")
        self.url = line.split()[1]

    def settings(self) -> dict:
        return {
            "local": {
                "kind": "oidc", "label": "演示身份平台",
                "metadata_url": f"{self.url}/o/.well-known/openid-configuration",
                "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                "scope": "openid profile phone cn_id",
            }
        }  # fmt: skip

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
