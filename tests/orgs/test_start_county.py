"""From an empty database to a first imported roster, as docs/deploy/your-county.md says:
import_units with the example sheet, add_staff, log in, fill the downloaded roster
template, upload it on 名册导入 and confirm. And the commands' refusals write nothing."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from gonghui.core.models import AuditEvent
from gonghui.orgs.enums import MembershipStatus, OrgKind, Role
from gonghui.orgs.models import Enterprise, ImportStatus, Membership, OrgUnit, RosterImport

from ..factories import make_id_number

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "deploy" / "units-example.csv"
PASSWORD = "Shili2026!county"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _roster(template: bytes) -> bytes:
    """The downloaded template with two people filled in, as staff would."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    people = [
        {"所属工会": "示例机械有限公司工会", "姓名": "张伟", "性别": "男",
         "出生日期": "1988-03-02", "证件号码": make_id_number(dt.date(1988, 3, 2), "M", seq=11),
         "工作单位": "示例机械有限公司", "移动电话": "13957300001"},
        {"所属工会": "城关街道小微企业联合工会", "姓名": "李娜", "性别": "女",
         "出生日期": "1995-07-15", "证件号码": make_id_number(dt.date(1995, 7, 15), "F", seq=12),
         "工作单位": "示例精密电子有限公司", "移动电话": "13957300002"},
    ]  # fmt: skip
    for person in people:
        person.update(民族="汉族", 证件类型="居民身份证", 户籍类型="城镇", 是否农民工="否")
        person.update(会籍变化类型="入会", 会籍变化日期="2026-12-01")
        sheet.append([person.get(header, "") for header in headers])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_empty_instance_gets_its_tree_a_staff_account_and_a_first_roster(
    client, monkeypatch, capsys
):
    User = get_user_model()
    assert (OrgUnit.objects.count(), User.objects.count(), Membership.objects.count()) == (0, 0, 0)

    call_command("import_units", str(EXAMPLE))
    assert capsys.readouterr().out.strip() == "imported 6 unit(s) and 2 enterprise(s)"
    county = OrgUnit.objects.get(name="示例县总工会")
    assert (county.kind, county.parent_id, county.depth) == (OrgKind.COUNTY, None, 0)
    tree = {u.name: (u.kind, u.parent.name if u.parent else None) for u in OrgUnit.objects.all()}
    assert tree == {
        "示例县总工会": (OrgKind.COUNTY, None),
        "城关街道总工会": (OrgKind.TOWN, "示例县总工会"),
        "东湖镇总工会": (OrgKind.TOWN, "示例县总工会"),
        "示例县建筑业工会": (OrgKind.INDUSTRY, "示例县总工会"),
        "城关街道小微企业联合工会": (OrgKind.JOINT, "城关街道总工会"),
        "示例机械有限公司工会": (OrgKind.GRASSROOTS, "城关街道总工会"),
    }
    union = OrgUnit.objects.get(name="示例机械有限公司工会")
    assert union.path.startswith(county.path) and union.depth == 2
    assert dict(Enterprise.objects.values_list("name", "union__name")) == {
        "示例机械有限公司": "示例机械有限公司工会",
        "示例精密电子有限公司": "城关街道小微企业联合工会",
    }

    monkeypatch.setenv("GONGHUI_STAFF_PASSWORD", PASSWORD)
    call_command(
        "add_staff", "chen_staff", "--name", "陈静", "--mobile", "13957300100",
        "--unit", "示例县总工会",
    )  # fmt: skip
    assert capsys.readouterr().out.strip() == (
        "created account chen_staff as federation_staff at 示例县总工会"
    )
    staff = User.objects.get(username="chen_staff")
    assert (staff.display_name, staff.is_superuser) == ("陈静", False)
    assert list(staff.role_assignments.values_list("role", "org_unit__name")) == [
        (Role.FEDERATION_STAFF, "示例县总工会")
    ]

    # The staff member logs in with mobile and password, downloads the template, fills it,
    # uploads it on 名册导入, reads the preview and confirms.
    response = client.post("/accounts/login/", {"mobile": "13957300100", "password": PASSWORD})
    assert response.status_code == 302
    template = client.get("/console/imports/template.xlsx")
    assert template.status_code == 200
    upload = io.BytesIO(_roster(b"".join(template.streaming_content)))
    upload.name = "首批会员名册.xlsx"
    response = client.post("/console/imports/", {"union": "", "file": upload})
    imp = RosterImport.objects.get()
    assert response.status_code == 302 and response.url == f"/console/imports/{imp.pk}/"
    assert (imp.status, imp.total, imp.created_count, imp.rejected_count) == (
        ImportStatus.PREVIEWED, 2, 2, 0,
    )  # fmt: skip
    assert Membership.objects.count() == 0  # the preview writes nothing
    response = client.post(f"/console/imports/{imp.pk}/confirm/")
    assert response.status_code == 302
    imp.refresh_from_db()
    assert imp.status == ImportStatus.DONE
    members = Membership.objects.order_by("person_name").values_list(
        "person_name", "union__name", "enterprise__name", "status"
    )
    assert list(members) == [
        ("张伟", "示例机械有限公司工会", "示例机械有限公司", MembershipStatus.ACTIVE),
        ("李娜", "城关街道小微企业联合工会", "示例精密电子有限公司", MembershipStatus.ACTIVE),
    ]
    # No demo anywhere: only what was imported, one account.
    assert not OrgUnit.objects.filter(name="海盐县总工会").exists()
    assert User.objects.count() == 1


