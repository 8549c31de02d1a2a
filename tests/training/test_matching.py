import pytest

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.training.domain.catalogue import add_skill, add_synonym, normalize_text
from gonghui.training.domain.demands import submit_worker_demand, withdraw_demand
from gonghui.training.domain.knowledge import update_skill_knowledge
from gonghui.training.domain.matching import (
    get_matcher,
    key_phrase,
    map_demand,
    map_identical_demands,
    mark_unmappable,
    match_pending_demands,
    match_text,
)
from gonghui.training.models import Demand, Skill, SkillKnowledge, SkillSynonym

WORKER = {"level": "l5", "preferred_time": "weekend", "mode": "onsite"}


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("想学开叉车", "叉车司机"),
        ("电焊技术", "焊工"),
        ("直播带货怎么做", "互联网营销师"),
        ("我想考个月嫂证", "母婴护理员"),
        ("学做饭炒菜", "中式烹调师"),
        ("想当外卖骑手", "网约配送员"),
        ("Excel 表格和 PPT", "办公软件应用"),
        ("ＷＰＳ文字排版", "办公软件应用"),
        ("我想学修电脑", "计算机维修工"),  # "修电脑" beats "电脑"
        ("农产品直播", "农产品电商"),  # "农产品直播" beats "直播"
        ("护工", "养老护理员"),
        ("螺丝冷镦机调试", "紧固件冷镦工"),
        ("秦山核电站仪控", "仪器仪表维修工"),
        ("数控车床编程", "数控车工"),
        ("养老护理员", "养老护理员"),
    ],
)
def test_free_text_maps_to_the_catalogue(db, text, skill):
    found = match_text(text)
    assert found is not None
    assert found[0].name == skill


def test_a_wish_naming_no_skill_below_the_bar_goes_to_staff_with_suggestions(db):
    # No name or synonym: 老人 and 照顾 (shared with 家政服务员 and 家庭照护员) rank 养老护理员
    # first, below the bar for texts that name no skill (AUTO_THRESHOLD).
    result = get_matcher().analyse("照顾家里老人")
    names = [Skill.objects.get(pk=s.skill_id).name for s in result.suggestions]
    assert names[0] == "养老护理员"
    assert len(names) == 3
    assert result.auto is False
    assert match_text("照顾家里老人") is None


@pytest.mark.parametrize("text", ["想学古琴", "今天天气不错", "学电气自动化", "", "？？？"])
def test_texts_that_name_no_skill_are_left_for_staff(db, text):
    assert match_text(text) is None


def test_phrase_confidence_reflects_a_second_skill(db):
    only = get_matcher().match("想学电焊")
    # 电焊 is a built-in synonym (weight 2.4) and nothing else in the text counts: the text
    # names one skill, so the confidence is at least 2.4 / (2.4 + 0 + 0.3).
    assert (only.confidence, only.method, only.phrase) == (0.889, "phrase", "电焊")
    both = get_matcher().analyse("电焊和开叉车")
    # 开叉车 (synonym, 3 characters: 2.4 × 1.25) and 叉车 (synonym, 2.4) for 叉车司机 = 5.4
    # against 电焊 = 2.4 for 焊工; two skills named, so 5.4 / (5.4 + 2.4 + 0.6).
    names = [Skill.objects.get(pk=s.skill_id).name for s in both.suggestions]
    assert names == ["叉车司机", "焊工"]
    assert [(s.score, s.confidence) for s in both.suggestions] == [(5.4, 0.643), (2.4, 0.286)]
    assert both.suggestions[0].evidence == ("开叉车", "叉车")
    assert both.auto is True


