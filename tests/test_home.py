"""The site root: a public home page for visitors, each signed-in person's own face."""

import pytest
from django.urls import reverse

from gonghui.reform.enums import ReformStatus
from tests.reform.factories import ReformItemFactory

pytestmark = pytest.mark.django_db


def test_visitor_sees_public_home_with_links_to_announcements_reform_and_aid(client, county):
    ReformItemFactory(org_unit=county.county, status=ReformStatus.IN_PROGRESS)
    res = client.get("/")
    text = res.content.decode()
    assert res.status_code == 200
    for expected in ("培训公告", "改革清单", "职工医疗互助", "登录", "数据共享：1项，已完成0项"):
        assert expected in text
    for url in (reverse("training:plans"), reverse("reform:items"), reverse("mutualaid:policies")):
        assert f'href="{url}"' in text


def test_signed_in_people_are_sent_to_their_face(client, county):
    client.force_login(county.users["federation_staff"])
    assert client.get("/")["Location"] == reverse("console:index")
    for who, face in (("enterprise_contact_a", "training:enterprise_demands"),
                      ("department_liaison", "training:department_demands"),
                      ("worker_a", "portal:profile"), ("auditor", "console:index")):  # fmt: skip
        client.force_login(county.users[who])
        assert client.get("/")["Location"] == reverse(face), who


def test_favicon(client):
    res = client.get("/favicon.ico")
    assert res.status_code == 301 and res["Location"].endswith("gonghui/favicon.svg")
