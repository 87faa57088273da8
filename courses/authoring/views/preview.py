"""Preview as a learner: a lesson or a notebook exercise of a course being written (its draft,
or a course never published) drawn with the learner pages' own templates and helpers.

What differs from the learner's page, on purpose:
- a banner says it is a preview and for which age; the page has the age band's look;
- the teacher is shown as a learner who has not answered anything yet;
- quiz answers are marked by the server exactly as for learners (courses.quiz.mark) but never
  stored: the forms post to the preview (without the quiz script, which would store an answer
  through the API), and the mark is shown in place as the learner would see it;
- a notebook is shown as learners get it (released cells, stubs), with every control disabled:
  nothing can be checked, submitted or saved from a preview;
- every link into the course stays in the preview, without a script: the learner templates take
  their URLs from the context (the lesson's and course's, each notebook card's), and these views
  pass the preview's (the course's own link leads back to its outline).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from courses import quiz
from courses.authoring.views.assets import authoring_asset_base
from courses.authoring.views.common import authoring_view, lesson_in, live_course
from courses.localization import is_chinese, localized
from courses.markdown import render_markdown
from courses.models import AgeBand, Course, Exercise, Lesson, QuizAttempt
from courses.progress import ExerciseProgress
from courses.publishing import editable_course
from courses.views import quiz_forms
from courses.views.common import band_class
from courses.views.lesson import ExerciseCard, lesson_body
from courses.views.notebook import cells

NOTEBOOK_FIELDS = ("source_notebook", "released_notebook", "source_notebook_zh")


def _previewed(user, pk: int) -> tuple[Course, Course]:
    """The live course and the row previewed: what is being edited, else the live course."""
    live = live_course(user, pk)
    return live, editable_course(live) or live


def _fresh(exercise: Exercise, attempt: QuizAttempt | None = None) -> ExerciseProgress:
    """A learner who has not started (or has just answered once, in the preview)."""
    return ExerciseProgress(
        exercise_id=exercise.pk,
        is_notebook=exercise.is_notebook,
        max_score=exercise.max_score,
        max_attempts=exercise.max_attempts,
        attempts=1 if attempt is not None else 0,
        best_score=attempt.score if attempt is not None else None,
        correct=bool(attempt is not None and attempt.correct),
    )


def preview_cards(
    request, live: Course, course: Course, lesson: Lesson, posted: tuple | None = None
) -> list[ExerciseCard]:
    """The lesson's exercises as the learner page's cards. `posted`: (exercise id, form state,
    error, attempt) of an answer just marked (or refused) in the preview."""
    base = authoring_asset_base(course)
    exercises = (
        Exercise.objects.filter(lesson=lesson)
        .select_related("lesson__unit__course")
        .defer(*NOTEBOOK_FIELDS, "released_notebook_zh")
        .order_by("position", "id")
    )
    cards = []
    for number, exercise in enumerate(exercises, start=1):
        just_posted = posted is not None and posted[0] == exercise.pk
        attempt = posted[3] if just_posted else None
        card = ExerciseCard(
            exercise=exercise,
            number=number,
            title=localized(exercise, "title"),
            prompt=render_markdown(localized(exercise, "prompt"), base=base),
            progress=_fresh(exercise, attempt),
            attempt=attempt,
            error=posted[2] if just_posted else "",
        )
        if exercise.is_notebook:
            card.notebook_url = reverse(
                "authoring:preview_notebook", kwargs={"pk": live.pk, "exercise_id": exercise.pk}
            )
        elif quiz_forms.spec_problems(exercise):
            card.unavailable = True
        else:
            card.answer_url = reverse(
                "authoring:preview_answer",
                kwargs={"pk": live.pk, "lesson_id": lesson.pk, "exercise_id": exercise.pk},
            )
            state = posted[1] if just_posted else None
            card.form = quiz_forms.build_form(
                exercise, learner=request.user, base=base, state=state
            )
        cards.append(card)
    return cards


def age_words(age_band: str) -> dict[str, str]:
    return {"band": age_band, "label": str(AgeBand(age_band).label), "adult": age_band == "adult"}


def _neighbours(live: Course, course: Course, lesson: Lesson) -> tuple[dict | None, dict | None]:
    lessons = list(
        Lesson.objects.filter(unit__course=course).order_by("unit__position", "position", "id")
    )
    index = next(i for i, other in enumerate(lessons) if other.pk == lesson.pk)
    found = []
    for other in (
        lessons[index - 1] if index > 0 else None,
        lessons[index + 1] if index + 1 < len(lessons) else None,
    ):
        if other is None:
            found.append(None)
            continue
        url = reverse("authoring:preview_lesson", kwargs={"pk": live.pk, "lesson_id": other.pk})
        found.append({"url": url, "title": localized(other, "title")})
    return found[0], found[1]


def _editor_url(live: Course, course: Course, lesson: Lesson) -> str:
    """Back to the lesson's form, when the previewed course is the one being edited."""
    editable = editable_course(live)
    if editable is None or editable.pk != course.pk:
        return ""
    return reverse("authoring:lesson", kwargs={"pk": live.pk, "lesson_id": lesson.pk})


