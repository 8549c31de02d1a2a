# SPDX-License-Identifier: AGPL-3.0-or-later
"""The dashboard's data as tables: one per chart, for the .xlsx export and the printable
report. Cells are values only (never formulas: text is made formula-safe)."""

import io
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core.spreadsheets import safe_cell

Table = tuple[str, str, list[str], list[list[Any]]]  # (key, title, headers, rows)


def _na(v):
    return "—" if v is None else v


def _headers() -> dict[str, tuple[str, list[str]]]:
    return {
        "kpis": (_("总体指标"), [_("指标"), _("数值")]),
        "pipeline": (_("需求到证书"), [_("环节"), _("人数")]),
        "demand": (_("各镇街技能需求（人）"), [_("镇街")]),
        "satisfaction": (
            _("满意度趋势"),
            [_("月份"), _("答卷"), _("评分数"), _("平均分"), _("满意度%"), _("满意度下限%")],
        ),
        "trainers": (
            _("培训师排名"),
            [_("培训师"), _("综合指数（收缩）"), _("原始指数"), _("推荐值"), _("答卷"),
             _("参评率%"), _("说明")],
        ),
        "venues": (
            _("阵地排名"),
            [_("阵地"), _("综合指数（收缩）"), _("原始指数"), _("推荐值"), _("答卷"),
             _("参评率%"), _("说明")],
        ),
        "weak_spots": (
            _("短板"),
            [_("类型"), _("对象"), _("维度"), _("收缩得分"), _("全会平均"), _("差距"), _("答卷"),
             _("依据")],
        ),
        "parties": (
            _("职工与企业评分对照"),
            [_("评价项"), _("职工均分（1–5）"), _("职工评分数"), _("企业均分（1–5）"),
             _("企业数"), _("说明")],
        ),
        "rectifications": (
            _("整改任务"), [_("整改事项"), _("责任单位"), _("状态"), _("期限"), _("是否逾期")]
        ),
        "overdue": (_("超时环节"), [_("环节"), _("未解除预警")]),
        "reform": (_("改革进度"), [_("类别"), _("事项"), _("已完成"), _("平均进度%")]),
        "recommendations": (
            _("建议优先安排"),
            [_("技能"), _("等级"), _("片区"), _("优先级"), _("需求人数"), _("推荐培训师")],
        ),
    }  # fmt: skip


def _rank_rows(rows):
    return [
        [t["name"], _na(t["index"]), _na(t["raw"]), _na(t["recommendation"]), t["responses"],
         _na(t["response_rate"]), t["withheld_reason"]]
        for t in rows
    ]  # fmt: skip


def _party_rows(block: dict[str, Any]) -> list[list[Any]]:
    rows = [(d["label"], d) for d in block["dimensions"]]
    rows += [(_("培训师·%(name)s") % {"name": t["name"]}, t) for t in block["trainers"]]
    return [
        [label, _na(r["workers"]), r["workers_n"], _na(r["enterprises"]), r["enterprises_n"],
         "；".join(x for x in (r["workers_withheld"] if r["workers"] is None else "",
                               r["enterprises_withheld"]) if x)]
        for label, r in rows
    ]  # fmt: skip


def _rows(data: dict[str, Any]) -> dict[str, list[list[Any]]]:
    k = data["kpis"]
    heat = data["demand"]
    cells = {(c[1], c[0]): c[2] for c in heat["cells"]}
    return {
        "kpis": [
            [_("需求条数"), k["demands"]], [_("需求人数"), k["demand_people"]],
            [_("培训方案"), k["plans"]], [_("已结业方案"), k["completed_plans"]],
            [_("报名人数"), k["enrolled"]], [_("结业率%"), _na(k["completion_rate"])],
            [_("证书"), k["certificates"]], [_("评价答卷"), k["responses"]],
            [_("满意度%（4–5分占比）"), _na(k["satisfaction"])],
        ],
        "pipeline": [[s["label"], s["value"]] for s in data["pipeline"]],
        "demand": [
            [town, *[cells.get((ti, si), 0) for si in range(len(heat["skills"]))]]
            for ti, town in enumerate(heat["towns"])
        ],
        "satisfaction": [
            [p["month"], p["responses"], p["ratings"], _na(p["mean"]), _na(p["satisfaction"]),
             _na(p["lower_bound"])]
            for p in data["satisfaction"]
        ],
        "trainers": _rank_rows(data["trainers"]),
        "venues": _rank_rows(data["venues"]),
        "weak_spots": [
            [w["kind_label"], w["name"], w["dimension"], w["shrunk"], w["federation_mean"],
             w["gap"], w["responses"], w["evidence"]]
            for w in data["weak_spots"]
        ],
        "parties": _party_rows(data["parties"]),
        "rectifications": [
            [r["title"], r["unit"], r["status"], r["deadline"],
             _("是") if r["overdue"] else _("否")]
            for r in data["rectifications"]["open"]
        ],
        "overdue": [[s["label"], s["value"]] for s in data["overdue"]["by_step"]],
        "reform": [[r["label"], r["items"], r["completed"], r["progress"]] for r in data["reform"]],
        "recommendations": [
            [r["skill"], r["level"], r["area"], r["priority"], r["people"],
             "、".join(f"{t['name']}（{t['index']}，{t['responses']}份）" for t in r["trainers"])
             or "—"]
            for r in data["recommendations"]
        ],
    }  # fmt: skip


def dashboard_tables(data: dict[str, Any], keys=None) -> list[Table]:
    """The dashboard's tables (all, or those named in ``keys``), in screen order."""
    rows = _rows(data)
    out = []
    for key, (title, headers) in _headers().items():
        if keys and key not in keys:
            continue
        if key == "demand":
            headers = [*headers, *data["demand"]["skills"]]
        out.append((key, str(title), [str(h) for h in headers], rows[key]))
    return out


TABLE_KEYS = (
    "kpis", "pipeline", "demand", "satisfaction", "trainers", "venues", "weak_spots", "parties",
    "rectifications", "overdue", "reform", "recommendations",
)  # fmt: skip


def workbook(tables: list[Table], *, period: dict[str, str]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for _key, title, headers, rows in tables:
        ws = wb.create_sheet(title[:31])
        ws.append([safe_cell(_("统计期：%(start)s 至 %(end)s") % period)])
        ws.append([safe_cell(h) for h in headers])
        for row in rows:
            ws.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
