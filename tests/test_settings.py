"""The production profile passes ``check --deploy`` and refuses to start without secrets."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; production never has it.
    dropped = ("GONGHUI_", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")
    base = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_profile_passes_check_deploy(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        GONGHUI_ENV="production",
        SECRET_KEY="x7Kq!v9#Lm2$Pz8&Rt4^Wn6*Yb3(Hd5)Jf1-Gs0+Ec7=Ua9;Io2",
        GONGHUI_DATA_KEY="prod-data-key-for-test-only-7d1e0c",
        ALLOWED_HOSTS="gonghui.example.cn",
        GONGHUI_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_production_profile_requires_secrets(tmp_path):
    result = _manage("check", GONGHUI_ENV="production", GONGHUI_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr
