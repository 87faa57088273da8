"""courses/progress.py: when an exercise counts as done, best scores, course totals and what
comes next — in a fixed number of queries whatever the number of exercises or courses."""

import pytest

from courses import progress, services
from graders.results import FAILED, NEEDS_REVIEW
from tests import factories
from tests.courses.conftest import attach_notebook, make_course, make_lesson, make_quiz

pytestmark = pytest.mark.django_db


def answer(learner, exercise, value):
    return services.quiz_answer_submit(learner=learner, exercise=exercise, answer=value)


def one(learner, exercise) -> progress.ExerciseProgress:
    return progress.exercise_progress(learner=learner, exercises=[exercise])[exercise.pk]


def test_nothing_done_yet(school):
    state = one(school.student, school.quizzes["true_false"])
    assert (state.started, state.done, state.attempts, state.best_score) == (False, False, 0, None)
    assert state.attempts_left is None  # no limit


def test_a_right_answer_is_done_and_the_best_score_stays(school):
    exercise = school.quizzes["multiple_choice"]
    answer(school.student, exercise, ["camera"])  # half right
    state = one(school.student, exercise)
    assert state.started and not state.done and state.best_score == 0.5
    answer(school.student, exercise, ["camera", "microphone"])
    answer(school.student, exercise, [])  # worse later: the best one counts
    state = one(school.student, exercise)
    assert state.done and state.correct and state.best_score == 1 and state.attempts == 3


def test_all_attempts_used_is_done_even_when_wrong(school):
    exercise = make_quiz(school.teacher, school.lesson, "true_false", max_attempts=2)
    answer(school.student, exercise, True)
    state = one(school.student, exercise)
    assert not state.done and state.attempts_left == 1
    answer(school.student, exercise, True)
    state = one(school.student, exercise)
    assert state.done and state.out_of_attempts and not state.correct and state.best_score == 0


def test_a_notebook_is_done_once_a_submission_is_graded_or_under_review(school):
    learner, exercise = school.student, school.notebook
    queued = factories.make_submission(learner, exercise)
    assert not one(learner, exercise).done  # waiting: not marked
    failed = factories.grade_result(status=FAILED)
    factories.finish_submission(queued, failed)
    assert not one(learner, exercise).done  # failed: does not count
    review = factories.grade_result(status=NEEDS_REVIEW)
    factories.finish_submission(factories.make_submission(learner, exercise), review)
    state = one(learner, exercise)
    assert state.done and state.attempts == 1 and state.best_score == review.score
    factories.finish_submission(factories.make_submission(learner, exercise))
    assert one(learner, exercise).attempts == 2


def test_a_check_is_not_a_submission(school):
    from graders import services as grader_services

    check = grader_services.submission_create(
        learner=school.student,
        exercise=school.notebook,
        content=factories.submitted_notebook(),
        purpose="check",
    )
    factories.finish_submission(check)
    assert not one(school.student, school.notebook).started


def test_one_learners_work_is_not_anothers(school):
    answer(school.outsider, school.quizzes["true_false"], False)
    factories.finish_submission(factories.make_submission(school.outsider, school.notebook))
    assert not one(school.student, school.quizzes["true_false"]).started
    assert not one(school.student, school.notebook).started


