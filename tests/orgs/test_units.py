import pytest

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.orgs.domain.people import withdraw_membership
from gonghui.orgs.domain.units import (
    create_org_unit,
    delete_org_unit,
    register_enterprise,
    rename_org_unit,
)
from gonghui.orgs.enums import OrgKind
from gonghui.orgs.models import Enterprise, OrgUnit

from ..factories import make_credit_code


def test_paths_give_subtrees(county):
    t = county
    assert t.union_a.path == t.county.path + t.town_a.path[-11:] + t.union_a.path[-11:]
    assert t.union_a.depth == 2
    assert set(t.town_a.descendants()) == {t.town_a, t.union_a}
    assert list(t.union_a.ancestors()) == [t.county, t.town_a]
    assert t.union_a.is_within(t.county) and not t.union_a.is_within(t.town_b)


def test_kind_rules_and_scope(county):
    t = county
    staff = t.users["town_staff_a"]
    unit = create_org_unit(t.town_a, name="新基层工会", kind=OrgKind.GRASSROOTS, actor=staff)
    assert unit.is_within(t.town_a)
    with pytest.raises(DomainError) as exc:
        create_org_unit(t.union_a, name="x", kind=OrgKind.GRASSROOTS, actor=staff)
    assert exc.value.message == "基层工会下不能设立基层工会"
    with pytest.raises(PermissionDeniedError):
        create_org_unit(t.town_b, name="越权", kind=OrgKind.GRASSROOTS, actor=staff)
    with pytest.raises(PermissionDeniedError):
        create_org_unit(t.town_a, name="干部无权", kind=OrgKind.GRASSROOTS,
                        actor=t.users["union_officer_a"])  # fmt: skip
    assert not OrgUnit.objects.filter(name__in=["越权", "干部无权"]).exists()


def test_delete_refused_while_members_remain(county):
    t = county
    staff = t.users["federation_staff"]
    with pytest.raises(DomainError) as exc:
        delete_org_unit(t.town_a, actor=staff)
    assert (
        exc.value.message
        == "“武原街道总工会”及其下级组织仍有1名在会会员，不能删除；请先办理转会或退会"
    )
    withdraw_membership(t.member_a, actor=staff, date=t.member_a.joined_on)
    with pytest.raises(DomainError) as exc:
        delete_org_unit(t.town_a, actor=staff)
    assert exc.value.message == "“武原街道总工会”仍有下级组织，不能删除"
    empty = create_org_unit(t.town_a, name="空工会", kind=OrgKind.GRASSROOTS, actor=staff)
    delete_org_unit(empty, actor=staff)
    assert not OrgUnit.objects.filter(pk=empty.pk).exists()


def test_rename_is_audited(county):
    t = county
    rename_org_unit(t.union_a, name="改名工会", actor=t.users["federation_staff"])
    t.union_a.refresh_from_db()
    assert t.union_a.name == "改名工会"


def test_register_enterprise_validates_credit_code(county):
    t = county
    staff = t.users["union_officer_a"]
    code = make_credit_code()
    ent = register_enterprise(t.union_a, name="海盐新企业", credit_code=code.lower(), actor=staff)
    assert ent.credit_code == code
    with pytest.raises(DomainError) as exc:
        register_enterprise(t.union_a, name="重复", credit_code=code, actor=staff)
    assert exc.value.message == "该统一社会信用代码已登记"
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(DomainError) as exc:
        register_enterprise(t.union_a, name="错码", credit_code=bad, actor=staff)
    assert (exc.value.message, exc.value.field) == ("统一社会信用代码校验位错误", "credit_code")
    with pytest.raises(DomainError) as exc:
        register_enterprise(
            t.town_a, name="挂错", credit_code=make_credit_code(), actor=t.users["federation_staff"]
        )
    assert exc.value.message == "企业须隶属于基层工会或联合工会"
    assert Enterprise.objects.filter(name__in=["重复", "错码", "挂错"]).count() == 0