@pytest.mark.parametrize(
    ("text", "skill", "evidence"),
    [
        ("想学给人配眼镜", "眼镜验光员", "配眼镜"),  # the task, not the trade
        ("在工地上扎钢筋好几年了想考个证", "钢筋工", "扎钢筋"),  # the situation
        ("打灰", "混凝土工", "打灰"),  # trade slang
        ("想跑美团", "网约配送员", "跑美团"),  # a platform name
        ("插车", "叉车司机", "插车≈叉车"),  # a typo, found by pinyin
        ("挖觉机", "挖掘机司机", "挖觉机≈挖掘机"),
        ("砌转", "砌筑工", "砌转≈砌砖"),
        ("种车厘子", "果树园艺工", "车厘子"),  # 车厘子 is not 车工
        ("想学做糖画", "手工艺品制作", "做糖画"),  # 糖画 is not 绘画
    ],
)
def test_wishes_that_name_no_skill(db, text, skill, evidence):
    result = get_matcher().analyse(text)
    assert Skill.objects.get(pk=result.best.skill_id).name == skill
    assert result.best.evidence[0] == evidence
    assert result.auto is True


def test_look_alike_words_give_no_evidence(db):
    # 电饭煲, 电视 and 电影 share 电 with 电工 and are on its list of look-alikes.
    for text in ["想学电饭煲", "想学电视", "想学看电影"]:
        names = {
            Skill.objects.get(pk=s.skill_id).name for s in get_matcher().analyse(text).suggestions
        }
        assert "电工" not in names, text


def test_two_wishes_in_one_text(db):
    result = get_matcher().analyse("先把挖机学会，以后再学装载机")
    assert Skill.objects.get(pk=result.best.skill_id).name == "挖掘机司机"
    assert Skill.objects.get(pk=result.secondary_id).name == "装载机司机"
    assert result.auto is True


def test_what_the_worker_no_longer_wants_does_not_count(db):
    matcher = get_matcher()
    for text in ["不想再干保安了想学修电脑", "当保安干够了，想学修电脑"]:
        result = matcher.analyse(text)
        names = [Skill.objects.get(pk=s.skill_id).name for s in result.suggestions]
        assert names[0] == "计算机维修工", text
        assert "保安员" not in names, text
    # Only what is no longer wanted: staff decide.
    result = matcher.analyse("不想再当保安了")
    assert Skill.objects.get(pk=result.best.skill_id).name == "保安员"
    assert result.auto is False


def test_three_suggestions_when_unsure(db):
    result = get_matcher().analyse("在仓库开车搬货")
    assert result.auto is False
    names = [Skill.objects.get(pk=s.skill_id).name for s in result.suggestions]
    assert names == ["叉车司机", "仓储管理员", "车工"]
    # No known word but 仓库 (a workplace, shared): pieces of 叉车's words (搬货 of 开叉车搬货)
    # rank it first, too weakly to map without staff; the single character 搬 adds a trace.
    assert [s.evidence for s in result.suggestions] == [
        ("仓库", "车搬", "搬货", "搬"),
        ("仓库",),
        ("开车",),
    ]
    assert get_matcher().match("在仓库开车搬货") is None


def test_normalize_and_key_phrase():
    assert normalize_text(" 想学 ＥＸＣＥＬ！") == "想学excel"
    assert key_phrase("我想学调酒技术") == "调酒"
    assert key_phrase("想学古琴") == "古琴"
    assert key_phrase("学习") == "学习"


def test_matcher_is_cached_until_the_catalogue_changes(county):
    first = get_matcher()
    assert get_matcher() is first
    assert first.match("想学锡纸烫") is None
    add_synonym(
        Skill.objects.get(name="美发师"), text="锡纸烫", actor=county.users["federation_staff"]
    )
    second = get_matcher()
    assert second is not first
    assert Skill.objects.get(pk=second.match("想学锡纸烫").skill_id).name == "美发师"
    add_skill(name="调酒师", category="餐饮", actor=county.users["federation_staff"], levels=["l5"])
    assert get_matcher() is not second
    assert Skill.objects.get(pk=get_matcher().match("调酒师培训").skill_id).name == "调酒师"


