# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF001
"""Writes for curricula. Keyword-only, validated, one transaction each."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from courses import quiz
from courses.localization import is_chinese
from courses.models import Course, Exercise, Lesson, QuizAttempt, Unit
from graders import grading, notebook
from teaching.limits import attempt_limit


class QuizSpecInvalid(ValueError):
    """A quiz definition with problems; `problems` lists every one of them."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class QuizAnswerRejected(Exception):
    """An answer that is not stored, with the HTTP status that fits and a message for learners
    in both languages (a seven-year-old in the Chinese interface reads this too)."""

    def __init__(self, message_en: str, message_zh: str, *, status_code: int = 400):
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh
        self.status_code = status_code

    def message(self, language: str | None = None) -> str:
        return self.message_zh if is_chinese(language) else self.message_en


# --- content ------------------------------------------------------------------------------------


def _next_position(queryset) -> int:
    return (queryset.aggregate(last=Max("position"))["last"] or 0) + 1


@transaction.atomic
def course_create(*, owner, slug: str, title_en: str, title_zh: str, age_band: str, **fields):
    """A course; `fields` are the optional ones (summary_en/zh, big_ideas, is_published).

    Raises django.core.exceptions.ValidationError for an unknown age band or big idea.
    """
    course = Course(
        owner=owner, slug=slug, title_en=title_en, title_zh=title_zh, age_band=age_band, **fields
    )
    course.full_clean()
    course.save()
    return course


@transaction.atomic
def unit_create(*, course: Course, title_en: str, title_zh: str, position: int | None = None):
    """A unit at `position`, by default after the course's last one."""
    if position is None:
        position = _next_position(course.units.all())
    return Unit.objects.create(
        course=course, position=position, title_en=title_en, title_zh=title_zh
    )


@transaction.atomic
def lesson_create(
    *,
    unit: Unit,
    title_en: str,
    title_zh: str,
    body_en: str = "",
    body_zh: str = "",
    position: int | None = None,
) -> Lesson:
    """A lesson (Markdown bodies) at `position`, by default after the unit's last one."""
    if position is None:
        position = _next_position(unit.lessons.all())
    return Lesson.objects.create(
        unit=unit,
        position=position,
        title_en=title_en,
        title_zh=title_zh,
        body_en=body_en,
        body_zh=body_zh,
    )


def _chinese_twin(source_nb, source_zh: bytes | str):
    """The Chinese twin, valid and grading exactly the cells of the English source."""
    try:
        twin = notebook.load_source(source_zh, max_bytes=settings.GRADER_MAX_NOTEBOOK_BYTES)
    except notebook.NotebookError as error:
        raise notebook.NotebookError(
            _("Chinese notebook: %(error)s") % {"error": error}, problems=error.problems
        ) from None
    problems = notebook.twin_problems(source_nb, twin)
    if problems:
        raise notebook.NotebookError(
            _("The Chinese notebook does not match the English one: %(problems)s.")
            % {"problems": "; ".join(str(problem) for problem in problems)},
            problems=problems,
        )
    return twin


@transaction.atomic
def exercise_create_notebook(
    *,
    owner,
    title: str,
    source: bytes | str,
    source_zh: bytes | str | None = None,
    limits: dict | None = None,
    is_published: bool = False,
) -> Exercise:
    """A notebook exercise from a teacher's nbgrader source notebook and, optionally, its
    Chinese twin (the same graded cells by grade_id, order, kind, points and hidden tests).

    Raises notebook.NotebookError (listing every problem) if either is not valid nbgrader or
    the twin does not match; nothing is stored then.
    """
    source_nb = notebook.load_source(source, max_bytes=settings.GRADER_MAX_NOTEBOOK_BYTES)
    twin = _chinese_twin(source_nb, source_zh) if source_zh is not None else None
    return Exercise.objects.create(
        owner=owner,
        title=title,
        kind=Exercise.Kind.NOTEBOOK,
        source_notebook=source_nb,
        released_notebook=notebook.release(source_nb),
        source_notebook_zh=twin if twin is not None else {},
        released_notebook_zh=notebook.release(twin) if twin is not None else {},
        max_score=grading.max_score_of(source_nb),
        limits=limits or {},
        is_published=is_published,
    )


