# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from .views import (
    console,
    console_delivery,
    console_demand,
    console_knowledge,
    console_plans,
    console_proposal,
    console_registries,
)

app_name = "training_console"
urlpatterns = [
    path("", console.index, name="index"),
    # demand list and items
    path("demands/", console_demand.demand_list, name="demands"),
    path("demands/<int:demand_id>/map/", console_demand.demand_map, name="demand_map"),
    path(
        "demands/<int:demand_id>/unmappable/",
        console_demand.demand_unmappable,
        name="demand_unmappable",
    ),
    path("demands/rebuild/", console_demand.demand_rebuild, name="demand_rebuild"),
    path("skills/search/", console_demand.skill_search, name="skill_search"),
    path("skills/knowledge/", console_knowledge.knowledge_list, name="knowledge"),
    path(
        "skills/<int:skill_id>/knowledge/", console_knowledge.knowledge_edit, name="knowledge_edit"
    ),
    path("items/", console_demand.item_list, name="items"),
    path("items/weights/", console_demand.item_weights, name="item_weights"),
    path("items/<int:item_id>/", console_demand.item_detail, name="item"),
    # plans
    path("plans/", console_plans.plan_list, name="plans"),
    path("plans/new/", console_plans.plan_new, name="plan_new"),
    path("plans/propose/", console_proposal.plan_propose, name="plan_propose"),
    path("decision/", console_proposal.decision_support, name="decision"),
    path("plans/<int:plan_id>/", console_plans.plan_detail, name="plan"),
    path("plans/<int:plan_id>/courses/", console_plans.plan_course, name="plan_course"),
    path("plans/<int:plan_id>/online/", console_plans.plan_online, name="plan_online"),
    path("plans/<int:plan_id>/sessions/", console_plans.plan_session, name="plan_session"),
    path("plans/<int:plan_id>/reschedule/", console_plans.plan_reschedule, name="plan_reschedule"),
    path("plans/<int:plan_id>/consultation/", console_plans.plan_consult, name="plan_consult"),
    path("plans/<int:plan_id>/revise/", console_plans.plan_revise, name="plan_revise"),
    path(
        "plans/<int:plan_id>/experts/",
        console_plans.plan_invite_expert,
        name="plan_invite_expert",
    ),
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
    path("registries/", console_registries.registry_page, name="registries"),
    path("registries/trainers.xlsx", console_registries.trainers_export, name="trainers_export"),
    path("registries/outcomes.xlsx", console_registries.outcomes_export, name="outcomes_export"),
    path(
        "registries/<str:which>/import/",
        console_registries.registry_import,
        name="registry_import",
    ),
    path("registries/errors.xlsx", console_registries.registry_errors, name="registry_errors"),
    path(
        "trainers/<int:trainer_id>/qualifications/",
        console_registries.trainer_qualification,
        name="trainer_qualification",
    ),
    path(
        "trainers/<int:trainer_id>/availability/",
        console_registries.trainer_availability,
        name="trainer_availability",
    ),
    # outcomes
    path("certificates/", console_delivery.certificate_list, name="certificates"),
    path("certificates/import/", console_delivery.certificate_import, name="certificate_import"),
    path(
        "certificates/import/errors.xlsx",
        console_delivery.certificate_errors,
        name="certificate_errors",
    ),
]
