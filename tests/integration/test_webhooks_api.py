"""Webhook subscriptions through the API, over real HTTP (a live server): tokens need the
``integration`` scope and manage only their own subscriptions; a person's session must send
the CSRF token; every write is audited; a rotated secret signs the next delivery."""

import datetime as dt

import pytest
from django.utils import timezone

from gonghui.core.models import AuditEvent
from gonghui.integration.models import WebhookDelivery, WebhookSubscription
from gonghui.training.enums import PlanState
from tests.factories import PASSWORD
from tests.live import LiveSession
from tests.training.factories import plan_through_workflow

from .conftest import run_ready_tasks
from .test_token_policies import call, token

HOOKS = "/api/integration/webhooks"


def new_sub(url, **extra):
    return {"name": "省平台订阅", "url": url, "events": ["plan.announced"], **extra}


@pytest.mark.django_db(transaction=True)
def test_a_token_manages_its_own_subscriptions_with_the_integration_scope(
    live_server, county, receiver, settings
):
    settings.GONGHUI_WEBHOOK_ALLOW_HTTP = True
    receiver.start()
    _bare, bare_key = token(county)  # no policy: every other module, not this one
    status, body = call(live_server, bare_key, "GET", HOOKS)
    assert (status, body["error"]["code"]) == (403, "forbidden")
    _reader, reader_key = token(county, scopes=["integration:read", "contests:read"])
    assert call(live_server, reader_key, "GET", HOOKS) == (
        200, {"items": [], "count": 0, "count_capped": False}
    )  # fmt: skip
    # The later modules have scopes too (a policy once could not name them).
    assert call(live_server, reader_key, "GET", "/api/contests/contests")[0] == 200
    assert call(live_server, reader_key, "GET", "/api/learning/courses")[0] == 403
    status, body = call(live_server, reader_key, "POST", HOOKS, new_sub(receiver.url))
    assert (status, body["error"]["message"]) == (
        403,
        "该API令牌无权写入“系统对接（事件订阅）”模块",
    )
    assert not WebhookSubscription.objects.exists()

    t, key = token(county, scopes=["integration:read", "integration:write"])
    # Another token's id finds nothing for a token: it subscribes itself only.
    status, _ = call(live_server, key, "POST", HOOKS, new_sub(receiver.url, token_id=_reader.pk))
    assert status == 403
    status, body = call(live_server, key, "POST", HOOKS, new_sub(receiver.url))
    assert status == 201, body
    sub_id, first_secret = body["subscription"]["id"], body["secret"]
    assert body["subscription"]["token_id"] == t.pk and first_secret.startswith("whsec_")
    # The reader token (same unit, same role) does not see another token's subscription.
    assert call(live_server, reader_key, "GET", f"{HOOKS}/{sub_id}")[0] == 404

    status, body = call(live_server, key, "POST", f"{HOOKS}/{sub_id}/rotate-secret")
    assert status == 200 and body["secret"] not in ("", first_secret)
    receiver.secret = body["secret"]
    plan_through_workflow(
        county.county, actor=county.users["federation_staff"],
        starts=[timezone.now() + dt.timedelta(days=20)], until=PlanState.ANNOUNCED,
    )  # fmt: skip
    assert run_ready_tasks() == 1
    [got] = receiver.received
    assert (got["event"], got["valid"]) == ("plan.announced", True)  # signed with the new one

    status, body = call(live_server, key, "GET", f"{HOOKS}/{sub_id}/deliveries")
    assert status == 200 and body["count"] == 1
    delivery = body["items"][0]
    assert (delivery["state"], delivery["state_label"], delivery["attempts"]) == (
        "delivered", "已送达", 1
    )  # fmt: skip
    status, body = call(
        live_server, key, "POST", f"/api/integration/deliveries/{delivery['id']}/replay"
    )
    assert status == 201 and body["replay_of_id"] == delivery["id"]
    assert run_ready_tasks() == 1
    assert [r["delivery"] for r in receiver.received] == [delivery["event_id"]] * 2

    status, body = call(live_server, key, "POST", f"{HOOKS}/{sub_id}/active", {"active": False})
    assert (status, body["active"]) == (200, False)
    assert not WebhookSubscription.objects.get(pk=sub_id).active

    actions = list(
        AuditEvent.objects.filter(action__startswith="webhook.").order_by("id")
        .values_list("action", flat=True)
    )  # fmt: skip
    assert actions == ["webhook.subscribe", "webhook.rotate_secret", "webhook.replay",
                       "webhook.pause"]  # fmt: skip
    # Every write call is on record, the refused ones too (reader's POST, the foreign token_id).
    calls = list(AuditEvent.objects.filter(action="api.write").values_list("result", flat=True))
    assert sorted(calls) == ["denied", "denied", "ok", "ok", "ok", "ok"]


@pytest.mark.django_db(transaction=True)
def test_a_session_write_needs_the_csrf_token_and_the_role(live_server, county, county_token):
    staff = LiveSession(live_server.url)
    assert staff.login(county.users["federation_staff"].mobile, PASSWORD).status == 200
    payload = new_sub("https://receiver.example.org/hook", token_id=county_token.pk)
    answer = staff.request("POST", HOOKS, json_body=payload, headers={"X-CSRFToken": ""})
    assert (answer.status, answer.json()["error"]["code"]) == (403, "csrf_failed")
    assert not WebhookSubscription.objects.exists()
    answer = staff.request("POST", HOOKS, json_body=payload)
    assert answer.status == 201, answer.body
    sub_id = answer.json()["subscription"]["id"]
    assert staff.get(HOOKS).json()["count"] == 1

    town = LiveSession(live_server.url)  # town staff: no right over the county's token
    assert town.login(county.users["town_staff_a"].mobile, PASSWORD).status == 200
    assert town.request("POST", HOOKS, json_body=payload).status == 403
    assert town.request("POST", f"{HOOKS}/{sub_id}/rotate-secret").status == 404
    assert WebhookSubscription.objects.count() == 1
    assert not WebhookDelivery.objects.exists()
    assert AuditEvent.objects.filter(action="webhook.subscribe").count() == 1
