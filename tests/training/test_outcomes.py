import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.orgs.enums import OrgKind, Role
from gonghui.training.domain.checkin import check_in_by_code, current_code
from gonghui.training.domain.enrolment import cancel_enrollment, enroll_person
from gonghui.training.domain.outcomes import (
    error_workbook,
    growth_record,
    import_certificates,
    record_certificate,
)
from gonghui.training.models import Certificate, SkillSynonym

from ..factories import MembershipFactory, PersonFactory, org_unit, user_with_role
from .factories import PlanFactory, session_for, skill, worker

HEADERS = [
    "姓名",
    "证件号码",
    "技能",
    "等级",
    "证书编号",
    "发证机构",
    "发证日期",
    "成绩",
    "培训方案",
]
ISSUER = "嘉兴市职业技能鉴定中心"


@pytest.fixture
def t(county):
    t = county
    t.staff = t.users["federation_staff"]
    t.zhang = t.member_a.person
    t.li = t.member_b.person
    t.skill = skill("电工")
    t.plan = PlanFactory(org_unit=t.county, capacity=5, title="低压电工培训班", skill=t.skill)
    enroll_person(t.plan, person=t.zhang, actor=t.worker_a)
    return t


def _cert(t, **over):
    kwargs = dict(
        plan=t.plan, skill=t.skill, level="l5", number="DG2025-0001", issuer=ISSUER,
        issued_on=dt.date(2025, 6, 30), score=Decimal("86.5"), actor=t.staff,
    )  # fmt: skip
    person = over.pop("person", t.zhang)
    kwargs.update(over)
    return record_certificate(person, **kwargs)


def _writes():
    return (
        sorted(Certificate.objects.values_list("issuer", "number")),
        AuditEvent.objects.filter(action__startswith="certificate.").count(),
    )


# -- single entry --------------------------------------------------------------------------
def test_staff_records_a_certificate_linked_to_the_plan(t):
    cert = _cert(t)
    assert (cert.person, cert.plan, cert.skill, cert.level) == (t.zhang, t.plan, t.skill, "l5")
    assert (cert.number, cert.issuer, cert.issued_on, cert.score) == (
        "DG2025-0001", ISSUER, dt.date(2025, 6, 30), Decimal("86.5"),
    )  # fmt: skip
    event = AuditEvent.objects.get(action="certificate.create")
    assert event.actor == t.staff
    assert event.after["number"] == "DG2025-0001"


def test_certificate_without_plan_and_score(t):
    cert = _cert(t, plan=None, score=None, person=t.li, number="X-1")
    assert (cert.person, cert.plan, cert.score) == (t.li, None, None)


def test_duplicate_number_of_the_same_issuer_is_refused(t):
    _cert(t)
    before = _writes()
    with pytest.raises(DomainError) as exc:
        _cert(t, person=t.li, plan=None, number=" DG2025-0001 ")
    assert (exc.value.message, exc.value.code) == ("证书编号已存在", "duplicate")
    assert _writes() == before
    # the same number from another issuer is another certificate
    assert _cert(t, plan=None, issuer="浙江省人力资源和社会保障厅").pk


def test_future_date_and_bad_fields_are_refused(t):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    cases = [
        ({"issued_on": tomorrow}, "发证日期不能晚于今天"),
        ({"number": "  "}, "请填写证书编号"),
        ({"issuer": ""}, "请填写发证机构"),
        ({"level": "l9"}, "技能等级无效（初级、中级、高级、技师、高级技师）"),
        ({"score": "101"}, "成绩应为0到100之间的数字"),
        ({"score": "优秀"}, "成绩应为0到100之间的数字"),
        ({"person": t.li}, "李四未参加该培训方案"),
    ]
    for over, message in cases:
        with pytest.raises(DomainError) as exc:
            _cert(t, **over)
        assert exc.value.message == message, over
    assert _writes() == ([], 0)


def test_issued_today_is_fine(t):
    assert _cert(t, issued_on=timezone.localdate()).pk


@pytest.mark.parametrize(
    "who", ["worker_a", "union_officer_a", "enterprise_contact_a", "auditor", "trainer"]
)
def test_only_federation_staff_record_certificates(t, who):
    with pytest.raises(PermissionDeniedError):
        _cert(t, actor=t.users[who])
    assert _writes() == ([], 0)


