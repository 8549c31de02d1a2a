# SPDX-License-Identifier: AGPL-3.0-or-later
from django.db import models


class ContestState(models.TextChoices):
    """The contest's one workflow (``domain.contests.transition``)."""

    DRAFT = "draft", "筹备中"
    REGISTRATION = "registration", "报名中"
    JUDGING = "judging", "评审中"
    RESULTS = "results", "待确认结果"
    PUBLISHED = "published", "已公布"


#: state → the states it may move to.
CONTEST_TRANSITIONS = {
    ContestState.DRAFT: (ContestState.REGISTRATION,),
    ContestState.REGISTRATION: (ContestState.JUDGING,),
    ContestState.JUDGING: (ContestState.RESULTS, ContestState.REGISTRATION),
    ContestState.RESULTS: (ContestState.PUBLISHED, ContestState.JUDGING),
    ContestState.PUBLISHED: (),
}
#: States in which the public pages show the contest.
PUBLIC_STATES = (
    ContestState.REGISTRATION,
    ContestState.JUDGING,
    ContestState.RESULTS,
    ContestState.PUBLISHED,
)


class EventKind(models.TextChoices):
    MEASURED = "measured", "计量项目"
    JUDGED = "judged", "评分项目"
    EXHIBITION = "exhibition", "展示项目"


class EventMode(models.TextChoices):
    INDIVIDUAL = "individual", "个人"
    TEAM = "team", "团体"


class Better(models.TextChoices):
    HIGHER = "higher", "越高越好"
    LOWER = "lower", "越低越好"


class SexRule(models.TextChoices):
    ANY = "", "不限"
    MALE = "M", "男子"
    FEMALE = "F", "女子"


class RoundKind(models.TextChoices):
    SELECTION = "selection", "选拔赛"
    SEMIFINAL = "semifinal", "复赛"
    FINAL = "final", "决赛"


class RoundState(models.TextChoices):
    """A round's one workflow (``domain.rounds.transition_round``)."""

    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


class EntryState(models.TextChoices):
    REGISTERED = "registered", "已报名"
    WITHDRAWN = "withdrawn", "已退出"


class VideoState(models.TextChoices):
    UPLOADING = "uploading", "上传中"
    READY = "ready", "已就绪"
    REJECTED = "rejected", "未通过检查"


class JudgeState(models.TextChoices):
    INVITED = "invited", "已邀请"
    ACCEPTED = "accepted", "已接受"
    DECLINED = "declined", "已谢绝"
