"""Reform-list factories: items are created directly; the workflow is tested on its own."""

import datetime as dt

import factory

from gonghui.reform.enums import Category, ReformStatus
from gonghui.reform.models import Milestone, ReformItem


class ReformItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReformItem

    title = factory.Sequence(lambda n: f"职工培训数据共享{n}")
    category = Category.DATA_SHARING
    goal = "打通人社、工会两方培训数据"
    org_unit = None
    status = ReformStatus.DRAFT


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    item = None
    title = factory.Sequence(lambda n: f"节点{n}")
    weight = 50
    due_on = dt.date(2030, 6, 30)
