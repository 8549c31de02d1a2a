"""Issue 12 item 2 (console form): recording a certificate for an ID number outside the
caller's scope answers exactly as for an unknown number or a wrong name."""

from django.urls import reverse

from gonghui.training.models import Certificate

from .factories import skill


def _post(client, person, name):
    data = {
        "name": name, "id_number": person.id_number, "skill": skill("电工").pk,
        "level": "l5", "number": "HY-009", "issuer": "海盐县人社局", "issued_on": "2025-06-30",
    }  # fmt: skip
    return client.post(reverse("training_console:certificates"), data)


def test_out_of_scope_person_is_answered_like_an_unknown_one(client, county):
    client.force_login(county.users["town_staff_a"])
    outside = county.member_b.person  # 沈荡镇, not within 武原街道
    right_name = _post(client, outside, outside.name)
    wrong_name = _post(client, outside, "王五")
    assert (right_name.status_code, wrong_name.status_code) == (400, 400)
    for res in (right_name, wrong_name):
        assert "未找到该姓名与证件号码对应的职工" in res.content.decode()
    assert Certificate.objects.count() == 0
