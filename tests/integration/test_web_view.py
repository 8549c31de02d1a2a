"""What a super-app web view needs of the worker's pages: no new windows or pop-ups, and
session cookies that a top-level navigation back from the provider carries."""

from pathlib import Path

import gonghui

SRC = Path(gonghui.__file__).parent
#: The pages a worker reaches from /m/ (everything but the staff console).
WORKER_TEMPLATES = [
    "accounts/templates", "orgs/templates/orgs/portal", "training/templates/training/public",
    "training/templates/training/parties", "evaluation/templates/evaluation/portal",
    "mutualaid/templates/mutualaid/worker", "mutualaid/templates/mutualaid/public",
    "mentorship/templates/mentorship/portal", "integration/templates/integration",
    "templates",
]  # fmt: skip


def test_worker_pages_open_no_new_window():
    offenders = []
    for folder in WORKER_TEMPLATES:
        for path in (SRC / folder).rglob("*.html"):
            if "/console/" in str(path):
                continue
            text = path.read_text()
            if "_blank" in text or "window.open" in text:
                offenders.append(str(path.relative_to(SRC)))
    assert offenders == []
    js = (SRC / "static/gonghui/app.js").read_text()
    assert "window.open" not in js


def test_session_cookie_survives_the_return_from_the_provider(settings):
    # Lax cookies go with top-level GET navigations (the provider's redirect back).
    assert settings.SESSION_COOKIE_SAMESITE in ("Lax", "None")
    if settings.SESSION_COOKIE_SAMESITE == "None":
        assert settings.SESSION_COOKIE_SECURE


def test_samesite_none_makes_the_cookies_secure():
    """GONGHUI_COOKIE_SAMESITE=None (a page framed cross-site) turns on Secure cookies, which
    browsers require for SameSite=None; read from a fresh process with that environment."""
    import os
    import subprocess
    import sys

    root = SRC.parents[1]
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='gonghui.settings'; "
            "django.setup(); from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_SAMESITE, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE)")  # fmt: skip
    env = {**os.environ, "GONGHUI_COOKIE_SAMESITE": "None", "PYTHONPATH": str(root / "src")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120, check=True, cwd=root)  # fmt: skip
    assert out.stdout.split() == ["None", "True", "True"]
