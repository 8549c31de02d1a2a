# SPDX-License-Identifier: AGPL-3.0-or-later
"""Understanding what workers write ("想学给人配眼镜", "打灰", "插车", "先把挖机学会，以后再学
装载机") and mapping it to the skill catalogue.

The matcher is built from ``knowledge.SkillWords``: each skill's name, synonyms (built-in
and learned from staff corrections) and its knowledge base (tasks, tools, objects,
workplaces, everyday words, slang and platform names, typos, and look-alike words that are
*not* the trade). How a text is scored (``Matcher.analyse``):

0. **What is no longer wanted.** From "不想", "不愿", "不再", "受够" … to the next positive
   wish ("想学", "准备学" …) or the end, and from the start to "…干够了" when a wish follows,
   the text does not count ("不想再当保安了想学修电脑"; "送件太累了想…" likewise); a text
   with nothing else is scored whole but never mapped automatically.
1. **Clauses.** The normalised text is split where a second wish starts ("以后", "然后",
   "再学", "顺便" …): the first clause is the demand, the rest names a secondary skill. After
   a description of the worker's present job ("我是焊工，想学…", "…不如…") the wish is the part
   after "想学" / "不如"; the part before still counts, at a third of its weight.
2. **Words.** Every known word found in the clause is a hit, weighted by its kind (name 3.0,
   synonym 2.4, everyday word, slang and typo 1.8, task and tool 1.6, object 1.3, workplace
   0.9), its length (longer words say more) and its rarity (a word shared by *n* skills
   gives each 1/*n* — rare-word weighting). A hit inside a longer hit of another skill
   does not count ("修电脑" hides "电脑"). A two-character hit that cuts through a word
   jieba finds in the text counts a third ("挖土" in "挖土豆"). A name or synonym inside a
   longer knowledge word of another skill still counts ("电工证" in "考电工证"). The
   catalogue's names and synonyms and the knowledge words of three or more characters are
   jieba user words.
3. **Pinyin.** Runs of characters whose (fuzzy) pinyin equals a known word's pinyin are hits
   too, at 0.75 of the weight, if at least one character is the word's own or the word has
   three or more characters: "插车" → 叉车, "挖觉机" → 挖掘机, "砌转" → 砌砖. Fuzzy: zh/z, ch/c,
   sh/s, n/l and -ng/-n are not told apart; a known word is read as a phrase (会计 kuaiji) and
   character by character, a text's characters by their common reading. A run whose differing
   characters belong to a real word jieba finds in the text is no typo ("开火车" is not 开货车,
   "打交道" not 打胶).
4. **Gapped words.** A known word of three to six characters whose characters stand in order
   with one or two others between them counts half ("扎了几年钢筋" → 扎钢筋).
   **Split words**: a known word of two parts (each a known or common word, or a verb-like
   character before a longer part) whose parts stand whole, in order, with up to six
   characters between them counts half too ("带一两岁宝宝" → 带宝宝).
5. **Character bigrams.** Two-character pieces of the text that occur in a skill's words but
   are not covered by a hit add a little (0.25 × rarity): they rank the suggestions when no
   word is found; single characters of content words add less still (0.1 × rarity), not in
   the second clause. A skill found by several separate words scores 10 % more per further
   word, up to two ("无人机" and "打农药"). Suggestions scoring under ``MIN_SCORE`` are not shown.
6. **Negative evidence.** A skill's look-alike words ("电饭煲", "电视" for 电工; "车厘子" for
   车工; "糖画" for 绘画) cancel that skill's hits inside them and hide their span from the
   pinyin and bigram steps.
7. **Confidence.** ``confidence = s1 / (s1 + s2 + PRIOR) × min(1, s1 / FULL)`` from the best
   and second scores; a text is mapped automatically at ``AUTO_THRESHOLD`` or above
   (``NAMED_THRESHOLD`` when the best suggestion is a skill the text names). Both set on the
   development wishes with a margin: there, automatic mappings of texts naming no skill are
   right ≥ 98 % at 0.65 (texts the matcher was not tuned on come out a few points lower), those
   of texts naming their skill 100 % from 0.5 up; see bench/matching_quality.py.
   Otherwise it goes to staff with the three best suggestions and the words that decided them.

The matcher is built once per process and rebuilt when the catalogue, the synonyms or the
staff's knowledge additions change (a cheap version stamp). Staff corrections (``map_demand``)
add the demand's key phrase as a synonym, so the next text worded alike is matched.
"""

import logging
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field, replace

import jieba
from django.db import connection, transaction
from django.db.models import Count, Max

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for

from ..enums import DemandStatus, MatchMethod
from ..models import Demand, Skill, SkillKnowledge, SkillSynonym
from .catalogue import normalize_text
from .knowledge import SkillWords, words_from_database

jieba.setLogLevel(logging.WARNING)

