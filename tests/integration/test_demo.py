"""The integration part of ``manage.py demo``: run on the test county, through the domain."""

from types import SimpleNamespace

from gonghui.core.events import EVENTS
from gonghui.integration.demo import build
from gonghui.integration.models import TokenPolicy, WebhookSubscription


def test_demo_part_builds_a_policy_and_a_paused_subscription(county):
    ctx = SimpleNamespace(lines=[])
    build(ctx)
    policy = TokenPolicy.objects.get()
    assert (policy.token.name, policy.scopes, policy.rate_limit) == (
        "浙里办（演示）", ["orgs:read", "training:read"], 120
    )  # fmt: skip
    sub = WebhookSubscription.objects.get()
    assert (sub.active, sorted(sub.events), sub.token.org_unit) == (False, sorted(EVENTS),
                                                                   county.county)  # fmt: skip
    assert len(ctx.lines) == 1
