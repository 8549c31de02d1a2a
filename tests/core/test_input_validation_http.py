"""Issue 12 item 10, over HTTP as found: the API answered 201 to a membership starting in
2099 or before the birth date, a discharge on 9999-12-31, a reform item due 0001-01-01,
full-width digits in a bank account and NUL, bidi or zero-width characters in names."""

import datetime as dt

import pytest
from django.utils import timezone

from gonghui.mutualaid.models import Claim
from gonghui.orgs.models import Membership, Person
from gonghui.reform.models import ReformItem

from ..factories import PASSWORD, make_id_number
from ..live import LiveSession
from ..mutualaid.factories import enrol, period, programme

pytestmark = pytest.mark.django_db(transaction=True)


def _session(live_server, user) -> LiveSession:
    s = LiveSession(live_server.url)
    assert s.login(user.mobile, PASSWORD).status == 200
    return s


def _member(s, union, **over):
    body = {"union_id": union.pk, "joined_on": "2024-01-05", "name": "王小明",
            "id_number": make_id_number(dt.date(1990, 1, 1))} | over  # fmt: skip
    return s.request("POST", "/api/orgs/members", json_body=body)


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"joined_on": "2099-01-01"}, "入会日期不能晚于今天"),
        ({"joined_on": "1985-06-01"}, "入会日期不能早于出生日期"),
        ({"name": "王\x00小明"}, "姓名不能包含控制字符或不可见字符"),
        ({"name": "\u202e明小王"}, "姓名不能包含文字方向控制字符"),
    ],
)
def test_member_create_refuses(live_server, county, over, message):
    s = _session(live_server, county.users["union_officer_a"])
    before = (Person.objects.count(), Membership.objects.count())
    res = _member(s, county.union_a, **over)
    assert res.status == 400, res.body
    assert message in res.json()["error"]["message"]
    assert (Person.objects.count(), Membership.objects.count()) == before


def test_member_name_is_normalised(live_server, county):
    s = _session(live_server, county.users["union_officer_a"])
    res = _member(s, county.union_a, name="王\u200b小明")
    assert res.status == 201, res.body
    assert res.json()["person"]["name"] == "王小明"
    assert Person.objects.filter(name="王小明").count() == 1


def test_reform_item_due_in_year_one_is_refused(live_server, county):
    s = _session(live_server, county.users["town_staff_a"])
    body = {"org_unit_id": county.town_a.pk, "title": "阵地共享预约", "category": "collaboration",
            "goal": "统一预约", "due_on": "0001-01-01"}  # fmt: skip
    res = s.request("POST", "/api/reform/items", json_body=body)
    assert res.status == 400, res.body
    year = timezone.localdate().year + 20
    assert res.json()["error"]["message"] == f"计划完成日期应在2000年至{year}年之间"
    assert not ReformItem.objects.exists()


@pytest.fixture
def aid_claims(county, settings, tmp_path, monkeypatch):
    settings.GONGHUI_PRIVATE_ROOT = tmp_path / "private"
    monkeypatch.setattr(timezone, "localdate", lambda *a: dt.date(2026, 6, 1))
    county.period = period(programme(county.county))
    enrol(county.period, county.member_a)
    return county


def _claim(s, t, **over):
    body = {"category": "hospital", "hospital": "海盐县人民医院", "diagnosis": "肺炎",
            "admission_date": "2026-05-03", "discharge_date": "2026-05-10",
            "total_cost": "20000.00", "insurance_paid": "12000.00", "policy_self_paid": "7000.00",
            "bank_name": "中国农业银行", "bank_account": "6228480012345678901",
            "account_holder": "张三", "medical_consent": True, "bank_consent": True,
            "client_token": "http-1"} | over  # fmt: skip
    return s.request("POST", f"/api/mutualaid/periods/{t.period.pk}/claims", json_body=body)


def test_claim_discharged_in_9999_is_refused(live_server, aid_claims):
    s = _session(live_server, aid_claims.worker_a)
    res = _claim(s, aid_claims, discharge_date="9999-12-31")
    assert res.status == 400, res.body
    assert res.json()["error"]["message"] == "出院日期不能晚于今天"
    assert not Claim.objects.exists()


def test_full_width_bank_account_is_stored_as_digits(live_server, aid_claims):
    s = _session(live_server, aid_claims.worker_a)
    res = _claim(s, aid_claims, bank_account="６２２８４８００１２３４５６７８９０１")
    assert res.status == 201, res.body
    assert Claim.objects.get().bank_account == "6228480012345678901"
