"""Apps add themselves to the two scope walks (tests/orgs/test_scope_walk.py and
tests/test_page_walk.py) through a module ``tests/<app>/walk.py``, found here by name, so
that a new app needs no edit of the walks. Such a module may define:

- ``build(o)``: create the neighbouring county's (平湖) records of the app and put them in
  the dict ``o`` (which already holds root, town, union, ent, dept, member, person, user,
  plan, session, trainer, venue, …); every name it creates must contain ``MARK`` (平湖);
- ``operations(o)``: ``[(method, path, json body)]`` aimed at those records, one per API
  operation of the app;
- ``pages(o)``: ``{url name: (args, POST data)}`` aimed at those records, one per page;
- ``MODELS``: the app's models whose rows must not change when a walk writes;
- ``NOT_SCOPED``: URL names of pages that hold nobody's records.
"""

import importlib
from functools import cache
from pathlib import Path


@cache
def extensions() -> tuple:
    here = Path(__file__).parent
    return tuple(
        importlib.import_module(f"tests.{pkg.name}.walk")
        for pkg in sorted(here.iterdir())
        if (pkg / "walk.py").is_file()
    )


def build(o) -> None:
    for ext in extensions():
        if hasattr(ext, "build"):
            ext.build(o)


def operations(o) -> list:
    return [op for ext in extensions() if hasattr(ext, "operations") for op in ext.operations(o)]


def pages(o) -> dict:
    out: dict = {}
    for ext in extensions():
        if hasattr(ext, "pages"):
            out.update(ext.pages(o))
    return out


def models() -> list:
    return [m for ext in extensions() for m in getattr(ext, "MODELS", ())]


def not_scoped() -> set[str]:
    return {name for ext in extensions() for name in getattr(ext, "NOT_SCOPED", ())}
