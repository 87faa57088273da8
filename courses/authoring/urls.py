"""Authoring pages for teachers and admins, under /teach/ (config/urls.py)."""

from django.urls import path

from courses.authoring.views import assets, courses, exercises, lessons, preview, units

app_name = "authoring"

COURSE = "courses/<int:pk>/"

urlpatterns = [
    path("", courses.course_list, name="courses"),
    path("courses/new/", courses.course_create, name="course_create"),
    path(COURSE, courses.course_detail, name="course"),
    path(f"{COURSE}settings/", courses.course_settings, name="course_settings"),
    path(f"{COURSE}edit/", courses.course_edit_start, name="course_edit"),
    path(f"{COURSE}discard/", courses.course_draft_discard, name="course_discard"),
    path(f"{COURSE}validate/", courses.course_validate, name="course_validate"),
    path(f"{COURSE}validation/", courses.validation_status, name="validation_status"),
    path(f"{COURSE}publish/", courses.course_publish, name="course_publish"),
    path(f"{COURSE}markdown/", lessons.markdown_preview, name="markdown_preview"),
    # Units
    path(f"{COURSE}units/new/", units.unit_add, name="unit_add"),
    path(f"{COURSE}units/<int:unit_id>/rename/", units.unit_rename, name="unit_rename"),
    path(f"{COURSE}units/<int:unit_id>/move/", units.unit_move, name="unit_move"),
    path(f"{COURSE}units/<int:unit_id>/delete/", units.unit_delete, name="unit_delete"),
    # Lessons
    path(f"{COURSE}units/<int:unit_id>/lessons/new/", lessons.lesson_add, name="lesson_add"),
    path(f"{COURSE}lessons/<int:lesson_id>/", lessons.lesson_edit, name="lesson"),
    path(f"{COURSE}lessons/<int:lesson_id>/move/", lessons.lesson_move, name="lesson_move"),
    path(f"{COURSE}lessons/<int:lesson_id>/delete/", lessons.lesson_delete, name="lesson_delete"),
    # Exercises
    path(
        f"{COURSE}lessons/<int:lesson_id>/exercises/new/",
        exercises.exercise_add_choose,
        name="exercise_add_choose",
    ),
    path(
        f"{COURSE}lessons/<int:lesson_id>/exercises/new/<str:kind>/",
        exercises.exercise_add,
        name="exercise_add",
    ),
    path(f"{COURSE}exercises/<int:exercise_id>/", exercises.exercise_edit, name="exercise"),
    path(
        f"{COURSE}exercises/<int:exercise_id>/yaml/",
        exercises.exercise_yaml,
        name="exercise_yaml",
    ),
    path(
        f"{COURSE}exercises/<int:exercise_id>/notebook/<str:language>.ipynb",
        exercises.notebook_download,
        name="notebook_download",
    ),
    path(
        f"{COURSE}exercises/<int:exercise_id>/move/",
        exercises.exercise_move,
        name="exercise_move",
    ),
    path(
        f"{COURSE}exercises/<int:exercise_id>/delete/",
        exercises.exercise_delete,
        name="exercise_delete",
    ),
    # Preview as a learner
    path(
        f"{COURSE}preview/lessons/<int:lesson_id>/",
        preview.lesson_preview,
        name="preview_lesson",
    ),
    path(
        f"{COURSE}preview/lessons/<int:lesson_id>/exercises/<int:exercise_id>/answer/",
        preview.preview_answer,
        name="preview_answer",
    ),
    path(
        f"{COURSE}preview/exercises/<int:exercise_id>/notebook/",
        preview.notebook_preview,
        name="preview_notebook",
    ),
    # Pictures and files: upload and delete in the course being edited; served for any course
    # row being authored (drafts have their own copies).
    path(f"{COURSE}assets/new/", assets.asset_upload, name="asset_upload"),
    path(f"{COURSE}assets/<int:asset_id>/delete/", assets.asset_delete, name="asset_delete"),
    path("assets/<int:course_id>/<path:name>", assets.asset, name="asset"),
]
