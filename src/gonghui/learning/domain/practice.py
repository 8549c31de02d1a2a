# SPDX-License-Identifier: AGPL-3.0-or-later
"""会考吧: question banks imported from .xlsx, practice that brings back what the worker got
wrong (spaced repetition), and timed attempts (mock exams, lesson quizzes) with a pass mark.

Spaced repetition is a Leitner schedule kept per person and question (``ReviewItem``): a
right answer moves the question up one box, a wrong one back to box 0; a question in box
``n`` comes back ``INTERVALS[n]`` after the answer. The next question is the one due
soonest (so the questions got wrong come back within minutes), else a question not yet
seen (in bank order), else the one due next: one statement of index range reads whatever
the length of the answer history (see bench/learning_practice.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import spreadsheets
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError
from gonghui.orgs.models import OrgUnit, Person

from ..enums import AttemptKind, AttemptState, QuestionKind
from ..models import (
    Answer,
    ExamAttempt,
    Lesson,
    PracticeCursor,
    Question,
    QuestionBank,
    ReviewItem,
)
from .common import person_of, require, require_unit

INTERVALS = (
    dt.timedelta(minutes=1),
    dt.timedelta(days=1),
    dt.timedelta(days=3),
    dt.timedelta(days=7),
    dt.timedelta(days=16),
    dt.timedelta(days=35),
)
#: A submission this late after the deadline is refused (the page submits at zero itself).
GRACE = dt.timedelta(seconds=30)
LETTERS = "ABCDEF"
TRUE_WORDS = {"对", "正确", "是", "√", "T", "TRUE", "Y"}
FALSE_WORDS = {"错", "错误", "否", "×", "X", "F", "FALSE", "N"}
KIND_WORDS = {
    "单选": QuestionKind.SINGLE, "单选题": QuestionKind.SINGLE,
    "多选": QuestionKind.MULTIPLE, "多选题": QuestionKind.MULTIPLE,
    "判断": QuestionKind.TRUE_FALSE, "判断题": QuestionKind.TRUE_FALSE,
    "填空": QuestionKind.FILL, "填空题": QuestionKind.FILL,
}  # fmt: skip
COLUMNS = {"题型": "kind", "题干": "stem", "答案": "answer", "解析": "explanation",
           **{f"选项{c}": f"option_{c}" for c in LETTERS}}  # fmt: skip


@transaction.atomic
def create_bank(
    org_unit: OrgUnit,
    *,
    actor,
    title: str,
    skill,
    level: str,
    exam_size: int = 20,
    exam_minutes: int = 30,
    pass_mark: int = 60,
) -> QuestionBank:
    require_unit(actor, "questionbank", org_unit)
    if not title.strip():
        raise DomainError(_("请填写题库名称"), field="title")
    if not (1 <= pass_mark <= 100 and 1 <= exam_size <= 200 and 1 <= exam_minutes <= 300):
        raise DomainError(_("题数、时长或及格分超出范围"), field="pass_mark")
    bank = QuestionBank.objects.create(
        org_unit=org_unit, title=title.strip()[:80], skill=skill, level=level,
        exam_size=exam_size, exam_minutes=exam_minutes, pass_mark=pass_mark,
    )  # fmt: skip
    audit.record("learning.bank.create", actor=actor, obj=bank, after={"title": bank.title})
    return bank


# -- questions --------------------------------------------------------------------------------
def normalise(text: str) -> str:
    """For duplicate detection and fill-in answers: full-width folded, no whitespace or
    punctuation, lower case."""
    text = unicodedata.normalize("NFKC", str(text or "")).lower()
    return "".join(ch for ch in text if not (ch.isspace() or unicodedata.category(ch)[0] == "P"))


def stem_digest(stem: str) -> str:
    return hashlib.sha256(normalise(stem).encode()).hexdigest()


def parse_question(kind_text: str, stem: str, options: list[str], answer_text: str
                   ) -> tuple[str, list[str], list[Any]]:  # fmt: skip
    """(kind, options, answer) from a row's texts; ``DomainError`` with the reason."""
    kind = KIND_WORDS.get(str(kind_text or "").strip())
    if kind is None:
        raise DomainError(_("题型应为单选、多选、判断或填空"))
    if not str(stem or "").strip():
        raise DomainError(_("题干为空"))
    answer_text = unicodedata.normalize("NFKC", str(answer_text or "")).strip().upper()
    if not answer_text:
        raise DomainError(_("没有正确答案"))
    options = [str(o).strip() for o in options]
    while options and not options[-1]:
        options.pop()
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(options) < 2 or "" in options:
            raise DomainError(_("选择题至少需要两个连续的选项"))
        letters = [c for c in answer_text if not c.isspace() and c not in ",，、"]
        if any(c not in LETTERS[: len(options)] for c in letters):
            raise DomainError(_("答案应为已有选项的字母"))
        indices = sorted({LETTERS.index(c) for c in letters})
        if kind == QuestionKind.SINGLE and len(indices) != 1:
            raise DomainError(_("单选题只能有一个正确答案"))
        if kind == QuestionKind.MULTIPLE and len(indices) < 2:
            raise DomainError(_("多选题至少有两个正确答案"))
        return kind, options, indices
    if kind == QuestionKind.TRUE_FALSE:
        if answer_text in TRUE_WORDS:
            return kind, [], [1]
        if answer_text in FALSE_WORDS:
            return kind, [], [0]
        raise DomainError(_("判断题答案应为“对”或“错”"))
    accepted = [a.strip() for a in re.split(r"[|｜]", str(answer_text)) if a.strip()]
    return kind, [], [a for a in dict.fromkeys(accepted)]


