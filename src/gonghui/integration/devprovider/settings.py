# SPDX-License-Identifier: AGPL-3.0-or-later
"""Settings of the development OpenID Connect provider (its own process and database)."""

import os
from pathlib import Path

BASE = Path(os.environ.get("GONGHUI_DEVPROVIDER_DIR", "/tmp/gonghui-devprovider"))  # noqa: S108 - dev only
SECRET_KEY = os.environ.get("GONGHUI_DEVPROVIDER_SECRET", "devprovider-not-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
    "gonghui.integration.devprovider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "gonghui.integration.devprovider.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE / "provider.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
LOGIN_URL = "/login/"
SESSION_COOKIE_NAME = "devprovider_session"  # 127.0.0.1 cookies ignore the port
CSRF_COOKIE_NAME = "devprovider_csrf"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": (BASE / "key.pem").read_text() if (BASE / "key.pem").exists() else "",
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    "SCOPES": {
        "openid": "OpenID Connect",
        "profile": "姓名",
        "phone": "手机号码",
        "cn_id": "身份证号码",
    },
    "OAUTH2_VALIDATOR_CLASS": "gonghui.integration.devprovider.validator.DevValidator",
}
