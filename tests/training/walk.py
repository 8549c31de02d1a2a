"""The training registries, proposal engine and decision pages (issue 14) in the scope
walks: a 平湖 trainer qualification, an outcome of a 平湖 worker and a consultation invite."""

import datetime as dt
import io

from gonghui.training.enums import InviteKind, OutcomeKind
from gonghui.training.models import (
    Consultation,
    ConsultationInvite,
    Outcome,
    TrainerQualification,
)

MARK = "平湖"
MODELS = [TrainerQualification, Outcome, ConsultationInvite]


def build(o) -> None:
    o["qualification"] = TrainerQualification.objects.create(
        trainer=o["trainer"], skill=o["skill"], level="l5", certificate_number="平湖-1",
        issuer="平湖市人社局",
    )  # fmt: skip
    o["outcome"] = Outcome.objects.create(
        person=o["person"], kind=OutcomeKind.AWARD, detail="平湖技能竞赛三等奖",
        occurred_on=dt.date(2026, 5, 1),
    )  # fmt: skip
    consultation = Consultation.objects.filter(plan=o["plan"]).first()
    if consultation is not None:
        o["invite"] = ConsultationInvite.objects.create(
            consultation=consultation, kind=InviteKind.UNION, org_unit=o["root"],
            note="平湖邀请",
        )  # fmt: skip


def operations(o) -> list:
    t, plan = o["trainer"].pk, o["plan"].pk
    return [
        ("GET", "/api/training/trainers", None),
        ("GET", f"/api/training/trainers/{t}/record", None),
        ("POST", f"/api/training/trainers/{t}/qualifications",
         {"skill_id": o["skill"].pk, "level": "l5", "certificate_number": "越权",
          "issuer": "越权"}),
        ("GET", "/api/training/outcomes", None),
        ("POST", "/api/training/outcomes",
         {"person_id": o["person"].pk, "kind": "award", "occurred_on": "2026-05-02",
          "detail": "越权"}),
        ("GET", "/api/training/trainers/export.xlsx", None),
        ("GET", "/api/training/outcomes/export.xlsx", None),
        ("POST", "/api/training/plans/propose", {"item_ids": [o["item"].pk]}),
        ("POST", f"/api/training/plans/{plan}/experts", {"user_id": o["user"].pk}),
        ("POST", "/api/training/trainers/import",
         {"file": ("师资.xlsx", _xlsx(["编号", "姓名"], [t, "越权"]))}),
        ("POST", "/api/training/outcomes/import",
         {"file": ("成果.xlsx", _xlsx(["职工编号", "姓名", "成果类型"],
                                      [o["person"].pk, "越权", "award"]))}),
    ]  # fmt: skip


def _xlsx(headers: list, row: list) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(headers)
    wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def pages(o) -> dict:
    t = o["trainer"].pk
    return {
        "training_console:plan_propose": ([], {"items": o["item"].pk, "start_on": "2030-01-05"}),
        "training_console:decision": ([], {}),
        "training_console:plan_invite_expert": ([o["plan"].pk], {"username": "越权"}),
        "training_console:registries": ([], {}),
        "training_console:trainers_export": ([], {}),
        "training_console:outcomes_export": ([], {}),
        "training_console:registry_import": (["trainers"], {}),
        "training_console:registry_errors": ([], {}),
        "training_console:trainer_qualification": ([t], {"skill": o["skill"].pk, "level": "l5",
                                                         "certificate_number": "越权"}),
        "training_console:trainer_availability": ([t], {"slots": ["weekend"]}),
    }  # fmt: skip