@dataclass
class QuestionImport:
    created: int = 0
    rejected: list[tuple[int, list[Any], str]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)


def import_questions(bank: QuestionBank, file: IO[bytes] | bytes, *, actor,
                     name: str = "") -> QuestionImport:  # fmt: skip
    """Rows with a problem (no correct answer, a duplicate of the bank or of an earlier row,
    …) are left out with their reason (``error_workbook``); the others are imported."""
    require(actor, "questionbank", "change", bank)
    data = spreadsheets.read_upload(file)
    table = spreadsheets.read_table(
        data, name, columns=COLUMNS, required=["题型", "题干", "答案"],
        markers=("题型", "题干"), what=_("题库"),
    )  # fmt: skip
    result = QuestionImport(headers=table.headers)
    seen = set(Question.objects.filter(bank=bank).values_list("digest", flat=True))
    col = table.columns

    def cell(cells: list[Any], key: str) -> str:
        return spreadsheets.cell_text(cells[col[key]]) if key in col else ""

    new: list[Question] = []
    for number, cells in table.rows():
        try:
            options = [cell(cells, f"option_{c}") for c in LETTERS]
            kind, options, answer = parse_question(
                cell(cells, "kind"), cell(cells, "stem"), options, cell(cells, "answer")
            )
            digest = stem_digest(cell(cells, "stem"))
            if digest in seen:
                raise DomainError(_("重复的题目（题库中或表内已有相同题干）"))
        except DomainError as exc:
            result.rejected.append((number, cells, exc.message))
            continue
        seen.add(digest)
        new.append(
            Question(
                bank=bank,
                kind=kind,
                stem=cell(cells, "stem")[:2000],
                options=options,
                answer=answer,
                explanation=cell(cells, "explanation")[:2000],
                digest=digest,
            )
        )
    with transaction.atomic():
        Question.objects.bulk_create(new, batch_size=500)
        result.created = len(new)
        audit.record("learning.bank.import", actor=actor, obj=bank,
                     after={"created": len(new), "rejected": len(result.rejected)})  # fmt: skip
    return result


def error_workbook(result: QuestionImport) -> bytes:
    with spreadsheets.error_workbook(result.headers, result.rejected, title="错误行") as out:
        return out.read()


def grade(question: Question, given: Any) -> bool:
    if question.kind == QuestionKind.FILL:
        text = given[0] if isinstance(given, list) and given else given
        return normalise(str(text or "")) in {normalise(a) for a in question.answer}
    try:
        chosen = sorted({int(i) for i in (given if isinstance(given, list) else [given])})
    except (TypeError, ValueError):
        return False
    return chosen == sorted(question.answer)


# -- practice ---------------------------------------------------------------------------------
@dataclass
class NextQuestion:
    question: Question | None
    reason: str  # "review" (due again), "new", "ahead" (nothing due: the next one early)