def test_staff_cannot_record_for_someone_outside_their_scope(t):
    other = org_unit(None, OrgKind.COUNTY, "平湖市总工会")
    outsider = MembershipFactory(union=org_unit(other, OrgKind.GRASSROOTS, "平湖某厂工会")).person
    with pytest.raises(PermissionDeniedError, match=r"^该职工不在您的管理范围内$"):
        _cert(t, person=outsider, plan=None)
    town_staff = t.users["town_staff_a"]  # 武原 staff: 张三 yes, the county's plan no
    with pytest.raises(DomainError, match=r"^无权为该培训方案录入证书$"):
        _cert(t, actor=town_staff)
    assert _cert(t, actor=town_staff, plan=None).pk
    assert _writes()[1] == 1


# -- import --------------------------------------------------------------------------------
def _xlsx(rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["证书导入"])  # a title row above the header is tolerated
    ws.append(headers)
    for row in rows:
        ws.append(row)
    for line in ws.iter_rows():
        for c in line:
            if isinstance(c.value, str) and c.value.startswith("="):
                c.data_type = "s"  # text that looks like a formula, as a user may type it
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(person, number, **over):
    row = {
        "姓名": person.name, "证件号码": person.id_number, "技能": "电工", "等级": "初级工",
        "证书编号": number, "发证机构": ISSUER, "发证日期": dt.date(2025, 6, 30),
        "成绩": 90, "培训方案": "",
    }  # fmt: skip
    row.update(over)
    return [row[h] for h in HEADERS]


def test_import_writes_every_row(t):
    SkillSynonym.objects.create(skill=t.skill, text="进网电工（测试）")
    data = _xlsx([
        _row(t.zhang, "A-1", 培训方案=t.plan.pk),
        _row(t.zhang, "A-2", 技能="进网电工（测试）", 等级="四级", 发证日期="2025/7/1", 成绩=None,
             培训方案="低压电工培训班"),
        _row(t.li, "A-3", 等级="高级技师", 成绩="75.5"),
    ])  # fmt: skip
    result = import_certificates(io.BytesIO(data), actor=t.staff)
    assert (result.ok, result.created, result.errors) == (True, 3, [])
    got = list(
        Certificate.objects.order_by("number").values_list(
            "person__name", "number", "level", "issued_on", "score", "plan_id"
        )
    )
    assert got == [
        ("张三", "A-1", "l5", dt.date(2025, 6, 30), Decimal("90.0"), t.plan.pk),
        ("张三", "A-2", "l4", dt.date(2025, 7, 1), None, t.plan.pk),
        ("李四", "A-3", "l1", dt.date(2025, 6, 30), Decimal("75.5"), None),
    ]
    event = AuditEvent.objects.get(action="certificate.import")
    assert event.after == {"created": 3, "people": 2}


def test_import_is_all_or_nothing_with_a_reason_per_row(t):
    _cert(t, number="OLD-1")
    stranger = PersonFactory(name="赵六")  # no membership: in nobody's scope
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    data = _xlsx([
        _row(t.zhang, "B-1"),  # fine
        _row(t.zhang, "OLD-1"),  # already in the database
        _row(t.li, "B-3", 姓名="李三"),
        _row(stranger, "B-4"),
        _row(t.li, "B-5", 技能="火箭工程", 等级="特级", 发证日期=tomorrow),
        _row(t.li, "B-6", 发证日期="去年", 成绩=120, 培训方案=t.plan.pk),
        _row(t.zhang, "B-1"),  # repeats the first row's number
        _row(t.zhang, "B-8", 培训方案="不存在的方案"),
    ])  # fmt: skip
    before = _writes()
    result = import_certificates(data, actor=t.staff)
    assert (result.ok, result.created) == (False, 0)
    assert [(e.row, e.name, e.reason) for e in result.errors] == [
        (4, "张三", "证书编号已存在"),
        (5, "李三", "姓名与证件号码不符"),
        (6, "赵六", "未找到该证件号码对应的职工，或不在您的管理范围内"),
        (7, "李四", "技能“火箭工程”不在技能目录中；"
                    "技能等级无效（初级、中级、高级、技师、高级技师）；发证日期不能晚于今天"),
        (8, "李四", "发证日期格式不正确（如 2025-06-30）；成绩应为0到100之间的数字；"
                    "李四未参加该培训方案"),
        (9, "张三", "证书编号与第3行重复"),
        (10, "张三", "未找到培训方案“不存在的方案”，或不在您的管理范围内"),
    ]  # fmt: skip
    assert _writes() == before

    book = load_workbook(io.BytesIO(error_workbook(result)))
    sheet = book.active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["行号", *HEADERS, "错误原因"]
    assert [v[0] for v in values[1:]] == [4, 5, 6, 7, 8, 9, 10]
    assert values[2][1:3] == ["李三", t.li.id_number]
    assert values[2][-1] == "姓名与证件号码不符"


