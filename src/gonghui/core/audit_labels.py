# SPDX-License-Identifier: AGPL-3.0-or-later
"""Words for people in place of the audit log's codes: ``roster_import.resumed`` →
"花名册导入·恢复", ``training.TrainingPlan`` → "培训计划".

The one mapping of the project. An action code is dot-separated segments (``app.noun.verb``
or ``noun.verb``); ``ACTIONS`` names whole codes whose words differ from their parts, and
``WORDS`` names every segment. A leading app name is dropped when more follows (the noun
already says it). A segment nobody named is kept as it is, so a new code still reads
("花名册导入·foo") until it gets its word; ``tests/core/test_audit_labels.py`` lists the
codes used in the source that lack one. An object type is a model label and reads as the
model's ``verbose_name``. The codes stay on the page (title attribute, filter).
"""

from __future__ import annotations

from functools import lru_cache

from django.apps import apps

#: Whole codes whose words are not the sum of their segments.
ACTIONS: dict[str, str] = {
    "login": "登录",
    "logout": "退出登录",
    "login.failed": "登录失败",
    "api.write": "API令牌写入调用",
    "pii.view": "查看完整身份证号/手机号",
    "demo.load": "载入演示数据",
    "demo.training": "载入培训演示数据",
    "learning.loan.checkin": "借阅·归还",
    "learning.loan.checkout": "借阅·借出",
    "learning.course.place": "课程·设置所属阵地",
    "learning.room.place": "职工书房·设置所属阵地",
    "checkin.manual": "手工签到",
    "checkin.qr": "扫码签到",
    "mutualaid.claim.reveal": "互助申请·查看完整信息",
    "mutualaid.document.view": "互助材料·查看",
    "evaluation.questionnaire.builtin": "评价问卷·建立内置问卷",
    "supervision.consultation_short": "过程监管·征求意见期过短",
    "plan.demands": "培训计划·关联需求",
    "plan.online_courses": "培训计划·设置线上课程",
}

