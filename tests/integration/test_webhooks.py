"""Webhooks end to end: domain events → signed deliveries to a real receiver over HTTP,
retries with backoff through the task queue while it is down, staff replay, scope, masking."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from gonghui.core.actors import SYSTEM
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.integration.domain import webhooks
from gonghui.integration.enums import DeliveryState
from gonghui.integration.models import WebhookDelivery, WebhookSubscription
from gonghui.mutualaid.domain import claims as aid_domain
from gonghui.mutualaid.enums import ClaimState
from gonghui.orgs.domain.access import issue_api_token, revoke_api_token
from gonghui.orgs.enums import Role
from gonghui.training.enums import PlanState
from tests.factories import make_user
from tests.mutualaid.conftest import TODAY, bank, stay
from tests.mutualaid.factories import enrol, period, programme
from tests.training.factories import plan_through_workflow

from .conftest import run_ready_tasks

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def subscribe(token, receiver, events, *, actor=SYSTEM):
    sub, secret = webhooks.create_subscription(
        token, name="省平台", url=receiver.url, events=events, actor=actor
    )
    receiver.secret = secret
    return sub


def announce(county, capture):
    with capture(execute=True):
        return plan_through_workflow(
            county.county, actor=county.users["federation_staff"],
            starts=[timezone.now() + dt.timedelta(days=20)], until=PlanState.ANNOUNCED,
        )  # fmt: skip


def approved_claim(county, capture, settings, tmp_path):
    settings.GONGHUI_PRIVATE_ROOT = tmp_path / "private"
    per = period(programme(county.county))
    enrol(per, county.member_a)
    officer = make_user("aid_officer")
    from gonghui.orgs.domain.access import assign_role

    assign_role(officer, role=Role.UNION_OFFICER, org_unit=county.union_a, actor=SYSTEM)
    with capture(execute=True):
        claim, _ = aid_domain.submit_claim(
            per, person=county.member_a.person, actor=county.worker_a, data=stay(),
            client_token="t1", today=TODAY, **bank(),
        )  # fmt: skip
        for kind in ("invoice", "settlement", "discharge"):
            aid_domain.add_document(claim, kind=kind, data=PDF, filename=f"{kind}.pdf",
                                    actor=county.worker_a)  # fmt: skip
        claim = aid_domain.transition_claim(claim, action="union_approve", actor=officer)
        claim = aid_domain.transition_claim(
            claim, action="federation_approve", actor=county.users["federation_staff"]
        )
    assert claim.state == ClaimState.APPROVED
    return claim


def test_plan_announced_and_claim_approved_arrive_signed(
    county, county_token, receiver, django_capture_on_commit_callbacks, settings, tmp_path
):
    receiver.start()
    subscribe(county_token, receiver, ["plan.announced", "claim.state_changed"])
    plan = announce(county, django_capture_on_commit_callbacks)
    claim = approved_claim(county, django_capture_on_commit_callbacks, settings, tmp_path)
    assert run_ready_tasks() == 3  # announced; claim → federation review; claim → approved

    got = [(r["event"], r["body"]["data"].get("plan_id") or r["body"]["data"]["claim_id"],
            r["body"]["data"]["state"], r["valid"]) for r in receiver.received]  # fmt: skip
    assert got == [
        ("plan.announced", plan.pk, "announced", True),
        ("claim.state_changed", claim.pk, "federation_review", True),
        ("claim.state_changed", claim.pk, "approved", True),
    ]
    assert set(WebhookDelivery.objects.values_list("state", "attempts", "last_status")) == {
        (DeliveryState.DELIVERED, 1, 200)
    }
    # The header's delivery id is the body's id, and distinct per event.
    ids = [r["delivery"] for r in receiver.received]
    assert ids == [r["body"]["id"] for r in receiver.received] and len(set(ids)) == 3


def test_payload_carries_ids_and_masked_data_only(
    county, county_token, receiver, django_capture_on_commit_callbacks, settings, tmp_path
):
    receiver.start()
    subscribe(county_token, receiver, ["claim.state_changed"])
    approved_claim(county, django_capture_on_commit_callbacks, settings, tmp_path)
    run_ready_tasks()
    person = county.member_a.person
    raw = b"".join(r["raw"] for r in receiver.received).decode()
    for secret in (person.id_number, person.mobile, person.name, "6228480012345678901", "肺炎"):
        assert secret not in raw
    assert receiver.received[-1]["body"]["data"]["person_name"] == "张*"


def test_a_receiver_that_is_down_gets_the_retries_then_the_delivery(
    county, county_token, receiver, django_capture_on_commit_callbacks
):
    receiver.start()
    subscribe(county_token, receiver, ["plan.announced"])
    receiver.stop()  # down: connections refused
    announce(county, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()

    before = timezone.now()
    assert run_ready_tasks() == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("retrying", 1, None)
    assert delivery.last_error == "ConnectionError"
    # First retry 30 s later (30 × 2⁰), queued with run_after: nothing is due now.
    assert before + dt.timedelta(seconds=30) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= timezone.now() + dt.timedelta(seconds=30)
    assert run_ready_tasks() == 0

    from django_tasks_db.models import DBTaskResult

    # Time passes: the queued retry comes due. Still down: the next wait doubles (60 s).
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    assert run_ready_tasks() == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("retrying", 2)
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 55 < wait <= 60

    receiver.start()  # back, on the same port
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    assert run_ready_tasks() == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 3, 200)
    assert [(r["event"], r["valid"]) for r in receiver.received] == [("plan.announced", True)]
    assert run_ready_tasks() == 0  # nothing left queued


def test_after_the_last_attempt_the_delivery_fails(
    county, county_token, receiver, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    receiver.status = 503
    receiver.start()
    subscribe(county_token, receiver, ["plan.announced"])
    announce(county, django_capture_on_commit_callbacks)
    for _ in range(4):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        assert run_ready_tasks() == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("failed", 4, 503)
    assert delivery.next_attempt_at is None
    assert DBTaskResult.objects.filter(status="READY").count() == 0
    assert len(receiver.received) == 4


def test_staff_replay_sends_the_same_event_again(
    county, county_token, receiver, django_capture_on_commit_callbacks, client
):
    receiver.start()
    subscribe(county_token, receiver, ["plan.announced"])
    announce(county, django_capture_on_commit_callbacks)
    run_ready_tasks()
    first = WebhookDelivery.objects.get()

    client.force_login(county.users["federation_staff"])
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/console/integration/deliveries/{first.pk}/replay/")
    assert answer.status_code == 302
    run_ready_tasks()
    again = WebhookDelivery.objects.exclude(pk=first.pk).get()
    assert (again.replay_of_id, again.event_id, again.state) == (first.pk, first.event_id,
                                                                 "delivered")  # fmt: skip
    assert [r["delivery"] for r in receiver.received] == [str(first.event_id)] * 2
    assert all(r["valid"] for r in receiver.received)
    assert AuditEvent.objects.filter(action="webhook.replay", object_id=str(again.pk)).count() == 1
    # The delivery log shows both.
    page = client.get(f"/console/integration/webhooks/{first.subscription_id}/").content.decode()
    assert page.count("data-id=") == 2
    # In words for people, the code kept in the title.
    assert page.count('<span title="plan.announced">培训计划已公告</span>') == 3  # events + 2 rows
    assert ">plan.announced<" not in page


def test_replay_is_refused_out_of_scope_and_writes_nothing(
    county, county_token, receiver, django_capture_on_commit_callbacks, client
):
    receiver.start()
    subscribe(county_token, receiver, ["plan.announced"])
    announce(county, django_capture_on_commit_callbacks)
    first = WebhookDelivery.objects.get()
    audits = AuditEvent.objects.count()
    client.force_login(county.users["town_staff_a"])  # a town's staff: the token is the county's
    assert client.post(f"/console/integration/deliveries/{first.pk}/replay/").status_code == 404
    client.force_login(county.users["auditor"])  # reads, may not replay
    assert client.post(f"/console/integration/deliveries/{first.pk}/replay/").status_code == 403
    with pytest.raises(PermissionDeniedError):
        webhooks.replay_delivery(first, actor=county.users["town_staff_a"])
    assert WebhookDelivery.objects.count() == 1
    assert AuditEvent.objects.count() == audits


def test_a_subscription_only_hears_of_records_its_token_may_see(
    county, receiver, django_capture_on_commit_callbacks
):
    receiver.start()
    town_b_token, _ = issue_api_token(county.town_b, name="沈荡镇系统",
                                      role=Role.FEDERATION_STAFF, actor=SYSTEM)  # fmt: skip
    subscribe(town_b_token, receiver, ["plan.announced"])
    announce(county, django_capture_on_commit_callbacks)  # a county plan, outside town B
    assert WebhookDelivery.objects.count() == 0
    assert run_ready_tasks() == 0 and receiver.received == []


def test_a_revoked_token_silences_its_subscriptions(
    county, county_token, receiver, django_capture_on_commit_callbacks
):
    receiver.start()
    subscribe(county_token, receiver, ["plan.announced"])
    revoke_api_token(county_token, actor=SYSTEM)
    announce(county, django_capture_on_commit_callbacks)
    assert WebhookDelivery.objects.count() == 0


def test_a_rolled_back_change_tells_nobody(county, county_token, receiver):
    """Events go out after commit only (here the test's transaction never commits)."""
    receiver.start()
    subscribe(county_token, receiver, ["plan.announced"])
    plan_through_workflow(county.county, actor=county.users["federation_staff"],
                          starts=[timezone.now() + dt.timedelta(days=20)],
                          until=PlanState.ANNOUNCED)  # fmt: skip
    assert WebhookDelivery.objects.count() == 0


def test_subscription_input_is_checked_and_nothing_written(county, county_token):
    cases = [
        (dict(url="ftp://x", events=["plan.announced"]), "url"),
        (dict(url="https://x.example/h", events=[]), "events"),
        (dict(url="https://x.example/h", events=["plan.deleted"]), "events"),
    ]
    for kw, field in cases:
        with pytest.raises(DomainError) as err:
            webhooks.create_subscription(county_token, name="x", actor=SYSTEM, **kw)
        assert err.value.field == field
    with pytest.raises(PermissionDeniedError):
        webhooks.create_subscription(county_token, name="x", url="https://x.example/h",
                                     events=["plan.announced"],
                                     actor=county.users["town_staff_a"])  # fmt: skip
    assert WebhookSubscription.objects.count() == 0


def test_signature_reference_refuses_tampering_and_old_timestamps():
    body = json.dumps({"id": "1", "event": "plan.announced"}).encode()
    sig = webhooks.sign("whsec_k", 1_800_000_000, body)
    ok = dict(body=body, timestamp="1800000000", signature=sig)
    assert webhooks.verify_signature("whsec_k", **ok, now=1_800_000_100)
    assert not webhooks.verify_signature("whsec_other", **ok, now=1_800_000_100)
    assert not webhooks.verify_signature("whsec_k", **{**ok, "body": body + b" "},
                                         now=1_800_000_100)  # fmt: skip
    assert not webhooks.verify_signature("whsec_k", **ok, now=1_800_000_301)  # replayed later
