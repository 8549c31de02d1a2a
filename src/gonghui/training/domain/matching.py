"""Mapping free text ("想学开叉车", "电焊技术", "直播带货怎么做") to the skill catalogue.

How a text is scored (``Matcher.match``):

1. The text is normalised (``catalogue.normalize_text``) and every skill name and
   synonym found in it as a substring is a *phrase hit*. Overlapping hits are resolved
   longest first ("修电脑" beats "电脑"), and the skill covering the most characters
   wins. A phrase hit is the strongest evidence: confidence 0.6–1.0 by the winner's
   share of the matched characters.
2. Without a phrase hit, the text is segmented with jieba (all names and synonyms are
   loaded as user words) and its content words are compared with the words of each
   skill's names and synonyms. A shared word counts its length divided by how many
   skills share it, so rare words weigh more. Confidence is the winner's score over the
   text's content length, capped at 0.8; below ``AUTO_THRESHOLD`` or on a tie the text
   is left for staff.

The matcher is built once per process and rebuilt when the catalogue changes (a cheap
version stamp: count, highest id and newest time of skills and of synonyms). Staff corrections
(``map_demand``) add the demand's key phrase as a synonym, which changes the stamp, so
the next identical or similar text is matched automatically.
"""

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field

import jieba
from django.db import connection, transaction
from django.db.models import Count, Max

from gonghui.core.domain import audit
from gonghui.orgs.domain.errors import DomainError, PermissionDeniedError
from gonghui.orgs.domain.scope import principal_for

from ..enums import DemandStatus, MatchMethod
from ..models import Demand, Skill, SkillSynonym
from .catalogue import normalize_text

jieba.setLogLevel(logging.WARNING)

