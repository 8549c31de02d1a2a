"""The worker portal (/me/): profile, membership, history, self-service corrections."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import translation

from gonghui.core.models import AuditEvent
from gonghui.orgs.domain.people import transfer_membership
from gonghui.orgs.models import Membership, Person

from ..factories import EnterpriseFactory


@pytest.fixture
def chinese_afterwards():
    """LocaleMiddleware leaves the request's language active in the thread: restore the
    default so later tests in this worker still run in Chinese."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def worker(county, client):
    client.force_login(county.worker_a)
    return county


def test_anonymous_is_sent_to_login(client, county):
    res = client.get("/me/")
    assert res.status_code == 302
    assert res["Location"] == "/accounts/login/?next=/me/"


def test_profile_shows_masked_numbers_and_membership(worker, client):
    person = worker.member_a.person
    worker.member_a.card_number = "HY2020001"
    worker.member_a.save(update_fields=["card_number"])
    res = client.get("/me/")
    assert res.status_code == 200
    html = res.content.decode()
    assert "张三，您好" in html
    assert person.id_number_masked in html
    assert person.id_number not in html
    assert person.mobile_masked in html
    assert person.mobile not in html
    assert worker.union_a.name in html
    assert worker.ent_a.name in html
    assert "HY2020001" in html
    assert "2020-05-01" in html


def test_profile_lists_membership_history(worker, client):
    staff = worker.users["federation_staff"]
    new = transfer_membership(
        worker.member_a, to_union=worker.union_b, actor=staff, date=dt.date(2024, 3, 1),
        reason="工作调动",
    )  # fmt: skip
    res = client.get("/me/")
    html = res.content.decode()
    assert "转会" in html
    assert "2024-03-01" in html
    assert "工作调动" in html
    assert f"{worker.union_a.name} → {worker.union_b.name}" in html
    assert new.union.name in html


def test_worker_corrects_own_mobile(worker, client):
    person = worker.member_a.person
    res = client.post(
        "/me/", {"mobile": "139 0000 1111", "ethnicity": "汉族", "education": "bachelor"}
    )
    assert res.status_code == 302
    person.refresh_from_db()
    assert person.mobile == "13900001111"
    assert person.education == "bachelor"
    event = AuditEvent.objects.get(action="person.update")
    assert event.actor == worker.worker_a
    assert event.after["mobile"] == "139****1111"
    res = client.get("/me/")
    assert "个人信息已更新" in res.content.decode()
    assert "139****1111" in res.content.decode()


def test_blank_mobile_keeps_the_number_on_file(worker, client):
    person = worker.member_a.person
    before = person.mobile
    res = client.post("/me/", {"mobile": "", "ethnicity": "回族"})
    assert res.status_code == 302
    person.refresh_from_db()
    assert person.mobile == before
    assert person.ethnicity == "回族"


def test_invalid_mobile_shows_the_domain_message_and_writes_nothing(worker, client):
    person = worker.member_a.person
    before = person.mobile
    res = client.post("/me/", {"mobile": "12345"})
    assert res.status_code == 400
    html = res.content.decode()
    assert "form-errors" in html
    assert "手机号码" in html
    person.refresh_from_db()
    assert person.mobile == before
    assert not AuditEvent.objects.filter(action="person.update").exists()


def test_worker_corrects_own_enterprise_within_union(worker, client):
    other = EnterpriseFactory(union=worker.union_a, name="武原新材料有限公司")
    res = client.get("/me/")
    assert "武原新材料有限公司" in res.content.decode()
    assert worker.ent_b.name not in res.content.decode()
    res = client.post("/me/enterprise/", {"enterprise": other.pk})
    assert res.status_code == 302
    worker.member_a.refresh_from_db()
    assert worker.member_a.enterprise == other
    assert AuditEvent.objects.filter(action="membership.correct_enterprise").count() == 1


def test_enterprise_of_another_union_is_refused(worker, client):
    res = client.post("/me/enterprise/", {"enterprise": worker.ent_b.pk})
    assert res.status_code == 400
    worker.member_a.refresh_from_db()
    assert worker.member_a.enterprise == worker.ent_a
    assert not AuditEvent.objects.filter(action="membership.correct_enterprise").exists()


def test_user_without_person_sees_a_clear_message(county, client):
    client.force_login(county.users["nobody"])
    res = client.get("/me/")
    assert res.status_code == 200
    assert "您的账号尚未关联职工信息" in res.content.decode()
    res = client.post("/me/", {"mobile": "13900001111"})
    assert "您的账号尚未关联职工信息" in res.content.decode()
    assert Person.objects.filter(mobile_digest="").count() == 0


def test_worker_without_active_membership(worker, client):
    Membership.objects.filter(pk=worker.member_a.pk).update(status="withdrawn")
    res = client.get("/me/")
    assert res.status_code == 200
    assert "您当前没有在会会籍" in res.content.decode()
    res = client.post("/me/enterprise/", {"enterprise": worker.ent_a.pk})
    assert res.status_code == 302


def test_portal_in_english(chinese_afterwards, worker, client):
    res = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en")
    html = res.content.decode()
    assert "My membership" in html
    assert 'lang="en"' in html


def test_worker_cannot_open_console(worker, client):
    res = client.get("/console/")
    assert res.status_code == 403
    assert "无权访问此页面" in res.content.decode()
    for url in ("/console/members/", "/console/tree/", "/console/audit/", "/console/roles/"):
        assert client.get(url).status_code == 403
