# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from .views import portal

app_name = "learning"
urlpatterns = [
    path("", portal.home, name="home"),
    path("courses/<int:course_id>/", portal.course, name="course"),
    path("courses/<int:course_id>/enroll/", portal.enroll, name="enroll"),
    path("lessons/<int:lesson_id>/", portal.lesson, name="lesson"),
    path("lessons/<int:lesson_id>/read/", portal.mark_read, name="mark_read"),
    path("videos/<int:video_id>/<str:name>", portal.video_file, name="video_file"),
    path("practice/", portal.banks, name="banks"),
    path("practice/<int:bank_id>/", portal.practise, name="practise"),
    path("practice/<int:bank_id>/exam/", portal.exam_start, name="exam_start"),
    path("exams/<int:attempt_id>/", portal.exam, name="exam"),
    path("library/", portal.library_home, name="library"),
    path("library/<int:room_id>/card/", portal.library_card, name="library_card"),
    path("library/<int:room_id>/borrow/", portal.library_borrow, name="library_borrow"),
    path("library/<int:room_id>/return/", portal.library_return, name="library_return"),
    path("library/loans/<int:loan_id>/renew/", portal.library_renew, name="library_renew"),
]
