# SPDX-License-Identifier: AGPL-3.0-or-later
"""Webhooks: events out to subscribed systems, signed, retried, logged and replayable.

Flow: a domain function emits an event (``gonghui.core.events.emit``); after its commit
``on_event`` builds the payload (ids and masked data only), finds the active subscriptions
to that event whose token may see the record (the token's own scope, through
``restrict``), writes one ``WebhookDelivery`` each and enqueues ``tasks.deliver_webhook``.
The task POSTs the body with

- ``X-Gonghui-Event``: the event name; ``X-Gonghui-Delivery``: the event id (the same on
  every retry and replay: receivers de-duplicate by it);
- ``X-Gonghui-Timestamp``: Unix seconds when signed;
- ``X-Gonghui-Signature``: ``sha256=`` + hex HMAC-SHA256 with the subscription's secret over
  ``"{timestamp}.{body}"``. A receiver recomputes it and refuses a timestamp more than five
  minutes old (``verify_signature`` is the reference).

A 2xx answer delivers; anything else (an error status, a refused connection, a timeout) is
retried after ``GONGHUI_WEBHOOK_BACKOFF_SECONDS × 2^(attempt-1)`` until
``GONGHUI_WEBHOOK_MAX_ATTEMPTS`` attempts, then the delivery fails. Staff replay any
delivery (a new row, same event id and payload, audited).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import time
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

from gonghui.core import events
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.domain.access import TokenActor
from gonghui.orgs.models import ApiToken

from ..enums import DELIVERY_FLOW, DeliveryState
from ..models import WebhookDelivery, WebhookSubscription

logger = logging.getLogger("gonghui.webhooks")

SIGNATURE_TOLERANCE_SECONDS = 300
USER_AGENT = "Gonghui-Webhooks/1"


# -- payloads: ids and masked data only --------------------------------------------------------
def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳小明 → 欧***: the family name only."""
    return (name[:1] + "*" * (len(name) - 1)) if name else ""


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _plan(plan) -> dict[str, Any]:
    first = plan.sessions.order_by("starts_at").first()
    starts = _iso(first.starts_at if first else None)
    return {"plan_id": plan.pk, "title": plan.title, "org_unit_id": plan.org_unit_id,
            "skill_id": plan.skill_id, "level": plan.level, "capacity": plan.capacity,
            "state": plan.state, "first_session_at": starts}  # fmt: skip


def _enrollment(e) -> dict[str, Any]:
    return {"enrollment_id": e.pk, "plan_id": e.plan_id, "person_id": e.person_id,
            "person_name": mask_name(e.person.name), "status": e.status,
            "seat": e.seat}  # fmt: skip


def _claim(c) -> dict[str, Any]:
    return {"claim_id": c.pk, "state": c.state, "period_id": c.period_id,
            "union_id": c.union_id, "person_id": c.person_id,
            "person_name": mask_name(c.person.name), "category": c.category}  # fmt: skip


def _certificate(c) -> dict[str, Any]:
    return {"certificate_id": c.pk, "person_id": c.person_id,
            "person_name": mask_name(c.person.name), "plan_id": c.plan_id,
            "skill_id": c.skill_id, "level": c.level, "issued_on": _iso(c.issued_on)}  # fmt: skip


def _reform(item) -> dict[str, Any]:
    return {"item_id": item.pk, "title": item.title, "org_unit_id": item.org_unit_id,
            "status": item.status, "progress": str(item.progress)}  # fmt: skip


DESCRIBERS = {
    "plan.announced": _plan,
    "enrollment.confirmed": _enrollment,
    "claim.state_changed": _claim,
    "certificate.issued": _certificate,
    "reform.updated": _reform,
}


def token_sees(token: ApiToken, obj, cache: dict | None = None) -> bool:
    """Whether ``token`` may read ``obj`` (the scope kind of its model, as the API would).
    What a token sees depends on its role and unit only, so ``cache`` keeps the answer per
    (role, unit) across the subscriptions of one event."""
    if not token.is_active or _expired(token):
        return False
    key = (token.role, token.org_unit_id)
    if cache is not None and key in cache:
        return cache[key]
    seen = type(obj).objects.restrict(TokenActor(token), "view").filter(pk=obj.pk).exists()
    if cache is not None:
        cache[key] = seen
    return seen


def _expired(token: ApiToken) -> bool:
    try:
        policy = token.policy
    except ObjectDoesNotExist:
        return False
    return bool(policy.expires_at and policy.expires_at <= timezone.now())


