# SPDX-License-Identifier: AGPL-3.0-or-later
"""The demo county: 海盐县总工会, its towns and streets, unions, enterprises, departments.

The names of the county, its towns and streets and its government departments are
real; every union below town level, every enterprise and every address is invented.
"""

import random
from dataclasses import dataclass, field

from ..enums import OrgKind
from ..models import Department, Enterprise, OrgUnit
from ..models.org import path_segment
from .identifiers import COUNTY_DIVISION, Identifiers

COUNTY_NAME = "海盐县总工会"
#: (town or street, grassroots unions directly under its federation)
TOWNS: tuple[tuple[str, int], ...] = (
    ("武原街道", 24),
    ("西塘桥街道", 16),
    ("望海街道", 12),
    ("秦山街道", 12),
    ("沈荡镇", 12),
    ("百步镇", 12),
    ("于城镇", 10),
    ("澉浦镇", 10),
    ("通元镇", 10),
)
AREA_TOWN = "西塘桥街道"
AREA_NAME = "西塘桥街道工业园区片区工会联合会"
AREA_GRASSROOTS = 6
INDUSTRY_NAME = "海盐县紧固件行业工会"
INDUSTRY_GRASSROOTS = 8
JOINT_KINDS = ("小微企业联合工会", "新就业形态劳动者联合工会")
#: Small enterprises in the county's joint unions (150 member-holding units, 400 enterprises).
JOINT_ENTERPRISES = 268
DEPARTMENTS = (
    "海盐县人力资源和社会保障局",
    "海盐县经济和信息化局",
    "海盐县教育局",
    "海盐县农业农村局",
    "海盐县商务局",
    "海盐县科学技术局",
    "海盐县住房和城乡建设局",
    "海盐县卫生健康局",
)

BRANDS = (
    "恒远", "华通", "金盛", "宏达", "天力", "新亚", "永固", "东方", "嘉诚", "盐海",
    "鑫隆", "正泰", "中意", "海丰", "联丰", "汇达", "博远", "瑞丰", "锦华", "通宇",
    "立信", "佳和", "万通", "富盛", "奥凯", "力源", "精工", "鼎盛", "明珠", "长城",
    "中盛", "国泰", "兴业", "荣达", "凯旋", "利民", "腾达", "宝利", "晨光", "天成",
    "裕隆", "华盛", "顺发", "海星", "南洋", "协力", "大成", "巨丰", "高新", "澳华",
    "金海", "宇达", "德力", "昌盛", "丰源", "华宇", "伟业", "银河", "新光", "泰山",
)  # fmt: skip
#: (trade in the name, GB/T 4754 industry)
TRADES: tuple[tuple[str, str], ...] = (
    ("机械", "通用设备制造业"),
    ("紧固件", "金属制品业"),
    ("五金", "金属制品业"),
    ("电子", "计算机、通信和其他电子设备制造业"),
    ("电器", "电气机械和器材制造业"),
    ("纺织", "纺织业"),
    ("服饰", "纺织服装、服饰业"),
    ("家具", "家具制造业"),
    ("新材料", "化学原料和化学制品制造业"),
    ("塑业", "橡胶和塑料制品业"),
    ("食品", "食品制造业"),
    ("包装", "造纸和纸制品业"),
    ("建材", "非金属矿物制品业"),
    ("汽车部件", "汽车制造业"),
    ("智能装备", "专用设备制造业"),
    ("物流", "道路运输业"),
    ("建设", "房屋建筑业"),
    ("科技", "软件和信息技术服务业"),
)
FASTENER_TRADES = (("紧固件", "金属制品业"), ("标准件", "金属制品业"))
#: (shop kind, GB/T 4754 industry) for the small enterprises of joint unions.
SMALL_TRADES: tuple[tuple[str, str, bool], ...] = (
    ("五金加工厂", "金属制品业", False),
    ("服装加工厂", "纺织服装、服饰业", False),
    ("塑料制品厂", "橡胶和塑料制品业", False),
    ("纸箱厂", "造纸和纸制品业", False),
    ("汽车维修部", "机动车、电子产品和日用产品修理业", True),
    ("超市", "零售业", True),
    ("餐饮店", "餐饮业", True),
    ("电器商行", "零售业", True),
    ("快递服务部", "邮政业", True),
    ("物流有限公司", "道路运输业", False),
    ("家政服务有限公司", "居民服务业", False),
    ("装饰工程有限公司", "建筑装饰、装修和其他建筑业", False),
)
ROADS = ("工业大道", "创业路", "兴业路", "科技路", "园区路", "环城路", "富民路", "盐湖路")


@dataclass
class UnitSpec:
    name: str
    kind: str
    parent: "UnitSpec | None"
    town: str = ""
    unit: OrgUnit | None = None
    enterprises: list["EnterpriseSpec"] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1


@dataclass
class EnterpriseSpec:
    name: str
    industry: str
    union: UnitSpec
    credit_code: str
    address: str
    weight: float
    enterprise: Enterprise | None = None


def town_short(town: str) -> str:
    return town.removesuffix("街道").removesuffix("镇")


