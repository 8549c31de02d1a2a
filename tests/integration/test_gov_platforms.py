"""The 浙里办 and 浙政钉 adapters against a local server answering with the request/response
shapes of their protocols as publicly documented (not recordings of the live services) and
checking every request's signature (tests/integration/platforms.py)."""

import datetime as dt

import pytest

from gonghui.core.models import AuditEvent
from gonghui.integration.models import ExternalIdentity
from gonghui.orgs.enums import Role
from gonghui.orgs.models import RoleAssignment
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    make_id_number,
    make_user,
    org_unit,
    user_with_role,
)

from .platforms import (
    GOOD_CODE,
    GOOD_TICKET,
    ZLB_APP,
    ZLB_KEY,
    ZLB_SECRET,
    ZZD_KEY,
    ZZD_SECRET,
    Platforms,
)

ID_NUMBER = make_id_number(dt.date(1984, 4, 4), seq=811)
MOBILE = "13900000811"


@pytest.fixture
def platforms(settings):
    p = Platforms(id_number=ID_NUMBER, mobile=MOBILE).start()
    settings.GONGHUI_SSO_PROVIDERS = {
        "zlb": {"kind": "zlb", "label": "浙里办", "base_url": p.url, "app_id": ZLB_APP,
                "access_key": ZLB_KEY, "secret_key": ZLB_SECRET},
        "zzd": {"kind": "zzd", "label": "浙政钉", "base_url": p.url, "app_key": ZZD_KEY,
                "app_secret": ZZD_SECRET, "tenant_id": "196729"},
    }  # fmt: skip
    settings.GONGHUI_SSO_EMBEDDED_PROVIDER = "zlb"
    yield p
    p.stop()


@pytest.fixture
def worker(db):
    person = PersonFactory(name="王建国", id_number=ID_NUMBER)
    MembershipFactory(union=org_unit(org_unit(), kind="grassroots"), person=person)
    return make_user("zlb_worker", person=person, display_name="王建国")


def test_zlb_ticket_in_the_embedded_page_signs_the_worker_in(client, platforms, worker):
    answer = client.get(f"/m/?ticket={GOOD_TICKET}", follow=True)
    assert answer.status_code == 200
    assert answer.redirect_chain[-1][0] == "/m/"
    assert "王建国，您好" in answer.content.decode()
    assert [(c["path"].rsplit("/", 1)[1], c["signed"]) for c in platforms.calls] == [
        ("access_token", True), ("getUserInfo", True)
    ]  # fmt: skip
    assert platforms.calls[0]["body"] == {"ticketId": GOOD_TICKET, "appId": ZLB_APP}
    # The secret key signs; it is never sent.
    assert all(ZLB_SECRET not in str(c) for c in platforms.calls)
    link = ExternalIdentity.objects.get()
    assert (link.provider, link.subject, link.user_id) == ("zlb", "zlb-7f3a9c", worker.pk)


def test_zlb_refused_ticket_signs_in_nobody(client, platforms, worker):
    answer = client.get("/sso/zlb/callback/?ticket=TICKET-EXPIRED")
    assert answer.status_code == 400
    assert "浙里办未能确认您的身份" in answer.content.decode()
    assert "_auth_user_id" not in client.session
    assert ExternalIdentity.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="login").exists()


def test_zlb_wrong_secret_is_refused_by_the_gateway(client, platforms, worker, settings):
    settings.GONGHUI_SSO_PROVIDERS["zlb"]["secret_key"] = "not-the-secret"
    answer = client.get(f"/sso/zlb/callback/?ticket={GOOD_TICKET}")
    assert answer.status_code == 400
    assert [c["signed"] for c in platforms.calls] == [False]
    assert "_auth_user_id" not in client.session


def test_zzd_code_signs_staff_in_by_mobile_and_grants_nothing(client, platforms, db):
    staff = user_with_role(Role.FEDERATION_STAFF, org_unit(), mobile=MOBILE, username="qian")
    roles = list(RoleAssignment.objects.values_list("user_id", "role", "org_unit_id"))
    answer = client.get(f"/sso/zzd/callback/?code={GOOD_CODE}")
    assert answer.status_code == 302 and answer["Location"] == "/m/"
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert [(c["path"], c["signed"]) for c in platforms.calls] == [
        ("/gettoken.json", True),
        ("/rpc/oauth/getuserinfo_bycode.json", True),
        ("/mozi/employee/getEmployeeByAccountId", True),
    ]
    assert platforms.calls[1]["params"] == {"access_token": "app-token-zzd-0001", "code": GOOD_CODE}
    assert ExternalIdentity.objects.get().subject == "88001234"
    assert list(RoleAssignment.objects.values_list("user_id", "role", "org_unit_id")) == roles


def test_zzd_unknown_staff_gets_the_clear_page(client, platforms, db):
    answer = client.get(f"/sso/zzd/callback/?code={GOOD_CODE}")
    assert answer.status_code == 403
    assert "浙政钉已确认您的身份" in answer.content.decode()
    assert ExternalIdentity.objects.count() == 0


def test_zzd_refused_code(client, platforms, db):
    answer = client.get("/sso/zzd/callback/?code=CODE-USED")
    assert answer.status_code == 400
    assert "浙政钉未能确认您的身份" in answer.content.decode()
    assert len(platforms.calls) == 2  # token, then the refused code; no employee lookup


def test_zlb_without_ticket_or_login_url_asks_to_open_from_the_app(client, platforms, db):
    answer = client.get("/sso/zlb/login/?next=/m/")
    assert answer.status_code == 400 and "请从政务App内打开本页面" in answer.content.decode()
    assert platforms.calls == []