def test_staff_correction_teaches_the_matcher(county, make_worker):
    staff = county.users["federation_staff"]
    first = submit_worker_demand(actor=county.worker_a, free_text="我想学古琴", **WORKER)
    assert first.status == "unmatched"
    music = Skill.objects.get(name="器乐演奏")

    mapped = map_demand(first, skill=music, actor=staff)
    assert (mapped.skill, mapped.status, mapped.match_method) == (music, "matched", "staff")
    learned = SkillSynonym.objects.get(text="古琴")
    assert (learned.skill, learned.source) == (music, "staff")
    event = AuditEvent.objects.get(action="demand.map")
    assert event.after == {"skill": music.pk, "learned_synonym": "古琴"}

    # The next worker who words it alike is matched without staff.
    other = make_worker(county.union_a, name="钱七")
    later = submit_worker_demand(actor=other, free_text="周末学古琴弹奏", **WORKER)
    assert (later.skill, later.status, later.match_method) == (music, "matched", "auto")


def test_a_later_staff_correction_replaces_an_earlier_one(county):
    staff = county.users["federation_staff"]
    one = submit_worker_demand(actor=county.worker_a, free_text="想学古琴", **WORKER)
    map_demand(one, skill=Skill.objects.get(name="器乐演奏"), actor=staff)
    two = submit_worker_demand(actor=county.worker_a, free_text="古琴", **WORKER)
    assert two.skill.name == "器乐演奏"
    map_demand(two, skill=Skill.objects.get(name="手工艺品制作"), actor=staff)
    assert SkillSynonym.objects.get(text="古琴").skill.name == "手工艺品制作"


def test_mapping_to_a_builtin_wording_learns_nothing(county, skills):
    demand = submit_worker_demand(actor=county.worker_a, free_text="电焊", **WORKER)
    before = SkillSynonym.objects.count()
    map_demand(demand, skill=skills["冷作钣金工"], actor=county.users["federation_staff"])
    assert SkillSynonym.objects.count() == before
    assert SkillSynonym.objects.get(text="电焊").skill == skills["焊工"]


def test_pending_demands_are_rematched_after_a_correction(county):
    staff = county.users["federation_staff"]
    demands = [
        submit_worker_demand(actor=county.worker_a, free_text=text, **WORKER)
        for text in ["想学古琴", "古琴入门", "古琴入门", "想学品酒"]
    ]
    assert {d.status for d in demands} == {"unmatched"}
    map_demand(demands[0], skill=Skill.objects.get(name="器乐演奏"), actor=staff)
    stats = match_pending_demands(actor=staff)
    assert (stats.examined, stats.unique_texts, stats.matched) == (3, 2, 2)
    assert sorted(Demand.objects.values_list("free_text", "status", "match_method")) == [
        ("古琴入门", "matched", "auto"),
        ("古琴入门", "matched", "auto"),
        ("想学古琴", "matched", "staff"),
        ("想学品酒", "unmatched", ""),
    ]
    assert AuditEvent.objects.get(action="demand.auto_match").detail == "examined=3 matched=2"


@pytest.mark.parametrize(
    "role", ["union_officer_a", "enterprise_contact_a", "department_liaison", "worker_a"]
)
def test_only_staff_in_scope_map_demands(county, role):
    demand = submit_worker_demand(actor=county.worker_a, free_text="想学古琴", **WORKER)
    before = SkillSynonym.objects.count()
    with pytest.raises(PermissionDeniedError):
        map_demand(demand, skill=Skill.objects.get(name="器乐演奏"), actor=county.users[role])
    demand.refresh_from_db()
    assert (demand.status, demand.skill) == ("unmatched", None)
    assert SkillSynonym.objects.count() == before


def test_withdrawn_demands_are_not_mapped(county):
    demand = submit_worker_demand(actor=county.worker_a, free_text="想学古琴", **WORKER)
    withdraw_demand(demand, actor=county.worker_a)
    with pytest.raises(DomainError) as exc:
        map_demand(
            demand, skill=Skill.objects.get(name="器乐演奏"), actor=county.users["federation_staff"]
        )
    assert exc.value.message == "需求已撤回，不能重新归类"
    assert not SkillSynonym.objects.filter(text="古琴").exists()


