# SPDX-License-Identifier: AGPL-3.0-or-later
"""The demo (``manage.py demo``), at project level: it asks each installed app for its part.

An app takes part by exposing, in its ``<app>/demo/__init__.py``, ``ORDER`` (an int: parts
run in increasing order, so an app's part comes after those it builds on) and
``build(ctx: DemoContext) -> None``. A part reads the options from ``ctx``, may leave
results for later parts in ``ctx.results[<app label>]``, and adds what the command prints
to ``ctx.lines`` (after the build) or ``ctx.footer`` (at the very end). No app's part
imports this command; the command finds the parts through ``parts()`` (it takes only its
option defaults from the orgs part).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.apps import apps as django_apps  # not "apps": gonghui.demo.apps is a submodule


@dataclass
class DemoContext:
    people: int
    seed: int
    training: bool = True  # False: the county (and mutual aid) only
    training_scale: float | None = None
    #: Build only the parts of these apps (labels) and what comes before them; None: all.
    upto: str | None = None
    log: Callable[[str], None] = print
    results: dict[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)


def parts() -> list[tuple[int, str, ModuleType]]:
    """(order, app label, module) of every installed app with a demo part, in order."""
    found = []
    for config in django_apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        if hasattr(module, "build") and hasattr(module, "ORDER"):
            found.append((module.ORDER, config.label, module))
    return sorted(found, key=lambda part: part[0])


def build_all(ctx: DemoContext) -> DemoContext:
    for _order, label, module in parts():
        module.build(ctx)
        if label == ctx.upto:
            break
    return ctx
