"""Walk every page (console, portal, imports, training) with every role against the
neighbouring county's records (平湖, see tests/orgs/test_scope_walk.py).

No page may show anything of 平湖 (spreadsheets are opened and read too) or change it.
The walk must name every URL of the site, so a new page cannot slip past it.
"""

import io

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from gonghui.orgs.models import RosterImport
from gonghui.training.models import Enrollment, Session

from . import walk_extensions
from .orgs.test_scope_walk import MARK, ROLE_USERS, _fingerprint, world  # noqa: F401

#: Pages that hold nobody's records: login, language, health, one's own password.
NOT_SCOPED = {
    "home", "healthz", "set_language", "accounts:login", "accounts:send_code",
    "accounts:logout", "accounts:password_change", "favicon",
}  # fmt: skip


def _url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith(("admin/", "api/")):
                    continue
                walk(p.url_patterns, ns + (f"{p.namespace}:" if p.namespace else ""))
            elif isinstance(p, URLPattern) and p.name:
                names.add(ns + p.name)

    walk(get_resolver().url_patterns)
    return names


def _pages(o) -> dict[str, tuple[list, dict]]:
    """URL name → (args, POST data) aimed at 平湖's records."""
    union, person = o["union"].pk, o["person"].pk
    plan, session = o["plan"].pk, o["session"].pk
    imp = o["import"].pk
    return {
        "portal:profile": ([], {"mobile": "13911112222"}),
        "portal:enterprise": ([], {"enterprise": o["ent"].pk}),
        "training:plans": ([], {}),
        "training:announcement": ([plan], {}),
        "training:notice": ([plan], {}),
        "training:enrol_qr": ([plan], {}),
        "training:enrol": ([plan], {}),
        "training:cancel": ([plan], {}),
        "training:checkin": ([session, "AAAAAAAA"], {}),
        "training:checkin_screen": ([session], {}),
        "imports:index": ([], {"union": union}),
        "imports:template": ([], {}),
        "imports:export": ([], {}),
        "imports:detail": ([imp], {}),
        "imports:status": ([imp], {}),
        "imports:confirm": ([imp], {}),
        "imports:cancel": ([imp], {}),
        "imports:errors": ([imp], {}),
        "console:index": ([], {}),
        "console:tree": ([], {}),
        "console:unit": ([union], {}),
        "console:unit_create_child": ([o["town"].pk], {"name": "越权", "kind": "grassroots"}),
        "console:unit_rename": ([union], {"name": "越权改名"}),
        "console:unit_delete": ([union], {}),
        "console:unit_add_enterprise": ([union], {"name": "越权企业",
                                                  "credit_code": "91350100M000100Y43"}),
        "console:members": ([], {}),
        "console:member_new": ([], {"union": union, "name": "越权", "joined_on": "2025-01-01"}),
        "console:member": ([person], {}),
        "console:member_reveal": ([person, "id_number"], {}),
        "console:member_transfer": ([person], {"to_union": union, "date": "2025-01-01"}),
        "console:member_withdraw": ([person], {"date": "2025-01-01", "reason": "越权"}),
        "console:roles": ([], {"user": o["user"].pk, "role": "auditor", "org_unit": o["root"].pk}),
        "console:role_revoke": ([o["role"].pk], {}),
        "console:tokens": ([], {"name": "越权", "org_unit": o["root"].pk, "role": "auditor"}),
        "console:token_revoke": ([o["token"].pk], {}),
        "console:audit": ([], {}),
        "training_console:index": ([], {}),
        # The three parties' pages (training/views/parties.py).
        "training:my_demands": ([], {"free_text": "越权", "level": "l5",
                                     "preferred_time": "weekend", "mode": "onsite"}),
        "training:demand_withdraw": ([o["demand"].pk], {}),
        "training:skill_search": ([], {}),
        "training:my_training": ([], {}),
        "training:messages": ([], {}),
        "training:messages_read": ([], {"id": o["notification"].pk}),
        "training:enterprise_demands": ([], {"enterprise": o["ent"].pk, "headcount": 3,
                                             "level": "l5", "deadline": "2030-01-01"}),
        "training:enterprise_import": ([], {"enterprise": o["ent"].pk}),
        "training:enterprise_template": ([], {}),
        "training:nominate": ([], {}),
        "training:nominate_plan": ([plan], {"person": person}),
        "training:department_demands": ([], {"department": o["dept"].pk, "target_number": 3,
                                             "subsidy_per_person": "1", "policy_basis": "越权",
                                             "level": "l5", "deadline": "2030-01-01"}),
        "training:consult": ([], {}),
        "training:consult_opinion": ([plan], {"stance": "object", "text": "越权"}),
        "training_console:demands": ([], {}),
        "training_console:demand_map": ([o["demand"].pk], {"skill": o["skill"].pk}),
        "training_console:demand_unmappable": ([o["demand"].pk], {"reason": "越权"}),
        "training_console:demand_rebuild": ([], {}),
        "training_console:knowledge": ([], {}),
        "training_console:knowledge_edit": ([o["skill"].pk], {}),
        "training_console:skill_search": ([], {"q": "平湖"}),
        "training_console:items": ([], {}),
        "training_console:item_weights": ([], {"workers": 9, "enterprise_headcount": 1,
                                               "department_target": 1, "funding_per_10k": 1,
                                               "unmet_round": 1, "age_per_30_days": 1}),
        "training_console:item": ([o["item"].pk], {}),
        "training_console:plans": ([], {}),
        "training_console:plan_new": ([], {"org_unit": o["root"].pk, "title": "越权方案",
                                           "skill": o["skill"].pk, "level": "l5",
                                           "mode": "onsite", "capacity": 5,
                                           "cost_per_person": 0, "subsidy_per_person": 0,
                                           "target_completion_rate": 1,
                                           "target_certification_rate": 1,
                                           "target_satisfaction": 1}),
        "training_console:plan": ([plan], {}),
        "training_console:plan_course": ([plan], {"title": "越权", "hours": 1}),
        "training_console:plan_online": ([plan], {"online_courses": []}),
        "training_console:plan_session": ([plan], {"trainer": o["trainer"].pk,
                                                   "venue": o["venue"].pk,
                                                   "starts_at": "2030-01-01T09:00",
                                                   "ends_at": "2030-01-01T10:00"}),
        "training_console:plan_reschedule": ([plan], {"session": session,
                                                      "starts_at": "2030-01-02T09:00",
                                                      "ends_at": "2030-01-02T10:00",
                                                      "reason": "越权"}),
        "training_console:plan_consult": ([plan], {"closes_at": "2030-01-01T09:00"}),
        "training_console:plan_revise": ([plan], {"title": "越权", "mode": "onsite",
                                                  "capacity": 99, "cost_per_person": 0,
                                                  "subsidy_per_person": 0,
                                                  "target_completion_rate": 1,
                                                  "target_certification_rate": 1,
                                                  "target_satisfaction": 1, "reason": "越权",
                                                  "adopted": [o["opinion"].pk]}),
        "training_console:plan_transition": ([plan, "cancel"], {"reason": "越权"}),
        "training_console:opinion_reply": ([o["opinion"].pk], {"reply": "越权答复"}),
        "training_console:session_checkin": ([session], {"person": person, "reason": "越权"}),
        "training_console:trainers": ([], {}),
        "training_console:trainer_new": ([], {"name": "越权", "org_unit": o["root"].pk}),
        "training_console:trainer": ([o["trainer"].pk], {}),
        "training_console:trainer_edit": ([o["trainer"].pk], {"name": "越权",
                                                              "org_unit": o["root"].pk}),
        "training_console:venues": ([], {}),
        "training_console:venue_new": ([], {"name": "越权", "org_unit": o["root"].pk,
                                            "address": "越权", "capacity": 10}),
        "training_console:venue": ([o["venue"].pk], {}),
        "training_console:venue_edit": ([o["venue"].pk], {"name": "越权",
                                                          "org_unit": o["root"].pk,
                                                          "address": "越权", "capacity": 10}),
        "training_console:certificates": ([], {"name": "越权甲", "id_number": "x",
                                               "skill": o["skill"].pk, "level": "l5",
                                               "number": "越权", "issuer": "越权",
                                               "issued_on": "2025-01-01",
                                               "plan": plan}),
        "training_console:certificate_import": ([], {}),
        "training_console:certificate_errors": ([], {}),
        **walk_extensions.pages(o),
    }  # fmt: skip


