"""The lesson page (Markdown body, then its exercises) and the quiz form's answer view.

Answers are posted as plain forms and marked by the same service as the API; a marked answer
redirects back to the exercise (post/redirect/get), a refused one re-renders the lesson with the
learner's choices kept and the reason next to the exercise, with the service's status code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from courses import progress as learner_progress
from courses import services
from courses.localization import localized
from courses.markdown import asset_base, render_markdown
from courses.models import Course, Exercise, Lesson, QuizAttempt
from courses.views import quiz_forms
from courses.views.common import band_class, course_for, lesson_exercises, lesson_for
from graders.models import Submission


@dataclass
class ExerciseCard:
    """One exercise as the lesson page shows it, with the learner's state."""

    exercise: Exercise
    number: int
    title: str
    prompt: SafeString
    progress: learner_progress.ExerciseProgress
    answer_url: str = ""
    form: quiz_forms.QuizForm | None = None
    unavailable: bool = False  # a quiz whose stored definition is broken
    attempt: QuizAttempt | None = None  # the learner's latest answer
    error: str = ""  # why the answer just posted was refused
    submission: Submission | None = None  # notebooks: the best marked submission
    notebook_url: str = ""  # notebooks: where "Open the notebook" leads (a preview's own page)

    @property
    def dom_id(self) -> str:
        return f"exercise-{self.exercise.pk}"

    @property
    def verdict(self) -> str:
        if self.attempt is None:
            return ""
        if self.attempt.correct:
            return "right"
        return "partly" if self.attempt.score > 0 else "wrong"

    @property
    def explanation(self) -> str:
        """Only once the learner is done, so it cannot give the answer away (as in the API)."""
        if self.progress.correct or self.progress.out_of_attempts:
            return localized(self.exercise, "explanation")
        return ""


def _cards(
    request, course: Course, lesson: Lesson, posted: tuple[int, Any, str] | None = None
) -> list[ExerciseCard]:
    """`posted`: (exercise id, form state, error) of an answer just refused."""
    user = request.user
    base = asset_base(course.slug)
    exercises = list(lesson_exercises(user, lesson))
    progress = learner_progress.exercise_progress(learner=user, exercises=exercises)
    quiz_ids = [exercise.pk for exercise in exercises if not exercise.is_notebook]
    attempts = learner_progress.latest_quiz_attempts(learner=user, exercise_ids=quiz_ids)
    submissions = learner_progress.best_submissions(
        learner=user,
        exercise_ids=[exercise.pk for exercise in exercises if exercise.is_notebook],
    )
    cards = []
    for number, exercise in enumerate(exercises, start=1):
        card = ExerciseCard(
            exercise=exercise,
            number=number,
            title=localized(exercise, "title"),
            prompt=render_markdown(localized(exercise, "prompt"), base=base),
            progress=progress[exercise.pk],
        )
        just_posted = posted is not None and posted[0] == exercise.pk
        if just_posted:
            card.error = posted[2]
        if exercise.is_notebook:
            card.submission = submissions.get(exercise.pk)
            card.notebook_url = reverse("notebook:exercise", kwargs={"exercise_id": exercise.pk})
        elif quiz_forms.spec_problems(exercise):
            card.unavailable = True
        else:
            card.attempt = attempts.get(exercise.pk)
            card.answer_url = reverse(
                "learn:answer",
                kwargs={"slug": course.slug, "lesson_id": lesson.pk, "exercise_id": exercise.pk},
            )
            if just_posted:
                state = posted[1]
            elif card.attempt is not None:
                state = quiz_forms.state_from_answer(exercise, card.attempt.answer)
            else:
                state = None
            card.form = quiz_forms.build_form(exercise, learner=user, base=base, state=state)
        cards.append(card)
    return cards


_TITLE_LINE = re.compile(r"#[ \t]+(.*?)[ \t#]*")


def lesson_body(text: str, title: str, base: str | None) -> SafeString:
    """The lesson's Markdown as HTML under the page's own <h1> (the lesson title).

    Course files often open the body with the title as a heading: it is not repeated. Bodies
    that still use level-1 headings for their sections get every heading one level lower, so
    the page keeps a single <h1>.
    """
    first, _newline, rest = (text or "").lstrip().partition("\n")
    heading = _TITLE_LINE.fullmatch(first.strip())
    if heading and heading.group(1).strip() == title.strip():
        text = rest
    return render_markdown(text, base=base, below_h1=True)


