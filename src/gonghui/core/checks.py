# SPDX-License-Identifier: AGPL-3.0-or-later
"""System checks.

- Every scoped model's kind has its registered filter (``core.E001``).
- Deployment checks (``manage.py check --deploy``) refuse the public development keys.
  Django's own ``security.W009`` only warns about a weak SECRET_KEY, and nothing looked at
  ``GONGHUI_DATA_KEY``. Both development defaults are in settings.py, so anyone can read
  them: a deployment using either has its sessions forgeable or its personal data
  decryptable. These are Errors, so ``check --deploy`` exits non-zero.
"""

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.checks import Error, Tags, register

from .scope import SCOPE_FILTERS, scoped_models


@checks.register()
def scope_kinds_registered(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for model, kind in scoped_models(apps.get_models()):
        if not kind or kind not in SCOPE_FILTERS:
            errors.append(
                checks.Error(
                    f"{model._meta.label}'s queryset names scope kind {kind!r}, "
                    "which has no registered scope filter",
                    hint="register_capabilities and register_scope_filter in the app's rules.py",
                    obj=model,
                    id="core.E001",
                )
            )
    return errors


#: Known development values, also from earlier versions of settings.py.
PUBLIC_DATA_KEYS = frozenset({"dev-only-data-key-never-use-in-production"})
PUBLIC_SECRET_KEYS = frozenset({"dev-only-insecure-secret-key-change-me-0123456789abcdef"})


def _public(value: str, known: frozenset[str], default_name: str) -> bool:
    value = value or ""
    return (
        value in known
        or value == getattr(settings, default_name, None)
        or value.startswith("dev-only")
        or len(value) < 32
    )


@register(Tags.security, deploy=True)
def check_public_keys(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    if _public(settings.GONGHUI_DATA_KEY, PUBLIC_DATA_KEYS, "DEV_DATA_KEY"):
        errors.append(
            Error(
                "GONGHUI_DATA_KEY is the public development key (or shorter than 32 "
                "characters): personal data encrypted with it can be read by anyone.",
                hint="Set GONGHUI_DATA_KEY to a random value of at least 32 characters, "
                "e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`, and "
                "keep it outside the database (docs/deployment.md).",
                id="gonghui.E001",
            )
        )
    if _public(settings.SECRET_KEY, PUBLIC_SECRET_KEYS, "DEV_SECRET_KEY"):
        errors.append(
            Error(
                "SECRET_KEY is the public development key (or shorter than 32 characters): "
                "sessions and signed values can be forged.",
                hint="Set SECRET_KEY to a random value of at least 50 characters.",
                id="gonghui.E002",
            )
        )
    return errors
