"""Done-when of the integration issue, in a phone browser: a worker opens /m/ as a
government app's embedded page would, is signed in through the local OpenID Connect provider
without a password, sees their service card and enrols in a plan; an unknown identity gets
the clear page and nothing is created."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.accounts.models import User
from gonghui.integration.models import ExternalIdentity
from gonghui.orgs.models import Person, RoleAssignment
from gonghui.training.enums import EnrollmentStatus
from gonghui.training.models import Enrollment
from tests.factories import MembershipFactory, PersonFactory, make_user
from tests.integration.conftest import idp, sso  # noqa: F401 - the provider fixtures
from tests.integration.idp import STRANGER, WORKER
from tests.training.factories import plan_through_workflow

pytestmark = pytest.mark.django_db(transaction=True)


def test_embedded_worker_signs_in_sees_card_and_enrols(phone, live_server, county, sso, shot):  # noqa: F811
    person = PersonFactory(name=WORKER.name, id_number=WORKER.id_number)
    MembershipFactory(union=county.union_a, enterprise=county.ent_a, person=person)
    user = make_user("wjg", person=person, display_name=WORKER.name)
    plan = plan_through_workflow(
        county.county, actor=county.users["federation_staff"], title="叉车司机培训班",
        starts=[timezone.now() + dt.timedelta(days=10)],
    )  # fmt: skip

    phone.goto(f"{live_server.url}/m/?embed=1")
    expect(phone.locator("h1")).to_have_text("演示身份平台")
    phone.click(f"button:has-text('以“{WORKER.name}”身份登录')")
    expect(phone.locator("main h1")).to_have_text(f"{WORKER.name}，您好")
    assert phone.url == f"{live_server.url}/m/"
    expect(phone.locator(".topbar-compact")).to_be_visible()  # the embedded header
    expect(phone.locator("header")).not_to_contain_text("退出")
    expect(phone.locator("#card-training")).to_contain_text("暂无已报名的培训")
    expect(phone.locator("#card-evaluation")).to_contain_text("暂无待评价的培训")
    expect(phone.locator("#card-aid")).to_contain_text("暂无互助申请")
    shot(phone, "integration-card-embedded")

    phone.click(f"#card-training a[data-plan='{plan.pk}']")
    phone.click("button:has-text('确认报名')")
    expect(phone.locator(".flash-success").first).to_contain_text("报名成功")
    mine = Enrollment.objects.get(plan=plan, person=person)
    assert mine.status == EnrollmentStatus.ENROLLED
    phone.goto(f"{live_server.url}/m/")
    expect(phone.locator("#card-training")).to_contain_text("叉车司机培训班")
    shot(phone, "integration-card-enrolled")
    assert ExternalIdentity.objects.get().user_id == user.pk


def test_unknown_identity_gets_the_clear_page(phone, live_server, county, sso, shot):  # noqa: F811
    counts = (User.objects.count(), Person.objects.count(), RoleAssignment.objects.count())
    phone.goto(f"{live_server.url}/m/?embed=1")
    phone.click(f"button:has-text('以“{STRANGER.name}”身份登录')")
    expect(phone.locator("#sso-no-match h1")).to_have_text("未找到与您身份对应的账号")
    expect(phone.locator("#sso-no-match")).to_contain_text("请联系所在单位的工会")
    shot(phone, "integration-no-match")
    assert (User.objects.count(), Person.objects.count(), RoleAssignment.objects.count()) == counts
    assert ExternalIdentity.objects.count() == 0