def test_error_workbook_cells_never_start_a_formula(t):
    data = _xlsx([_row(t.zhang, '=HYPERLINK("http://x")', 发证机构="+cmd", 等级="特级")])
    result = import_certificates(data, actor=t.staff)
    assert not result.ok
    sheet = load_workbook(io.BytesIO(error_workbook(result))).active
    row = [c for c in next(sheet.iter_rows(min_row=2, values_only=True))]
    assert row[HEADERS.index("证书编号") + 1] == '\'=HYPERLINK("http://x")'
    assert row[HEADERS.index("发证机构") + 1] == "'+cmd"


def test_import_refuses_bad_files_and_headers(t):
    with pytest.raises(DomainError, match=r"^文件不是有效的Excel表格（\.xlsx）$"):
        import_certificates(b"not a workbook", actor=t.staff)
    with pytest.raises(DomainError, match=r"^文件为空"):
        import_certificates(b"", actor=t.staff)
    with pytest.raises(DomainError, match=r"^表头不符合证书模板，缺少以下列：证书编号、发证机构$"):
        import_certificates(
            _xlsx([], headers=["姓名", "证件号码", "技能", "等级", "发证日期"]), actor=t.staff
        )
    with pytest.raises(DomainError, match=r"^表格中没有数据行$"):
        import_certificates(_xlsx([]), actor=t.staff)
    assert _writes() == ([], 0)


def test_import_needs_staff(t):
    with pytest.raises(PermissionDeniedError, match=r"^无权录入证书$"):
        import_certificates(_xlsx([_row(t.zhang, "C-1")]), actor=t.worker_a)
    assert _writes() == ([], 0)


def test_other_county_staff_import_finds_nobody(t):
    other = user_with_role(Role.FEDERATION_STAFF, org_unit(None, OrgKind.COUNTY, "平湖市总工会"))
    result = import_certificates(_xlsx([_row(t.zhang, "C-1")]), actor=other)
    assert [e.reason for e in result.errors] == ["未找到该证件号码对应的职工，或不在您的管理范围内"]
    assert _writes() == ([], 0)


# -- growth record -------------------------------------------------------------------------
def test_growth_record_lists_trainings_attendance_and_certificates(t):
    start = timezone.now() - dt.timedelta(days=3)
    s1 = session_for(t.plan, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    s2 = session_for(t.plan, starts_at=start + dt.timedelta(days=1),
                     ends_at=start + dt.timedelta(days=1, hours=2))  # fmt: skip
    session_for(t.plan, starts_at=timezone.now() + dt.timedelta(days=5))  # not yet held
    at = start + dt.timedelta(minutes=5)
    check_in_by_code(s1, person=t.zhang, code=current_code(s1, at), at=at, actor=t.worker_a)
    other = PlanFactory(org_unit=t.county, title="电子商务师培训班", capacity=1)
    gone = enroll_person(other, person=t.zhang, actor=t.worker_a)
    cancel_enrollment(gone, actor=t.worker_a)
    _cert(t)

    record = growth_record(t.zhang)
    assert [(e.plan.title, e.status, e.status_label, e.sessions, e.held, e.attended)
            for e in record.trainings] == [
        ("电子商务师培训班", "cancelled", "已取消", 0, 0, 0),
        ("低压电工培训班", "enrolled", "已报名", 3, 2, 1),
    ]  # fmt: skip
    assert (record.sessions_attended, record.sessions_held, record.attendance_rate) == (1, 2, 50.0)
    assert [c.number for c in record.certificates] == ["DG2025-0001"]
    assert s2.pk  # held, not attended


def test_growth_record_of_someone_new_is_empty(t):
    p, _u = worker(t.union_b, name="新人")
    record = growth_record(p)
    assert (record.trainings, record.certificates, record.attendance_rate) == ([], [], 0.0)
