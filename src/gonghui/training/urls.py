# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from .views import public

app_name = "training"
urlpatterns = [
    path("plans/", public.plan_list, name="plans"),
    path("plans/<int:plan_id>/", public.announcement, name="announcement"),
    path("plans/<int:plan_id>/notice/", public.notice, name="notice"),
    path("plans/<int:plan_id>/qr.svg", public.enrol_qr, name="enrol_qr"),
    path("plans/<int:plan_id>/enrol/", public.enrol, name="enrol"),
    path("plans/<int:plan_id>/cancel/", public.cancel, name="cancel"),
    path("checkin/<int:session_id>/<str:code>/", public.checkin_page, name="checkin"),
    path("sessions/<int:session_id>/screen/", public.checkin_screen, name="checkin_screen"),
]

# The three parties' pages (views/parties.py).
from .views import parties  # noqa: E402

urlpatterns += [
    path("demands/", parties.worker_demands, name="my_demands"),
    path("demands/<int:demand_id>/withdraw/", parties.withdraw, name="demand_withdraw"),
    path("skills/search/", parties.skill_search, name="skill_search"),
    path("me/", parties.my_training, name="my_training"),
    path("me/messages/", parties.my_messages, name="messages"),
    path("me/messages/read/", parties.messages_read, name="messages_read"),
    path("enterprise/demands/", parties.enterprise_demands, name="enterprise_demands"),
    path("enterprise/demands/import/", parties.enterprise_import, name="enterprise_import"),
    path(
        "enterprise/demands/template.xlsx", parties.enterprise_template, name="enterprise_template"
    ),
    path("enterprise/nominate/", parties.nominate, name="nominate"),
    path("enterprise/nominate/<int:plan_id>/", parties.nominate_plan, name="nominate_plan"),
    path("department/demands/", parties.department_demands, name="department_demands"),
    path("consult/", parties.consult, name="consult"),
    path("consult/<int:plan_id>/", parties.consult_opinion, name="consult_opinion"),
]
