from django.urls import path

from courses.views import catalogue, dashboard, lesson

app_name = "learn"

urlpatterns = [
    path("courses/", catalogue.catalogue, name="catalogue"),
    path("courses/<slug:slug>/", catalogue.course_detail, name="course"),
    path("courses/<slug:slug>/lessons/<int:lesson_id>/", lesson.lesson_detail, name="lesson"),
    path(
        "courses/<slug:slug>/lessons/<int:lesson_id>/exercises/<int:exercise_id>/answer/",
        lesson.answer,
        name="answer",
    ),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
]
