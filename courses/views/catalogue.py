"""The catalogue (courses grouped by age band, with a band filter) and a course's page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from courses import selectors
from courses.models import AgeBand, BigIdea, Course
from courses.progress import CourseProgress, course_outline, course_progress
from courses.views.common import band_class, course_for


def continue_url(course: Course, progress: CourseProgress) -> str:
    """Where "continue" goes: the next exercise not done yet, on its lesson's page."""
    exercise = progress.next_exercise
    if exercise is None:
        return ""
    lesson_url = reverse(
        "learn:lesson", kwargs={"slug": course.slug, "lesson_id": exercise.lesson_id}
    )
    return f"{lesson_url}#exercise-{exercise.pk}"


def big_idea_labels(course: Course) -> list[str]:
    labels = dict(BigIdea.choices)
    return [labels[idea] for idea in course.big_ideas if idea in labels]


@dataclass
class CourseCard:
    course: Course
    big_ideas: list[str]
    progress: CourseProgress | None


@require_GET
def catalogue(request):
    # An unknown band shows every course rather than an error: it is only a filter.
    band = request.GET.get("band", "")
    if band not in AgeBand.values:
        band = ""
    courses = selectors.courses_visible_to(request.user).annotate(
        lesson_count=Count("units__lessons", distinct=True)
    )
    if band:
        courses = courses.filter(age_band=band)
    courses = list(courses)
    signed_in = request.user.is_authenticated
    progress = course_progress(learner=request.user, courses=courses) if signed_in else {}
    groups = []
    for value, label in AgeBand.choices:
        cards = [
            CourseCard(course, big_idea_labels(course), progress.get(course.pk))
            for course in courses
            if course.age_band == value
        ]
        if cards:
            groups.append({"band": value, "label": label, "cards": cards})
    context = {
        "groups": groups,
        "bands": AgeBand.choices,
        "band": band,
        "band_class": band_class(band),
    }
    return render(request, "courses/catalogue.html", context)


@require_GET
def course_detail(request, slug: str):
    course = course_for(request.user, slug)
    units, progress = course_outline(course=course, learner=request.user)
    first_lesson = next((lesson for unit in units for lesson in unit.lessons), None)
    context = {
        "course": course,
        "band_class": band_class(course.age_band),
        "big_ideas": big_idea_labels(course),
        "units": units,
        "progress": progress,
        "continue_url": continue_url(course, progress),
        "first_lesson": first_lesson.lesson if first_lesson else None,
    }
    return render(request, "courses/course.html", context)
