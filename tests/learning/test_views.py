import json
from decimal import Decimal

from gonghui.learning.domain import library
from gonghui.learning.models import CourseEnrollment, LessonProgress, Loan, Question


def test_phone_flow_find_enroll_watch_resume(client, world):
    client.force_login(world.worker)
    res = client.get("/learn/", {"q": "焊接"})
    assert res.status_code == 200 and "焊接安全" in res.content.decode()
    assert "焊接安全" not in client.get("/learn/", {"q": "育婴"}).content.decode()
    page = client.get(f"/learn/courses/{world.course.pk}/").content.decode()
    assert "您需支付 39.80 元" in page and "补贴 159.20 元" in page
    client.post(f"/learn/courses/{world.course.pk}/enroll/")
    assert CourseEnrollment.objects.filter(person=world.worker.person).count() == 1
    body = {"beats": [{"lesson": world.lesson.pk, "position": 42, "start": 0, "end": 42,
                       "at": 5}]}  # fmt: skip
    res = client.post("/api/learning/heartbeats", json.dumps(body),
                      content_type="application/json")  # fmt: skip
    assert res.status_code == 200 and res.json()[0]["ok"]
    res = client.get(f"/learn/lessons/{world.lesson.pk}/")
    assert 'data-start="42.0"' in res.content.decode()
    # hls.js feeds the video element from a blob: URL; only this page allows it.
    assert res["Content-Security-Policy"].endswith("; media-src 'self' blob:")
    assert "blob:" not in client.get("/learn/")["Content-Security-Policy"]


def test_practice_and_exam_pages(client, world):
    for i in range(4):
        Question.objects.create(bank=world.bank, kind="single", stem=f"题目{i}",
                                options=["甲", "乙"], answer=[1], digest=str(i))  # fmt: skip
    client.force_login(world.worker)
    page = client.get(f"/learn/practice/{world.bank.pk}/").content.decode()
    assert "题目0" in page
    page = client.post(
        f"/learn/practice/{world.bank.pk}/",
        {"question": Question.objects.get(stem="题目0").pk, "given": "0"},
    )
    assert "回答错误" in page.content.decode()
    res = client.post(f"/learn/practice/{world.bank.pk}/exam/")
    assert res.status_code == 302
    exam_url = res["Location"]
    from gonghui.learning.models import ExamAttempt

    attempt = ExamAttempt.objects.get()
    answers = {f"q{qid}": "1" for qid in attempt.question_ids}
    client.post(exam_url, answers)
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score, attempt.passed) == ("submitted", 100, True)
    assert "得分 100" in client.get(exam_url).content.decode()


def test_library_page_borrow_and_return(client, world):
    copy = library.add_copy(world.room, actor=world.officer, isbn="9787020002207",
                            title="红楼梦", barcode="NJ000001")  # fmt: skip
    client.force_login(world.worker)
    client.post(f"/learn/library/{world.room.pk}/card/")
    client.post(f"/learn/library/{world.room.pk}/borrow/", {"barcode": "NJ000001"})
    assert Loan.objects.get().copy == copy
    page = client.get("/learn/library/").content.decode()
    assert "红楼梦" in page
    res = client.post(f"/learn/library/{world.room.pk}/borrow/", {"barcode": "XX999999"},
                      follow=True)  # fmt: skip
    assert "未知条码：XX999999" in res.content.decode()
    client.post(f"/learn/library/{world.room.pk}/return/", {"barcode": "NJ000001"})
    assert Loan.objects.get().state == "returned"


def test_console_pages_for_staff_not_for_workers(client, world):
    client.force_login(world.staff)
    for url in (
        "/console/learning/",
        "/console/learning/videos/",
        "/console/learning/banks/",
        "/console/learning/rooms/",
        "/console/learning/loans/",
        "/console/learning/cards/",
        f"/console/learning/courses/{world.course.pk}/",
        "/console/learning/courses/new/",
    ):
        assert client.get(url).status_code == 200, url
    client.force_login(world.worker)
    assert client.get("/console/learning/").status_code == 403


def test_course_creation_form_and_lessons(client, world):
    from gonghui.learning.models import Course, Lesson

    client.force_login(world.staff)
    unit = world.county.county.pk
    form = {"org_unit": unit, "title": "电工入门", "lecturer": "李师傅", "hours": "3.5",
            "price_class": "subsidised", "list_price": "100", "subsidy_percent": "50",
            "subsidy_rule": "", "level": "", "private": "on"}  # fmt: skip
    res = client.post("/console/learning/courses/new/", form)
    assert res.status_code == 200 and "请写明补贴规则（补贴对象与来源）" in res.content.decode()
    assert not Course.objects.filter(title="电工入门").exists()
    res = client.post("/console/learning/courses/new/", {**form, "subsidy_rule": "人社局补贴50%"})
    course = Course.objects.get(title="电工入门")
    assert res.status_code == 302 and res["Location"] == f"/console/learning/courses/{course.pk}/"
    assert (course.state, course.hours, course.org_unit_id) == ("draft", Decimal("3.5"), unit)
    page = f"/console/learning/courses/{course.pk}/"
    # A document lesson without its text: the domain's Chinese message, nothing written.
    res = client.post(page, {"new_chapter": "第一章", "title": "安全须知", "kind": "document"})
    assert "文档课时请填写内容" in res.content.decode()
    assert not course.chapters.exists()
    # A video lesson on a new chapter, with a video from the uploads (ready: its duration).
    res = client.post(page, {"new_chapter": "第一章", "title": "接线", "kind": "video",
                             "video": world.video.pk})  # fmt: skip
    assert res.status_code == 302
    lesson = Lesson.objects.get(course=course)
    assert (lesson.chapter.title, lesson.video_id, lesson.duration) == (
        "第一章",
        world.video.pk,
        100,
    )
    client.force_login(world.worker)
    assert client.post("/console/learning/courses/new/", form).status_code == 403


def test_bank_import_page_with_error_workbook(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gonghui.core.spreadsheets import workbook_bytes

    data = workbook_bytes([["题型", "题干", "选项A", "选项B", "答案"],
                           ["单选", "好题", "甲", "乙", "A"], ["单选", "坏题", "甲", "乙", ""]],
                          title="题库")  # fmt: skip
    client.force_login(world.staff)
    res = client.post(f"/console/learning/banks/{world.bank.pk}/import/",
                      {"file": SimpleUploadedFile("q.xlsx", data)}, follow=True)  # fmt: skip
    assert "导入1题；1行有误未导入" in res.content.decode()
    res = client.get("/console/learning/banks/errors.xlsx")
    assert res.status_code == 200 and res.content[:2] == b"PK"
    assert list(Question.objects.values_list("stem", flat=True)) == ["好题"]


def test_progress_rows_made_on_enrolment(world):
    from gonghui.learning.domain import progress

    enrollment = progress.enroll(world.course, actor=world.worker)
    assert LessonProgress.objects.filter(enrollment=enrollment).count() == 2
