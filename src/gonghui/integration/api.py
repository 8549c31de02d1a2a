# SPDX-License-Identifier: AGPL-3.0-or-later
"""Webhook subscriptions through the API: create, list, pause/resume, rotate the secret,
read the delivery log, replay a delivery.

Mounted under /api/integration. A person (session, CSRF-checked) manages the subscriptions
their role reaches, as on the console; an API token needs ``integration:read`` /
``integration:write`` in its policy (``enums.EXPLICIT_MODULES``: a token without a policy
is refused here) and manages only its own subscriptions. Every write is audited by the
domain function (and, for tokens, by the ``api.write`` row of the call).
"""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.errors import PermissionDeniedError

from .domain import webhooks

router = Router(tags=["系统对接"])


class WebhookSubscriptionIn(Schema):
    name: str = Field(max_length=100, description="订阅名称")
    url: str = Field(max_length=500, description="接收地址（https://）")
    events: list[str] = Field(description="订阅的事件，如 plan.announced、claim.state_changed")
    token_id: int | None = Field(
        None, description="所属API令牌；以令牌调用时省略（即调用令牌本身）"
    )


class WebhookSubscriptionOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    active: bool
    token_id: int
    token_name: str = Field(alias="token.name")
    org_unit_id: int = Field(alias="token.org_unit_id")
    created_at: dt.datetime


class WebhookSecretOut(Schema):
    """A signing secret, shown once (on creation and on rotation)."""

    subscription: WebhookSubscriptionOut
    secret: str = Field(description="签名密钥（whsec_…），仅此一次显示")


class WebhookActiveIn(Schema):
    active: bool = Field(description="true 恢复推送，false 暂停")


class WebhookDeliveryOut(Schema):
    id: int
    subscription_id: int
    event: str
    event_id: str = Field(description="事件编号（重试与重发相同，接收方据此去重）")
    object_type: str
    object_id: int
    state: str = Field(
        description="pending 待发送 / retrying 等待重试 / delivered 已送达 / failed 发送失败"
    )
    state_label: str = Field(alias="get_state_display")
    attempts: int
    last_status: int | None
    last_error: str
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    replay_of_id: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_event_id(obj) -> str:
        return str(obj.event_id)


def _sub(request, sub_id: int, action: str = "view"):
    return get_object_or_404(webhooks.subscriptions_for(request.auth, action), pk=sub_id)


@router.get("/webhooks", response=list[WebhookSubscriptionOut], summary="事件订阅列表")
@paginate(Page)
def list_subscriptions(request):
    return webhooks.subscriptions_for(request.auth)


@router.post("/webhooks", response={201: WebhookSecretOut}, summary="新建事件订阅（返回签名密钥）")
def create_subscription(request, payload: WebhookSubscriptionIn):
    token = webhooks.subscription_token(request.auth, payload.token_id)
    if token is None:
        raise PermissionDeniedError("无权为该API令牌订阅事件")
    sub, secret = webhooks.create_subscription(
        token, name=payload.name, url=payload.url, events=payload.events, actor=request.auth
    )
    return Status(201, {"subscription": sub, "secret": secret})


@router.get("/webhooks/{sub_id}", response=WebhookSubscriptionOut, summary="事件订阅详情")
def get_subscription(request, sub_id: int):
    return _sub(request, sub_id)


@router.post("/webhooks/{sub_id}/active", response=WebhookSubscriptionOut,
             summary="暂停或恢复事件订阅")  # fmt: skip
def set_active(request, sub_id: int, payload: WebhookActiveIn):
    sub = _sub(request, sub_id, "change")
    return webhooks.set_subscription_active(sub, active=payload.active, actor=request.auth)


@router.post("/webhooks/{sub_id}/rotate-secret", response=WebhookSecretOut,
             summary="更换签名密钥（旧密钥立即失效）")  # fmt: skip
def rotate_secret(request, sub_id: int):
    sub = _sub(request, sub_id, "change")
    secret = webhooks.rotate_secret(sub, actor=request.auth)
    return {"subscription": sub, "secret": secret}


@router.get("/webhooks/{sub_id}/deliveries", response=list[WebhookDeliveryOut],
            summary="推送记录")  # fmt: skip
@paginate(Page)
def list_deliveries(request, sub_id: int):
    sub = _sub(request, sub_id)
    return webhooks.deliveries_for(request.auth).filter(subscription=sub)


@router.post("/deliveries/{delivery_id}/replay", response={201: WebhookDeliveryOut},
             summary="重发一次推送（同一事件编号）")  # fmt: skip
def replay(request, delivery_id: int):
    delivery = get_object_or_404(webhooks.deliveries_for(request.auth, "change"), pk=delivery_id)
    return Status(201, webhooks.replay_delivery(delivery, actor=request.auth))
