# SPDX-License-Identifier: AGPL-3.0-or-later
"""Who may re-aggregate the demand list into items: ``training.tune_demanditem``.

``analysis.rebuild_demand_items`` rebuilds every item in the database at once, so it
belongs to a principal whose scope covers every top-level unit (the declared rule in
training/rules.py); the API, the console page and the domain call that one rule.
"""

import rules

from .analysis import TUNE, RebuildStats, rebuild_demand_items


def may_rebuild_items(actor) -> bool:
    return rules.has_perm(TUNE, actor)


def rebuild_items(*, actor) -> RebuildStats:
    """Rebuild every demand item, if ``actor`` covers every top-level unit."""
    return rebuild_demand_items(actor=actor)