def _render_lesson(request, live, course, lesson, *, posted=None, status=200):
    before, after = _neighbours(live, course, lesson)
    context = {
        # The learner template's context (courses/views/lesson.py), for the previewed course,
        # with links that stay in the preview.
        "course": course,
        "lesson": lesson,
        "course_url": reverse("authoring:course", kwargs={"pk": live.pk}),
        "lesson_url": reverse(
            "authoring:preview_lesson", kwargs={"pk": live.pk, "lesson_id": lesson.pk}
        ),
        "band_class": f"{band_class(course.age_band)} learner-preview",
        "body": lesson_body(
            localized(lesson, "body"), localized(lesson, "title"), authoring_asset_base(course)
        ),
        "cards": preview_cards(request, live, course, lesson, posted),
        # The learner page's own lesson links would lead out of the preview; these stay in it.
        "previous_lesson": None,
        "next_lesson": None,
        # The preview's own.
        "live": live,
        "age": age_words(course.age_band),
        "preview_previous": before,
        "preview_next": after,
        "editor_url": _editor_url(live, course, lesson),
    }
    return render(request, "courses/authoring/preview_lesson.html", context, status=status)


@require_GET
@authoring_view
def lesson_preview(request, pk: int, lesson_id: int):
    live, course = _previewed(request.user, pk)
    return _render_lesson(request, live, course, lesson_in(course, lesson_id))


def _mark(exercise: Exercise, answer: Any) -> QuizAttempt:
    """The learner's mark, as quiz_answer_submit would store it, but unsaved."""
    result = quiz.mark(exercise.kind, exercise.spec, answer)
    return QuizAttempt(
        exercise=exercise,
        attempt=1,
        answer=answer,
        correct=result.correct,
        score=result.score,
        max_score=result.max_score,
        feedback_en=result.feedback_en,
        feedback_zh=result.feedback_zh,
    )


@require_POST
@authoring_view
def preview_answer(request, pk: int, lesson_id: int, exercise_id: int):
    """Mark an answer given in the preview and show the mark; nothing is stored."""
    live, course = _previewed(request.user, pk)
    lesson = lesson_in(course, lesson_id)
    exercise = get_object_or_404(Exercise, pk=exercise_id, lesson=lesson)
    if exercise.is_notebook or quiz_forms.spec_problems(exercise):
        raise Http404
    state = quiz_forms.state_from_post(exercise, request.POST)
    try:
        attempt = _mark(exercise, quiz_forms.answer_from_state(exercise, state))
    except quiz_forms.FormProblem as problem:
        posted, status = (exercise.pk, state, str(problem), None), 400
    except quiz.AnswerError as error:
        message = error.message_zh if is_chinese() else error.message_en
        posted, status = (exercise.pk, state, message, None), 400
    else:
        posted, status = (exercise.pk, state, "", attempt), 200
    return _render_lesson(request, live, course, lesson, posted=posted, status=status)


@require_GET
@authoring_view
def notebook_preview(request, pk: int, exercise_id: int):
    """The notebook page as a learner first opens it, every control disabled."""
    live, course = _previewed(request.user, pk)
    exercise = get_object_or_404(
        Exercise.objects.select_related("lesson__unit__course"),
        pk=exercise_id,
        lesson__unit__course=course,
        kind=Exercise.Kind.NOTEBOOK,
    )
    if not (exercise.released_notebook or {}).get("cells"):
        raise Http404
    language = exercise.notebook_language()
    display = cells.display_cells(exercise, {}, language)
    lesson = exercise.lesson
    context = {
        # The learner template's context (courses/views/notebook/page.py), nothing done yet.
        "exercise": exercise,
        "title": exercise.localized("title"),
        "prompt": render_markdown(exercise.localized("prompt"), base=authoring_asset_base(course)),
        "lesson": {
            "url": reverse(
                "authoring:preview_lesson", kwargs={"pk": live.pk, "lesson_id": lesson.pk}
            ),
            "title": lesson.localized("title"),
            "course": course.localized("title"),
        },
        "notebook_language": language,
        "no_translation": is_chinese() and language != exercise.CHINESE,
        "cells": [{"cell": cell, "outputs": [], "result": None} for cell in display],
        "has_answers": any(cell.kind in (cells.ANSWER_CODE, cells.ANSWER_TEXT) for cell in display),
        "latest": None,
        "attempts_used": 0,
        "attempts_left": exercise.max_attempts,
        "strings": {},
        "band_class": f"{band_class(course.age_band)} learner-preview",
        # The preview's own.
        "live": live,
        "age": age_words(course.age_band),
        "preview_lesson_url": reverse(
            "authoring:preview_lesson", kwargs={"pk": live.pk, "lesson_id": lesson.pk}
        ),
    }
    return render(request, "courses/authoring/preview_notebook.html", context)
