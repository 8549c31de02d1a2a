# SPDX-License-Identifier: AGPL-3.0-or-later
from django.db import models


class OrgKind(models.TextChoices):
    PROVINCE = "province", "省总工会"
    CITY = "city", "市总工会"
    COUNTY = "county", "县（区）总工会"
    TOWN = "town", "乡镇（街道）总工会"
    AREA = "area", "片区工会联合会"
    INDUSTRY = "industry", "行业工会"
    JOINT = "joint", "联合工会"
    GRASSROOTS = "grassroots", "基层工会"


#: Kinds that hold members directly (a 基层工会 or a 联合工会 of small enterprises).
MEMBER_HOLDING_KINDS = (OrgKind.GRASSROOTS, OrgKind.JOINT)
FEDERATION_KINDS = (OrgKind.PROVINCE, OrgKind.CITY, OrgKind.COUNTY, OrgKind.TOWN)


class IdType(models.TextChoices):
    RESIDENT = "resident", "居民身份证"
    HK_MACAO = "hk_macao", "港澳居民来往内地通行证"
    TAIWAN = "taiwan", "台湾居民来往大陆通行证"
    PASSPORT = "passport", "护照"
    FOREIGN_PR = "foreign_pr", "外国人永久居留身份证"


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Education(models.TextChoices):
    PRIMARY = "primary", "小学及以下"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中"
    VOCATIONAL = "vocational", "中专/技校"
    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "本科"
    MASTER = "master", "硕士"
    DOCTOR = "doctor", "博士"


class SkillLevel(models.TextChoices):
    NONE = "none", "无"
    L5 = "l5", "初级工"
    L4 = "l4", "中级工"
    L3 = "l3", "高级工"
    L2 = "l2", "技师"
    L1 = "l1", "高级技师"


class HouseholdType(models.TextChoices):
    URBAN = "urban", "城镇"
    RURAL = "rural", "农村"


class PoliticalStatus(models.TextChoices):
    CPC = "cpc", "中共党员"
    PROBATIONARY = "probationary", "中共预备党员"
    CYL = "cyl", "共青团员"
    OTHER_PARTY = "other_party", "民主党派"
    MASSES = "masses", "群众"


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", "在会"
    TRANSFERRED = "transferred", "已转出"
    WITHDRAWN = "withdrawn", "已退会"


class ChangeKind(models.TextChoices):
    JOIN = "join", "入会"
    TRANSFER = "transfer", "转会"
    WITHDRAW = "withdraw", "退会"


class Role(models.TextChoices):
    FEDERATION_STAFF = "federation_staff", "总工会工作人员"
    UNION_OFFICER = "union_officer", "工会干部"
    ENTERPRISE_CONTACT = "enterprise_contact", "企业联络员"
    DEPARTMENT_LIAISON = "department_liaison", "部门联络员"
    TRAINER = "trainer", "培训师"
    WORKER = "worker", "职工"
    AUDITOR = "auditor", "审计员（只读）"
    SECURITY_ADMIN = "security_admin", "安全管理员"


#: Roles that watch over the others (等保 separation of duties): granted and revoked only
#: by a security administrator, never by oneself (see ``domain/access.py``).
SECURITY_ROLES = frozenset({Role.AUDITOR, Role.SECURITY_ADMIN})


ETHNICITIES = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族",
    "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族",
    "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族",
    "基诺族",
)  # fmt: skip
