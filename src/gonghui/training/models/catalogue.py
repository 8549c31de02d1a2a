# SPDX-License-Identifier: AGPL-3.0-or-later
"""Skill catalogue (技能目录), shipped from data/skills.json and extendable by staff."""

from django.conf import settings
from django.db import models


class Skill(models.Model):
    name = models.CharField("技能名称", max_length=50, unique=True)
    category = models.CharField("类别", max_length=30, db_index=True)
    occupation_code = models.CharField(
        "职业编码", max_length=20, blank=True, help_text="《国家职业分类大典》编码，如 6-31-01-03"
    )
    levels = models.JSONField("技能等级", default=list, help_text="l5…l1，见 enums.Level")
    description = models.CharField("说明", max_length=200, blank=True)
    builtin = models.BooleanField("内置", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category", "name"]
        verbose_name = "技能"
        verbose_name_plural = "技能目录"

    def __str__(self) -> str:
        return self.name


class SkillSynonym(models.Model):
    """A word or phrase that means the skill. Staff corrections add rows (source=staff),
    so later free-text demands with the same wording match automatically."""

    class Source(models.TextChoices):
        BUILTIN = "builtin", "内置"
        STAFF = "staff", "人工归类"

    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="synonyms")
    text = models.CharField("同义词", max_length=50, unique=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.BUILTIN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["text"]
        verbose_name = "技能同义词"
        verbose_name_plural = "技能同义词"

    def __str__(self) -> str:
        return f"{self.text} → {self.skill}"


class SkillKnowledge(models.Model):
    """Staff additions to a skill's knowledge base: words per kind (tasks, tools, objects,
    places, words, slang, typos, not — see ``domain.knowledge.KINDS``). The shipped words
    live in ``data/skill_knowledge/*.toml``; the matcher merges both."""

    skill = models.OneToOneField(Skill, on_delete=models.CASCADE, related_name="knowledge")
    words = models.JSONField("补充词语", default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "技能知识库补充"
        verbose_name_plural = "技能知识库补充"

    def __str__(self) -> str:
        return f"{self.skill} 知识库补充"
