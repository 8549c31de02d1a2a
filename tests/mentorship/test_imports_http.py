"""The agreements import as a real client does it: over the live server, logged in through
the login page, the workbook posted as a multipart form with the page's CSRF token; the
background worker runs it; the page and the error workbook come back over HTTP."""

import io

import pytest
from openpyxl import load_workbook

from gonghui.core.models import Job, JobState
from gonghui.mentorship.domain import imports
from gonghui.mentorship.enums import AgreementState
from gonghui.mentorship.models import Agreement, Apprentice
from tests.factories import PASSWORD
from tests.live import LiveSession, multipart
from tests.worker import run_queued_tasks

from .test_imports import AGREEMENT_HEADERS, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GOALS = "独立完成平焊:60:2026-06-30；独立完成立焊:40:2026-12-31"


@pytest.mark.django_db(transaction=True)
def test_agreements_import_over_http_with_session_and_csrf(live_server, world):
    w, p = world, world.people
    page = f"/console/mentorship/{w.programme.pk}/import/"
    zj = ["郑佳", p["郑佳"].id_number]

    def row(name, goals=GOALS):
        return [*zj, name, p[name].id_number, "焊工", "炼钢厂", "2026-01-05", goals]

    def send(session, rows, name="协议.xlsx"):
        return session.post_multipart(
            page, {"kind": "agreements"}, {"file": (name, xlsx(AGREEMENT_HEADERS, rows), XLSX)},
            token_from=page,
        )  # fmt: skip

    staff = LiveSession(live_server.url)
    assert staff.login(w.officer.mobile, PASSWORD).status == 200
    # Without the page's token the upload is refused by the CSRF check; nothing queued.
    body, ctype = multipart(
        {"kind": "agreements"},
        {"file": ("协议.xlsx", xlsx(AGREEMENT_HEADERS, [row("小刘")]), XLSX)},
    )
    forged = staff.request("POST", page, body=body,
                           headers={"Content-Type": ctype, "X-CSRFToken": ""})  # fmt: skip
    assert forged.status == 403 and not Job.objects.exists()
    # A text file named .xlsx: taken, then refused by the worker with a Chinese message.
    fake = staff.post_multipart(page, {"kind": "agreements"},
                                {"file": ("协议.xlsx", b"not a workbook" * 20, XLSX)},
                                token_from=page)  # fmt: skip
    assert fake.status == 200 and run_queued_tasks() == 1
    assert "文件不是有效的Excel表格（.xlsx）" in staff.get(page).body
    assert (Agreement.objects.count(), Apprentice.objects.count()) == (0, 0)

    # Row 3 (the second data row): weights 60 + 30 = 90, not 100 → all or nothing.
    bad = send(staff, [row("小刘"), row("小陈", "平焊:60:2026-06-30；立焊:30:2026-12-31")])
    assert bad.status == 200 and bad.url.endswith(page)  # redirected back to the page
    assert "文件已上传，正在后台导入" in bad.body
    assert imports.latest_import(w.programme).state == JobState.QUEUED
    assert run_queued_tasks() == 1
    assert (Agreement.objects.count(), Apprentice.objects.count()) == (0, 0)
    status = staff.get(page).body
    assert "1行有错误，未写入任何数据" in status
    code, ctype, data = staff.raw(f"/console/mentorship/{w.programme.pk}/import/errors.xlsx")
    assert (code, ctype) == (200, XLSX)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3]) for r in rows] == [(3, "小陈")]
    assert "权重" in rows[0][-1]

    good = send(staff, [row("小刘"), row("小陈")])
    assert good.status == 200 and run_queued_tasks() == 1
    assert "已导入2行" in staff.get(page).body
    made = Agreement.objects.order_by("apprentice__person__name")
    assert [(a.apprentice.person.name, a.state, a.goals.count()) for a in made] == [
        ("小刘", AgreementState.DRAFT, 2), ("小陈", AgreementState.DRAFT, 2),
    ]  # fmt: skip

    # An apprentice's session may not import; nor may somebody not logged in.
    apprentice = LiveSession(live_server.url)
    assert apprentice.login(w.accounts["小刘"].mobile, PASSWORD).status == 200
    assert apprentice.get(page).status == 403
    body, ctype = multipart(
        {"kind": "agreements"},
        {"file": ("协议.xlsx", xlsx(AGREEMENT_HEADERS, [row("小周")]), XLSX)},
    )
    assert (
        apprentice.request("POST", page, body=body, headers={"Content-Type": ctype}).status == 403
    )
    anonymous = LiveSession(live_server.url)
    assert "/accounts/login/" in anonymous.get(page).url
    assert Job.objects.count() == 3 and Agreement.objects.count() == 2
