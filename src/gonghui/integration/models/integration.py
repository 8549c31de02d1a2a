# SPDX-License-Identifier: AGPL-3.0-or-later
"""Webhook subscriptions and their deliveries, token policies, links to outside identities."""

import uuid

from django.conf import settings
from django.db import models

from gonghui.core.audit_labels import object_type_label
from gonghui.core.events import EVENTS
from gonghui.core.fields import EncryptedTextField
from gonghui.core.scope import ScopedQuerySet

from ..enums import DeliveryState


class WebhookSubscriptionQuerySet(ScopedQuerySet):
    scope_kind = "webhooksubscription"


class WebhookSubscription(models.Model):
    """An integration's wish to be told of some events, sent to ``url``. It belongs to an
    API token and sees exactly what the token sees: an event about a record outside the
    token's scope is not sent, and a revoked token's subscriptions fall silent."""

    token = models.ForeignKey(
        "orgs.ApiToken", on_delete=models.PROTECT, related_name="webhook_subscriptions",
        verbose_name="所属API令牌",
    )  # fmt: skip
    name = models.CharField("名称", max_length=100)
    url = models.URLField("接收地址", max_length=500)
    events = models.JSONField("订阅事件", default=list)
    #: The HMAC-SHA256 key of the signatures; encrypted at rest, shown once on creation.
    secret = EncryptedTextField("签名密钥")
    active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WebhookSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "事件订阅"
        verbose_name_plural = "事件订阅"

    def __str__(self) -> str:
        return self.name

    def audit_scope_path(self) -> str:
        return self.token.org_unit.path

    @property
    def event_labels(self) -> list[tuple[str, str]]:
        """(code, words) of each subscribed event, for pages."""
        return [(e, EVENTS.get(e, e)) for e in self.events]


class WebhookDelivery(models.Model):
    """One attempt series to tell one subscription of one event; a replay is a new row
    with the same ``event_id`` (receivers de-duplicate by it)."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField("事件", max_length=40)
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    object_type = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    payload = models.JSONField("内容")
    state = models.CharField(
        "状态", max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_status = models.PositiveSmallIntegerField("最近应答", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    replay_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "事件推送"
        verbose_name_plural = "事件推送"
        indexes = [models.Index(fields=["subscription", "-created_at"], name="integ_delivery_sub")]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"

    def audit_scope_path(self) -> str:
        return self.subscription.token.org_unit.path

    @property
    def event_label(self) -> str:
        return EVENTS.get(self.event, self.event)

    @property
    def object_type_label(self) -> str:
        return object_type_label(self.object_type)


class TokenPolicy(models.Model):
    """What an API token may do beyond its role: modules it may read and write, when it
    expires, how many requests a window it may make. A token without a policy keeps the
    platform's defaults (every module its role reaches, no expiry, the global limit)."""

    token = models.OneToOneField(
        "orgs.ApiToken", on_delete=models.CASCADE, related_name="policy", verbose_name="API令牌"
    )
    #: ``["training:read", "training:write", "orgs:read", …]`` (see ``enums.MODULES``).
    scopes = models.JSONField("权限范围", default=list)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    rate_limit = models.PositiveIntegerField("每窗口请求上限", null=True, blank=True)

    class Meta:
        verbose_name = "令牌策略"
        verbose_name_plural = "令牌策略"

    def __str__(self) -> str:
        return f"{self.token} {' '.join(self.scopes)}"

    def allows(self, module: str, write: bool) -> bool:
        return f"{module}:{'write' if write else 'read'}" in self.scopes


class ExternalIdentity(models.Model):
    """An account's link to an identity provider's subject (``sub``), made at the first
    matched sign-in so that later sign-ins need no ID or mobile number. Holds no personal
    data: the subject is the provider's opaque id."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    provider = models.CharField("身份提供方", max_length=40)
    subject = models.CharField("外部标识", max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "外部身份"
        verbose_name_plural = "外部身份"
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="integ_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"
