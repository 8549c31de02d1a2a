"""Four eyes through tokens (issue 12 item 1): "a different person" compares the acting
*person*. A token acts for the staff member who issued it, so it cannot approve at
federation level what its issuer approved at union level (nor the other way round), and a
token whose issuer is gone cannot review at all. Over a real HTTP server with a real token.
"""

import datetime as dt
import json
import urllib.request
from http.cookiejar import CookieJar

import pytest

from gonghui.mutualaid.domain.claims import transition_claim
from gonghui.mutualaid.enums import ClaimState
from gonghui.mutualaid.models import Claim, LedgerEntry
from gonghui.orgs.domain.access import issue_api_token
from gonghui.orgs.enums import Role

from .test_claims import submit, with_documents


class Http:
    """A plain HTTP client against the live server, with no session: the bearer token is the
    only credential (the CSRF cookie/header pair it carries is not needed since bearer
    writes skip the session's CSRF check; it does no harm)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.open(f"{base}/accounts/login/").read()
        self.csrf = next(c.value for c in self.jar if c.name == "csrftoken")

    def post(self, path: str, body: dict, key: str) -> tuple[int, dict]:
        req = urllib.request.Request(  # noqa: S310 - http to the live server only
            f"{self.base}{path}", data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                     "X-CSRFToken": self.csrf, "Referer": self.base + "/"},
        )  # fmt: skip
        try:
            with self.opener.open(req) as res:
                return res.status, json.loads(res.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())


def _transition(http, claim, action, key):
    return http.post(f"/api/mutualaid/claims/{claim.pk}/transitions", {"action": action}, key)


@pytest.fixture
def staff_token(aid):
    staff = aid.users["federation_staff"]
    token, key = issue_api_token(aid.county, name="浙里办", role=Role.FEDERATION_STAFF, actor=staff)
    return staff, token, key


@pytest.mark.django_db(transaction=True)
def test_a_token_cannot_approve_at_federation_level_what_its_issuer_approved(
    live_server, aid, staff_token
):
    staff, _token, key = staff_token
    http = Http(live_server.url)
    claim, _ = submit(aid)
    with_documents(claim, aid.worker_a)
    transition_claim(claim, action="union_approve", actor=staff)  # in the browser
    status, body = _transition(http, claim, "federation_approve", key)
    assert (status, body["error"]["message"]) == (409, "复核须由另一位审核人完成")
    claim.refresh_from_db()
    assert claim.state == ClaimState.FEDERATION_REVIEW
    assert claim.federation_reviewer_id is None
    assert LedgerEntry.objects.count() == 0

    # The other way round: the token approves at union level, signing as its issuer…
    second, _ = submit(aid, token="tok-2", admission_date=dt.date(2026, 8, 1),
                       discharge_date=dt.date(2026, 8, 9))  # fmt: skip
    with_documents(second, aid.worker_a)
    status, body = _transition(http, second, "union_approve", key)
    assert (status, body["state"]) == (200, "federation_review")
    second.refresh_from_db()
    assert second.union_reviewer_id == staff.pk
    # … so neither the issuer in the browser nor the token itself may do the second review.
    with pytest.raises(Exception, match="复核须由另一位审核人完成"):
        transition_claim(second, action="federation_approve", actor=staff)
    status, body = _transition(http, second, "federation_approve", key)
    assert (status, body["error"]["message"]) == (409, "复核须由另一位审核人完成")
    assert Claim.objects.get(pk=second.pk).state == ClaimState.FEDERATION_REVIEW

    # Another person (county staff with their own account) completes it.
    from tests.factories import user_with_role

    colleague = user_with_role(Role.FEDERATION_STAFF, aid.county, username="colleague")
    done = transition_claim(second, action="federation_approve", actor=colleague)
    assert (done.state, done.federation_reviewer_id) == (ClaimState.APPROVED, colleague.pk)


@pytest.mark.django_db(transaction=True)
def test_a_token_whose_issuer_is_gone_cannot_review(live_server, aid, staff_token):
    _staff, token, key = staff_token
    token.created_by = None  # the issuing account was deleted (SET_NULL)
    token.save(update_fields=["created_by"])
    claim, _ = submit(aid)
    with_documents(claim, aid.worker_a)
    status, body = _transition(Http(live_server.url), claim, "union_approve", key)
    assert (status, body["error"]["message"]) == (403, "该令牌未关联签发人，不能审核")
    claim.refresh_from_db()
    assert (claim.state, claim.union_reviewer_id) == (ClaimState.SUBMITTED, None)


def test_the_review_button_follows_the_same_rule(client, aid):
    """The console's review form is shown exactly when ``mutualaid.review_claim`` holds:
    not to the union approver at the federation stage (the button used to skip that)."""
    staff = aid.users["federation_staff"]
    claim, _ = submit(aid)
    with_documents(claim, aid.worker_a)
    transition_claim(claim, action="union_approve", actor=staff)
    client.force_login(staff)
    page = client.get(f"/console/mutualaid/claims/{claim.pk}/").content.decode()
    assert "federation_approve" not in page
    assert not staff.has_perm("mutualaid.review_claim", Claim.objects.get(pk=claim.pk))
    from tests.factories import user_with_role

    colleague = user_with_role(Role.FEDERATION_STAFF, aid.county, username="colleague")
    client.force_login(colleague)
    page = client.get(f"/console/mutualaid/claims/{claim.pk}/").content.decode()
    assert "federation_approve" in page
    assert colleague.has_perm("mutualaid.review_claim", Claim.objects.get(pk=claim.pk))