class CountyPlan:
    """Names and structure of the county, decided before anything is written."""

    def __init__(self, rng: random.Random, ids: Identifiers):
        self.rng = rng
        self.ids = ids
        self._names: set[str] = set()
        self.county = UnitSpec(COUNTY_NAME, OrgKind.COUNTY, None)
        self.units: list[UnitSpec] = [self.county]
        self.towns: dict[str, UnitSpec] = {}
        self.enterprises: list[EnterpriseSpec] = []
        self._plan()

    # -- naming --------------------------------------------------------------------
    def _company_name(self, trades) -> tuple[str, str]:
        rng = self.rng
        while True:
            trade, industry = rng.choice(trades)
            place = rng.choices(("浙江", "海盐", "嘉兴"), (5, 4, 1))[0]
            suffix = rng.choices(("有限公司", "股份有限公司", "科技有限公司"), (8, 1, 1))[0]
            if trade == "科技" and suffix == "科技有限公司":
                suffix = "有限公司"
            name = f"{place}{rng.choice(BRANDS)}{trade}{suffix}"
            if name not in self._names:
                self._names.add(name)
                return name, industry

    def _shop_name(self, town: str) -> tuple[str, str, bool]:
        rng = self.rng
        while True:
            shop, industry, individual = rng.choice(SMALL_TRADES)
            name = f"海盐县{town_short(town)}{rng.choice(BRANDS)}{shop}"
            if name not in self._names:
                self._names.add(name)
                return name, industry, individual

    def _address(self, town: str) -> str:
        return f"浙江省嘉兴市海盐县{town}{self.rng.choice(ROADS)}{self.rng.randrange(1, 999)}号"

    # -- structure -----------------------------------------------------------------
    def _unit(self, name: str, kind: str, parent: UnitSpec, town: str) -> UnitSpec:
        spec = UnitSpec(name, kind, parent, town=town)
        self.units.append(spec)
        return spec

    def _grassroots(self, parent: UnitSpec, town: str, trades=TRADES) -> UnitSpec:
        rng = self.rng
        name, industry = self._company_name(trades)
        unit = self._unit(f"{name}工会", OrgKind.GRASSROOTS, parent, town)
        ent = EnterpriseSpec(
            name=name, industry=industry, union=unit, credit_code=self.ids.credit_code(),
            address=self._address(town), weight=rng.lognormvariate(4.0, 1.0),
        )  # fmt: skip
        unit.enterprises.append(ent)
        self.enterprises.append(ent)
        return unit

    def _plan(self) -> None:
        county = self.county
        industry = self._unit(INDUSTRY_NAME, OrgKind.INDUSTRY, county, "武原街道")
        joints: list[UnitSpec] = []
        for town, grassroots in TOWNS:
            t = self._unit(f"{town}总工会", OrgKind.TOWN, county, town)
            self.towns[town] = t
            parent_of_joint = t
            if town == AREA_TOWN:
                area = self._unit(AREA_NAME, OrgKind.AREA, t, town)
                for _ in range(AREA_GRASSROOTS):
                    self._grassroots(area, town)
                parent_of_joint = area
            for _ in range(grassroots):
                self._grassroots(t, town)
            joints.append(
                self._unit(f"{town}{JOINT_KINDS[0]}", OrgKind.JOINT, parent_of_joint, town)
            )
            joints.append(self._unit(f"{town}{JOINT_KINDS[1]}", OrgKind.JOINT, t, town))
        industry_town = [town for town, _ in TOWNS]
        for _ in range(INDUSTRY_GRASSROOTS):
            self._grassroots(industry, self.rng.choice(industry_town), FASTENER_TRADES)
        for i in range(JOINT_ENTERPRISES):
            joint = joints[i % len(joints)]
            name, industry_name, individual = self._shop_name(joint.town)
            ent = EnterpriseSpec(
                name=name, industry=industry_name, union=joint,
                credit_code=self.ids.credit_code(individual=individual),
                address=self._address(joint.town), weight=self.rng.lognormvariate(2.0, 0.6),
            )  # fmt: skip
            joint.enterprises.append(ent)
            self.enterprises.append(ent)

    @property
    def member_units(self) -> list[UnitSpec]:
        return [u for u in self.units if u.kind in (OrgKind.GRASSROOTS, OrgKind.JOINT)]


def create_units(plan: CountyPlan) -> None:
    """Bulk-insert the tree level by level; each path is the parent's plus own segment."""
    by_depth: dict[int, list[UnitSpec]] = {}
    for spec in plan.units:
        by_depth.setdefault(spec.depth, []).append(spec)
    for depth in sorted(by_depth):
        specs = by_depth[depth]
        objs = [
            OrgUnit(
                name=s.name,
                kind=s.kind,
                parent=s.parent.unit if s.parent else None,
                short_name=s.town if s.kind == OrgKind.TOWN else ("海盐县总" if depth == 0 else ""),
                division_code=COUNTY_DIVISION if s.kind in (OrgKind.COUNTY, OrgKind.TOWN) else "",
                path=f"tmp-{depth}-{i}",
                depth=depth,
            )
            for i, s in enumerate(specs)
        ]
        OrgUnit.objects.bulk_create(objs)
        for spec, obj in zip(specs, objs, strict=True):
            obj.path = (spec.parent.unit.path if spec.parent else "") + path_segment(obj.pk)
            spec.unit = obj
        OrgUnit.objects.bulk_update(objs, ["path"])


def create_enterprises(plan: CountyPlan, headcounts: list[int]) -> None:
    objs = [
        Enterprise(
            name=e.name,
            credit_code=e.credit_code,
            union=e.union.unit,
            industry=e.industry,
            address=e.address,
            headcount=h,
        )
        for e, h in zip(plan.enterprises, headcounts, strict=True)
    ]
    Enterprise.objects.bulk_create(objs)
    for spec, obj in zip(plan.enterprises, objs, strict=True):
        spec.enterprise = obj


def create_departments(plan: CountyPlan) -> dict[str, Department]:
    objs = [Department(name=name, org_unit=plan.county.unit) for name in DEPARTMENTS]
    Department.objects.bulk_create(objs)
    return {d.name: d for d in objs}