@transaction.atomic
def exercise_create_quiz(
    *,
    owner,
    kind: str,
    title: str,
    spec: dict,
    lesson: Lesson | None = None,
    position: int | None = None,
    **fields,
) -> Exercise:
    """A quiz exercise; `fields` are the optional ones (title_zh, prompt_en/zh,
    explanation_en/zh, max_attempts, is_published). Its maximum score is the spec's points.

    Raises QuizSpecInvalid listing every problem with the spec; stores nothing then.
    """
    problems = quiz.validate_spec(kind, spec)
    if problems:
        raise QuizSpecInvalid(problems)
    if position is None:
        position = _next_position(lesson.exercises.all()) if lesson else 0
    return Exercise.objects.create(
        owner=owner,
        kind=kind,
        title=title,
        spec=spec,
        lesson=lesson,
        position=position,
        max_score=quiz.max_score(spec),
        **fields,
    )


# --- answers ------------------------------------------------------------------------------------


def notebook_rejection() -> QuizAnswerRejected:
    """Notebook exercises take submissions (graders/), not quiz answers."""
    return QuizAnswerRejected(
        "This exercise takes a notebook: submit it as a notebook, not as a quiz answer.",
        "这道题需要提交笔记本（notebook），而不是测验答案。",
    )


def quiz_answer_submit(*, learner, exercise: Exercise, answer: Any) -> QuizAttempt:
    """Mark a learner's answer to a quiz exercise and store it as their next attempt.

    Raises QuizAnswerRejected and stores nothing when the exercise takes a notebook (400), the
    answer is malformed (400), the learner has used all their attempts (409), or the stored spec
    is broken (409). Validation and marking happen before the transaction: they need no lock.
    """
    if exercise.is_notebook:
        raise notebook_rejection()
    if quiz.validate_spec(exercise.kind, exercise.spec):
        # Specs are checked when saved; one broken behind the services' back (a raw database
        # edit) must not turn into a server error or an unfair mark.
        raise QuizAnswerRejected(
            "This exercise cannot be answered right now. Please tell your teacher.",
            "这道题现在无法作答，请告诉你的老师。",
            status_code=409,
        )
    try:
        result = quiz.mark(exercise.kind, exercise.spec, answer)
    except quiz.AnswerError as error:
        raise QuizAnswerRejected(error.message_en, error.message_zh) from None
    User = get_user_model()
    for _try in range(3):
        try:
            with transaction.atomic():
                # Lock the learner's row: two answers sent at once cannot both take the last
                # attempt or the same attempt number.
                User.objects.select_for_update().filter(pk=learner.pk).first()
                used = (
                    QuizAttempt.objects.filter(learner=learner, exercise=exercise).aggregate(
                        last=Max("attempt")
                    )["last"]
                    or 0
                )
                # The learner's classes may allow more or fewer attempts than the exercise.
                limit = attempt_limit(learner=learner, exercise=exercise)
                if limit is not None and used >= limit:
                    raise QuizAnswerRejected(
                        f"You have used all {limit} attempts at this exercise.",
                        f"这道题的 {limit} 次作答机会你已经用完了。",
                        status_code=409,
                    )
                return QuizAttempt.objects.create(
                    learner=learner,
                    exercise=exercise,
                    attempt=used + 1,
                    answer=answer,
                    correct=result.correct,
                    score=result.score,
                    max_score=result.max_score,
                    feedback_en=result.feedback_en,
                    feedback_zh=result.feedback_zh,
                )
        except IntegrityError:
            continue  # a concurrent request took this attempt number (databases without locks)
    raise QuizAnswerRejected("Please try again.", "请再试一次。", status_code=409)
