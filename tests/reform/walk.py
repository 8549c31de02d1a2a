"""The reform list in the scope walks (see tests/walk_extensions.py)."""

import datetime as dt

from gonghui.reform.models import Milestone, ReformItem, ReformStatusChange

MARK = "平湖"
MODELS = [ReformItem, Milestone, ReformStatusChange]


def build(o) -> None:
    # A draft: the public list shows only items past the draft, so none of 平湖's leaks.
    item = ReformItem.objects.create(
        title="平湖改革事项", category="process", goal="平湖的改革目标", org_unit=o["root"]
    )
    milestone = Milestone.objects.create(
        item=item, title="平湖节点", weight=10, due_on=dt.date(2030, 1, 1)
    )
    o.update(reform_item=item, reform_milestone=milestone)


def operations(o) -> list:
    item, m = o["reform_item"].pk, o["reform_milestone"].pk
    return [
        ("GET", "/api/reform/items", None),
        ("GET", f"/api/reform/items/{item}", None),
        ("POST", "/api/reform/items", {"org_unit_id": o["root"].pk, "title": "越权",
                                       "category": "process", "goal": "越权"}),
        ("POST", f"/api/reform/items/{item}/milestones",
         {"title": "越权", "weight": 1, "due_on": "2030-01-01"}),
        ("POST", f"/api/reform/milestones/{m}/progress", {"progress": 100, "evidence": "越权"}),
        ("POST", f"/api/reform/items/{item}/transitions", {"action": "cancel", "note": "越权"}),
        ("GET", "/api/reform/public/items", None),
    ]  # fmt: skip


def pages(o) -> dict:
    item, m = o["reform_item"].pk, o["reform_milestone"].pk
    return {
        "reform:items": ([], {}),
        "reform:item": ([item], {}),
        "reform_console:items": ([], {}),
        "reform_console:item_new": ([], {"org_unit": o["root"].pk, "title": "越权",
                                         "category": "process", "goal": "越权"}),
        "reform_console:item": ([item], {}),
        "reform_console:item_edit": ([item], {"title": "越权", "category": "process",
                                              "goal": "越权"}),
        "reform_console:milestone_add": ([item], {"title": "越权", "weight": 1,
                                                  "due_on": "2030-01-01"}),
        "reform_console:milestone_progress": ([item], {"milestone": m, "progress": 100,
                                                       "evidence": "越权"}),
        "reform_console:item_transition": ([item, "cancel"], {"note": "越权"}),
    }  # fmt: skip
