import json
import re

import pytest

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.training.domain.catalogue import (
    DATA_FILE,
    add_skill,
    add_synonym,
    catalogue_entries,
    load_catalogue,
    normalize_text,
)
from gonghui.training.enums import Level
from gonghui.training.models import Skill, SkillSynonym

ENTRIES = json.loads(DATA_FILE.read_text(encoding="utf-8"))["skills"]


# -- the shipped file ------------------------------------------------------------------


def test_shipped_catalogue_is_large_grouped_and_consistent():
    names = [e["name"] for e in ENTRIES]
    assert len(names) >= 150
    assert len(set(names)) == len(names)
    categories = {e["category"] for e in ENTRIES}
    assert len(categories) >= 10
    assert {"制造加工", "家政与照护", "电子商务与数字技能", "农业与农村", "通用素养"} <= categories
    for e in ENTRIES:
        assert e["levels"], e["name"]
        assert set(e["levels"]) <= set(Level.values), e["name"]
        assert e["levels"] == [lv for lv in Level.values if lv in e["levels"]], e["name"]
        code = e["occupation_code"]
        assert code == "" or re.fullmatch(r"\d-\d{2}-\d{2}-\d{2}", code), e["name"]
        assert bool(code) == bool(e.get("code_source")), e["name"]


def test_synonyms_are_unique_and_never_a_skill_name():
    names = {normalize_text(e["name"]) for e in ENTRIES}
    seen: dict[str, str] = {}
    for e in ENTRIES:
        for text in e["synonyms"]:
            key = normalize_text(text)
            assert key not in seen, f"{text} is under {seen.get(key)} and {e['name']}"
            assert key not in names, text
            seen[key] = e["name"]
    assert len(seen) >= 500


def test_named_skills_and_colloquial_words_are_there():
    by_name = {e["name"]: e for e in ENTRIES}
    expected = """电工 焊工 叉车司机 育婴员 养老护理员 互联网营销师 数控车工 中式烹调师 网约配送员
        办公软件应用 紧固件冷镦工 纺织挡车工 仪器仪表维修工 茶艺师 插花花艺师 水产养殖工
        安全生产管理"""
    for name in expected.split():
        assert name in by_name
    assert "开叉车" in by_name["叉车司机"]["synonyms"]
    assert "月嫂" in by_name["母婴护理员"]["synonyms"]
    assert {"带货", "直播"} <= set(by_name["互联网营销师"]["synonyms"])
    assert {"电脑", "Excel", "PPT", "WPS"} <= set(by_name["办公软件应用"]["synonyms"])
    assert by_name["焊工"]["occupation_code"] == "6-18-02-04"
    assert by_name["电工"]["occupation_code"] == "6-31-01-03"


# -- loading ---------------------------------------------------------------------------


def test_migration_loaded_the_whole_catalogue(db):
    assert Skill.objects.filter(builtin=True).count() == len(ENTRIES)
    assert SkillSynonym.objects.count() == sum(len(e["synonyms"]) for e in ENTRIES)
    welder = Skill.objects.get(name="焊工")
    assert welder.category == "制造加工"
    assert welder.levels == ["l5", "l4", "l3", "l2", "l1"]
    assert set(welder.synonyms.values_list("text", flat=True)) >= {"电焊", "焊接"}


def test_load_catalogue_is_idempotent_and_restores_missing_rows(db):
    assert load_catalogue().__dict__ == {"skills_created": 0, "synonyms_created": 0}
    Skill.objects.get(name="茶艺师").delete()  # its synonyms go with it
    result = load_catalogue()
    assert (result.skills_created, result.synonyms_created) == (1, 3)
    assert Skill.objects.count() == len(catalogue_entries())
    assert load_catalogue().skills_created == 0


def test_load_catalogue_keeps_staff_changes(db):
    tea = Skill.objects.get(name="茶艺师")
    tea.description = "工作人员改过"
    tea.save()
    load_catalogue()
    tea.refresh_from_db()
    assert tea.description == "工作人员改过"


# -- staff extending it ----------------------------------------------------------------


