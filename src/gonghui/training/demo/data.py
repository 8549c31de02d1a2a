# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fixed vocabulary of the training demo: what each part of 海盐 asks for, who teaches,
where, and how people put it in words.

Town names, department names and the policy documents are real; every trainer, venue,
address and coordinate is invented (coordinates are near the real towns).
"""

#: (skill, level, weight) that workers and enterprises of an area ask for. Keys are the
#: short names of the town unions, or the full name of a union hanging under the county.
AREA_SKILLS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "武原街道": (
        ("互联网营销师", "l5", 9), ("育婴员", "l5", 8), ("办公软件应用", "l5", 7),
        ("养老护理员", "l5", 6), ("中式烹调师", "l4", 5),
    ),
    "西塘桥街道": (
        ("焊工", "l4", 8), ("数控车工", "l5", 7), ("叉车司机", "l5", 7),
        ("工业机器人系统操作员", "l5", 5), ("电工", "l5", 5), ("质量检验员", "l5", 4),
    ),
    "望海街道": (
        ("电子商务师", "l5", 7), ("西式面点师", "l5", 6), ("家政服务员", "l5", 5),
        ("低压电工作业（特种作业）", "l5", 5), ("短视频制作", "l5", 5),
    ),
    "秦山街道": (
        ("仪器仪表维修工", "l4", 7), ("电工", "l4", 6), ("辐射防护员", "l5", 5),
        ("焊工", "l3", 4), ("安全生产管理", "l5", 4),
    ),
    "沈荡镇": (
        ("农产品电商", "l5", 7), ("缝纫工", "l5", 5), ("中式面点师", "l5", 5),
        ("叉车司机", "l5", 5), ("养老护理员", "l5", 4),
    ),
    "百步镇": (
        ("机修钳工", "l4", 6), ("叉车司机", "l5", 6), ("注塑工", "l5", 5),
        ("电工", "l5", 5), ("办公软件应用", "l5", 3),
    ),
    "于城镇": (
        ("纺织挡车工", "l5", 5), ("蔬菜园艺工", "l5", 5), ("电子设备装接工", "l5", 5),
        ("养老护理员", "l5", 4),
    ),
    "澉浦镇": (
        ("民宿管家", "l5", 7), ("中式烹调师", "l5", 6), ("导游", "l5", 4),
        ("茶艺师", "l5", 4), ("水产养殖工", "l5", 3),
    ),
    "通元镇": (
        ("花卉园艺工", "l5", 5), ("焊工", "l5", 5), ("家政服务员", "l5", 5),
        ("农产品电商", "l5", 4),
    ),
    "海盐县紧固件行业工会": (
        ("紧固件冷镦工", "l4", 7), ("紧固件搓丝工", "l5", 5), ("金属热处理工", "l4", 4),
        ("质量检验员", "l4", 4), ("数控车工", "l4", 4),
    ),
}  # fmt: skip

POLICY_SKILLS = "《浙江省职业技能提升行动实施方案（2019—2021年）》"
POLICY_LIFELONG = "《国务院关于推行终身职业技能培训制度的意见》（国发〔2018〕11号）"
POLICY_ACTION = "《“技能中国行动”实施方案》（人社部发〔2021〕48号）"
POLICY_CHILDCARE = (
    "《国务院办公厅关于促进3岁以下婴幼儿照护服务发展的指导意见》（国办发〔2019〕15号）"
)
POLICY_FARMERS = "海盐县高素质农民培育工作方案"
POLICY_DIGITAL = "海盐县制造业数字化改造专项培训计划"
POLICY_LIVE = "海盐县直播电商人才培育计划"
POLICY_BUILD = "海盐县建筑工人职业技能提升计划"

#: Department programmes (a directive or funded programme each):
#: (department, skill, level, target number, subsidy per person, policy basis).
DEPARTMENT_PROGRAMMES: tuple[tuple[str, str, str, int, int, str], ...] = (
    ("海盐县人力资源和社会保障局", "电工", "l4", 120, 1200, POLICY_SKILLS),
    ("海盐县人力资源和社会保障局", "焊工", "l4", 80, 1500, POLICY_SKILLS),
    ("海盐县人力资源和社会保障局", "养老护理员", "l5", 100, 800, POLICY_LIFELONG),
    ("海盐县人力资源和社会保障局", "叉车司机", "l5", 60, 600, POLICY_ACTION),
    ("海盐县经济和信息化局", "工业机器人系统操作员", "l5", 60, 1000, POLICY_DIGITAL),
    ("海盐县教育局", "保育员", "l5", 50, 600, POLICY_LIFELONG),
    ("海盐县农业农村局", "农产品电商", "l5", 80, 500, POLICY_FARMERS),
    ("海盐县商务局", "互联网营销师", "l5", 100, 600, POLICY_LIVE),
    ("海盐县科学技术局", "人工智能训练师", "l5", 30, 1000, POLICY_ACTION),
    ("海盐县住房和城乡建设局", "装配式建筑施工员", "l5", 40, 800, POLICY_BUILD),
    ("海盐县卫生健康局", "育婴员", "l5", 60, 800, POLICY_CHILDCARE),
)

#: How workers write what they want; ``{w}`` is a skill name or one of its synonyms.
PHRASES = (
    "想学{w}", "我想学{w}", "希望提升{w}技能", "{w}技能培训", "{w}培训", "想学{w}，周末有空",
    "希望参加{w}培训，拿个证", "有没有{w}的课程", "{w}方面的培训", "想考{w}证",
    "学{w}", "想系统学一下{w}", "{w}提高班", "晚上想学点{w}",
)  # fmt: skip
#: Wishes the catalogue does not cover: they wait in the staff queue (some are mapped by
#: staff, which teaches the matcher the phrase).
UNMATCHED_TEXTS = ("想学调酒", "希望学手语", "学游泳救生", "想考驾照", "学做香薰蜡烛", "想学修钟表")
#: (wording, the skill staff map it to, the only area asking): one demand of each is
#: mapped by hand; the learned synonym then matches the others automatically.
STAFF_MAPPINGS = (("想学调酒", "调饮师", "武原街道"), ("想学修钟表", "手工艺品制作", "澉浦镇"))

TRAINER_ORGANISATIONS = (
    "海盐县职业技术学校", "嘉兴技师学院", "嘉兴职业技术学院", "嘉兴南洋职业技术学院",
    "海盐县成人文化技术学校", "海盐县职工技能培训中心", "嘉兴市家庭服务业协会",
    "海盐县农业技术推广中心", "海盐县电商产业园", "海盐县安全生产协会",
)  # fmt: skip
#: Titles by category of the trainer's main skill.
TITLES = {
    "workshop": ("高级技师", "技师", "高级讲师", "一级实习指导教师", "高级工程师"),
    "service": ("高级讲师", "讲师", "高级技师", "技师", "高级育婴师"),
    "digital": ("高级讲师", "讲师", "高级工程师", "工程师", "电商讲师"),
    "farm": ("高级农艺师", "农艺师", "高级讲师", "乡村工匠"),
}
WORKSHOP_CATEGORIES = ("制造加工", "电力与能源", "建筑与安装", "交通运输与物流", "餐饮")
DIGITAL_CATEGORIES = ("电子商务与数字技能", "通用素养")
FARM_CATEGORIES = ("农业与农村",)

#: Approximate centres of the towns (latitude, longitude).
TOWN_CENTRES = {
    "武原街道": (30.526, 120.946), "西塘桥街道": (30.600, 121.000), "望海街道": (30.505, 120.965),
    "秦山街道": (30.455, 120.925), "沈荡镇": (30.585, 120.835), "百步镇": (30.625, 120.795),
    "于城镇": (30.610, 120.730), "澉浦镇": (30.385, 120.870), "通元镇": (30.465, 120.805),
}  # fmt: skip
ROADS = ("文昌路", "海滨路", "长安路", "新桥路", "城北路", "枣园路", "盐湖路", "园区路")
OPENING_HOURS = (
    "周一至周五 8:30-21:00，周六 9:00-17:00",
    "周一至周日 9:00-21:00",
    "周一至周五 8:00-17:00（晚间培训另行开放）",
)
CLASSROOM_FACILITIES = (
    "多媒体教室、投影仪、空调、无线网络、饮水机",
    "多功能培训室、电脑30台、投影仪、无线网络",
    "培训教室、母婴室、茶水间、无障碍通道、停车场",
)
WORKSHOP_FACILITIES = (
    "焊接工位20个、排烟除尘系统、劳保用品",
    "数控车床12台、加工中心2台、量具室",
    "电工实训台24套、低压配电柜、安全防护设施",
    "烹饪灶台16眼、面点操作台、冷藏柜、消防器材",
    "叉车2台、场地训练区、安全通道",
)

#: Course modules by category: (title, share of the hours). ``{s}`` is the skill name.
COURSES = {
    "workshop": (("安全操作规程与职业素养", 1), ("{s}基础理论", 2), ("{s}实操训练", 4),
                 ("考前综合训练与考核", 1)),
    "service": (("职业道德与相关法规", 1), ("{s}基础知识", 2), ("{s}操作技能", 3),
                ("情景模拟与考核辅导", 1)),
    "digital": (("平台规则与合规经营", 1), ("{s}核心技能", 3), ("实战演练与作品点评", 2)),
    "farm": (("政策解读与产业现状", 1), ("{s}实用技术", 3), ("田间（基地）实训", 2)),
}  # fmt: skip

#: Opinions during consultation, by party: (stance, text, staff reply, adopted change).
#: An adopted change is a key of ``plans.REVISIONS`` or "".
OPINIONS = {
    "department": (
        ("support", "符合职业技能提升行动支持方向，同意按规定给予培训补贴。", "", ""),
        ("comment", "建议结业后组织职业技能等级认定，提高取证率。",
         "已采纳，结业后统一组织等级认定，取证率目标相应提高。", "certification"),
    ),
    "enterprise": (
        ("comment", "我们厂是两班倒，希望晚上的课不要早于18:30。",
         "感谢建议，晚间课次均安排在18:30以后。", ""),
        ("object", "培训时间与企业生产旺季冲突，建议适当增加名额，方便分批参训。",
         "已采纳，名额增加5人。", "capacity"),
        ("support", "", "", ""),
    ),
    "worker": (
        ("comment", "希望多安排实操课时，理论少讲一点。",
         "已采纳，修订方案时增加实操内容。", "content"),
        ("support", "离家近，时间合适，支持！", "", ""),
    ),
}  # fmt: skip

CANCEL_REASONS = (
    "需求企业生产任务调整，培训需求暂缓",
    "征求意见中多数企业反映时间不合适，方案撤回重新拟定",
    "报名人数不足开班人数，取消本期培训，已报名职工可优先参加下期",
)
ENROLMENT_CANCEL_REASONS = ("工作班次调整，无法参加", "家中有事", "已在其他机构参加同类培训")
MANUAL_CHECKIN_REASONS = (
    "手机没电，现场核对身份证后补签",
    "扫码时现场网络故障",
    "老年手机无法扫码，由工作人员代为签到",
    "迟到，经培训师确认全程参加",
)
CERTIFICATE_ISSUERS = {
    "special": ("嘉兴市应急管理局", "TZ"),
    "school": ("海盐县职业技术学校（职业技能等级认定机构）", "HY"),
    "college": ("嘉兴技师学院（职业技能等级认定机构）", "JX"),
    "county": ("海盐县人力资源和社会保障局", "RS"),
}