# -- events in ---------------------------------------------------------------------------------
def on_event(name: str, obj) -> None:
    """The listener registered with ``gonghui.core.events``: runs after the commit."""
    subscriptions = [
        s
        for s in WebhookSubscription.objects.filter(active=True, token__revoked_at__isnull=True)
        .select_related("token__org_unit", "token__policy")
        .order_by("pk")
        if name in s.events
    ]
    if not subscriptions:
        return
    payload = {"event": name, "occurred_at": timezone.now().isoformat(),
               "data": DESCRIBERS[name](obj)}  # fmt: skip
    seen: dict = {}  # one scope check per (role, unit), however many subscriptions
    rows = [
        WebhookDelivery(
            subscription=sub,
            event=name,
            object_type=obj._meta.label_lower,
            object_id=obj.pk,
            payload=payload,
        )
        for sub in subscriptions
        if token_sees(sub.token, obj, seen)
    ]
    with transaction.atomic():
        created = WebhookDelivery.objects.bulk_create(rows)  # ids set (SQLite, PostgreSQL)
        _enqueue_after_commit(*[d.pk for d in created])


def _enqueue_after_commit(*delivery_ids: int, run_after: dt.datetime | None = None) -> None:
    """Queue one delivery task per id once the deliveries are committed — all in one
    transaction (with the database task backend, one commit for the lot)."""

    def go() -> None:
        from ..tasks import deliver_webhook

        task = deliver_webhook.using(run_after=run_after) if run_after else deliver_webhook
        with transaction.atomic():
            for delivery_id in delivery_ids:
                task.enqueue(delivery_id)

    if delivery_ids:
        transaction.on_commit(go)


# -- signing -----------------------------------------------------------------------------------
def body_of(delivery: WebhookDelivery) -> bytes:
    envelope = {"id": str(delivery.event_id), **delivery.payload}
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: str, *, body: bytes, timestamp: str, signature: str, now: float | None = None
) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - ts) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature or "")


def backoff(attempt: int) -> dt.timedelta:
    """The wait after failed attempt number ``attempt`` (1-based)."""
    base = float(settings.GONGHUI_WEBHOOK_BACKOFF_SECONDS)
    return dt.timedelta(seconds=base * 2 ** (attempt - 1))


# -- the one transition ------------------------------------------------------------------------
def move_delivery(delivery: WebhookDelivery, to: str) -> str:
    old = delivery.state
    if to not in DELIVERY_FLOW[DeliveryState(old)]:
        raise DomainError("该推送当前状态不能变更", code="state")
    delivery.state = to
    return old


def attempt_delivery(delivery_id: int) -> str:
    """One attempt (the task's body): POST, record the answer, schedule the next try."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.state in (DeliveryState.DELIVERED, DeliveryState.FAILED):
            return "skipped"
        sub = delivery.subscription
        body = body_of(delivery)
        ts = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Gonghui-Event": delivery.event,
            "X-Gonghui-Delivery": str(delivery.event_id),
            "X-Gonghui-Timestamp": str(ts),
            "X-Gonghui-Signature": sign(sub.secret, ts, body),
        }
        status, error = None, ""
        try:
            response = requests.post(
                sub.url, data=body, headers=headers, allow_redirects=False,
                timeout=settings.GONGHUI_WEBHOOK_TIMEOUT_SECONDS,
            )  # fmt: skip
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except requests.RequestException as exc:
            error = type(exc).__name__
        delivery.attempts += 1
        delivery.last_status, delivery.last_error = status, error[:300]
        if not error:
            move_delivery(delivery, DeliveryState.DELIVERED)
            delivery.delivered_at, delivery.next_attempt_at = timezone.now(), None
        elif delivery.attempts >= settings.GONGHUI_WEBHOOK_MAX_ATTEMPTS:
            move_delivery(delivery, DeliveryState.FAILED)
            delivery.next_attempt_at = None
        else:
            move_delivery(delivery, DeliveryState.RETRYING)
            delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
            _enqueue_after_commit(delivery.pk, run_after=delivery.next_attempt_at)
        delivery.save(
            update_fields=["state", "attempts", "last_status", "last_error", "next_attempt_at",
                           "delivered_at"]
        )  # fmt: skip
    return delivery.state


# -- staff: subscriptions and replays ----------------------------------------------------------
def _require(actor, action: str, obj=None, token: ApiToken | None = None) -> None:
    principal = principal_for(actor)
    if token is not None:
        ok = principal.covers("webhooksubscription", action, token.org_unit)
    else:
        ok = principal.can("webhooksubscription", action, obj)
    if not ok:
        raise PermissionDeniedError("无权管理该事件订阅")


def _clean_events(names) -> list[str]:
    names = sorted(set(names or []))
    if not names:
        raise DomainError("请至少选择一个事件", field="events")
    unknown = [n for n in names if n not in events.EVENTS]
    if unknown:
        raise DomainError("未知事件：" + "、".join(unknown), field="events")
    return names


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url.startswith(("https://", "http://")):
        raise DomainError("接收地址须以 https:// 开头", field="url")
    if url.startswith("http://") and not settings.GONGHUI_WEBHOOK_ALLOW_HTTP:
        raise DomainError("接收地址须以 https:// 开头", field="url")
    if len(url) > 500:
        raise DomainError("接收地址过长", field="url")
    return url


@transaction.atomic
def create_subscription(
    token: ApiToken, *, name: str, url: str, events: list[str], actor
) -> tuple[WebhookSubscription, str]:
    """Subscribe ``token``'s integration to ``events``; returns it and the signing secret,
    which is shown once."""
    _require(actor, "change", token=token)
    if not token.is_active:
        raise DomainError("该API令牌已吊销", field="token")
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写订阅名称", field="name")
    secret = "whsec_" + secrets.token_urlsafe(32)
    sub = WebhookSubscription.objects.create(
        token=token, name=name[:100], url=_clean_url(url), events=_clean_events(events),
        secret=secret, created_by=actor if getattr(actor, "_meta", None) else None,
    )  # fmt: skip
    audit.record("webhook.subscribe", actor=actor, obj=sub,
                 after={"token": token.pk, "url": sub.url, "events": sub.events})  # fmt: skip
    return sub, secret


def subscriptions_for(actor, action: str = "view"):
    """The subscriptions ``actor`` may see (or change): by role and unit, as the console
    shows them; an API token sees only its own token's subscriptions — an integration
    manages what it is told, never another integration's subscriptions or secrets."""
    qs = WebhookSubscription.objects.restrict(actor, action)
    if isinstance(actor, TokenActor):
        qs = qs.filter(token=actor.token)
    return qs.select_related("token__org_unit")


