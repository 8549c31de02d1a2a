# SPDX-License-Identifier: AGPL-3.0-or-later
"""The skill catalogue (技能目录): the shipped list, and staff extending it.

The shipped catalogue lives in ``data/skills.json``: name, category, occupation code
from the 国家职业分类大典 (2022) where one was checked, levels and synonyms.
``load_catalogue`` puts it in the database idempotently (migration 0002 does the same
with its own copy of the loop); staff add skills and synonyms with ``add_skill`` and
``add_synonym``.
"""

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for

from ..enums import Level
from ..models import Skill, SkillSynonym

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "skills.json"
OCCUPATION_CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
_STRIP = re.compile(r"[\s\u3000]+")
#: Punctuation removed before matching (ASCII and the full-width forms after NFKC).
_PUNCT = re.compile(r"[!-/:-@\[-`{-~，。、；：？！“”‘’（）《》【】…—·～]+")


def normalize_text(text: str) -> str:
    """Full-width → half-width, lower case, no spaces or punctuation: ``'想学 ＥＸＣＥＬ！'``
    → ``'想学excel'``. Used for matching and for comparing synonyms."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _PUNCT.sub("", _STRIP.sub("", text))


def clean_label(text: str) -> str:
    """A name or synonym as stored: NFKC and trimmed, inner spaces collapsed."""
    return _STRIP.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


def catalogue_entries(path: Path = DATA_FILE) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["skills"]


@dataclass
class LoadResult:
    skills_created: int
    synonyms_created: int


@transaction.atomic
def load_catalogue(entries: list[dict] | None = None) -> LoadResult:
    """Load the shipped catalogue. Idempotent: existing skills (by name) and synonyms (by
    text, case-insensitively) are left alone, so staff edits survive a reload."""
    entries = catalogue_entries() if entries is None else entries
    existing = set(Skill.objects.values_list("name", flat=True))
    new_skills = [
        Skill(
            name=e["name"],
            category=e["category"],
            occupation_code=e.get("occupation_code", ""),
            levels=list(e["levels"]),
            description=e.get("description", ""),
            builtin=True,
        )
        for e in entries
        if e["name"] not in existing
    ]
    Skill.objects.bulk_create(new_skills, batch_size=500)
    ids = dict(Skill.objects.values_list("name", "pk"))
    taken = {t.lower() for t in SkillSynonym.objects.values_list("text", flat=True)}
    rows = []
    for e in entries:
        for text in e.get("synonyms", []):
            if text.lower() in taken:
                continue
            taken.add(text.lower())
            rows.append(
                SkillSynonym(skill_id=ids[e["name"]], text=text, source=SkillSynonym.Source.BUILTIN)
            )
    SkillSynonym.objects.bulk_create(rows, batch_size=500)
    return LoadResult(skills_created=len(new_skills), synonyms_created=len(rows))


# -- staff extending the catalogue -------------------------------------------------------


def _require_catalogue_rights(actor) -> None:
    if not principal_for(actor).may("demand", "change"):
        raise PermissionDeniedError("只有总工会工作人员可以维护技能目录")


def _check_synonym_free(text: str, *, skill: Skill | None = None) -> None:
    """Refuse a synonym that is empty, too long, a skill's name or another synonym."""
    if not text:
        raise DomainError("同义词不能为空", field="text")
    if len(text) > SkillSynonym._meta.get_field("text").max_length:
        raise DomainError("同义词不能超过50个字", field="text")
    other = SkillSynonym.objects.filter(text__iexact=text).select_related("skill").first()
    if other is not None:
        raise DomainError(f"「{text}」已是技能「{other.skill.name}」的同义词", field="text")
    named = Skill.objects.filter(name__iexact=text).first()
    if named is not None:
        if skill is not None and named.pk == skill.pk:
            raise DomainError("同义词与技能名称相同，无需添加", field="text")
        raise DomainError(f"「{text}」已是技能「{named.name}」的名称", field="text")


@transaction.atomic
def add_skill(
    *,
    name: str,
    category: str,
    actor,
    occupation_code: str = "",
    levels: list[str],
    synonyms: list[str] | tuple[str, ...] = (),
    description: str = "",
) -> Skill:
    """Add a skill to the catalogue (federation staff)."""
    _require_catalogue_rights(actor)
    name, category = clean_label(name), clean_label(category)
    occupation_code = clean_label(occupation_code)
    if not name:
        raise DomainError("技能名称不能为空", field="name")
    if len(name) > Skill._meta.get_field("name").max_length:
        raise DomainError("技能名称不能超过50个字", field="name")
    if not category:
        raise DomainError("请填写技能类别", field="category")
    if Skill.objects.filter(name__iexact=name).exists():
        raise DomainError(f"技能「{name}」已在目录中", field="name")
    other = SkillSynonym.objects.filter(text__iexact=name).select_related("skill").first()
    if other is not None:
        raise DomainError(f"「{name}」已是技能「{other.skill.name}」的同义词", field="name")
    if occupation_code and not OCCUPATION_CODE.match(occupation_code):
        raise DomainError("职业编码格式应为 X-XX-XX-XX，如 6-31-01-03", field="occupation_code")
    levels = list(dict.fromkeys(levels or []))
    if not levels:
        raise DomainError("请至少选择一个技能等级", field="levels")
    unknown = [lv for lv in levels if lv not in Level.values]
    if unknown:
        raise DomainError("未知的技能等级：" + "、".join(unknown), field="levels")
    levels = [lv for lv in Level.values if lv in levels]  # 初级 → 高级技师
    texts: list[str] = []
    for raw in synonyms:
        text = clean_label(raw)
        if text.lower() == name.lower():
            raise DomainError("同义词与技能名称相同，无需添加", field="synonyms")
        if text.lower() in {t.lower() for t in texts}:
            raise DomainError(f"同义词「{text}」重复", field="synonyms")
        _check_synonym_free(text)
        texts.append(text)

    skill = Skill.objects.create(
        name=name,
        category=category,
        occupation_code=occupation_code,
        levels=levels,
        description=clean_label(description),
        builtin=False,
    )
    SkillSynonym.objects.bulk_create(
        [SkillSynonym(skill=skill, text=t, source=SkillSynonym.Source.STAFF) for t in texts]
    )
    audit.record(
        "skill.create",
        actor=actor,
        obj=skill,
        after={
            "name": name,
            "category": category,
            "occupation_code": occupation_code,
            "levels": levels,
            "synonyms": texts,
        },
    )
    return skill


@transaction.atomic
def add_synonym(skill: Skill, *, text: str, actor) -> SkillSynonym:
    """Add a wording that means ``skill`` (federation staff)."""
    _require_catalogue_rights(actor)
    text = clean_label(text)
    _check_synonym_free(text, skill=skill)
    synonym = SkillSynonym.objects.create(skill=skill, text=text, source=SkillSynonym.Source.STAFF)
    audit.record("skill.add_synonym", actor=actor, obj=skill, after={"synonym": text})
    return synonym