def test_import_units_writes_nothing_when_a_row_is_refused(tmp_path, capsys):
    sheet = tmp_path / "units.csv"
    sheet.write_text(
        "单位名称,单位类型,上级单位\n"
        "示例县总工会,县（区）总工会,\n"
        "城关街道总工会,乡镇（街道）总工会,示例县总工会\n"
        "错位工会,基层工会,不存在的总工会\n"
        "示例机械有限公司,企业,城关街道总工会\n",
        encoding="utf-8",
    )
    audit_rows = AuditEvent.objects.count()
    with pytest.raises(CommandError, match=r"^2 row\(s\) refused; nothing was written$"):
        call_command("import_units", str(sheet))
    assert capsys.readouterr().err.splitlines() == [
        "第4行（错位工会）：上级单位“不存在的总工会”不存在（须列在本行之前或已在系统中）",
        "第5行（示例机械有限公司）：企业须隶属于基层工会或联合工会",
    ]
    assert (OrgUnit.objects.count(), Enterprise.objects.count()) == (0, 0)
    assert AuditEvent.objects.count() == audit_rows


def test_import_units_dry_run_checks_and_writes_nothing(capsys):
    call_command("import_units", str(EXAMPLE), "--dry-run")
    assert capsys.readouterr().out.strip() == "would import 6 unit(s) and 2 enterprise(s)"
    assert OrgUnit.objects.count() == 0


def test_add_staff_refuses_a_weak_password_and_writes_nothing(monkeypatch):
    call_command("import_units", str(EXAMPLE))
    monkeypatch.setenv("GONGHUI_STAFF_PASSWORD", "12345678")
    audit_rows = AuditEvent.objects.count()
    with pytest.raises(CommandError):
        call_command("add_staff", "weak", "--mobile", "13957300101", "--unit", "示例县总工会")
    assert not get_user_model().objects.exists()
    assert AuditEvent.objects.count() == audit_rows


def test_add_staff_refuses_an_unknown_unit(monkeypatch):
    monkeypatch.setenv("GONGHUI_STAFF_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match=r"^no unit named 示例县总工会$"):
        call_command("add_staff", "x", "--mobile", "13957300101", "--unit", "示例县总工会")
    assert not get_user_model().objects.exists()


def test_add_staff_makes_a_superuser_and_grants_a_second_role(monkeypatch, capsys):
    call_command("import_units", str(EXAMPLE))
    monkeypatch.setenv("GONGHUI_STAFF_PASSWORD", PASSWORD)
    call_command("add_staff", "admin", "--superuser")
    admin = get_user_model().objects.get(username="admin")
    assert (admin.is_superuser, admin.is_staff, admin.mobile) == (True, True, "")
    assert not admin.role_assignments.exists()
    call_command(
        "add_staff", "wang", "--mobile", "13957300102", "--unit", "示例机械有限公司工会",
        "--role", "union_officer",
    )  # fmt: skip
    call_command("add_staff", "wang", "--unit", "东湖镇总工会", "--role", "auditor")
    assert capsys.readouterr().out.splitlines()[-1] == (
        "found account wang as auditor at 东湖镇总工会"
    )
    wang = get_user_model().objects.get(username="wang")
    assert sorted(wang.role_assignments.values_list("role", "org_unit__name")) == [
        (Role.AUDITOR, "东湖镇总工会"),
        (Role.UNION_OFFICER, "示例机械有限公司工会"),
    ]
    assert AuditEvent.objects.filter(action="account.create").count() == 2
