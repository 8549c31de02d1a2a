# SPDX-License-Identifier: AGPL-3.0-or-later
"""People (职工) and their union membership (会籍), with its change log."""

from django.db import models
from django.db.models import Q

from gonghui.core.fields import EncryptedTextField
from gonghui.core.masking import mask_id_number, mask_mobile
from gonghui.core.scope import ScopedQuerySet

from ..enums import (
    ChangeKind,
    Education,
    HouseholdType,
    IdType,
    MembershipStatus,
    PoliticalStatus,
    Sex,
    SkillLevel,
)
from .org import Enterprise, OrgUnit


class PersonQuerySet(ScopedQuerySet):
    scope_kind = "person"


class Person(models.Model):
    """A natural person. ID and mobile numbers are encrypted; digests allow exact lookup."""

    name = models.CharField("姓名", max_length=50, db_index=True)
    id_type = models.CharField(
        "证件类型", max_length=16, choices=IdType.choices, default=IdType.RESIDENT
    )
    id_number = EncryptedTextField("证件号码")
    id_digest = models.CharField(max_length=64, editable=False)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=16, blank=True)
    education = models.CharField("学历", max_length=16, choices=Education.choices, blank=True)
    skill_level = models.CharField("技能等级", max_length=8, choices=SkillLevel.choices, blank=True)
    mobile = EncryptedTextField("移动电话", blank=True)
    mobile_digest = models.CharField(max_length=64, blank=True, editable=False)
    household_type = models.CharField(
        "户籍类型", max_length=8, choices=HouseholdType.choices, blank=True
    )
    political_status = models.CharField(
        "政治面貌", max_length=16, choices=PoliticalStatus.choices, blank=True
    )
    is_migrant_worker = models.BooleanField("是否农民工", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "职工"
        verbose_name_plural = "职工"
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_digest"], name="person_unique_id")
        ]
        # An explicit index: db_index would add a LIKE (pattern_ops) twin on PostgreSQL that no
        # query of an exact digest uses, and every insert would pay for it.
        indexes = [models.Index(fields=["mobile_digest"], name="orgs_person_mobile_digest")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # Keep the copy of the name on the memberships (Membership.person_name) in step.
        saved = getattr(self, "_saved_name", None)
        if saved is not None and saved != self.name:
            self.memberships.update(person_name=self.name)
        self._saved_name = self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        person = super().from_db(db, field_names, values)
        person._saved_name = person.__dict__.get("name")
        return person

    def audit_scope_path(self) -> str:
        """The union the person belongs to (active membership, else the latest)."""
        membership = (
            # "active" sorts before "transferred" and "withdrawn".
            self.memberships.select_related("union").order_by("status", "-joined_on").first()
        )
        return membership.union.path if membership else ""

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile)


class MembershipQuerySet(ScopedQuerySet):
    scope_kind = "membership"

    def active(self):
        return self.filter(status=MembershipStatus.ACTIVE)


class Membership(models.Model):
    """One stint of a person in one member-holding union. A transfer closes it and opens
    another, so history is kept, never overwritten."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships", verbose_name="职工"
    )
    union = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="memberships", verbose_name="基层工会",
        db_index=False,  # the (union, status) index below serves every lookup by union
    )  # fmt: skip
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships",
        verbose_name="工作单位",
    )  # fmt: skip
    card_number = models.CharField("会员证号", max_length=32, null=True, blank=True)
    status = models.CharField(
        "会籍状态", max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    joined_on = models.DateField("入会日期")
    left_on = models.DateField("离会日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    #: A copy of ``person.name``, so that the scoped member list filtered and ordered by
    #: name is one range of one index (migration 0004, ``domain.queries.member_list``).
    #: Set by ``save()`` here, kept in step by ``Person.save()``; bulk writers (roster
    #: import, demo) set it themselves.
    person_name = models.CharField(max_length=50, blank=True, default="", editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-joined_on", "-id"]
        verbose_name = "会籍"
        verbose_name_plural = "会籍"
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status=MembershipStatus.ACTIVE),
                name="membership_one_active_per_person",
                violation_error_message="该职工已有在会会籍",
            ),
            models.UniqueConstraint(
                fields=["card_number"],
                condition=Q(status=MembershipStatus.ACTIVE, card_number__isnull=False),
                name="membership_active_card_unique",
                violation_error_message="会员证号已被使用",
            ),
        ]
        indexes = [models.Index(fields=["union", "status"])]

    def __str__(self) -> str:
        return f"{self.person} @ {self.union}"

    def save(self, *args, **kwargs) -> None:
        fields = kwargs.get("update_fields")
        if fields is None or "person" in fields or "person_id" in fields:
            self.person_name = self.person.name if self.person_id else ""
            if fields is not None:
                kwargs["update_fields"] = {*fields, "person_name"}
        super().save(*args, **kwargs)


class MembershipChange(models.Model):
    """会籍变化: 入会 / 转会 / 退会, with date and reason. Append-only by convention."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="membership_changes", verbose_name="职工"
    )
    kind = models.CharField("会籍变化类型", max_length=16, choices=ChangeKind.choices)
    date = models.DateField("会籍变化日期")
    reason = models.CharField("会籍变化原因", max_length=200, blank=True)
    from_membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "会籍变化"
        verbose_name_plural = "会籍变化"

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.date}"