#: One word per segment: apps, nouns and verbs (and the states a transition moves to).
WORDS: dict[str, str] = {
    # apps (dropped when a noun follows)
    "orgs": "组织与会员", "training": "技能培训", "evaluation": "培训评价",
    "mutualaid": "医疗互助", "insight": "过程监管", "reform": "改革事项",
    "mentorship": "导师带徒", "contests": "技能竞赛", "network": "服务阵地",
    "learning": "学习", "integration": "系统对接",
    # things
    "account": "账号", "api": "API", "apitoken": "API令牌", "certificate": "证书",
    "checkin": "签到", "consultation": "征求意见", "contest": "竞赛", "awards": "奖项",
    "entry": "参赛报名", "judge": "评委", "round": "轮次", "score": "成绩",
    "selection": "选拔推荐", "video": "视频", "vote": "投票", "dashboard": "数据看板",
    "demand": "培训需求", "demanditem": "需求清单", "demo": "演示数据", "department": "部门",
    "enrollment": "报名", "enterprise": "企业", "questionnaire": "评价问卷",
    "inspection": "现场检查", "attempt": "测验", "bank": "题库", "card": "借阅证",
    "chapter": "章节", "copy": "馆藏", "course": "课程", "hold": "预约", "lesson": "课时",
    "loan": "借阅", "room": "学习室", "login_code": "登录验证码", "membership": "会籍",
    "agreement": "师徒协议", "agreements": "师徒协议", "apprentice": "徒弟", "award": "奖励",
    "goal": "培养目标", "mentor": "导师", "mentors": "导师名单", "points": "积分",
    "programme": "项目", "scoring": "评分", "batch": "发放批次", "claim": "互助申请",
    "document": "互助材料", "group": "团体参保", "period": "互助期", "rulebook": "互助规则",
    "activity": "活动", "booking": "预约", "finding": "发现问题", "gap": "服务缺口",
    "home": "职工之家", "material": "物资", "position": "服务站点", "service": "服务项目",
    "opinion": "意见", "orgunit": "组织", "outcome": "培训成果", "password": "密码",
    "person": "人员", "pii": "敏感信息", "plan": "培训计划", "priorityweights": "优先级权重",
    "quality": "质量", "rectification": "整改", "milestone": "里程碑", "role": "角色",
    "roster": "花名册", "roster_import": "花名册导入", "session": "课次", "skill": "技能",
    "skillknowledge": "技能知识", "supervision": "过程监管", "trainer": "师资",
    "venue": "场地", "webhook": "事件订阅", "follow_up": "回访", "photo": "照片",
    "catalogue": "书目",
    # doings
    "create": "新建", "issue": "签发", "revoke": "撤销", "policy": "设置策略",
    "import": "导入", "compute": "计算", "transition": "状态变更", "register": "报名",
    "withdraw": "撤回", "declare": "声明", "invite": "邀请", "invite_expert": "邀请专家",
    "close": "关闭", "open": "开启", "submit": "提交", "send_on": "推荐上报",
    "discard": "作废", "ready": "转码完成", "reject": "驳回", "start": "开始",
    "cast": "投票", "export": "导出", "auto_match": "自动对应技能", "map": "对应技能",
    "refer": "转交", "unmappable": "标记无法对应", "rebuild": "重建", "cancel": "取消",
    "promote": "候补转正", "enterprise_rate": "企业评分", "follow_up_extend": "延长回访",
    "follow_up_request": "请求回访", "follow_up_expire": "回访过期",
    "paper_form": "录入纸质问卷", "paper_returns": "回收纸质问卷", "participate": "参与",
    "plan_question": "设置计划专属问题", "settings": "设置", "text_review": "审阅文字意见",
    "record": "记录", "complete": "完成", "place": "预约", "add": "添加", "remind": "提醒",
    "renew": "续借", "upload": "上传", "sent": "已发送", "unknown": "号码未登记",
    "locked": "锁定", "correct_enterprise": "更正所在企业", "join": "入会",
    "transfer": "转会", "sign": "签署", "need_filed": "登记需求", "decide": "评定",
    "pass_on": "转报", "propose": "提议", "assess": "考核", "apply": "申请",
    "revise": "修订", "batch_approve": "批量通过", "correct": "更正", "enrol": "参保",
    "paid": "已发放", "attend": "参加", "log": "登记", "file": "转为需求",
    "hand_out": "发放", "hours": "登记服务时长", "link_venue": "关联场地", "update": "修改",
    "link_honour": "关联平台荣誉",
    "reply": "答复", "delete": "删除", "rename": "更名", "change": "修改", "rule": "设置规则",
    "new_version": "发布新版本", "publish": "发布", "retire": "停用", "restore": "恢复启用",
    "assign": "授予", "cancel_requested": "请求取消", "download_errors": "下载错误清单",
    "resumed": "恢复", "uploaded": "上传", "reschedule": "改期", "add_synonym": "添加同义词",
    "acknowledge": "已阅", "alert": "预警", "limit": "设置时限", "resolve": "解除",
    "availability": "登记可用时间", "qualification": "登记资质", "trainer_override": "指定师资",
    "status": "状态变更", "view": "查看", "write": "写入", "failed": "失败",
    "subscribe": "新建", "pause": "暂停", "resume": "恢复", "replay": "重发",
    "rotate_secret": "更换签名密钥", "reveal": "查看完整信息", "remove": "删除",
    # states a transition moves to (roster imports, bookings, claims)
    "validating": "开始校验", "previewed": "校验完成待确认", "importing": "开始导入",
    "done": "完成", "cancelled": "取消", "booked": "预约成功", "waitlisted": "进入候补",
    "checked_in": "签到", "no_show": "爽约", "union_approve": "工会审核通过",
    "federation_approve": "总工会复核通过", "return": "退回补充材料", "resubmit": "重新提交",
    "expired": "过期", "enroll": "报名", "progress": "报告进展",
}  # fmt: skip

APPS = frozenset({"orgs", "training", "evaluation", "mutualaid", "insight", "reform",
                  "mentorship", "contests", "network", "learning", "integration"})  # fmt: skip
SEPARATOR = "·"


def action_words(code: str) -> tuple[str, bool]:
    """The words for ``code`` and whether every part of it has a word."""
    if code in ACTIONS:
        return ACTIONS[code], True
    parts = [p for p in code.split(".") if p]
    if not parts:
        return code, False
    if len(parts) > 1 and parts[0] in APPS and len(parts) > 2:
        parts = parts[1:]
    if len(parts) > 2 and parts[-1] == "status":  # "<action>.status" of a transition
        head, known = action_words(".".join(parts[:-1]))
        return head, known
    words = [WORDS.get(p, p) for p in parts]
    return SEPARATOR.join(words), all(p in WORDS for p in parts)


def action_label(code: str) -> str:
    """Readable words for an audit action code; unnamed parts stay as they are."""
    return action_words(code)[0]


@lru_cache(maxsize=512)
def object_type_label(label: str) -> str:
    """``app.Model`` → the model's verbose name; an unknown label stays as it is."""
    if not label:
        return ""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label