@pytest.fixture
def pages_world(world):  # noqa: F811 - the fixture imported above
    o = world.other
    o["session"] = Session.objects.get(plan=o["plan"])
    o["import"] = RosterImport.objects.create(
        union=o["union"], created_by=o["user"], file_name="平湖名册.xlsx", status="previewed"
    )
    return world


def _text(res) -> str:
    body = b"".join(res.streaming_content) if res.streaming else res.content
    if res.get("Content-Type", "").startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    ):
        wb = load_workbook(io.BytesIO(body), read_only=True)
        return " ".join(
            str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
        )
    return body.decode("utf-8", "replace")


#: Pages that only ever act on the caller's own record: there only the neighbours' rows are
#: compared (a worker may change their own mobile number).
SELF_ONLY = {"portal:profile", "portal:enterprise", "training:my_demands"}


def _neighbours(o):
    from gonghui.orgs.models import Membership, Person

    return (
        sorted(Membership.objects.filter(union__path__startswith=o["root"].path).values_list()),
        sorted(Person.objects.filter(pk=o["person"].pk).values_list()),
    )


def _state():
    return (
        _fingerprint(),
        sorted(RosterImport.objects.values_list("id", "status")),
        sorted(Enrollment.objects.values_list("id", "status")),
    )


def test_walk_names_every_page(pages_world):
    assert (
        set(_pages(pages_world.other)) == _url_names() - NOT_SCOPED - walk_extensions.not_scoped()
    )


@pytest.mark.parametrize("who", [*ROLE_USERS, "anonymous"])
def test_no_page_shows_or_changes_the_neighbours_records(client, pages_world, who):
    if who != "anonymous":
        client.force_login(pages_world.users[who])
    o = pages_world.other
    # The state after one page's POST is the state before the next page's GET and POST, so a
    # GET that changed any row would fail here too; a self-only page may change the caller's
    # own rows, so the whole state is read again after one.
    last = None
    for name, (args, data) in _pages(o).items():
        url = reverse(name, args=args)
        res = client.get(url)
        assert MARK not in _text(res), (who, "GET", url, res.status_code)
        if name in SELF_ONLY:
            before = _neighbours(o)
            res = client.post(url, data)
            after, last = _neighbours(o), None
        else:
            before = last if last is not None else _state()
            res = client.post(url, data)
            after = last = _state()
        assert MARK not in _text(res), (who, "POST", url, res.status_code)
        assert after == before, (who, "GET and POST", url, res.status_code)
