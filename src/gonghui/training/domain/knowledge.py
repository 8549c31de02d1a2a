# SPDX-License-Identifier: AGPL-3.0-or-later
"""The skill knowledge base (技能知识库): what each trade does and the words workers use for it.

The shipped part is versioned in the repository, one TOML file per catalogue category under
``data/skill_knowledge/`` (see the README there): per skill its tasks, tools, objects,
workplaces, everyday words, slang and platform names, common typos, and look-alike words
that are *not* the trade. Staff extend it in the console; their additions are stored in
``SkillKnowledge`` (one row per skill) and merged with the files, so a new release of the
files never loses them. ``SkillWords`` is what the matcher is built from.
"""

import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for

from ..models import Skill, SkillKnowledge, SkillSynonym
from .catalogue import catalogue_entries, clean_label, normalize_text

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "data" / "skill_knowledge"
#: The kinds of words a skill's entry holds, in the order the edit form shows them.
KINDS: dict[str, str] = {
    "tasks": "做什么（任务）",
    "tools": "用什么（工具、设备、软件）",
    "objects": "对什么（对象、产品）",
    "places": "在哪里（工作场所、情境）",
    "words": "日常叫法",
    "slang": "行话、平台名称",
    "typos": "常见错别字、同音字",
    "not": "不是本技能的相似词",
}
MAX_WORD = 20
MAX_WORDS_PER_KIND = 200


@dataclass
class SkillWords:
    """Everything the matcher knows about one skill."""

    skill_id: int
    name: str
    synonyms: list[str] = field(default_factory=list)  # built-in synonyms
    learned: list[str] = field(default_factory=list)  # staff corrections (SkillSynonym staff)
    kinds: dict[str, list[str]] = field(default_factory=dict)  # tasks, tools, … not
    does: str = ""


@functools.cache
def shipped_knowledge(directory: Path = KNOWLEDGE_DIR) -> dict[str, dict]:
    """Skill name → its entry in the shipped TOML files (read once per process)."""
    out: dict[str, dict] = {}
    for path in sorted(directory.glob("*.toml")):
        for name, entry in tomllib.loads(path.read_text(encoding="utf-8")).items():
            out[name] = {"category_file": path.name, **entry}
    return out


def _merge(*lists: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for words in lists:
        for word in words:
            if normalize_text(word):
                seen.setdefault(word, None)
    return list(seen)


def words_from_files() -> list[SkillWords]:
    """The shipped catalogue and knowledge base without a database (benchmarks): skill ids
    are positions in ``skills.json`` counted from 1."""
    shipped = shipped_knowledge()
    out = []
    for i, entry in enumerate(catalogue_entries(), start=1):
        kb = shipped.get(entry["name"], {})
        out.append(
            SkillWords(
                skill_id=i,
                name=entry["name"],
                synonyms=list(entry.get("synonyms", [])),
                kinds={k: list(kb.get(k, [])) for k in KINDS},
                does=kb.get("does", ""),
            )
        )
    return out


def words_from_database() -> list[SkillWords]:
    """Every catalogue skill with its synonyms, the shipped knowledge and staff additions."""
    shipped = shipped_knowledge()
    by_id: dict[int, SkillWords] = {}
    for pk, name in Skill.objects.order_by("pk").values_list("pk", "name"):
        kb = shipped.get(name, {})
        by_id[pk] = SkillWords(
            skill_id=pk,
            name=name,
            kinds={k: list(kb.get(k, [])) for k in KINDS},
            does=kb.get("does", ""),
        )
    for skill_id, text, source in SkillSynonym.objects.values_list("skill_id", "text", "source"):
        target = by_id[skill_id].learned if source == SkillSynonym.Source.STAFF else None
        (target if target is not None else by_id[skill_id].synonyms).append(text)
    for skill_id, words in SkillKnowledge.objects.values_list("skill_id", "words"):
        entry = by_id.get(skill_id)
        if entry is None:
            continue
        for kind in KINDS:
            entry.kinds[kind] = _merge(entry.kinds[kind], words.get(kind, []))
    return list(by_id.values())


# -- staff extending the knowledge base ----------------------------------------------------


def skill_knowledge(skill: Skill) -> dict:
    """For the edit page: the shipped words and the staff additions per kind."""
    kb = shipped_knowledge().get(skill.name, {})
    row = SkillKnowledge.objects.filter(skill=skill).first()
    added = row.words if row else {}
    return {
        "does": kb.get("does", ""),
        "kinds": [
            {"key": k, "label": label, "shipped": kb.get(k, []), "added": added.get(k, [])}
            for k, label in KINDS.items()
        ],
        "learned": list(
            skill.synonyms.filter(source=SkillSynonym.Source.STAFF).values_list("text", flat=True)
        ),
        "row": row,
    }


def parse_words(text: str) -> list[str]:
    """One word per line or separated by spaces, commas or 、; trimmed, de-duplicated."""
    for sep in "，,、；;\n\r\t":
        text = text.replace(sep, " ")
    return _merge([clean_label(w) for w in text.split(" ") if w.strip()])


@transaction.atomic
def update_skill_knowledge(skill: Skill, *, actor, words: dict[str, list[str]]) -> SkillKnowledge:
    """Staff set their additions to a skill's knowledge (per kind, replacing the previous
    additions of that kind); the shipped words stay as they are. Audited; the matcher picks
    the change up at its next use (the version stamp includes ``updated_at``)."""
    if not principal_for(actor).may("demand", "change"):
        raise PermissionDeniedError("只有总工会工作人员可以维护技能知识库")
    unknown = sorted(set(words) - set(KINDS))
    if unknown:
        raise DomainError("未知的词语类别：" + "、".join(unknown))
    clean: dict[str, list[str]] = {}
    for kind, items in words.items():
        items = _merge([clean_label(w) for w in items])
        long = [w for w in items if len(w) > MAX_WORD]
        if long:
            raise DomainError(f"「{long[0]}」太长，每个词不超过{MAX_WORD}字", field=kind)
        if len(items) > MAX_WORDS_PER_KIND:
            raise DomainError(f"每类最多{MAX_WORDS_PER_KIND}个词", field=kind)
        if any(len(normalize_text(w)) < 2 for w in items):
            raise DomainError("每个词至少两个字（单字太容易误配）", field=kind)
        if items:
            clean[kind] = items
    row, _ = SkillKnowledge.objects.select_for_update().get_or_create(skill=skill)
    before = dict(row.words)
    merged = {k: v for k, v in {**row.words, **clean}.items() if k not in words or k in clean}
    row.words = merged
    row.updated_by = actor
    row.save()
    audit.record("skillknowledge.update", actor=actor, obj=skill, before=before, after=merged)
    return row