def _neighbours(course: Course, lesson: Lesson) -> tuple[dict | None, dict | None]:
    """The lessons before and after this one in course order, with their pages' URLs."""
    lessons = list(
        Lesson.objects.filter(unit__course=course)
        .order_by("unit__position", "position", "id")
        .values("pk", "title_en", "title_zh")
    )
    index = next(i for i, row in enumerate(lessons) if row["pk"] == lesson.pk)
    before = lessons[index - 1] if index > 0 else None
    after = lessons[index + 1] if index + 1 < len(lessons) else None
    for row in (before, after):
        if row is not None:
            row["title"] = localized(row, "title")
            row["url"] = reverse(
                "learn:lesson", kwargs={"slug": course.slug, "lesson_id": row["pk"]}
            )
    return before, after


def script_strings() -> dict[str, str]:
    """Words the quiz script shows, translated here (the script has no catalogue of its own)."""
    return {
        "right": _("Right!"),
        "partly": _("Partly right."),
        "wrong": _("Not right yet."),
        "score": _("Score: %(score)s of %(max)s"),
        "attempt": _("Attempt %(number)s"),
        "attemptsLeft": _("Attempts left: %(count)s"),
        "noAttemptsLeft": _("No attempts left."),
        "why": _("Why"),
        "checking": _("Checking your answer…"),
        "failed": _("Your answer could not be sent. Check your connection and try again."),
        "twoInOnePlace": _("Two items are in place %(place)s: give each item its own place."),
        "moveUp": _("Move up: %(item)s"),
        "moveDown": _("Move down: %(item)s"),
        "moved": _("%(item)s is now in place %(place)s."),
        "done": _("Done"),
        "checkAgain": _("Check again"),
    }


def _render(request, course, lesson, *, posted=None, status=200):
    before, after = _neighbours(course, lesson)
    # Every link the template makes to the course comes from here (course_url, lesson_url, the
    # neighbours' and cards' URLs): a preview of a draft (courses/authoring/views/preview.py)
    # draws the same template with its own, so no link leads to a learner page of a draft.
    context = {
        "course": course,
        "lesson": lesson,
        "course_url": reverse("learn:course", kwargs={"slug": course.slug}),
        "lesson_url": reverse("learn:lesson", kwargs={"slug": course.slug, "lesson_id": lesson.pk}),
        "band_class": band_class(course.age_band),
        "body": lesson_body(
            localized(lesson, "body"), localized(lesson, "title"), asset_base(course.slug)
        ),
        "cards": _cards(request, course, lesson, posted),
        "previous_lesson": before,
        "next_lesson": after,
        "script_strings": script_strings(),
    }
    return render(request, "courses/lesson.html", context, status=status)


@require_GET
def lesson_detail(request, slug: str, lesson_id: int):
    course = course_for(request.user, slug)
    return _render(request, course, lesson_for(course, lesson_id))


@require_POST
def answer(request, slug: str, lesson_id: int, exercise_id: int):
    """Mark a quiz answer sent by the lesson page's form."""
    course = course_for(request.user, slug)
    lesson = lesson_for(course, lesson_id)
    exercise = get_object_or_404(lesson_exercises(request.user, lesson), pk=exercise_id)
    lesson_url = reverse("learn:lesson", kwargs={"slug": slug, "lesson_id": lesson.pk})
    if not request.user.is_authenticated:
        return redirect_to_login(f"{lesson_url}#exercise-{exercise.pk}")
    if exercise.is_notebook:
        rejection = services.notebook_rejection()
        return _render(
            request,
            course,
            lesson,
            posted=(exercise.pk, None, rejection.message()),
            status=rejection.status_code,
        )
    state = None
    try:
        if quiz_forms.spec_problems(exercise):
            answer_value = None  # the service refuses a broken definition with its own words
        else:
            state = quiz_forms.state_from_post(exercise, request.POST)
            answer_value = quiz_forms.answer_from_state(exercise, state)
        services.quiz_answer_submit(learner=request.user, exercise=exercise, answer=answer_value)
    except quiz_forms.FormProblem as problem:
        error, status = str(problem), 400
    except services.QuizAnswerRejected as rejection:
        error, status = rejection.message(), rejection.status_code
    else:
        return redirect(f"{lesson_url}#exercise-{exercise.pk}")
    return _render(request, course, lesson, posted=(exercise.pk, state, error), status=status)