def _next_sql() -> str:
    """The three candidates of ``next_question`` in one statement (one round trip to the
    database, which is what a loaded server waits for): rank 0 the item due soonest that
    is due, rank 1 the first unseen question after the cursor, rank 2 the item due next;
    with the cursor and the bank's last question, for moving the cursor."""
    q = connection.ops.quote_name
    question, review, cursor = (q(m._meta.db_table) for m in (Question, ReviewItem, PracticeCursor))
    seen_through = (
        f"COALESCE((SELECT seen_through FROM {cursor} WHERE person_id = %(person)s"  # noqa: S608
        f" AND bank_id = %(bank)s), 0)"
    )
    return (
        f"SELECT q.*, c.rank AS next_rank, {seen_through} AS next_cursor,"  # noqa: S608
        f" (SELECT MAX(id) FROM {question} WHERE bank_id = %(bank)s) AS next_last"
        f" FROM {question} q JOIN ("
        f"SELECT 0 AS rank, question_id AS qid FROM (SELECT question_id FROM {review}"
        f" WHERE person_id = %(person)s AND bank_id = %(bank)s AND due_at <= %(now)s"
        f" ORDER BY due_at LIMIT 1) d"
        f" UNION ALL SELECT 1, id FROM (SELECT n.id FROM {question} n"
        f" WHERE n.bank_id = %(bank)s AND n.id > {seen_through} AND NOT EXISTS (SELECT 1"
        f" FROM {review} r WHERE r.person_id = %(person)s AND r.question_id = n.id"
        f" AND r.question_id > {seen_through}) ORDER BY n.id LIMIT 1) f"
        f" UNION ALL SELECT 2, question_id FROM (SELECT question_id FROM {review}"
        f" WHERE person_id = %(person)s AND bank_id = %(bank)s ORDER BY due_at LIMIT 1) a"
        f") c ON q.id = c.qid ORDER BY c.rank LIMIT 1"
    )  # table names from the models, values as parameters


REASONS = ("review", "new", "ahead")


def next_question(bank: QuestionBank, *, person: Person, now: dt.datetime | None = None
                  ) -> NextQuestion:  # fmt: skip
    """The question due soonest (already due), else the first not yet seen in bank order,
    else the one due next. One statement, each branch an index range read whatever the
    history's length: the search for an unseen question starts after the person's cursor
    (all questions up to it seen) and checks the schedule only for items after it, which
    are those an exam showed out of order. The cursor moves up when a new question is
    given (everything before it seen) or when none is left (the bank's last)."""
    now = now or timezone.now()
    params = {"person": person.pk, "bank": bank.pk,
              "now": connection.ops.adapt_datetimefield_value(now)}  # fmt: skip
    found = list(Question.objects.raw(_next_sql(), params))
    if not found:
        return NextQuestion(None, "ahead")
    question = found[0]
    reason = REASONS[question.next_rank]
    through = question.next_last if reason == "ahead" else question.pk - 1
    if reason != "review" and through and through > question.next_cursor:
        PracticeCursor.objects.update_or_create(
            person=person, bank=bank, defaults={"seen_through": through}
        )
    for extra in ("next_rank", "next_cursor", "next_last"):
        delattr(question, extra)
    return NextQuestion(question, reason)


def _schedule(person: Person, question: Question, correct: bool, now: dt.datetime) -> ReviewItem:
    item, _created = ReviewItem.objects.select_for_update(of=("self",)).get_or_create(
        person=person, question=question,
        defaults={"bank_id": question.bank_id, "due_at": now},
    )  # fmt: skip
    if correct:
        item.box = min(item.box + 1, len(INTERVALS) - 1)
        item.right += 1
    else:
        item.box = 0
        item.wrong += 1
    item.due_at = now + INTERVALS[item.box]
    item.save(update_fields=["box", "right", "wrong", "due_at"])
    return item


@transaction.atomic
def answer_question(question: Question, *, actor, given: Any) -> tuple[bool, ReviewItem]:
    """A practice answer of the learner themself: recorded with the schedule updated. (The
    learner's own practice data, not audited row by row.)"""
    person = person_of(actor)
    now = timezone.now()
    correct = grade(question, given)
    Answer.objects.create(person=person, question=question, correct=correct, given=given,
                          answered_at=now)  # fmt: skip
    return correct, _schedule(person, question, correct, now)


