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
