import pytest

from .factories import make_user

ADMIN_PAGES = [
    "/admin/",
    "/admin/orgs/orgunit/",
    "/admin/orgs/person/",
    "/admin/orgs/membership/",
    "/admin/orgs/enterprise/",
    "/admin/orgs/roleassignment/",
    "/admin/orgs/apitoken/",
    "/admin/accounts/user/",
    "/admin/core/auditevent/",
]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_for_superuser_and_masked(client, county, url):
    admin = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    res = client.get(url)
    assert res.status_code == 200
    text = res.content.decode()
    for plain in (county.member_a.person.id_number, county.member_a.person.mobile):
        assert plain not in text


def test_person_change_page_masks_numbers(client, county):
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    person = county.member_a.person
    text = client.get(f"/admin/orgs/person/{person.pk}/change/").content.decode()
    assert person.id_number_masked in text
    assert person.id_number not in text


def test_admin_is_closed_to_non_superusers(client, county):
    client.force_login(county.users["federation_staff"])
    assert client.get("/admin/orgs/person/").status_code == 302
