from django.urls import path

from .views import console, console_delivery, console_demand, console_plans

app_name = "training_console"
urlpatterns = [
    path("", console.index, name="index"),
    # demand list and items
    path("demands/", console_demand.demand_list, name="demands"),
    path("demands/<int:demand_id>/map/", console_demand.demand_map, name="demand_map"),
    path("demands/rebuild/", console_demand.demand_rebuild, name="demand_rebuild"),
    path("skills/search/", console_demand.skill_search, name="skill_search"),
    path("items/", console_demand.item_list, name="items"),
    path("items/weights/", console_demand.item_weights, name="item_weights"),
    path("items/<int:item_id>/", console_demand.item_detail, name="item"),
    # plans
    path("plans/", console_plans.plan_list, name="plans"),
    path("plans/new/", console_plans.plan_new, name="plan_new"),
    path("plans/<int:plan_id>/", console_plans.plan_detail, name="plan"),
    path("plans/<int:plan_id>/courses/", console_plans.plan_course, name="plan_course"),
    path("plans/<int:plan_id>/sessions/", console_plans.plan_session, name="plan_session"),
    path("plans/<int:plan_id>/reschedule/", console_plans.plan_reschedule, name="plan_reschedule"),
    path("plans/<int:plan_id>/consultation/", console_plans.plan_consult, name="plan_consult"),
    path("plans/<int:plan_id>/revise/", console_plans.plan_revise, name="plan_revise"),
    path(
        "plans/<int:plan_id>/transition/<str:action>/",
        console_plans.plan_transition,
        name="plan_transition",
    ),
    path("opinions/<int:opinion_id>/reply/", console_plans.opinion_reply, name="opinion_reply"),
    path(
        "sessions/<int:session_id>/checkin/",
        console_plans.session_checkin,
        name="session_checkin",
    ),
    # trainers and venues
    path("trainers/", console_delivery.trainer_list, name="trainers"),
    path("trainers/new/", console_delivery.trainer_new, name="trainer_new"),
    path("trainers/<int:trainer_id>/", console_delivery.trainer_detail, name="trainer"),
    path("trainers/<int:trainer_id>/edit/", console_delivery.trainer_edit, name="trainer_edit"),
    path("venues/", console_delivery.venue_list, name="venues"),
    path("venues/new/", console_delivery.venue_new, name="venue_new"),
    path("venues/<int:venue_id>/", console_delivery.venue_detail, name="venue"),
    path("venues/<int:venue_id>/edit/", console_delivery.venue_edit, name="venue_edit"),
    # outcomes
    path("certificates/", console_delivery.certificate_list, name="certificates"),
    path("certificates/import/", console_delivery.certificate_import, name="certificate_import"),
    path(
        "certificates/import/errors.xlsx",
        console_delivery.certificate_errors,
        name="certificate_errors",
    ),
]
