"""Integration in the scope walks (see tests/walk_extensions.py): a 平湖 webhook subscription
of 平湖's API token, with a delivery whose payload names 平湖, and a policy on that token —
none of which any role of 海盐 may read, replay, pause or change."""

from gonghui.integration.models import (
    ExternalIdentity,
    TokenPolicy,
    WebhookDelivery,
    WebhookSubscription,
)

MARK = "平湖"
MODELS = [WebhookSubscription, WebhookDelivery, TokenPolicy, ExternalIdentity]
#: Sign-in steps hold nobody's records (an unconfigured provider answers 404).
NOT_SCOPED = {"integration:sso_login", "integration:sso_callback"}


def build(o) -> None:
    token = o["token"]
    sub = WebhookSubscription.objects.create(
        token=token, name="平湖订阅", url="https://pinghu.example/hook",
        events=["plan.announced"], secret="whsec_pinghu",
    )  # fmt: skip
    delivery = WebhookDelivery.objects.create(
        subscription=sub, event="plan.announced", object_type="training.trainingplan",
        object_id=o["plan"].pk,
        payload={"event": "plan.announced", "data": {"title": "平湖培训班"}},
        state="failed", attempts=8, last_error="平湖接收端故障",
    )  # fmt: skip
    TokenPolicy.objects.create(token=token, scopes=["orgs:read"], rate_limit=5)
    o.update(w_sub=sub, w_delivery=delivery)


def pages(o) -> dict:
    sub, delivery, token = o["w_sub"].pk, o["w_delivery"].pk, o["token"].pk
    return {
        "integration:card": ([], {}),
        "integration_console:subscriptions": ([], {}),
        "integration_console:subscription_new": ([], {"token": token, "name": "越权",
                                                      "url": "https://x.example/h",
                                                      "events": ["plan.announced"]}),
        "integration_console:subscription": ([sub], {}),
        "integration_console:subscription_active": ([sub], {"active": "0"}),
        "integration_console:replay": ([delivery], {}),
        "integration_console:tokens": ([], {}),
        "integration_console:token_policy": ([token], {"scopes": ["orgs:write"],
                                                       "rate_limit": "9"}),
    }  # fmt: skip


def operations(o) -> list:
    sub, delivery, token = o["w_sub"].pk, o["w_delivery"].pk, o["token"].pk
    return [
        ("GET", "/api/integration/webhooks", None),
        ("POST", "/api/integration/webhooks", {"token_id": token, "name": "越权",
                                               "url": "https://x.example/h",
                                               "events": ["plan.announced"]}),
        ("GET", f"/api/integration/webhooks/{sub}", None),
        ("POST", f"/api/integration/webhooks/{sub}/active", {"active": False}),
        ("POST", f"/api/integration/webhooks/{sub}/rotate-secret", None),
        ("GET", f"/api/integration/webhooks/{sub}/deliveries", None),
        ("POST", f"/api/integration/deliveries/{delivery}/replay", None),
    ]  # fmt: skip
