# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo data of the integration app: the county's 浙里办 token with a policy (reads of
training and the org tree, one year, 120 requests a minute) and a paused webhook
subscription of the province's data platform to every event — paused, because the demo
has no receiver. Sign-in through the local OpenID Connect provider is ``make demo``'s
``idp`` process (Procfile); its identities are the demo accounts' mobile numbers."""

import datetime as dt

from django.utils import timezone

from gonghui.core.actors import SYSTEM
from gonghui.core.events import EVENTS
from gonghui.orgs.domain.access import issue_api_token
from gonghui.orgs.enums import OrgKind, Role
from gonghui.orgs.models import OrgUnit

from ..domain.tokens import set_token_policy
from ..domain.webhooks import create_subscription, set_subscription_active

ORDER = 200  # gonghui.demo runs the parts in this order: last, nothing builds on it


def build(ctx) -> None:
    county = OrgUnit.objects.filter(kind=OrgKind.COUNTY).order_by("pk").first()
    if county is None:
        return
    token, _key = issue_api_token(county, name="浙里办（演示）", role=Role.FEDERATION_STAFF,
                                  actor=SYSTEM)  # fmt: skip
    set_token_policy(token, scopes=["training:read", "orgs:read"], rate_limit=120,
                     expires_at=timezone.now() + dt.timedelta(days=365), actor=SYSTEM)  # fmt: skip
    platform, _ = issue_api_token(county, name="省总工会数据平台（演示）",
                                  role=Role.FEDERATION_STAFF, actor=SYSTEM)  # fmt: skip
    sub, _secret = create_subscription(
        platform, name="省总工会数据平台", url="https://province.example.invalid/gonghui/hook",
        events=list(EVENTS), actor=SYSTEM,
    )  # fmt: skip
    set_subscription_active(sub, active=False, actor=SYSTEM)
    ctx.lines.append("系统对接：浙里办令牌（策略：培训、组织只读）、省平台事件订阅（已暂停）")
