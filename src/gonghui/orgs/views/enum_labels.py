# SPDX-License-Identifier: AGPL-3.0-or-later
"""Choice labels of the enums, listed so that makemessages extracts them.

The enums (orgs/enums.py, core AuditEvent.Result) hold plain Chinese labels; pages show
them through ``{% translate obj.get_kind_display %}`` and the forms through gettext, so
the English catalog needs their msgids. Keep in step with the enums.
"""

from django.utils.translation import gettext_noop

ENUM_LABELS = (
    gettext_noop("省总工会"),
    gettext_noop("市总工会"),
    gettext_noop("县（区）总工会"),
    gettext_noop("乡镇（街道）总工会"),
    gettext_noop("片区工会联合会"),
    gettext_noop("行业工会"),
    gettext_noop("联合工会"),
    gettext_noop("基层工会"),
    gettext_noop("居民身份证"),
    gettext_noop("港澳居民来往内地通行证"),
    gettext_noop("台湾居民来往大陆通行证"),
    gettext_noop("护照"),
    gettext_noop("外国人永久居留身份证"),
    gettext_noop("男"),
    gettext_noop("女"),
    gettext_noop("小学及以下"),
    gettext_noop("初中"),
    gettext_noop("高中"),
    gettext_noop("中专/技校"),
    gettext_noop("大专"),
    gettext_noop("本科"),
    gettext_noop("硕士"),
    gettext_noop("博士"),
    gettext_noop("无"),
    gettext_noop("初级工"),
    gettext_noop("中级工"),
    gettext_noop("高级工"),
    gettext_noop("技师"),
    gettext_noop("高级技师"),
    gettext_noop("城镇"),
    gettext_noop("农村"),
    gettext_noop("中共党员"),
    gettext_noop("中共预备党员"),
    gettext_noop("共青团员"),
    gettext_noop("民主党派"),
    gettext_noop("群众"),
    gettext_noop("在会"),
    gettext_noop("已转出"),
    gettext_noop("已退会"),
    gettext_noop("入会"),
    gettext_noop("转会"),
    gettext_noop("退会"),
    gettext_noop("总工会工作人员"),
    gettext_noop("工会干部"),
    gettext_noop("企业联络员"),
    gettext_noop("部门联络员"),
    gettext_noop("培训师"),
    gettext_noop("职工"),
    gettext_noop("审计员（只读）"),
    gettext_noop("成功"),
    gettext_noop("拒绝"),
    gettext_noop("失败"),
)
