"""Today's matcher before issue 15 (names + synonyms + jieba words), kept verbatim in its
scoring so bench/matching_quality.py can compare it with the knowledge-base matcher on the
same wishes. Built from the shipped catalogue file, without a database, with its own jieba
tokenizer (names and synonyms as user words, as it had) so the new matcher's user words do
not change its segmentation."""

import logging
from collections import defaultdict
from dataclasses import dataclass, field

import jieba

from gonghui.training.domain.catalogue import catalogue_entries, normalize_text

jieba.setLogLevel(logging.WARNING)
AUTO_THRESHOLD = 0.5
_STOPWORD_TEXT = """
    我 我们 想 想学 我想 我想学 想要 要 希望 学 学习 学学 学会 参加 报名 培训
    培训班 班 技术 技能 知识 课程 方面 相关 一些 一下 点 的 了 吗 呢 啊 吧 和 与 及
    或 还有 怎么 怎么做 怎样 如何 请问 有没有 哪里 可以 能 会 考 考证 考个 证 证书
    拿证 提升 提高 水平 基础 入门 零基础 初级 中级 高级 技师 一个 这个 什么 需要
    参与 进修 专业 实操 操作 方法 有 是 在 做好 学好 做 当 想当 用 去 想去 打算 准备
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass
class LegacyMatcher:
    phrases: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, frozenset[int]] = field(default_factory=dict)
    max_len: int = 0
    min_len: int = 1
    tokenizer: jieba.Tokenizer | None = None

    def ranked(self, text: str) -> tuple[list[int], bool]:
        """(skills best first as the old matcher ranks them, whether it maps automatically).
        The old matcher returned one skill; its ranking is what it computed before picking."""
        norm = normalize_text(text)
        if not norm:
            return [], False
        by_phrase = self._by_phrase(norm)
        if by_phrase:
            return by_phrase, True
        return self._by_tokens(norm)

    def _by_phrase(self, norm):
        n, phrases = len(norm), self.phrases
        hits = []
        for i in range(n):
            for length in range(self.min_len, min(self.max_len, n - i) + 1):
                sub = norm[i : i + length]
                skill_id = phrases.get(sub)
                if skill_id is not None:
                    hits.append((-length, i, skill_id, sub))
        if not hits:
            return []
        hits.sort()
        taken = [False] * n
        score = defaultdict(int)
        best_phrase = {}
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
            tied = [s for s, v in ranked if v == best]
            skill_id = max(tied, key=lambda s: (len(best_phrase[s]), -s))
        return [skill_id] + [s for s, _ in ranked if s != skill_id]

    def _by_tokens(self, norm):
        words = [w for w in self.tokenizer.lcut(norm) if w not in STOPWORDS and w.strip()]
        content = sum(len(w) for w in words)
        if not content:
            return [], False
        score = defaultdict(float)
        for word in set(words):
            skills = self.tokens.get(word)
            if not skills:
                continue
            for skill_id in skills:
                score[skill_id] += len(word) / len(skills)
        if not score:
            return [], False
        ranked = sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))
        skill_id, best = ranked[0]
        auto = not (len(ranked) > 1 and ranked[1][1] == best)
        auto = auto and min(0.8, best / content) >= AUTO_THRESHOLD
        return [s for s, _ in ranked], auto


def build_legacy() -> LegacyMatcher:
    phrases = {}
    for i, e in enumerate(catalogue_entries(), start=1):
        phrases[normalize_text(e["name"])] = i
    for i, e in enumerate(catalogue_entries(), start=1):
        for text in e["synonyms"]:
            phrases.setdefault(normalize_text(text), i)
    phrases.pop("", None)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    tokens = defaultdict(set)
    for phrase, skill_id in phrases.items():
        for word in tokenizer.cut_for_search(phrase):
            if len(word) >= 2 and word not in STOPWORDS:
                tokens[word].add(skill_id)
    for phrase in phrases:
        if len(phrase) >= 2:
            tokenizer.add_word(phrase)
    lengths = [len(p) for p in phrases]
    return LegacyMatcher(
        phrases,
        {w: frozenset(s) for w, s in tokens.items()},
        max(lengths),
        min(lengths),
        tokenizer,
    )