def test_staff_add_a_skill_with_synonyms(county):
    staff = county.users["federation_staff"]
    skill = add_skill(
        name=" 调酒师 ", category="餐饮", actor=staff, levels=["l4", "l5"],
        synonyms=["调酒", "鸡尾酒"],
    )  # fmt: skip
    assert (skill.name, skill.category, skill.levels, skill.builtin) == (
        "调酒师", "餐饮", ["l5", "l4"], False,
    )  # fmt: skip
    assert sorted(skill.synonyms.values_list("text", "source")) == [
        ("调酒", "staff"), ("鸡尾酒", "staff"),
    ]  # fmt: skip
    event = AuditEvent.objects.get(action="skill.create")
    assert event.actor == staff
    assert event.after["synonyms"] == ["调酒", "鸡尾酒"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "电工"}, "技能「电工」已在目录中"),
        ({"name": "电焊"}, "「电焊」已是技能「焊工」的同义词"),
        ({"name": ""}, "技能名称不能为空"),
        ({"category": " "}, "请填写技能类别"),
        ({"levels": []}, "请至少选择一个技能等级"),
        ({"levels": ["l9"]}, "未知的技能等级：l9"),
        ({"occupation_code": "6-31-1-3"}, "职业编码格式应为 X-XX-XX-XX，如 6-31-01-03"),
        ({"synonyms": ["叉车"]}, "「叉车」已是技能「叉车司机」的同义词"),
        ({"synonyms": ["电工"]}, "「电工」已是技能「电工」的名称"),
        ({"synonyms": ["调酒", "调酒"]}, "同义词「调酒」重复"),
        ({"synonyms": ["调酒师"]}, "同义词与技能名称相同，无需添加"),
    ],
)
def test_add_skill_refuses_bad_input_and_writes_nothing(county, kwargs, message):
    args = {"name": "调酒师", "category": "餐饮", "levels": ["l5"], **kwargs}
    before = (Skill.objects.count(), SkillSynonym.objects.count(), AuditEvent.objects.count())
    with pytest.raises(DomainError) as exc:
        add_skill(actor=county.users["federation_staff"], **args)
    assert exc.value.message == message
    assert (
        Skill.objects.count(),
        SkillSynonym.objects.count(),
        AuditEvent.objects.count(),
    ) == before


@pytest.mark.parametrize(
    "role", ["union_officer_a", "enterprise_contact_a", "department_liaison", "worker_a", "nobody"]
)
def test_only_federation_staff_extend_the_catalogue(county, role):
    before = (Skill.objects.count(), SkillSynonym.objects.count())
    with pytest.raises(PermissionDeniedError):
        add_skill(name="调酒师", category="餐饮", actor=county.users[role], levels=["l5"])
    with pytest.raises(PermissionDeniedError):
        add_synonym(Skill.objects.get(name="电工"), text="拉电线", actor=county.users[role])
    assert (Skill.objects.count(), SkillSynonym.objects.count()) == before


def test_staff_add_a_synonym(county):
    electrician = Skill.objects.get(name="电工")
    synonym = add_synonym(electrician, text=" 拉电线 ", actor=county.users["town_staff_a"])
    assert (synonym.text, synonym.skill, synonym.source) == ("拉电线", electrician, "staff")
    assert AuditEvent.objects.get(action="skill.add_synonym").after == {"synonym": "拉电线"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("电焊", "「电焊」已是技能「焊工」的同义词"),
        ("excel", "「excel」已是技能「办公软件应用」的同义词"),
        ("电工", "同义词与技能名称相同，无需添加"),
        ("焊工", "「焊工」已是技能「焊工」的名称"),
        ("  ", "同义词不能为空"),
        ("长" * 51, "同义词不能超过50个字"),
    ],
)
def test_add_synonym_refuses_duplicates(county, text, message):
    before = SkillSynonym.objects.count()
    with pytest.raises(DomainError) as exc:
        add_synonym(
            Skill.objects.get(name="电工"), text=text, actor=county.users["federation_staff"]
        )
    assert exc.value.message == message
    assert SkillSynonym.objects.count() == before