def deliveries_for(actor, action: str = "view"):
    return WebhookDelivery.objects.filter(
        subscription__in=subscriptions_for(actor, action).values("pk")
    ).select_related("subscription__token__org_unit", "replay_of")


def subscription_token(actor, token_id: int | None) -> ApiToken | None:
    """The token a new subscription belongs to. A token subscribes itself (naming another
    token finds nothing); a person names a token they may manage. None: not found."""
    if isinstance(actor, TokenActor):
        if token_id is None or token_id == actor.token.pk:
            return actor.token
        return None
    if token_id is None:
        raise DomainError("请指定所属API令牌", field="token_id")
    return (
        ApiToken.objects.restrict(actor, "change")
        .filter(revoked_at__isnull=True, pk=token_id)
        .select_related("org_unit")
        .first()
    )


@transaction.atomic
def set_subscription_active(sub: WebhookSubscription, *, active: bool, actor):
    _require(actor, "change", sub)
    if sub.active != active:
        sub.active = active
        sub.save(update_fields=["active"])
        audit.record("webhook.pause" if not active else "webhook.resume", actor=actor, obj=sub)
    return sub


@transaction.atomic
def rotate_secret(sub: WebhookSubscription, *, actor) -> str:
    """Give ``sub`` a new signing secret (returned, shown once); the old one stops
    signing at once, retries included. Audited without either secret."""
    _require(actor, "change", sub)
    sub = WebhookSubscription.objects.select_for_update().get(pk=sub.pk)
    secret = "whsec_" + secrets.token_urlsafe(32)
    sub.secret = secret
    sub.save(update_fields=["secret"])
    audit.record("webhook.rotate_secret", actor=actor, obj=sub)
    return secret


@transaction.atomic
def replay_delivery(delivery: WebhookDelivery, *, actor) -> WebhookDelivery:
    """Send ``delivery``'s event again (same event id and payload), as a new delivery."""
    _require(actor, "change", delivery.subscription)
    if not delivery.subscription.token.is_active:
        raise DomainError("该订阅的API令牌已吊销，不能重发", code="state")
    again = WebhookDelivery.objects.create(
        subscription=delivery.subscription, event=delivery.event, event_id=delivery.event_id,
        object_type=delivery.object_type, object_id=delivery.object_id,
        payload=delivery.payload, replay_of=delivery,
        created_by=actor if getattr(actor, "_meta", None) else None,
    )  # fmt: skip
    audit.record("webhook.replay", actor=actor, obj=again, after={"replay_of": delivery.pk})
    _enqueue_after_commit(again.pk)
    return again