#: Below this confidence a text goes to the staff queue instead.
AUTO_THRESHOLD = 0.5
#: Words that say nothing about which skill: dropped from token scoring and trimmed
#: from the ends of a staff-mapped text to get its key phrase.
_STOPWORD_TEXT = """
    我 我们 想 想学 我想 我想学 想要 要 希望 学 学习 学学 学会 参加 报名 培训
    培训班 班 技术 技能 知识 课程 方面 相关 一些 一下 点 的 了 吗 呢 啊 吧 和 与 及
    或 还有 怎么 怎么做 怎样 如何 请问 有没有 哪里 可以 能 会 考 考证 考个 证 证书
    拿证 提升 提高 水平 基础 入门 零基础 初级 中级 高级 技师 一个 这个 什么 需要
    参与 进修 专业 实操 操作 方法 有 是 在 做好 学好 做 当 想当 用 去 想去 打算 准备
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class Match:
    skill_id: int
    confidence: float
    phrase: str  # the phrase (or words) that decided it
    method: str  # "phrase" | "tokens"


@dataclass
class Matcher:
    version: tuple
    phrases: dict[str, int] = field(default_factory=dict)  # normalised phrase → skill id
    tokens: dict[str, frozenset[int]] = field(default_factory=dict)  # word → skill ids
    max_len: int = 0
    min_len: int = 1

    # -- scoring -------------------------------------------------------------------------
    def match(self, text: str) -> Match | None:
        norm = normalize_text(text)
        if not norm:
            return None
        return self._by_phrase(norm) or self._by_tokens(norm)

    def _by_phrase(self, norm: str) -> Match | None:
        n, phrases = len(norm), self.phrases
        hits: list[tuple[int, int, int, str]] = []  # (-length, start, skill, phrase)
        for i in range(n):
            for length in range(self.min_len, min(self.max_len, n - i) + 1):
                sub = norm[i : i + length]
                skill_id = phrases.get(sub)
                if skill_id is not None:
                    hits.append((-length, i, skill_id, sub))
        if not hits:
            return None
        hits.sort()
        taken = [False] * n
        score: dict[int, int] = defaultdict(int)
        best_phrase: dict[int, str] = {}
        for neg_len, start, skill_id, sub in hits:
            span = range(start, start - neg_len)
            if any(taken[k] for k in span):
                continue
            for k in span:
                taken[k] = True
            score[skill_id] += -neg_len
            best_phrase.setdefault(skill_id, sub)
        ranked = sorted(score.items(), key=lambda kv: -kv[1])
        skill_id, best = ranked[0]
        if len(ranked) > 1 and ranked[1][1] == best:
            # Two skills named equally strongly ("电焊和叉车"): the longest phrase decides.
            tied = [s for s, v in ranked if v == best]
            skill_id = max(tied, key=lambda s: (len(best_phrase[s]), -s))
        total = sum(score.values())
        confidence = 1.0 if len(ranked) == 1 else 0.6 + 0.4 * best / total
        return Match(skill_id, round(confidence, 3), best_phrase[skill_id], "phrase")

    def _by_tokens(self, norm: str) -> Match | None:
        words = [w for w in jieba.lcut(norm) if w not in STOPWORDS and w.strip()]
        content = sum(len(w) for w in words)
        if not content:
            return None
        score: dict[int, float] = defaultdict(float)
        used: dict[int, list[str]] = defaultdict(list)
        for word in set(words):
            skills = self.tokens.get(word)
            if not skills:
                continue
            weight = len(word) / len(skills)
            for skill_id in skills:
                score[skill_id] += weight
                used[skill_id].append(word)
        if not score:
            return None
        ranked = sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))
        skill_id, best = ranked[0]
        if len(ranked) > 1 and ranked[1][1] == best:
            return None
        confidence = min(0.8, best / content)
        if confidence < AUTO_THRESHOLD:
            return None
        return Match(skill_id, round(confidence, 3), "".join(sorted(used[skill_id])), "tokens")


# -- building and caching the matcher ------------------------------------------------------

_lock = threading.Lock()
_current: Matcher | None = None
_jieba_words: set[str] = set()


def catalogue_version() -> tuple:
    """Cheap stamp that changes whenever a skill or synonym is added or removed: count,
    highest id and newest creation time of each (ids alone can be reused after a
    rollback on SQLite)."""
    s = Skill.objects.aggregate(n=Count("pk"), top=Max("pk"), at=Max("created_at"))
    y = SkillSynonym.objects.aggregate(n=Count("pk"), top=Max("pk"), at=Max("created_at"))
    return (s["n"], s["top"], s["at"], y["n"], y["top"], y["at"])


def _build(version: tuple) -> Matcher:
    phrases: dict[str, int] = {}
    for pk, name in Skill.objects.values_list("pk", "name"):
        phrases[normalize_text(name)] = pk
    for skill_id, text in SkillSynonym.objects.values_list("skill_id", "text"):
        phrases.setdefault(normalize_text(text), skill_id)
    phrases.pop("", None)
    jieba.initialize()
    tokens: dict[str, set[int]] = defaultdict(set)
    for phrase, skill_id in phrases.items():
        for word in jieba.cut_for_search(phrase):
            if len(word) >= 2 and word not in STOPWORDS:
                tokens[word].add(skill_id)
    for phrase in phrases:
        if phrase not in _jieba_words and len(phrase) >= 2:
            jieba.add_word(phrase)
            _jieba_words.add(phrase)
    lengths = [len(p) for p in phrases] or [1]
    return Matcher(
        version=version,
        phrases=phrases,
        tokens={w: frozenset(s) for w, s in tokens.items()},
        max_len=max(lengths),
        min_len=min(lengths),
    )


def get_matcher() -> Matcher:
    """The process's matcher, rebuilt if the catalogue changed since it was built."""
    global _current
    version = catalogue_version()
    current = _current
    if current is not None and current.version == version:
        return current
    with _lock:
        if _current is None or _current.version != version:
            _current = _build(version)
        return _current


def match_text(text: str) -> tuple[Skill, float] | None:
    """The best skill for a free text and the confidence, or None."""
    found = get_matcher().match(text)
    if found is None:
        return None
    return Skill.objects.get(pk=found.skill_id), found.confidence


def key_phrase(text: str) -> str:
    """The part of a free text that names the skill: ``'我想学调酒技术'`` → ``'调酒'``.

    Stop words are trimmed from both ends of the segmented text; if nothing is left the
    whole normalised text is used.
    """
    norm = normalize_text(text)
    words = jieba.lcut(norm)
    while words and words[0] in STOPWORDS:
        words.pop(0)
    while words and words[-1] in STOPWORDS:
        words.pop()
    phrase = "".join(words)
    phrase = phrase if len(phrase) >= 2 else norm
    return phrase[: SkillSynonym._meta.get_field("text").max_length]


# -- staff corrections ---------------------------------------------------------------------


