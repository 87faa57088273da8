"""The learner's dashboard: their courses and how far they got, recent results, what to do
next, and their classes."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from courses import selectors
from courses.models import Course
from courses.progress import CourseProgress, Result, course_progress, recent_results
from courses.views.catalogue import continue_url


@dataclass
class CourseRow:
    course: Course
    progress: CourseProgress
    next_url: str


@dataclass
class ResultRow:
    result: Result
    course: Course | None
    url: str  # empty when the learner can no longer open the exercise


def _result_url(result: Result, visible_ids: set[int]) -> tuple[Course | None, str]:
    lesson = result.exercise.lesson
    if lesson is None:
        # A notebook exercise outside courses: its own page decides who may open it.
        if result.is_notebook:
            return None, reverse("notebook:exercise", args=[result.exercise.pk])
        return None, ""
    course = lesson.unit.course
    if course.pk not in visible_ids:
        return course, ""
    if result.is_notebook:
        return course, reverse("notebook:exercise", args=[result.exercise.pk])
    url = reverse("learn:lesson", kwargs={"slug": course.slug, "lesson_id": lesson.pk})
    return course, f"{url}#exercise-{result.exercise.pk}"


@login_required
@require_GET
def dashboard(request):
    user = request.user
    visible = list(selectors.courses_visible_to(user))
    visible_ids = {course.pk for course in visible}
    progress = course_progress(learner=user, courses=visible)
    assigned = set(Course.objects.filter(classrooms__learners=user).values_list("pk", flat=True))
    rows = [
        CourseRow(course, progress[course.pk], continue_url(course, progress[course.pk]))
        for course in visible
        if progress[course.pk].started or course.pk in assigned
    ]
    classes = list(user.classrooms.select_related("teacher").prefetch_related("courses"))
    for classroom in classes:
        classroom.visible_courses = [c for c in classroom.courses.all() if c.pk in visible_ids]
    results = [
        ResultRow(result, *_result_url(result, visible_ids))
        for result in recent_results(learner=user)
    ]
    context = {
        "in_progress": [row for row in rows if not row.progress.complete],
        "completed": [row for row in rows if row.progress.complete],
        "next_up": [row for row in rows if row.next_url],
        "results": results,
        "classes": classes,
    }
    return render(request, "courses/dashboard.html", context)
