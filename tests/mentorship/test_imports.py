"""`.xlsx` import of the mentor pool and of agreements: the same rules as the pages, all or
nothing, the error workbook of the rejected rows."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from gonghui.core.models import AuditEvent
from gonghui.mentorship.domain import imports
from gonghui.mentorship.enums import AgreementState, MentorState
from gonghui.mentorship.models import Agreement, Apprentice, Goal, Mentor

pytestmark = pytest.mark.django_db


def xlsx(headers, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


MENTOR_HEADERS = ["姓名", "证件号码", "技能", "技能等级", "部门", "入库日期"]


def test_mentor_pool_import_all_or_nothing_with_the_error_workbook(world):
    w = world
    p = w.people
    rows = [
        ["王师傅", p["王师傅"].id_number, "焊工", "高级技师", "轧钢厂", "2025-03-01"],
        ["小孙", p["小孙"].id_number, "焊工", "高级工", "轧钢厂", "2025-03-01"],  # below 技师
        ["小吴", p["王师傅"].id_number, "焊工", "技师", "", "2025-03-01"],  # name ≠ ID number
        ["小周", p["小周"].id_number, "焊工", "技师", "", "2025/13/01"],  # bad date
    ]
    before = (Mentor.objects.count(), AuditEvent.objects.count())
    result = imports.import_workbook(w.programme, xlsx(MENTOR_HEADERS, rows), kind="mentors",
                                     actor=w.officer)  # fmt: skip
    assert result.created == 0
    assert [(e.row, e.reason) for e in result.errors] == [
        (3, "入库标准要求技能等级不低于技师"),
        (4, "姓名与证件号码不符"),
        (5, "入库日期格式不正确（如 2026-01-05）"),
    ]
    assert (Mentor.objects.count(), AuditEvent.objects.count()) == before  # nothing written
    book = load_workbook(io.BytesIO(imports.error_workbook(result)))
    values = list(book.active.iter_rows(values_only=True))
    assert values[0] == ("行号", *MENTOR_HEADERS, "错误原因")
    assert values[1][:2] == (3, "小孙") and values[1][-1] == "入库标准要求技能等级不低于技师"
    assert len(values) == 4

    good = imports.import_workbook(w.programme, xlsx(MENTOR_HEADERS, rows[:1]), kind="mentors",
                                   actor=w.officer)  # fmt: skip
    assert (good.created, good.errors) == (1, [])
    m = Mentor.objects.get(person=p["王师傅"])
    assert (m.state, str(m.term_start), m.department) == (
        MentorState.APPROVED, "2025-03-01", "轧钢厂")  # fmt: skip


AGREEMENT_HEADERS = ["导师姓名", "导师证件号码", "徒弟姓名", "徒弟证件号码", "技能", "徒弟部门",
                     "开始日期", "目标"]  # fmt: skip


def test_agreements_import_checks_capacity_and_weights(world):
    w = world
    p = w.people
    zj = ["郑佳", p["郑佳"].id_number]
    goals = "独立完成平焊:60:2026-06-30；独立完成立焊:40:2026-12-31"

    def row(name, g=goals):
        return [*zj, name, p[name].id_number, "焊工", "炼钢厂", "2026-01-05", g]

    bad = imports.import_workbook(
        w.programme,
        xlsx(AGREEMENT_HEADERS, [row("小刘"), row("小陈", "平焊:60:2026-06-30"), row("小周"),
                                 row("小吴"), row("小孙")]),
        kind="agreements", actor=w.officer,
    )  # fmt: skip
    # 郑佳 takes at most 3: 小刘, 小周, 小吴 fit (小陈's weights sum to 60), 小孙 is the 4th.
    assert [e.row for e in bad.errors] == [3, 6]
    assert bad.errors[0].reason == "各项目标权重之和须为100%，现为60%"
    assert bad.errors[1].reason == "郑佳已带3名徒弟，达到本项目每位导师3人的上限"
    assert (Agreement.objects.count(), Apprentice.objects.count(), Goal.objects.count()) == (
        0,
        0,
        0,
    )

    ok = imports.import_workbook(w.programme, xlsx(AGREEMENT_HEADERS, [row("小刘"), row("小周")]),
                                 kind="agreements", actor=w.officer)  # fmt: skip
    assert ok.created == 2
    a = Agreement.objects.get(apprentice__person=p["小刘"])
    assert (a.state, str(a.starts_on), list(a.goals.values_list("weight", flat=True))) == (
        AgreementState.DRAFT, "2026-01-05", [60, 40])  # fmt: skip


# -- in the background (core.jobs) -------------------------------------------------------------
def _mentor_rows(p, *names, level="技师"):
    return [[n, p[n].id_number, "焊工", level, "", "2025-03-01"] for n in names]


def test_the_page_queues_the_import_and_shows_its_result(
    client, world, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from gonghui.core.models import JobState
    from tests.worker import run_queued_tasks

    w, p = world, world.people
    client.force_login(w.officer)
    url = reverse("mentorship_console:imports", args=[w.programme.pk])

    def upload(rows):
        data = xlsx(MENTOR_HEADERS, rows)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, {"kind": "mentors",
                                     "file": SimpleUploadedFile("pool.xlsx", data)})  # fmt: skip

    rows = _mentor_rows(p, "王师傅", "小周") + _mentor_rows(p, "小孙", level="高级工")
    before = Mentor.objects.count()  # the world's own pool
    assert upload(rows).status_code == 302
    job = imports.latest_import(w.programme)
    # Queued, not run in the request: nothing written yet, the page says so and polls.
    assert (job.state, Mentor.objects.count()) == (JobState.QUEUED, before)
    page = client.get(url).content.decode()
    assert "等待后台处理" in page and 'hx-trigger="every 2s"' in page
    # A second file while the first waits is refused, and nothing else is queued.
    again = upload(_mentor_rows(p, "小吴"))
    assert "本项目已有一个导入正在进行" in again.content.decode()
    assert run_queued_tasks() == 1
    job.refresh_from_db()
    assert (job.state, job.result["created"], job.result["errors"]) == (JobState.DONE, 0, 1)
    assert Mentor.objects.count() == before  # all or nothing
    status = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "1行有错误，未写入任何数据" in status and "入库标准要求技能等级不低于技师" in status
    assert "hx-trigger" not in status  # finished: no more polling
    book = load_workbook(io.BytesIO(client.get(
        reverse("mentorship_console:import_errors", args=[w.programme.pk])).content))  # fmt: skip
    assert [r[0] for r in book.active.iter_rows(min_row=2, values_only=True)] == [4]

    last = Mentor.objects.order_by("pk").last().pk
    assert upload(rows[:2]).status_code == 302
    assert run_queued_tasks() == 1
    assert set(Mentor.objects.exclude(pk__lte=last).values_list("person__name", "state")) == {
        ("王师傅", MentorState.APPROVED), ("小周", MentorState.APPROVED)}  # fmt: skip
    assert "已导入2行" in client.get(url).content.decode()


def test_an_import_whose_worker_died_after_committing_is_not_run_twice(
    world, django_capture_on_commit_callbacks
):
    from gonghui.core import jobs
    from gonghui.core.models import JobState
    from tests.core.test_jobs import _dead_pid
    from tests.worker import run_queued_tasks

    w, p = world, world.people
    before = Mentor.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.start_import(w.programme, xlsx(MENTOR_HEADERS, _mentor_rows(p, "王师傅")),
                                   kind="mentors", actor=w.officer)  # fmt: skip
    # The worker ran the import (committed) and died before saying so.
    imports.run_import_job(**job.kwargs)
    type(job).objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, attempts=1, worker_host=jobs.this_host(), worker_pid=_dead_pid()
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.recover_jobs().requeued == 1
    run_queued_tasks()
    job.refresh_from_db()
    # The second run finds the first one's audit row: done, one mentor, no duplicate errors.
    assert (job.state, job.result["created"], job.result["errors"]) == (JobState.DONE, 1, 0)
    assert Mentor.objects.count() == before + 1
    assert AuditEvent.objects.filter(action="mentorship.import.mentors").count() == 1


def test_an_import_lost_three_times_fails_with_a_message_on_the_page(client, world):
    from django.urls import reverse

    from gonghui.core import jobs
    from gonghui.core.models import JobState
    from tests.core.test_jobs import _dead_pid

    w, p = world, world.people
    before = Mentor.objects.count()
    job = imports.start_import(w.programme, xlsx(MENTOR_HEADERS, _mentor_rows(p, "王师傅")),
                               kind="mentors", actor=w.officer)  # fmt: skip
    type(job).objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, attempts=3, worker_host=jobs.this_host(), worker_pid=_dead_pid()
    )
    assert jobs.recover_jobs().failed == 1
    client.force_login(w.officer)
    page = client.get(reverse("mentorship_console:imports", args=[w.programme.pk]))
    assert "执行3次均中断（进程退出），已停止" in page.content.decode()
    assert Mentor.objects.count() == before


def test_progress_is_reported_every_twenty_rows(world):
    w, p = world, world.people
    calls = []
    rows = _mentor_rows(p, "王师傅") * 45  # the same person: 44 rows refused, fine here
    imports.import_workbook(
        w.programme, xlsx(MENTOR_HEADERS, rows), kind="mentors", actor=w.officer,
        progress=lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    assert calls == [(0, 45), (20, 45), (40, 45)]