#: At or above this confidence a text is mapped without staff.
AUTO_THRESHOLD = 0.65
#: The same for a text whose best suggestion is a skill it names (a name or synonym):
#: automatic mappings of such texts were right at every threshold tried on the development
#: wishes, those of texts naming no skill only at the higher one (bench/matching_quality.py).
NAMED_THRESHOLD = 0.6
#: Confidence formula constants (see the module docstring).
PRIOR = 0.6
FULL = 1.0
#: Weight of a hit by where the word comes from.
KIND_WEIGHT = {
    "name": 3.0, "synonym": 2.4, "learned": 2.4, "words": 1.8, "slang": 1.8, "typos": 1.8,
    "tasks": 1.6, "tools": 1.6, "objects": 1.3, "places": 0.9,
}  # fmt: skip
_PRIMARY_KINDS = frozenset({"name", "synonym", "learned"})
NON_OWNER_FACTOR = 0.5
NAMED_PRIOR = 0.3
#: Suggestions scoring less are not shown.
MIN_SCORE = 0.03
PINYIN_FACTOR = 0.75
BIGRAM_FACTOR = 0.25
#: Growth of a skill's score per further separate word found for it, and at most how many.
COORD = 0.1
COORD_MAX = 2
#: Single characters of the text not covered by a hit: a faint last resort that ranks the
#: suggestions when no word and no bigram is found ("吊臂" shares 吊 with 塔吊 and 吊车).
UNIGRAM_FACTOR = 0.1
#: Characters that say nothing on their own.
_VAGUE = "那这哪些么样种什们你他她它很太都也还就又再才被让对从向往到能会要得地人家里上下中"
#: A character shared by more skills than this says nothing.
UNIGRAM_MAX_DF = 12
GAPPED_FACTOR = 0.5
#: A known word of two parts may have this many characters between its parts ("带一两岁宝宝").
MAX_SPLIT_GAP = 6
MAX_PART = 6
#: At most this many characters may stand between a known word's characters ("扎了几年钢筋"
#: for 扎钢筋, "铲子车" for 铲车).
MAX_GAP = 2
#: Characters that may stand inside a known word without changing it ("开个店", "考了证").
_FILLERS = frozenset("个了一点些过着下")
CUT_FACTOR = 1 / 3
CONTEXT_FACTOR = 1 / 3
MAX_WORD_LEN = 12

