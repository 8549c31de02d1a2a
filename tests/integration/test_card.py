"""The service card (/m/) and its web-view behaviour, with the test client."""

import datetime as dt

from django.utils import timezone

from gonghui.mutualaid.domain import claims as aid_domain
from gonghui.training.domain.enrolment import enroll_person
from tests.mutualaid.conftest import TODAY, bank, stay
from tests.mutualaid.factories import enrol, period, programme
from tests.training.factories import plan_through_workflow, worker


def test_not_signed_in_without_a_provider_goes_to_the_password_login(client, db, settings):
    settings.GONGHUI_SSO_EMBEDDED_PROVIDER = ""
    answer = client.get("/m/?embed=1")
    assert (
        answer.status_code == 302 and answer["Location"] == "/accounts/login/?next=/m/%3Fembed%3D1"
    )


def test_the_card_shows_training_waitlist_and_claims(client, county, settings, tmp_path):
    settings.GONGHUI_PRIVATE_ROOT = tmp_path / "private"
    staff = county.users["federation_staff"]
    soon = timezone.now() + dt.timedelta(days=5)
    booked = plan_through_workflow(county.county, actor=staff, title="电工班", starts=[soon])
    full = plan_through_workflow(county.county, actor=staff, title="焊工班", capacity=1,
                                 starts=[soon + dt.timedelta(days=1)])  # fmt: skip
    open_plan = plan_through_workflow(county.county, actor=staff, title="育婴员班",
                                      starts=[soon + dt.timedelta(days=2)])  # fmt: skip
    person, user = county.member_a.person, county.worker_a
    other, _ = worker(county.union_a, name="赵六")
    enroll_person(full, person=other, actor=staff)  # takes the only seat
    enroll_person(booked, person=person, actor=user)
    waiting = enroll_person(full, person=person, actor=user)
    per = period(programme(county.county))
    enrol(per, county.member_a)
    aid_domain.submit_claim(per, person=person, actor=user, data=stay(), client_token="c1",
                            today=TODAY, **bank())  # fmt: skip

    client.force_login(user)
    page = client.get("/m/").content.decode()
    training = page.split('id="card-training"')[1].split("</article>")[0]
    assert "电工班" in training and f"“焊工班”候补第{waiting.waitlist_position}位" in training
    assert f'data-plan="{open_plan.pk}"' in training  # open to them, not yet enrolled
    assert f'data-plan="{booked.pk}"' not in training and f'data-plan="{full.pk}"' not in training
    aid = page.split('id="card-aid"')[1].split("</article>")[0]
    assert "待工会审核" in aid
    assert "topbar-compact" not in page  # not embedded: the full header


def test_the_embedded_flag_survives_in_the_session(client, county):
    client.force_login(county.worker_a)
    assert "topbar-compact" in client.get("/m/?embed=1").content.decode()
    assert "topbar-compact" in client.get("/m/").content.decode()
    phone = client.get("/m/", HTTP_USER_AGENT="Mozilla/5.0 TaurusApp/2.9 DingTalk")
    assert "topbar-compact" in phone.content.decode()


def test_an_account_without_a_person_gets_the_no_person_card(client, county):
    client.force_login(county.users["nobody"])
    assert "您的账号尚未关联职工信息" in client.get("/m/").content.decode()
