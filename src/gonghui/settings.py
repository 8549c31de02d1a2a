# SPDX-License-Identifier: AGPL-3.0-or-later
"""One settings module, driven by environment variables.

Development defaults are safe to run locally; ``GONGHUI_ENV=production`` switches on
the production profile, which refuses to start without real secrets and passes
``manage.py check --deploy``.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
# Run from a source checkout (src/gonghui/ beside pyproject.toml), or installed from the wheel,
# where the working directory takes the checkout's place for var/ (docs/deployment.md).
SOURCE_CHECKOUT = (PACKAGE_DIR.parent.parent / "pyproject.toml").is_file()
BASE_DIR = PACKAGE_DIR.parent.parent if SOURCE_CHECKOUT else Path.cwd()
VAR_DIR = Path(os.environ.get("GONGHUI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

ENV = os.environ.get("GONGHUI_ENV", "development")
PRODUCTION = ENV == "production"


def _secret(name: str, dev_default: str) -> str:
    value = os.environ.get(name, "")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set in production")
    return dev_default


#: The development keys are public (they are in this file): ``manage.py check --deploy``
#: fails with an error while either is in use (core/checks.py).
DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me-0123456789abcdef"  # noqa: S105
DEV_DATA_KEY = "dev-only-data-key-never-use-in-production"
SECRET_KEY = _secret("SECRET_KEY", DEV_SECRET_KEY)
# Key material for personal data at rest (AES-GCM + keyed hashes); see core/crypto.py.
GONGHUI_DATA_KEY = _secret("GONGHUI_DATA_KEY", DEV_DATA_KEY)
DEBUG = os.environ.get("DEBUG", "0" if PRODUCTION else "1") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "gonghui.core",
    "gonghui.accounts",
    "gonghui.orgs",
    "gonghui.training",
    "gonghui.evaluation",
    "gonghui.mutualaid",
    "gonghui.insight",
    "gonghui.reform",
    "gonghui.mentorship",
    "gonghui.integration",
    "gonghui.contests",
    "gonghui.network",
    "gonghui.learning",
    "gonghui.demo",  # manage.py demo: asks each app above for its part
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "gonghui.core.middleware.ApiErrorEnvelopeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gonghui.core.middleware.RequestContextMiddleware",
    "gonghui.integration.middleware.TokenWriteAuditMiddleware",
    "gonghui.core.middleware.ContentSecurityPolicyMiddleware",
    "gonghui.core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # the worker portal's bottom navigation (lazy: queries only where drawn)
                "gonghui.portal_nav.portal_nav",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gonghui.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed during writes; IMMEDIATE avoids deadlocked upgrades; a
        # 128 MB page cache (allocated as used) keeps bulk index updates off the disk.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-131072;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("GONGHUI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Periodic jobs, enqueued by `manage.py run_periodic` (core/jobs.py): each runs `every` N
# seconds or `daily_at` HH:MM Beijing time; last and next runs are kept in the database.
GONGHUI_PERIODIC = {
    "supervise": {
        "task": "gonghui.insight.tasks.supervise_task",
        "every": int(os.environ.get("GONGHUI_SUPERVISE_SECONDS", "900")),
    },
    "evaluation": {"task": "gonghui.evaluation.tasks.run_evaluation_jobs_task", "every": 3600},
    "session_reminders": {
        "task": "gonghui.training.tasks.send_session_reminders_task",
        "daily_at": "09:00",
    },
    "dashboards": {"task": "gonghui.insight.tasks.refresh_dashboards_task", "every": 1800},
    "library_reminders": {
        "task": "gonghui.learning.tasks.send_overdue_reminders_task",
        "daily_at": "09:30",
    },
    # Mentorship: contest awards (growth-record honours) linked to agreements' rewards.
    "mentorship_honours": {
        "task": "gonghui.mentorship.tasks.link_honours_task",
        "daily_at": "06:30",
    },
    # Service network: no-shows marked, booking and activity reminders sent (quiet at night).
    "network_reminders": {"task": "gonghui.network.tasks.send_reminders_task", "every": 3600},
}
# A job on another host whose heartbeat is older than this is taken for dead and requeued.
GONGHUI_JOB_STALE_SECONDS = int(os.environ.get("GONGHUI_JOB_STALE_SECONDS", "60"))

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "gonghui.accounts.backends.MobilePasswordBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["username", "display_name"]},
    },
    {
        "NAME": "gonghui.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gonghui.accounts.validators.CharacterClassValidator"},
    # Chinese common passwords and their patterns (site name + digits, keyboard walks…).
    {"NAME": "gonghui.accounts.passwords.ChineseCommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# 等保: lockout and idle session expiry.
GONGHUI_LOGIN_MAX_FAILURES = int(os.environ.get("GONGHUI_LOGIN_MAX_FAILURES", "5"))
GONGHUI_LOGIN_LOCK_MINUTES = int(os.environ.get("GONGHUI_LOGIN_LOCK_MINUTES", "15"))
SESSION_COOKIE_AGE = int(os.environ.get("GONGHUI_SESSION_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout: each request extends the session
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Lax suits a super-app web view: the page is the top-level document and every sign-in step
# is a same-window navigation. "None" (cookies sent in cross-site frames too) requires HTTPS
# and Secure cookies; see docs/integration.md.
SESSION_COOKIE_SAMESITE = os.environ.get("GONGHUI_COOKIE_SAMESITE", "Lax")
CSRF_COOKIE_SAMESITE = SESSION_COOKIE_SAMESITE
if SESSION_COOKIE_SAMESITE == "None":  # browsers drop SameSite=None cookies that are not Secure
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True

GONGHUI_SMS_SENDER = os.environ.get("GONGHUI_SMS_SENDER", "gonghui.accounts.sms.LogSender")
GONGHUI_SMS_CODE_TTL_SECONDS = 300
# For gonghui.accounts.sms.HttpSender: the gateway's URL, and how long to wait for it (to
# connect, and again to read) before the message is left to a retry task.
GONGHUI_SMS_URL = os.environ.get("GONGHUI_SMS_URL", "")
GONGHUI_SMS_TIMEOUT_SECONDS = float(os.environ.get("GONGHUI_SMS_TIMEOUT_SECONDS", "3"))
# Payout batches with more claims than this are marked paid by a background job.
GONGHUI_PAYOUT_ASYNC_CLAIMS = int(os.environ.get("GONGHUI_PAYOUT_ASYNC_CLAIMS", "200"))
GONGHUI_IMPORT_ASYNC_ROWS = int(os.environ.get("GONGHUI_IMPORT_ASYNC_ROWS", "2000"))
GONGHUI_IMPORT_MAX_ROWS = int(os.environ.get("GONGHUI_IMPORT_MAX_ROWS", "200000"))
GONGHUI_IMPORT_MAX_BYTES = int(os.environ.get("GONGHUI_IMPORT_MAX_BYTES", str(64 * 1024 * 1024)))
# Uploaded rosters wait this long in the encrypted private store for their confirmation.
GONGHUI_UPLOAD_TTL_HOURS = int(os.environ.get("GONGHUI_UPLOAD_TTL_HOURS", "24"))
# Cells of an uploaded sheet (rows x columns): the roster's 200,000 rows of 19 columns fit.
GONGHUI_IMPORT_MAX_CELLS = int(os.environ.get("GONGHUI_IMPORT_MAX_CELLS", "5000000"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# API tokens: at most this many requests per token in each fixed window (0: no limit);
# see gonghui/api.py TokenRateThrottle and docs/security.md.
GONGHUI_API_TOKEN_RATE_LIMIT = int(os.environ.get("GONGHUI_API_TOKEN_RATE_LIMIT", "600"))
GONGHUI_API_TOKEN_RATE_WINDOW = int(os.environ.get("GONGHUI_API_TOKEN_RATE_WINDOW", "60"))

# Integration (docs/integration.md). Identity providers, as JSON from the environment
# (endpoints, keys and secrets never in the repository), e.g.
# {"zlb": {"kind": "zlb", "label": "浙里办", "base_url": "https://…", "app_id": "…",
#          "access_key": "…", "secret_key": "…"}}
GONGHUI_SSO_PROVIDERS = json.loads(os.environ.get("GONGHUI_SSO_PROVIDERS", "{}"))
if os.environ.get("GONGHUI_DEV_IDP_URL"):  # `make demo`: the local provider (Procfile "idp")
    GONGHUI_SSO_PROVIDERS.setdefault("local", {
        "kind": "oidc", "label": "演示身份平台",
        "metadata_url": os.environ["GONGHUI_DEV_IDP_URL"] + "/o/.well-known/openid-configuration",
        "client_id": "gonghui-demo", "client_secret": "demo-client-secret-not-for-production",
        "scope": "openid profile phone cn_id",
    })  # fmt: skip
#: The provider /m/ signs a visitor in with (the embedding app's), or "" for the login page.
GONGHUI_SSO_EMBEDDED_PROVIDER = os.environ.get(
    "GONGHUI_SSO_EMBEDDED_PROVIDER", "local" if os.environ.get("GONGHUI_DEV_IDP_URL") else ""
)
#: Who to ask when a sign-in matches no account (shown on that page).
GONGHUI_SSO_HELPDESK = os.environ.get("GONGHUI_SSO_HELPDESK", "")
GONGHUI_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("GONGHUI_WEBHOOK_MAX_ATTEMPTS", "8"))
GONGHUI_WEBHOOK_BACKOFF_SECONDS = float(os.environ.get("GONGHUI_WEBHOOK_BACKOFF_SECONDS", "30"))
GONGHUI_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("GONGHUI_WEBHOOK_TIMEOUT_SECONDS", "10"))
#: Plain-http receivers only where explicitly allowed (development, tests).
GONGHUI_WEBHOOK_ALLOW_HTTP = os.environ.get("GONGHUI_WEBHOOK_ALLOW_HTTP", str(DEBUG)) in (
    "1",
    "True",
    "true",
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MEDIA_ROOT = Path(os.environ.get("GONGHUI_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# The wheel ships its static files already collected (make release), so an installed
# instance serves them without Node.js or a collectstatic step; GONGHUI_STATIC_ROOT overrides.
_SHIPPED_STATIC = PACKAGE_DIR / "staticfiles"
STATIC_ROOT = Path(
    os.environ.get(
        "GONGHUI_STATIC_ROOT",
        VAR_DIR / "static" if SOURCE_CHECKOUT or not _SHIPPED_STATIC.is_dir() else _SHIPPED_STATIC,
    )
)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
NODE_MODULES = Path(os.environ.get("GONGHUI_NODE_MODULES", BASE_DIR / "node_modules"))
STATICFILES_DIRS = [
    # Our own CSS and page scripts (gonghui/app.css, gonghui/app.js); in the wheel also the
    # vendor files below, copied there by make release.
    PACKAGE_DIR / "static",
]
if NODE_MODULES.is_dir():
    # Front-end packages come from npm (package-lock.json); nothing is copied into the repo.
    STATICFILES_DIRS += [
        ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
        ("vendor/pico", NODE_MODULES / "@picocss" / "pico" / "css"),
        ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
        ("vendor/tus", NODE_MODULES / "tus-js-client" / "dist"),
        ("vendor/hls", NODE_MODULES / "hls.js" / "dist"),
    ]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "gonghui.core.masking.MaskPIILogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_pii"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
