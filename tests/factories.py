"""factory_boy factories and synthetic-but-valid identifiers for tests."""

import datetime as dt
import itertools
import random

import factory
from django.contrib.auth import get_user_model

from gonghui.core import crypto
from gonghui.core.actors import SYSTEM
from gonghui.core.validators import credit_check_char, id_check_char
from gonghui.orgs.domain.access import assign_role
from gonghui.orgs.domain.people import id_digest_for
from gonghui.orgs.domain.units import create_org_unit
from gonghui.orgs.enums import MembershipStatus, OrgKind
from gonghui.orgs.models import Enterprise, Membership, OrgUnit, Person

_seq = itertools.count(1)
PASSWORD = "Gonghui2026pass"


def make_id_number(
    birth: dt.date = dt.date(1990, 1, 1),
    sex: str = "M",
    division: str = "330424",
    seq: int | None = None,
) -> str:
    """A valid GB 11643 number (division 330424 = 海盐县)."""
    n = next(_seq) if seq is None else seq
    order = (n * 2) % 1000  # even
    if sex == "M":
        order = order + 1 if order < 999 else 997
    body = f"{division}{birth:%Y%m%d}{order:03d}"
    return body + id_check_char(body)


def make_credit_code(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    body = f"91330424{n:09d}"
    return body + credit_check_char(body)


def make_mobile(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    return f"138{n:08d}"


def org_unit(parent: OrgUnit | None = None, kind: str = OrgKind.COUNTY, name: str | None = None):
    return create_org_unit(parent, name=name or f"组织{next(_seq)}", kind=kind, actor=SYSTEM)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"海盐测试企业{n}有限公司")
    credit_code = factory.LazyFunction(make_credit_code)
    union = None


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        birth = dt.date(1990, 1, 1)

    name = factory.Iterator(["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "周杰"])
    sex = "M"
    birth_date = factory.SelfAttribute("birth")
    id_type = "resident"
    id_number = factory.LazyAttribute(lambda o: make_id_number(o.birth, o.sex))
    id_digest = factory.LazyAttribute(lambda o: id_digest_for(o.id_type, o.id_number))
    mobile = factory.LazyFunction(make_mobile)
    mobile_digest = factory.LazyAttribute(lambda o: crypto.digest(o.mobile))
    ethnicity = "汉族"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    union = None
    status = MembershipStatus.ACTIVE
    joined_on = dt.date(2020, 5, 1)


def make_user(username: str | None = None, *, mobile: str | None = None, person=None, **extra):
    User = get_user_model()
    user = User(
        username=username or f"user{next(_seq)}", display_name=extra.pop("display_name", "")
    )
    user.set_mobile(mobile or make_mobile())
    user.set_password(PASSWORD)
    user.person = person
    for k, v in extra.items():
        setattr(user, k, v)
    user.save()
    return user


def user_with_role(role: str, org: OrgUnit, *, enterprise=None, department=None, **kw):
    user = make_user(**kw)
    assign_role(
        user, role=role, org_unit=org, actor=SYSTEM, enterprise=enterprise, department=department
    )
    return user


def rand_name(rng: random.Random) -> str:
    return rng.choice("张王李赵刘陈杨黄吴周") + rng.choice(
        ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇"]
    )