def test_an_anonymous_visitor_has_no_progress_and_costs_no_query(school, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        result = progress.exercise_progress(
            learner=AnonymousUser(), exercises=list(school.quizzes.values())
        )
    assert not any(state.started for state in result.values())


def test_course_totals_next_exercise_and_lessons(school):
    quizzes = school.quizzes
    answer(school.student, quizzes["single_choice"], "sensor")  # done, 1
    answer(school.student, quizzes["ordering"], ["label", "collect", "train", "test"])  # 5/6
    factories.finish_submission(factories.make_submission(school.student, school.notebook))
    result = progress.course_progress(learner=school.student, courses=[school.public])
    course = result[school.public.pk]
    assert (course.total, course.done) == (9, 2)
    assert course.score == pytest.approx(1 + 5 / 6 + 4.5)
    assert course.max_score == 18 and course.percent == 22 and course.started
    assert course.next_exercise.pk == quizzes["multiple_choice"].pk
    assert course.lessons[school.lesson.pk].done == 2
    assert school.second_lesson.pk not in course.lessons  # no exercises there


def test_unpublished_exercises_do_not_count(school):
    make_quiz(school.teacher, school.lesson, "true_false", published=False)
    assert (
        progress.course_progress(learner=school.student, courses=[school.public])[
            school.public.pk
        ].total
        == 9
    )


def test_next_exercise_follows_unit_lesson_and_exercise_order(school):
    course = make_course(school.teacher, "ordered")
    late_unit_lesson = make_lesson(course, "Later unit")  # unit 1
    early = services.unit_create(course=course, title_en="First", title_zh="第一", position=0)
    first_lesson = make_lesson(course, "First lesson", unit=early)
    late = make_quiz(school.teacher, late_unit_lesson, "true_false")
    second = make_quiz(school.teacher, first_lesson, "true_false", position=5)
    first = make_quiz(school.teacher, first_lesson, "true_false", position=2)
    order = []
    for _ in range(3):
        state = progress.course_progress(learner=school.student, courses=[course])[course.pk]
        order.append(state.next_exercise.pk)
        answer(school.student, state.next_exercise, False)
    assert order == [first.pk, second.pk, late.pk]
    state = progress.course_progress(learner=school.student, courses=[course])[course.pk]
    assert state.complete and state.next_exercise is None and state.percent == 100


def test_course_progress_costs_a_fixed_number_of_queries_for_any_number_of_courses(
    school, django_assert_num_queries
):
    courses = [school.public, school.assigned]
    answer(school.student, school.quizzes["true_false"], False)
    # Three, and one for the class attempt limits (teaching.limits) once a quiz is answered.
    with django_assert_num_queries(4):
        progress.course_progress(learner=school.student, courses=courses)
    for index in range(3):
        extra = make_course(school.teacher, f"more-{index}")
        lesson = make_lesson(extra)
        for kind in ("true_false", "numeric"):
            answer(
                school.student,
                make_quiz(school.teacher, lesson, kind),
                1 if kind == "numeric" else True,
            )
        attach_notebook(school.teacher, lesson)
        courses.append(extra)
    with django_assert_num_queries(4):
        result = progress.course_progress(learner=school.student, courses=courses)
    assert all(result[course.pk].started for course in courses[2:])


def test_outline_lists_units_and_lessons_with_tallies(school):
    answer(school.student, school.quizzes["true_false"], False)
    units, overall = progress.course_outline(course=school.public, learner=school.student)
    assert [outline.unit for outline in units] == [school.lesson.unit]
    lessons = units[0].lessons
    assert [item.lesson for item in lessons] == [school.lesson, school.second_lesson]
    assert (lessons[0].tally.done, lessons[0].tally.total) == (1, 9)
    assert lessons[1].tally.total == 0 and overall.done == 1


def test_latest_attempts_and_best_submissions(school, django_assert_num_queries):
    exercise = school.quizzes["numeric"]
    answer(school.student, exercise, 1)
    last = answer(school.student, exercise, 2)
    factories.finish_submission(factories.make_submission(school.student, school.notebook))
    with django_assert_num_queries(2):
        latest = progress.latest_quiz_attempts(
            learner=school.student, exercise_ids=[q.pk for q in school.quizzes.values()]
        )
    assert latest == {exercise.pk: last}
    with django_assert_num_queries(2):
        best = progress.best_submissions(learner=school.student, exercise_ids=[school.notebook.pk])
    assert best[school.notebook.pk].score == 4.5


def test_recent_results_mix_quizzes_and_notebooks_newest_first(school):
    first = answer(school.student, school.quizzes["true_false"], True)
    submission = factories.finish_submission(
        factories.make_submission(school.student, school.notebook)
    )
    last = answer(school.student, school.quizzes["numeric"], 5.5)
    results = progress.recent_results(learner=school.student)
    assert [r.exercise.pk for r in results] == [
        last.exercise_id,
        submission.exercise_id,
        first.exercise_id,
    ]
    assert [r.is_notebook for r in results] == [False, True, False]
    assert results[0].correct and not results[2].correct
    assert results[1].score == 4.5 and results[1].status == "graded"
    assert progress.recent_results(learner=school.student, limit=2)[-1].is_notebook