@transaction.atomic
def map_demand(demand: Demand, *, skill: Skill, actor) -> Demand:
    """Staff put a demand under a skill. Its key phrase becomes a synonym (source=staff)
    so later demands worded the same way are matched automatically."""
    from .demands import transition_demand

    principal = principal_for(actor)
    if not principal.covers("demand", "change", demand.org_unit):
        raise PermissionDeniedError("无权为该需求归类")
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    if demand.status in (DemandStatus.WITHDRAWN, DemandStatus.PLANNED):
        raise DomainError(f"需求{demand.get_status_display()}，不能重新归类")
    old_skill = demand.skill_id
    transition_demand(
        demand,
        DemandStatus.MATCHED,
        actor=actor,
        action="demand.map",
        skill=skill,
        match_method=MatchMethod.STAFF,
    )
    learned = _learn_synonym(demand.free_text, skill)
    audit.record(
        "demand.map",
        actor=actor,
        obj=demand,
        before={"skill": old_skill},
        after={"skill": skill.pk, "learned_synonym": learned},
    )
    return demand


def _learn_synonym(free_text: str, skill: Skill) -> str:
    """Add the text's key phrase as a staff synonym of ``skill``; returns it, or "" when
    there is nothing to learn (no text, already known, or a built-in phrase)."""
    if not normalize_text(free_text):
        return ""
    phrase = key_phrase(free_text)
    if normalize_text(skill.name) == phrase:
        return ""
    if Skill.objects.filter(name__iexact=phrase).exists():
        return ""  # another skill's own name: the staff choice is a one-off
    existing = SkillSynonym.objects.filter(text__iexact=phrase).first()
    if existing is not None:
        if existing.skill_id == skill.pk or existing.source == SkillSynonym.Source.BUILTIN:
            return ""
        # An earlier staff correction said otherwise: the latest one wins. Delete and
        # re-create (never update in place) so the matcher's version stamp changes.
        existing.delete()
    SkillSynonym.objects.create(skill=skill, text=phrase, source=SkillSynonym.Source.STAFF)
    return phrase


def _set_skills(pairs: list[tuple[int, int]]) -> int:
    """Mark still-unmatched demands as auto-matched, each to its own skill, in one UPDATE
    joined to a VALUES list (standard SQL that PostgreSQL and SQLite ≥ 3.33 both run;
    much cheaper than one UPDATE per skill with long IN lists)."""
    table = connection.ops.quote_name(Demand._meta.db_table)
    rows = ", ".join(["(%s, %s)"] * len(pairs))
    # Only quoted table names and placeholders are interpolated; values are parameters.
    sql = (
        f"UPDATE {table} SET skill_id = v.column2, status = %s, match_method = %s "  # noqa: S608
        f"FROM (VALUES {rows}) AS v WHERE {table}.id = v.column1 AND {table}.status = %s"
    )
    params = [DemandStatus.MATCHED, MatchMethod.AUTO]
    params += [x for pair in pairs for x in pair]
    params.append(DemandStatus.UNMATCHED)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@dataclass
class MatchStats:
    examined: int = 0
    unique_texts: int = 0
    matched: int = 0


def match_pending_demands(*, actor=None, chunk: int = 5000) -> MatchStats:
    """Run the matcher over every unmatched free-text demand (after staff taught it new
    synonyms, or after a bulk import). Each distinct text is matched once; updates go in
    chunks of ``chunk`` demands per statement."""
    matcher = get_matcher()
    stats = MatchStats()
    cache: dict[str, Match | None] = {}
    by_skill: dict[int, list[int]] = defaultdict(list)
    pending = Demand.objects.filter(status=DemandStatus.UNMATCHED, skill__isnull=True).exclude(
        free_text=""
    )
    for pk, text in pending.values_list("pk", "free_text").iterator(chunk_size=chunk):
        stats.examined += 1
        if text not in cache:
            cache[text] = matcher.match(text)
        found = cache[text]
        if found is not None:
            by_skill[found.skill_id].append(pk)
    stats.unique_texts = len(cache)
    pairs = [(pk, skill_id) for skill_id, ids in by_skill.items() for pk in ids]
    with transaction.atomic():
        for i in range(0, len(pairs), chunk):
            stats.matched += _set_skills(pairs[i : i + chunk])
        if stats.matched:
            audit.record(
                "demand.auto_match",
                actor=actor,
                detail=f"examined={stats.examined} matched={stats.matched}",
            )
    return stats