#: Words that say nothing about which skill: trimmed from the ends of a staff-mapped text to
#: get its key phrase, and never used as bigram evidence.
_STOPWORD_TEXT = """
    我 我们 想 想学 我想 我想学 想要 要 希望 学 学习 学学 学会 参加 报名 培训
    培训班 班 技术 技能 知识 课程 方面 相关 一些 一下 点 的 了 吗 呢 啊 吧 和 与 及
    或 还有 怎么 怎么做 怎样 如何 请问 有没有 哪里 可以 能 会 考 考证 考个 证 证书
    拿证 提升 提高 水平 基础 入门 零基础 初级 中级 高级 技师 一个 这个 什么 需要
    参与 进修 专业 实操 操作 方法 有 是 在 做好 学好 做 当 想当 用 去 想去 打算 准备
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_STOP_BIGRAMS = frozenset(w for w in STOPWORDS if len(w) == 2) | {
    "想学", "学会", "学做", "学开", "学习", "想做", "想考", "以后", "然后", "一下", "怎么", "什么",
    "工作", "上班", "师傅", "技术", "培训", "证书", "考证", "学点", "想要", "希望", "一个", "自己",
}  # fmt: skip
#: Where a second wish begins ("先把挖机学会，以后再学装载机").
_SECOND = re.compile(
    r"(以后|之后|然后|后面|将来|再学|再考|再做|顺便|顺带|另外|有机会|有空|其次|接着|还想学|也想学|也想做|再去学)"
)
#: Where the wish starts after a description of the present job or situation.
_WISH = re.compile(r"(想学|想考|想转行|转行学|想改学|不如|想换成)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: What the worker no longer wants ("不想再当保安了想学电工") runs from one of these to the
#: next positive wish (``_POSITIVE``) or the end of the text, and does not count.
_NEGATION = re.compile(r"(不想|不愿意?|不再|不要再|不打算|受够了?|干够了?|干腻了?|不喜欢|讨厌)")
_POSITIVE = re.compile(
    r"(想学|想考|想做|想去|想当|想干|想转|想换|想改|改学|改做|转行|转做|只想|就想|要学|"
    r"打算学|准备学|而是|还是想|更想)"
)


#: The same said after the job ("当保安干够了，想学…"): from the text's start.
_NEGATION_AFTER = re.compile(
    r"(干够了?|做够了?|干腻了?|做腻了?|不想干了|不想做了|干不下去了?|太累了?|太辛苦了?|太苦了?)"
)


def _drop_negated(norm: str) -> tuple[str, bool]:
    """The text without what the worker says they no longer want, and whether any was."""
    after = _NEGATION_AFTER.search(norm)
    if after is not None and _POSITIVE.search(norm, after.end()) is not None:
        kept, _ = _drop_negated(norm[after.end() :])
        return kept, True
    out, i, dropped = [], 0, False
    while (found := _NEGATION.search(norm, i)) is not None:
        out.append(norm[i : found.start()])
        dropped = True
        wish = _POSITIVE.search(norm, found.end())
        if wish is None:
            i = len(norm)
            break
        i = wish.start()
    out.append(norm[i:])
    return "".join(out), dropped


def _fuzzy(syllable: str) -> str:
    s = syllable
    for a, b in (("zh", "z"), ("ch", "c"), ("sh", "s")):
        if s.startswith(a):
            s = b + s[2:]
    if s.startswith("n"):
        s = "l" + s[1:]
    if s.endswith("ng"):
        s = s[:-1]
    return s


_PINYIN_CACHE: dict[str, tuple[str, ...]] = {}


def lazy_pinyin(text: str) -> list[str]:
    """pypinyin's reading, imported on first use: its phrase dictionary takes ~58 MB, which
    every web worker would otherwise hold from start-up (the API imports this module)."""
    from pypinyin import lazy_pinyin as read

    return read(text)


def char_pinyin(ch: str) -> tuple[str, ...]:
    """The fuzzy reading of one character in a text (cached; the common reading only —
    rare readings of polyphonic characters make more false matches than they find);
    () for non-Chinese characters."""
    found = _PINYIN_CACHE.get(ch)
    if found is None:
        found = (_fuzzy(lazy_pinyin(ch)[0]),) if _CJK.match(ch) else ()
        _PINYIN_CACHE[ch] = found
    return found


def word_pinyin(word: str) -> tuple[str, ...]:
    """The fuzzy readings of a known word, read as a phrase (会计 → kuai ji)."""
    return tuple(_fuzzy(r) for r in lazy_pinyin(word))


#: A jieba word this frequent in its dictionary is a real word that a hit may not cut through.
_COMMON_WORD_FREQ = 20
#: Characters a bigram worth counting does not start with ("学品" in "想学品酒").
_NOT_A_START = frozenset("学想的了个在")
#: jieba frequency given to names and synonyms so that segmentation keeps them whole.
_USER_WORD_FREQ = 2000
#: Characters too common to anchor a two-character pinyin match ("学锂" is not 学历).
_WEAK_ANCHORS = frozenset("学想做开会要考当个上在的了去用干给把")


@dataclass(frozen=True)
class Entry:
    skill_id: int
    weight: float  # kind weight × length factor × rarity
    kind: str


@dataclass(frozen=True)
class Suggestion:
    skill_id: int
    score: float
    confidence: float
    evidence: tuple[str, ...]  # the words that decided, strongest first


@dataclass(frozen=True)
class Analysis:
    suggestions: tuple[Suggestion, ...]  # up to three, best first
    secondary_id: int | None = None  # a second wish ("以后再学装载机")
    auto: bool = False  # the best suggestion is confident enough to map without staff

    @property
    def best(self) -> Suggestion | None:
        return self.suggestions[0] if self.suggestions else None


@dataclass(frozen=True)
class Match:
    skill_id: int
    confidence: float
    phrase: str  # the words that decided it
    method: str  # "phrase" (a name or synonym decided) | "knowledge" | "pinyin"


def _length_factor(n: int) -> float:
    return 0.4 if n < 2 else min(1.0 + 0.25 * (n - 2), 1.75)


@dataclass
class Matcher:
    version: tuple
    words: dict[str, list[Entry]] = field(default_factory=dict)  # normalised word → entries
    blockers: dict[str, frozenset[int]] = field(default_factory=dict)  # look-alike → skills
    pinyin_trie: dict = field(default_factory=dict)  # syllable → … → {None: [word, …]}
    bigrams: dict[str, dict[int, float]] = field(default_factory=dict)
    unigrams: dict[str, dict[int, float]] = field(default_factory=dict)
    by_first: dict[str, tuple[str, ...]] = field(default_factory=dict)  # first char → words
    #: A known word's longer part → (word, left part, right part) for split words.
    by_part: dict[str, tuple[tuple[str, str, str], ...]] = field(default_factory=dict)
    max_len: int = 1
    primary: dict[int, frozenset[str]] = field(default_factory=dict)  # names and synonyms

    # -- public ----------------------------------------------------------------------------
    def match(self, text: str) -> Match | None:
        """The skill to map ``text`` to without staff, or None."""
        result = self.analyse(text)
        best = result.best
        if best is None or not result.auto:
            return None
        return Match(best.skill_id, best.confidence, "".join(best.evidence[:1]), self._method(best))

    def analyse(self, text: str, *, top: int = 3) -> Analysis:
        norm = normalize_text(text)
        if not norm:
            return Analysis(())
        kept, dropped = _drop_negated(norm)
        if dropped and len(kept) >= 2:
            result = self._analyse(kept, top)
            if result.suggestions:
                return result
        result = self._analyse(norm, top)
        # Only what the worker no longer wants ("不想再当保安了"): staff decide.
        return replace(result, auto=False) if dropped else result

    def _analyse(self, norm: str, top: int) -> Analysis:
        first, rest = self._split(norm)
        scores, evidence = self._score(first)
        secondary_id = None
        if rest and scores:
            rest_scores, _ = self._score(rest, faint=False)
            if rest_scores:
                second = max(rest_scores.items(), key=lambda kv: (kv[1], -kv[0]))[0]
                best = max(scores.items(), key=lambda kv: (kv[1], -kv[0]))[0]
                secondary_id = second if second != best else None
        elif rest:
            scores, evidence = self._score(norm)
        if not scores:
            return Analysis(())
        scores, evidence = self._with_context(norm, first, scores, evidence)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        s1 = ranked[0][1]
        s2 = ranked[1][1] if len(ranked) > 1 else 0.0
        named = {sid for sid, ev in evidence.items() if any(w in self.primary[sid] for w in ev)}
        out = []
        # A suggestion with hardly any evidence (a common character or two) is no help to staff.
        ranked = [kv for kv in ranked if kv[1] >= MIN_SCORE]
        if not ranked:
            return Analysis((), secondary_id)
        for skill_id, score in ranked[:top]:
            other = s1 if skill_id != ranked[0][0] else s2
            conf = score / (score + other + PRIOR) * min(1.0, score / FULL)
            if skill_id in named and len(named) == 1:
                # The text names this skill and no other: at least its share of the score.
                conf = max(conf, score / (score + other + NAMED_PRIOR))
            words = sorted(evidence[skill_id].items(), key=lambda kv: -kv[1])
            out.append(
                Suggestion(skill_id, round(score, 3), round(conf, 3), tuple(w for w, _ in words))
            )
        if secondary_id == out[0].skill_id:
            secondary_id = None
        bar = NAMED_THRESHOLD if out[0].skill_id in named else AUTO_THRESHOLD
        return Analysis(tuple(out), secondary_id, out[0].confidence >= bar)

    # -- steps -----------------------------------------------------------------------------
    def _method(self, best: Suggestion) -> str:
        if best.evidence and best.evidence[0] in self.primary.get(best.skill_id, ()):
            return "phrase"
        return "pinyin" if best.evidence and "≈" in best.evidence[0] else "knowledge"

    @staticmethod
    def _split(norm: str) -> tuple[str, str]:
        found = _SECOND.search(norm, 2)
        if found is None:
            return norm, ""
        return norm[: found.start()], norm[found.start() :]

    def _with_context(self, norm, first, scores, evidence):
        """After a description of the present job ("我是焊工想学cad"), the wish is what
        follows "想学"; the description counts a third."""
        found = _WISH.search(first, 2)
        if found is None:
            return scores, evidence
        wish, before = first[found.start() :], first[: found.start()]
        wish_scores, wish_evidence = self._score(wish)
        if not wish_scores:
            return scores, evidence
        before_scores, before_evidence = self._score(before)
        for skill_id, score in before_scores.items():
            wish_scores[skill_id] = wish_scores.get(skill_id, 0.0) + score * CONTEXT_FACTOR
            for word, w in before_evidence[skill_id].items():
                wish_evidence[skill_id][word] = w * CONTEXT_FACTOR
        return wish_scores, wish_evidence

    def _score(
        self, norm: str, *, faint: bool = True
    ) -> tuple[dict[int, float], dict[int, dict[str, float]]]:
        n = len(norm)
        words, max_len = self.words, self.max_len
        hits: list[tuple[int, int, str]] = []  # (start, end, word)
        blocked: list[tuple[int, int, frozenset[int]]] = []
        for i in range(n):
            for j in range(i + 1, min(n, i + max_len) + 1):
                sub = norm[i:j]
                if sub in words:
                    hits.append((i, j, sub))
                if sub in self.blockers:
                    blocked.append((i, j, self.blockers[sub]))
        covered = [False] * n
        for i, j, _ in blocked:
            for k in range(i, j):
                covered[k] = True
        segmented = list(jieba.tokenize(norm)) if n >= 3 else [(norm, 0, n)]
        tokens = [(a, b) for _, a, b in segmented] if n >= 3 else []
        spans = self._content_spans(segmented) if n >= 3 else []
        # Longest first; a hit wholly inside an accepted longer hit does not count.
        hits.sort(key=lambda h: (h[0] - h[1], h[0]))
        accepted: list[tuple[int, int, str]] = []
        scores: dict[int, float] = defaultdict(float)
        evidence: dict[int, dict[str, float]] = defaultdict(dict)
        seen: set[tuple[int, str]] = set()
        places: dict[int, list[tuple[int, int]]] = defaultdict(list)  # skill → spans of hits
        for i, j, word in hits:
            # Inside a longer hit only the longer hit's own skills may count it again (only
            # the skill it names, if it is a name or synonym: 调酒 inside 调酒师).
            outer = [w for a, b, w in accepted if a <= i and j <= b and (b - a) > (j - i)]
            allowed = self._owners(outer) if outer else None
            # A name or synonym stays a name inside another skill's knowledge word ("电工证"
            # in 低压电工's "考电工证"): only a longer name or synonym hides it.
            named_outer = any(w in self.primary[e.skill_id] for w in outer for e in words[w])
            accepted.append((i, j, word))
            factor = CUT_FACTOR if (j - i == 2 and self._crosses(i, j, spans)) else 1.0
            for entry in words[word]:
                if (
                    allowed is not None
                    and entry.skill_id not in allowed
                    and (named_outer or word not in self.primary[entry.skill_id])
                ):
                    continue
                if any(a <= i and j <= b and entry.skill_id in s for a, b, s in blocked):
                    continue
                if (entry.skill_id, word) in seen:
                    continue
                seen.add((entry.skill_id, word))
                w = entry.weight * factor
                scores[entry.skill_id] += w
                evidence[entry.skill_id][word] = w
                places[entry.skill_id].append((i, j))
            for k in range(i, j):
                covered[k] = True
        self._pinyin_hits(norm, covered, scores, evidence, seen, spans, tokens, places)
        self._gapped_hits(norm, covered, scores, evidence, seen, places)
        self._split_hits(norm, covered, scores, evidence, seen, places)
        _coordinate(scores, places)
        self._bigram_hits(norm, covered, scores, evidence)
        if faint:
            self._unigram_hits(norm, covered, scores, evidence, segmented)
        return dict(scores), evidence

    def _owners(self, outer: list[str]) -> set[int]:
        """Skills that may count a hit inside these longer hits: the skills a longer hit
        names (a name or synonym), else every skill of the longer hits."""
        named = {e.skill_id for w in outer for e in self.words[w] if w in self.primary[e.skill_id]}
        return named or {e.skill_id for w in outer for e in self.words[w]}

    @staticmethod
    def _content_spans(segmented) -> list[tuple[int, int]]:
        """Spans of the content words jieba finds in the text ("土豆" in "挖土豆"); words
        jieba glues to a common verb ("学茶", "想学") do not count."""
        return [
            (start, end)
            for word, start, end in segmented
            if end - start >= 2
            and not any(c in _WEAK_ANCHORS for c in word)
            and jieba.dt.FREQ.get(word, 0) >= _COMMON_WORD_FREQ
        ]

    @staticmethod
    def _crosses(i: int, j: int, spans: list[tuple[int, int]]) -> bool:
        """A hit [i, j) cuts through a word: they overlap and neither holds the other."""
        return any(
            a < j and i < b and not (a <= i and j <= b) and not (i <= a and b <= j)
            for a, b in spans
        )

    @staticmethod
    def _straddles(norm: str, i: int, j: int, tokens) -> bool:
        """[i, j) runs across a boundary of the words jieba finds: a word overlaps it in
        part, and what lies outside is more than a common verb jieba glued on ("学锂")."""
        return any(
            a < j
            and i < b
            and not (a <= i and j <= b)
            and not (i <= a and b <= j)
            and any(c not in _WEAK_ANCHORS for c in norm[a:i] + norm[j:b])
            for a, b in tokens
        )

    @staticmethod
    def _real_word(sub: str, word: str, i: int, spans) -> bool:
        """A character of ``sub`` (at ``i`` in the text) that differs from ``word`` belongs
        to a word jieba finds in the text: "开火车" is no typo of 开货车, "打交道" none of
        打胶. A phone typo makes a non-word ("插车", "挖觉机")."""
        return any(
            a <= i + k < b
            for k, (x, y) in enumerate(zip(sub, word, strict=True))
            if x != y
            for a, b in spans
        )

    def _pinyin_hits(
        self, norm, covered, scores, evidence, seen, spans=(), tokens=(), places=None
    ) -> None:
        trie = self.pinyin_trie
        n = len(norm)
        readings = [char_pinyin(c) for c in norm]
        for i in range(n):
            if covered[i] or not readings[i]:
                continue
            frontier = [trie]
            for j in range(i, min(n, i + 8)):
                if covered[j] and j > i:
                    break
                nxt = [node[s] for node in frontier for s in readings[j] if s in node]
                if not nxt:
                    break
                frontier = nxt
                if j == i:
                    continue
                for node in frontier:
                    for word in node.get(None, ()):
                        sub = norm[i : j + 1]
                        if sub == word:
                            continue
                        same = [a for a, b in zip(sub, word, strict=True) if a == b]
                        if len(word) < 3 and not [a for a in same if a not in _WEAK_ANCHORS]:
                            continue
                        if self._real_word(sub, word, i, spans):
                            continue
                        # A two-character typo is one word of the text, or inside one; a
                        # run across two ("店上" of 店|上班) is none.
                        if len(word) < 3 and self._straddles(norm, i, j + 1, tokens):
                            continue
                        for entry in self.words[word]:
                            if (entry.skill_id, word) in seen:
                                continue
                            seen.add((entry.skill_id, word))
                            w = entry.weight * PINYIN_FACTOR
                            scores[entry.skill_id] += w
                            evidence[entry.skill_id][f"{sub}≈{word}"] = w
                            if places is not None:
                                places[entry.skill_id].append((i, j + 1))

    def _gapped_hits(self, norm, covered, scores, evidence, seen, places=None) -> None:
        """A known word whose characters stand in order in the text with a few others
        between them ("扎了几年钢筋" → 扎钢筋), the first not covered by a hit; at
        most ``MAX_GAP`` characters between. Counts ``GAPPED_FACTOR`` of the word's weight,
        or all of it when only fillers stand between ("开个小超市" → 开小超市); a word that
        starts with a common verb ("开", "做" …) counts only then."""
        n = len(norm)
        for i, ch in enumerate(norm):
            if covered[i]:
                continue
            for word in self.by_first.get(ch, ()):
                k, j, between = 1, i + 1, []
                while k < len(word) and j < n and len(between) <= MAX_GAP:
                    if norm[j] == word[k]:
                        k += 1
                    else:
                        between.append(norm[j])
                    j += 1
                if k < len(word) or not between or len(between) > MAX_GAP:
                    continue
                if all(c in _FILLERS for c in between):
                    factor = 1.0
                elif word[0] in _WEAK_ANCHORS:
                    continue
                else:
                    factor = GAPPED_FACTOR
                label = f"{norm[i:j]}~{word}"
                for entry in self.words[word]:
                    if (entry.skill_id, word) in seen:
                        continue
                    seen.add((entry.skill_id, word))
                    w = entry.weight * factor
                    scores[entry.skill_id] += w
                    evidence[entry.skill_id][label] = w
                    if places is not None:
                        places[entry.skill_id].append((i, j))

    def _split_hits(self, norm, covered, scores, evidence, seen, places=None) -> None:
        """A known word made of two parts — a verb and its object, a tool and a task — whose
        parts stand in order with up to ``MAX_SPLIT_GAP`` other characters between them ("带一
        两岁宝宝" → 带宝宝, "无人机给水稻打药" → 无人机打药): ``GAPPED_FACTOR`` of its weight.
        Each part must be found whole and not inside a look-alike word."""
        n = len(norm)
        for i in range(n):
            for size in range(2, min(MAX_PART, n - i) + 1):
                part = norm[i : i + size]
                for word, left, right in self.by_part.get(part, ()):
                    if part == right:
                        a = norm.rfind(left, max(0, i - len(left) - MAX_SPLIT_GAP), i)
                        if a < 0 or i - (a + len(left)) < 1:
                            continue
                        start, end = a, i + size
                    else:
                        j = i + size
                        b = norm.find(right, j + 1, j + MAX_SPLIT_GAP + len(right))
                        if b < 0:
                            continue
                        start, end = i, b + len(right)
                    if all(covered[k] for k in range(start, end)):
                        continue
                    label = f"{norm[start:end]}~{word}"
                    for entry in self.words[word]:
                        if (entry.skill_id, word) in seen:
                            continue
                        seen.add((entry.skill_id, word))
                        w = entry.weight * GAPPED_FACTOR
                        scores[entry.skill_id] += w
                        evidence[entry.skill_id][label] = w
                        if places is not None:
                            places[entry.skill_id].append((start, end))

    def _bigram_hits(self, norm, covered, scores, evidence) -> None:
        done: set[str] = set()
        for i in range(len(norm) - 1):
            if covered[i] or covered[i + 1]:
                continue
            gram = norm[i : i + 2]
            if gram in done or gram in _STOP_BIGRAMS or gram[0] in _NOT_A_START:
                continue
            done.add(gram)
            for skill_id, w in self.bigrams.get(gram, {}).items():
                scores[skill_id] += w
                evidence[skill_id][gram] = w

    def _unigram_hits(self, norm, covered, scores, evidence, segmented) -> None:
        chars = {
            norm[k]
            for word, a, b in segmented
            if word not in STOPWORDS and word not in _STOP_BIGRAMS
            for k in range(a, b)
            if not covered[k]
        }
        for ch in chars:
            for skill_id, w in self.unigrams.get(ch, {}).items():
                scores[skill_id] += w
                evidence[skill_id][ch] = w


def _coordinate(scores: dict[int, float], places: dict[int, list[tuple[int, int]]]) -> None:
    """A skill found by several separate words ("无人机" and "打农药") is likelier than one
    found by a single strong word: its score grows by ``COORD`` per further separate hit
    (hits inside another hit of the same skill are not separate), up to ``COORD_MAX``."""
    for skill_id, spans in places.items():
        spans = sorted(set(spans), key=lambda s: (s[0], -s[1]))
        separate, end = 0, -1
        for a, b in spans:
            if b <= end:
                continue  # inside an earlier hit of the same skill
            if a >= end:
                separate += 1
            end = max(end, b)
        if separate > 1:
            scores[skill_id] *= 1 + COORD * min(separate - 1, COORD_MAX)


# -- building -------------------------------------------------------------------------------


def build_matcher(skills: list[SkillWords], version: tuple = ()) -> Matcher:
    """A matcher for these skills (pure: no database)."""
    raw: dict[str, dict[int, tuple[float, str]]] = defaultdict(dict)  # word → skill → (w, kind)
    blockers: dict[str, set[int]] = defaultdict(set)
    primary: dict[int, set[str]] = defaultdict(set)

    def add(word: str, skill_id: int, kind: str) -> None:
        norm = normalize_text(word)
        if len(norm) < 2 or norm in STOPWORDS:
            return
        weight = KIND_WEIGHT[kind] * _length_factor(len(norm))
        if weight > raw[norm].get(skill_id, (0.0, ""))[0]:
            raw[norm][skill_id] = (weight, kind)

    for s in skills:
        for word in (s.name, *s.synonyms, *s.learned):
            primary[s.skill_id].add(normalize_text(word))
        add(s.name, s.skill_id, "name")
        for word in s.synonyms:
            add(word, s.skill_id, "synonym")
        for word in s.learned:
            add(word, s.skill_id, "learned")
        for kind, items in s.kinds.items():
            if kind == "not":
                for word in items:
                    norm = normalize_text(word)
                    if len(norm) >= 2:
                        blockers[norm].add(s.skill_id)
                continue
            for word in items:
                add(word, s.skill_id, kind)
                if kind == "tasks" and word.startswith("修") and len(word) >= 3:
                    add(word[1:] + "维修", s.skill_id, kind)  # 修冰箱 → 冰箱维修
                    add(word[1:] + "修理", s.skill_id, kind)
    # A name or synonym belongs to its skill: another skill's knowledge base shares it at
    # half weight (the catalogue and staff corrections decide, as before the knowledge base).
    for by_skill in raw.values():
        owners = {sid for sid, (_, kind) in by_skill.items() if kind in _PRIMARY_KINDS}
        for sid, (w, kind) in list(by_skill.items()):
            if owners and sid not in owners:
                by_skill[sid] = (w * NON_OWNER_FACTOR, kind)
    words: dict[str, list[Entry]] = {}
    for word, by_skill in raw.items():
        df = len(by_skill)
        words[word] = [Entry(sid, w / df, kind) for sid, (w, kind) in by_skill.items()]
    # A skill's own words are never blocked by its own look-alike list.
    blocks = {w: frozenset(s) for w, s in blockers.items()}
    trie: dict = {}
    for word in words:
        if len(word) < 2 or len(word) > 8 or not all(_CJK.match(c) for c in word):
            continue
        readings = {word_pinyin(word), tuple(char_pinyin(c)[0] for c in word)}
        for path in readings:
            node = trie
            for syllable in path:
                node = node.setdefault(syllable, {})
            node.setdefault(None, []).append(word)
    bigram_skills: dict[str, dict[int, float]] = defaultdict(dict)
    for word, entries in words.items():
        for i in range(len(word) - 1):
            gram = word[i : i + 2]
            if not all(_CJK.match(c) for c in gram) or gram in _STOP_BIGRAMS:
                continue
            if gram[0] in _NOT_A_START:
                continue
            for e in entries:
                bigram_skills[gram][e.skill_id] = 1.0
    bigrams = {g: {sid: BIGRAM_FACTOR / len(by) for sid in by} for g, by in bigram_skills.items()}
    char_skills: dict[str, set[int]] = defaultdict(set)
    for word, entries in words.items():
        for ch in word:
            if (
                _CJK.match(ch)
                and ch not in _WEAK_ANCHORS
                and ch not in _NOT_A_START
                and ch not in _VAGUE
            ):
                char_skills[ch].update(e.skill_id for e in entries)
    unigrams = {
        c: {sid: UNIGRAM_FACTOR / len(by) for sid in by}
        for c, by in char_skills.items()
        if len(by) <= UNIGRAM_MAX_DF
    }
    # jieba learns the catalogue: names and synonyms of any length, other words of three
    # or more characters (two-character knowledge words would glue to their neighbours).
    names = {w for ws in primary.values() for w in ws}
    for word in words:
        if (len(word) >= 3 or word in names) and word not in _jieba_words and _CJK.search(word):
            jieba.add_word(word, freq=_USER_WORD_FREQ if word in names else None)
            _jieba_words.add(word)
    return Matcher(
        version=version,
        words=words,
        blockers=blocks,
        pinyin_trie=trie,
        bigrams=bigrams,
        unigrams=unigrams,
        by_first=_by_first(words),
        by_part=_by_part(words),
        max_len=min(max((len(w) for w in [*words, *blocks]), default=1), MAX_WORD_LEN),
        primary={sid: frozenset(ws) for sid, ws in primary.items()},
    )


def _split(word: str, words) -> tuple[str, str] | None:
    """Two parts of a known word, each a known word or a common jieba word, or a single
    verb-like character before a longer part ("带|宝宝", "无人机|打药"); None if none."""

    def whole(part: str) -> bool:
        if len(part) == 1:
            return part not in _WEAK_ANCHORS and part not in _VAGUE
        return part in words or jieba.dt.FREQ.get(part, 0) >= _COMMON_WORD_FREQ

    best = None
    for k in range(1, len(word)):
        left, right = word[:k], word[k:]
        if max(len(left), len(right)) < 2 or max(len(left), len(right)) > MAX_PART:
            continue
        if left in STOPWORDS or right in STOPWORDS or not (whole(left) and whole(right)):
            continue
        if best is None or min(len(left), len(right)) > min(len(best[0]), len(best[1])):
            best = (left, right)
    return best


def _by_part(words: dict[str, list[Entry]]) -> dict[str, tuple[tuple[str, str, str], ...]]:
    """Known words of 3–8 Chinese characters that split in two parts, by their longer part
    (the left one on a tie)."""
    out: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for word in words:
        if not 3 <= len(word) <= 8 or not all(_CJK.match(c) for c in word):
            continue
        parts = _split(word, words)
        if parts is None:
            continue
        left, right = parts
        key = left if len(left) >= len(right) else right
        out[key].append((word, left, right))
    return {k: tuple(v) for k, v in out.items()}


def _by_first(words: dict[str, list[Entry]]) -> dict[str, tuple[str, ...]]:
    """Known words of 3–6 Chinese characters by first character, for gapped matching (a
    word whose characters repeat is left out)."""
    out: dict[str, list[str]] = defaultdict(list)
    for word in words:
        if 3 <= len(word) <= 6 and all(_CJK.match(c) for c in word):
            if len(set(word)) < len(word):
                continue
            out[word[0]].append(word)
    return {c: tuple(ws) for c, ws in out.items()}


# -- caching the matcher --------------------------------------------------------------------

_lock = threading.Lock()
_current: Matcher | None = None
_jieba_words: set[str] = set()


def catalogue_version() -> tuple:
    """Cheap stamp that changes whenever a skill, a synonym or a staff knowledge addition is
    added, removed or edited (ids alone can be reused after a rollback on SQLite)."""
    s = Skill.objects.aggregate(n=Count("pk"), top=Max("pk"), at=Max("created_at"))
    y = SkillSynonym.objects.aggregate(n=Count("pk"), top=Max("pk"), at=Max("created_at"))
    k = SkillKnowledge.objects.aggregate(n=Count("pk"), at=Max("updated_at"))
    return (s["n"], s["top"], s["at"], y["n"], y["top"], y["at"], k["n"], k["at"])


def get_matcher() -> Matcher:
    """The process's matcher, rebuilt if the catalogue changed since it was built."""
    global _current
    version = catalogue_version()
    current = _current
    if current is not None and current.version == version:
        return current
    with _lock:
        if _current is None or _current.version != version:
            jieba.initialize()
            _current = build_matcher(words_from_database(), version)
        return _current


def match_text(text: str) -> tuple[Skill, float] | None:
    """The skill a free text is mapped to automatically and the confidence, or None."""
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


def _check_mappable(demand: Demand, actor) -> None:
    principal = principal_for(actor)
    if not principal.covers("demand", "change", demand.org_unit):
        raise PermissionDeniedError("无权为该需求归类")
    if demand.status in (DemandStatus.WITHDRAWN, DemandStatus.PLANNED):
        raise DomainError(f"需求{demand.get_status_display()}，不能重新归类")


@transaction.atomic
def map_demand(demand: Demand, *, skill: Skill, actor) -> Demand:
    """Staff put a demand under a skill. Its key phrase becomes a synonym (source=staff)
    so later demands worded the same way are matched automatically."""
    from .demands import transition_demand

    _check_mappable(demand, actor)
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    _check_mappable(demand, actor)
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


def identical_pending(demand: Demand, user) -> list[Demand]:
    """The demands waiting for staff whose text is the same as ``demand``'s once normalised
    (spaces, punctuation, full-width letters and case do not count), that ``user`` may
    change; ``demand`` itself first."""
    from .demand_queries import unmatched_queue

    key = normalize_text(demand.free_text)
    if not key:
        return [demand]
    ids = [
        pk
        for pk, text in unmatched_queue(user).order_by("pk").values_list("pk", "free_text")
        if pk != demand.pk and normalize_text(text) == key
    ]
    return [demand, *Demand.objects.filter(pk__in=ids).order_by("pk")]


@transaction.atomic
def map_identical_demands(demand: Demand, *, skill: Skill, actor) -> list[Demand]:
    """Map ``demand`` and every other waiting demand with the same text to ``skill`` (one
    audit row per demand, as ``map_demand``). Returns the demands mapped."""
    group = identical_pending(demand, actor)
    return [map_demand(d, skill=skill, actor=actor) for d in group]


@transaction.atomic
def mark_unmappable(demand: Demand, *, reason: str, actor, identical: bool = True) -> list[Demand]:
    """Staff say a demand (and, by default, every waiting demand with the same text) matches
    no catalogue skill: status 无法对应 with the reason, audited. It leaves the queue and is
    not counted in demand items; mapping it later is still possible."""
    from .demands import transition_demand

    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("请填写无法对应的原因", field="reason")
    if len(reason) > Demand._meta.get_field("unmappable_reason").max_length:
        raise DomainError("原因不能超过100字", field="reason")
    _check_mappable(demand, actor)
    if demand.status != DemandStatus.UNMATCHED:
        raise DomainError("只有待人工归类的需求可以标记为无法对应")
    group = identical_pending(demand, actor) if identical else [demand]
    out = []
    for d in group:
        d = Demand.objects.select_for_update().get(pk=d.pk)
        _check_mappable(d, actor)
        if d.status != DemandStatus.UNMATCHED:
            continue
        d.unmappable_reason = reason
        d.save(update_fields=["unmappable_reason"])
        transition_demand(d, DemandStatus.UNMAPPABLE, actor=actor, action="demand.unmappable")
        audit.record(
            "demand.unmappable", actor=actor, obj=d, before={"status": DemandStatus.UNMATCHED},
            after={"status": DemandStatus.UNMAPPABLE, "reason": reason},
        )  # fmt: skip
        out.append(d)
    return out


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


def match_pending_demands(*, actor, chunk: int = 5000) -> MatchStats:
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


# -- the staff mapping queue ----------------------------------------------------------------


@dataclass
class QueueSuggestion:
    skill: Skill
    confidence: float
    evidence: tuple[str, ...]


@dataclass
class QueueGroup:
    """Waiting demands with the same text (after normalisation), mapped together."""

    text: str  # the text as first written
    demand_id: int  # the oldest demand of the group: the one the forms post to
    count: int
    oldest: object  # datetime of the oldest demand
    areas: list[str]
    suggestions: list[QueueSuggestion]
    secondary: Skill | None = None


def mapping_queue(user, *, limit: int = 20) -> tuple[list[QueueGroup], int, int]:
    """The staff mapping queue: waiting demands grouped by identical text, most asked first
    (then oldest), each with the matcher's three suggestions and the words that decided them.
    Returns (groups up to ``limit``, number of groups, number of demands)."""
    from django.db.models import Min

    from .demand_queries import unmatched_queue

    rows = (
        unmatched_queue(user)
        .order_by()
        .values("free_text")
        .annotate(n=Count("pk"), first=Min("pk"), oldest=Min("created_at"))
    )
    merged: dict[str, dict] = {}
    for row in rows:
        key = normalize_text(row["free_text"]) or f"#{row['first']}"
        group = merged.get(key)
        if group is None:
            merged[key] = {**row, "texts": [row["free_text"]]}
            continue
        group["n"] += row["n"]
        group["texts"].append(row["free_text"])
        if row["oldest"] < group["oldest"]:
            group.update(free_text=row["free_text"], first=row["first"], oldest=row["oldest"])
    ordered = sorted(merged.values(), key=lambda g: (-g["n"], g["oldest"], g["first"]))
    total_demands = sum(g["n"] for g in ordered)
    page = ordered[:limit]
    matcher = get_matcher()
    analyses = {g["first"]: matcher.analyse(g["free_text"]) for g in page}
    skill_ids = {s.skill_id for a in analyses.values() for s in a.suggestions}
    skill_ids |= {a.secondary_id for a in analyses.values() if a.secondary_id}
    skills = Skill.objects.in_bulk(skill_ids)
    firsts = Demand.objects.in_bulk([g["first"] for g in page])
    area_names: dict[str, set[str]] = defaultdict(set)
    texts = [t for g in page for t in g["texts"]]
    for text, area in (
        unmatched_queue(user).filter(free_text__in=texts).values_list("free_text", "area__name")
    ):
        area_names[text].add(area)
    groups = []
    for g in page:
        analysis = analyses[g["first"]]
        first = firsts[g["first"]]
        groups.append(
            QueueGroup(
                text=first.free_text,
                demand_id=first.pk,
                count=g["n"],
                oldest=g["oldest"],
                areas=sorted({a for t in g["texts"] for a in area_names[t]}),
                suggestions=[
                    QueueSuggestion(skills[s.skill_id], s.confidence, s.evidence[:4])
                    for s in analysis.suggestions
                ],
                secondary=skills.get(analysis.secondary_id) if analysis.secondary_id else None,
            )
        )
    return groups, len(ordered), total_demands
