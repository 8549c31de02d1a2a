"""The audit log speaks to people: action codes and object types in Chinese words, the codes
kept beside them (title attribute, filter)."""

import ast
import pathlib

import gonghui
from gonghui.core.audit_labels import action_label, action_words, object_type_label
from gonghui.core.domain import audit
from gonghui.mentorship.domain.imports import KINDS
from gonghui.mutualaid.domain.claims import ACTIONS as CLAIM_ACTIONS
from gonghui.network.enums import BookingState
from gonghui.orgs.models.imports import ImportStatus

SRC = pathlib.Path(gonghui.__file__).parent


def _codes_in_source() -> set[str]:
    """Every action code written as a literal in ``audit.record(...)``/``record_many``."""
    codes = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("record", "record_many")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                codes.add(node.args[0].value)
    return codes


def _built_codes() -> set[str]:
    """The codes built at run time (f-strings over a state or an action)."""
    return {
        *(f"roster_import.{s}" for s in ImportStatus.values),
        *(f"network.booking.{s}" for s in BookingState.values),
        *(f"mutualaid.claim.{a}" for a in CLAIM_ACTIONS),
        *(f"mentorship.import.{k}" for k in KINDS),
        *(f"{a}.status" for a in ("demand.map", "demand.withdraw", "demand.unmappable",
                                  "plan.demands")),
        "trainer.retire", "trainer.restore", "webhook.pause", "webhook.resume",
    }  # fmt: skip


def test_every_code_the_source_writes_has_words():
    codes = _codes_in_source()
    assert len(codes) > 150  # the scan finds the calls (a broken scan would find none)
    missing = sorted(c for c in codes | _built_codes() if not action_words(c)[1])
    assert missing == [], f"add words to core/audit_labels.py for: {missing}"


def test_words_and_a_readable_fallback():
    assert action_label("roster_import.resumed") == "花名册导入·恢复"
    assert action_label("mutualaid.claim.union_approve") == "互助申请·工会审核通过"
    assert action_label("demand.map.status") == "培训需求·对应技能"
    assert action_label("login") == "登录"
    # A code nobody named yet keeps its unknown part, the rest in words.
    assert action_words("roster_import.rewound") == ("花名册导入·rewound", False)
    assert action_label("zz") == "zz"
    assert object_type_label("orgs.RosterImport") == "名册导入"
    assert object_type_label("gone.Model") == "gone.Model"


def test_the_audit_page_shows_words_and_keeps_the_codes(client, county):
    imp_person = county.member_a.person
    audit.record("roster_import.resumed", actor=county.users["federation_staff"], obj=imp_person)
    client.force_login(county.users["auditor"])
    html = client.get("/console/audit/").content.decode()
    assert '<span class="audit-action" title="roster_import.resumed">花名册导入·恢复</span>' in html
    assert '<span class="muted" title="orgs.Person">职工</span>' in html
    assert ">roster_import.resumed<" not in html and ">orgs.Person<" not in html
    # The filter offers words with the code, and filters by the code.
    assert (
        '<option value="roster_import.resumed">花名册导入·恢复（roster_import.resumed）</option>'
        in html
    )
    res = client.get("/console/audit/?action=roster_import.resumed")
    assert res.context["page_obj"].paginator.count == 1