def test_staff_knowledge_addition_is_used_at_once(county):
    staff = county.users["federation_staff"]
    assert get_matcher().match("想学摆弄那个铁胳膊") is None
    update_skill_knowledge(skill=Skill.objects.get(name="挖掘机司机"), actor=staff,
                           words={"slang": ["铁胳膊"]})  # fmt: skip
    found = get_matcher().match("想学摆弄那个铁胳膊")
    assert (Skill.objects.get(pk=found.skill_id).name, found.phrase) == ("挖掘机司机", "铁胳膊")
    event = AuditEvent.objects.get(action="skillknowledge.update")
    assert event.after == {"slang": ["铁胳膊"]}


@pytest.mark.parametrize("role", ["union_officer_a", "worker_a", "auditor"])
def test_only_catalogue_staff_extend_the_knowledge_base(county, role):
    with pytest.raises(PermissionDeniedError):
        update_skill_knowledge(skill=Skill.objects.get(name="挖掘机司机"),
                               actor=county.users[role], words={"slang": ["铁胳膊"]})  # fmt: skip
    assert not SkillKnowledge.objects.exists()


def test_knowledge_words_are_checked(county):
    staff = county.users["federation_staff"]
    with pytest.raises(DomainError) as exc:
        update_skill_knowledge(skill=Skill.objects.get(name="木工"), actor=staff,
                               words={"slang": ["刨"]})  # fmt: skip
    assert exc.value.message == "每个词至少两个字（单字太容易误配）"
    with pytest.raises(DomainError) as exc:
        update_skill_knowledge(skill=Skill.objects.get(name="木工"), actor=staff,
                               words={"secret": ["刨木头"]})  # fmt: skip
    assert exc.value.message == "未知的词语类别：secret"
    assert not SkillKnowledge.objects.exists()


def test_identical_texts_are_mapped_together(county, make_worker):
    staff = county.users["federation_staff"]
    texts = ["想学古琴", "想学 古琴！", "想学古琴", "古琴入门"]
    demands = [submit_worker_demand(actor=county.worker_a, free_text=t, **WORKER) for t in texts]
    mapped = map_identical_demands(
        demands[0], skill=Skill.objects.get(name="器乐演奏"), actor=staff
    )
    assert [d.pk for d in mapped] == [d.pk for d in demands[:3]]
    assert sorted(Demand.objects.values_list("free_text", "status")) == [
        ("古琴入门", "unmatched"), ("想学 古琴！", "matched"), ("想学古琴", "matched"),
        ("想学古琴", "matched"),
    ]  # fmt: skip
    assert AuditEvent.objects.filter(action="demand.map").count() == 3


def test_a_demand_can_be_marked_unmappable(county):
    staff = county.users["federation_staff"]
    one = submit_worker_demand(actor=county.worker_a, free_text="想学开飞机", **WORKER)
    two = submit_worker_demand(actor=county.worker_a, free_text="想学开飞机", **WORKER)
    with pytest.raises(DomainError) as exc:
        mark_unmappable(one, reason="  ", actor=staff)
    assert exc.value.message == "请填写无法对应的原因"
    marked = mark_unmappable(one, reason="不是职业技能培训", actor=staff)
    assert [d.pk for d in marked] == [one.pk, two.pk]
    assert sorted(Demand.objects.values_list("status", "unmappable_reason")) == [
        ("unmappable", "不是职业技能培训"), ("unmappable", "不是职业技能培训"),
    ]  # fmt: skip
    event = AuditEvent.objects.filter(action="demand.unmappable").first()
    assert event.after == {"status": "unmappable", "reason": "不是职业技能培训"}
    # Staff may still map it later.
    map_demand(one, skill=Skill.objects.get(name="无人机驾驶员"), actor=staff)
    one.refresh_from_db()
    assert one.status == "matched"


@pytest.mark.parametrize("role", ["union_officer_a", "enterprise_contact_a", "worker_a"])
def test_only_staff_in_scope_mark_unmappable(county, role):
    demand = submit_worker_demand(actor=county.worker_a, free_text="想学开飞机", **WORKER)
    with pytest.raises(PermissionDeniedError):
        mark_unmappable(demand, reason="不是职业技能培训", actor=county.users[role])
    demand.refresh_from_db()
    assert (demand.status, demand.unmappable_reason) == ("unmatched", "")
    assert not AuditEvent.objects.filter(action="demand.unmappable").exists()
