import pytest

from gonghui.core.models import AuditEvent
from gonghui.orgs.domain.errors import DomainError, PermissionDeniedError
from gonghui.training.domain.catalogue import add_skill, add_synonym, normalize_text
from gonghui.training.domain.demands import submit_worker_demand, withdraw_demand
from gonghui.training.domain.matching import (
    get_matcher,
    key_phrase,
    map_demand,
    match_pending_demands,
    match_text,
)
from gonghui.training.models import Demand, Skill, SkillSynonym

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
        ("照顾家里老人", "养老护理员"),  # no phrase: words 照顾 + 老人
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


@pytest.mark.parametrize("text", ["想学古琴", "今天天气不错", "学电气自动化", "", "？？？"])
def test_texts_that_name_no_skill_are_left_for_staff(db, text):
    assert match_text(text) is None


def test_phrase_confidence_reflects_a_second_skill(db):
    only = get_matcher().match("想学电焊")
    assert (only.confidence, only.method, only.phrase) == (1.0, "phrase", "电焊")
    both = get_matcher().match("电焊和开叉车")
    # 开叉车 (3 characters) against 电焊 (2): 0.6 + 0.4 × 3/5
    assert (Skill.objects.get(pk=both.skill_id).name, both.confidence) == ("叉车司机", 0.84)


def test_normalize_and_key_phrase():
    assert normalize_text(" 想学 ＥＸＣＥＬ！") == "想学excel"
    assert key_phrase("我想学调酒技术") == "调酒"
    assert key_phrase("想学古琴") == "古琴"
    assert key_phrase("学习") == "学习"


def test_matcher_is_cached_until_the_catalogue_changes(county):
    first = get_matcher()
    assert get_matcher() is first
    assert first.match("挂电表") is None
    add_synonym(
        Skill.objects.get(name="电工"), text="挂电表", actor=county.users["federation_staff"]
    )
    second = get_matcher()
    assert second is not first
    assert Skill.objects.get(pk=second.match("挂电表").skill_id).name == "电工"
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
        for text in ["想学古琴", "古琴入门", "古琴入门", "想学调酒"]
    ]
    assert {d.status for d in demands} == {"unmatched"}
    map_demand(demands[0], skill=Skill.objects.get(name="器乐演奏"), actor=staff)
    stats = match_pending_demands(actor=staff)
    assert (stats.examined, stats.unique_texts, stats.matched) == (3, 2, 2)
    assert sorted(Demand.objects.values_list("free_text", "status", "match_method")) == [
        ("古琴入门", "matched", "auto"),
        ("古琴入门", "matched", "auto"),
        ("想学古琴", "matched", "staff"),
        ("想学调酒", "unmatched", ""),
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