# -- attempts ---------------------------------------------------------------------------------
@transaction.atomic
def start_attempt(
    bank: QuestionBank,
    *,
    actor,
    kind: str = AttemptKind.MOCK,
    lesson: Lesson | None = None,
    seed: int | None = None,
) -> ExamAttempt:
    person = person_of(actor)
    if kind == AttemptKind.QUIZ:
        if lesson is None or lesson.quiz_bank_id != bank.pk:
            raise DomainError(_("该课时没有这套测验"))
        size, minutes, mark = lesson.quiz_size, 15, lesson.quiz_pass_mark
    else:
        size, minutes, mark = bank.exam_size, bank.exam_minutes, bank.pass_mark
    ids = list(Question.objects.filter(bank=bank).values_list("pk", flat=True))
    if not ids:
        raise DomainError(_("题库中还没有试题"))
    picked = random.Random(seed).sample(  # noqa: S311 - a paper's questions, not a secret
        ids, min(size, len(ids))
    )
    now = timezone.now()
    attempt = ExamAttempt.objects.create(
        person=person, bank=bank, kind=kind, lesson=lesson, question_ids=picked,
        started_at=now, deadline=now + dt.timedelta(minutes=minutes), pass_mark=mark,
        created_by=actor if getattr(actor, "_meta", None) else None,
    )  # fmt: skip
    audit.record("learning.attempt.start", actor=actor, obj=bank,
                 after={"attempt": attempt.pk, "kind": kind, "questions": len(picked)})  # fmt: skip
    return attempt


def score_of(correct: int, total: int) -> int:
    if not total:
        return 0
    return int((Decimal(correct) * 100 / total).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@transaction.atomic
def submit_attempt(attempt: ExamAttempt, *, actor, answers: dict[str, Any]) -> ExamAttempt:
    """Hand in: each answer graded and recorded (wrong ones come back in practice), the score
    out of 100, passed at the pass mark. Later than the deadline (plus a short grace) the
    answers are not taken: the attempt closes as 超时 with what was saved (nothing)."""
    attempt = (
        ExamAttempt.objects.select_for_update(of=("self",))
        .select_related("bank", "lesson")
        .get(pk=attempt.pk)
    )
    person = person_of(actor)
    if attempt.person_id != person.pk:
        raise DomainError(_("这不是您的考试"), code="forbidden")
    if attempt.state != AttemptState.RUNNING:
        raise DomainError(_("本次考试已交卷"), code="state")
    now = timezone.now()
    questions = {q.pk: q for q in Question.objects.filter(pk__in=attempt.question_ids)}
    late = now > attempt.deadline + GRACE
    correct = 0
    if not late:
        rows = []
        for qid in attempt.question_ids:
            question = questions.get(qid)
            if question is None:
                continue
            given = answers.get(str(qid), answers.get(qid, []))
            ok = grade(question, given)
            correct += ok
            rows.append(Answer(person=person, question=question, correct=ok, given=given,
                               answered_at=now, attempt=attempt))  # fmt: skip
            _schedule(person, question, ok, now)
        Answer.objects.bulk_create(rows)
    before = attempt.state
    attempt.state = AttemptState.EXPIRED if late else AttemptState.SUBMITTED
    attempt.submitted_at = now
    attempt.score = score_of(correct, len(attempt.question_ids))
    attempt.passed = attempt.score >= attempt.pass_mark
    attempt.save(update_fields=["state", "submitted_at", "score", "passed"])
    audit.record("learning.attempt.submit", actor=actor, obj=attempt.bank,
                 before={"state": before},
                 after={"attempt": attempt.pk, "state": attempt.state, "score": attempt.score,
                        "passed": attempt.passed})  # fmt: skip
    if attempt.passed:
        if attempt.kind == AttemptKind.QUIZ and attempt.lesson is not None:
            from .progress import quiz_passed

            quiz_passed(attempt.lesson, person=person, actor=actor)
        elif attempt.kind == AttemptKind.MOCK:
            _credit_mentorship(attempt, person, actor)
    return attempt


def _credit_mentorship(attempt: ExamAttempt, person: Person, actor) -> None:
    """A passed mock exam of the bank's skill feeds the apprentice's 个人提升: one 考试通过
    entry in each live agreement of the same skill (the mentorship points ledger)."""
    from gonghui.core.actors import SYSTEM
    from gonghui.mentorship.domain import points
    from gonghui.mentorship.enums import PointSource
    from gonghui.mentorship.models import Agreement

    live = Agreement.objects.filter(
        apprentice__person=person, state__in=points.LIVE_STATES,
        mentor__skill_id=attempt.bank.skill_id,
    ).select_related("programme")  # fmt: skip
    for agreement in live:
        points.award_points(
            agreement.programme, actor=SYSTEM, person=person, source=PointSource.EXAM_PASSED,
            occurred_on=timezone.localdate(), agreement=agreement,
            ref=f"会考吧模拟考试：{attempt.bank.title}（{attempt.score}分）",
        )  # fmt: skip
