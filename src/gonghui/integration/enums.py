# SPDX-License-Identifier: AGPL-3.0-or-later
from django.db import models


class DeliveryState(models.TextChoices):
    PENDING = "pending", "待发送"
    RETRYING = "retrying", "等待重试"
    DELIVERED = "delivered", "已送达"
    FAILED = "failed", "发送失败"


#: The one workflow of a delivery: ``domain.webhooks.move_delivery`` is its only writer.
DELIVERY_FLOW = {
    DeliveryState.PENDING: frozenset({DeliveryState.DELIVERED, DeliveryState.RETRYING,
                                      DeliveryState.FAILED}),
    DeliveryState.RETRYING: frozenset({DeliveryState.DELIVERED, DeliveryState.RETRYING,
                                       DeliveryState.FAILED}),
    DeliveryState.DELIVERED: frozenset(),
    DeliveryState.FAILED: frozenset(),
}  # fmt: skip

#: What a token may do per module: read (GET) or write (everything else).
MODULES = {
    "orgs": "组织与会员",
    "training": "技能培训",
    "evaluation": "评价",
    "insight": "过程监管",
    "reform": "改革清单",
    "mutualaid": "医疗互助",
    "mentorship": "导师带徒",
    "contests": "技能竞赛",
    "network": "服务阵地",
    "learning": "在线学习与职工书房",
    "integration": "系统对接（事件订阅）",
}

#: Modules a token reaches only when its policy names them: a token without a policy keeps
#: its role's reach everywhere else, but managing webhook subscriptions (which send data out
#: and hold signing secrets) must be granted explicitly (``integration:read`` / ``:write``).
EXPLICIT_MODULES = frozenset({"integration"})
