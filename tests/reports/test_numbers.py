"""Every report's figures on the small world of conftest.py, worked out by hand there.

Shares are fractions rounded to 4 places, as the reports give them. REPORTS_MIN_GROUP_SIZE is 1
unless a test says otherwise, so nothing is suppressed by accident.
"""

from datetime import date

import pytest

from reports import stats
from reports.base import REGISTRY, ReportFilters, ReportScope
from reports.models import LearnerDayStat, LearnerExerciseStat
from tests.reports.conftest import answer, at

pytestmark = pytest.mark.django_db

PLATFORM = ReportScope(school_id=None, show_names=False)
MARCH = ReportFilters(start=date(2026, 3, 1), end=date(2026, 3, 31))

SLUGS = {
    "activity",
    "completion-by-course",
    "completion-by-unit",
    "completion-by-exercise",
    "completion-by-age-band",
    "completion-by-school",
    "completion-by-class",
    "score-distribution",
    "hardest-exercises",
    "stalled-learners",
    "grading-health",
}


def build(slug, scope=PLATFORM, filters=MARCH):
    return REGISTRY[slug].build(scope, filters)


def shown(table, *keys):
    return [tuple(row[key] for key in keys) for row in table.rows]


def school_scope(school):
    return ReportScope(school_id=school.pk, show_names=True)


def test_every_report_family_is_registered():
    assert set(REGISTRY) >= SLUGS
    for slug in SLUGS:
        report = REGISTRY[slug]
        assert report.slug == slug
        # Stalled learners names learners only where the scope shows names (its own branch).
        assert not report.names_learners


def test_every_row_has_every_column_and_only_known_kinds(report_world):
    for slug in SLUGS:
        table = build(slug)
        assert table.slug == slug
        keys = [column.key for column in table.columns]
        assert len(keys) == len(set(keys))
        for row in table.rows:
            assert set(keys) <= set(row), (slug, row)
        if table.chart:
            assert table.chart.x in keys
            assert set(table.chart.y) <= set(keys)


def test_completion_by_course(report_world):
    table = build("completion-by-course")
    keys = ("course", "age_band", "exercises", "learners", "completed", "completion", "score")
    # Robots: a1 a2 a3 b1 x answered; a1 did all 3 exercises; done 3+2+0+2+1 = 8 of 5 x 3;
    # scores over what they answered: (3+8)+(0+2)+0+(1+10)+1 = 25 of 13+3+1+11+1 = 29.
    # Data: b1 right, b2 wrong twice: 1 completed, 1 of 2 done, score 1 of 2.
    assert shown(table, *keys) == [
        ("Data", "Ages 12-14", 1, 2, 1, 0.5, 0.5),
        ("Robots", "Ages 9-11", 3, 5, 1, round(8 / 15, 4), round(25 / 29, 4)),
    ]
    assert table.suppressed == 0


def test_completion_by_unit(report_world):
    table = build("completion-by-unit")
    # Unit 1 (Q1, Q2): a1 and a2 (Q1 out of attempts) did both; done 2+2+0+1+1 = 6 of 10;
    # scores 3/3 + 2/3 + 0/1 + 1/1 + 1/1 = 7/9. Unit 2 counts N1 only (Q3 is unpublished).
    assert shown(table, "course", "unit", "exercises", "learners", "completed", "completion") == [
        ("Data", "1. Tables", 1, 2, 1, 0.5),
        ("Robots", "1. Sensing", 2, 5, 2, 0.6),
        ("Robots", "2. Coding", 1, 2, 2, 1.0),
    ]
    assert shown(table, "score") == [(0.5,), (round(7 / 9, 4),), (0.9,)]


def test_completion_by_exercise(report_world):
    table = build("completion-by-exercise")
    keys = ("exercise", "learners", "done_share", "pass_rate", "attempts_per_learner", "score")
    assert shown(table, *keys) == [
        # b1 right once, b2 wrong twice (unlimited attempts: not done).
        ("Q4", 2, 0.5, 0.5, 1.5, 0.5),
        # a1 right, a2 out of attempts, a3 wrong once, b1 and x right; attempts 1+2+1+1+1.
        ("Q1", 5, 0.8, 0.6, 1.2, 0.6),
        ("Q2", 2, 1.0, 1.0, 1.5, 1.0),
        # a1 8/10, b1 10/10 (its failed submission is no attempt); a2's is still queued.
        ("N1", 2, 1.0, 0.5, 1.0, 0.9),
    ]


def test_completion_by_age_band(report_world):
    table = build("completion-by-age-band")
    assert shown(table, "age_band", "learners", "completed", "completion", "score") == [
        ("Ages 9-11", 5, 1, round(8 / 15, 4), round(25 / 29, 4)),
        ("Ages 12-14", 2, 1, 0.5, 0.5),
    ]


def test_completion_by_school_counts_a_learner_of_two_classes_once(report_world):
    table = build("completion-by-school")
    # Alpha: a1 (in A1 and A2), a2, a3 in Robots: done 3+2+0 of 9; scores 11+2+0 of 13+3+1.
    # Beta: b1 in both courses, b2 in Data: done 2+1+0 of 3+1+1; scores 11+1+0 of 11+1+1.
    # x is in no school's class.
    assert shown(table, "school", "learners", "completed", "completion", "score") == [
        ("Alpha School", 3, 1, round(5 / 9, 4), round(13 / 17, 4)),
        ("Beta School", 2, 1, 0.6, round(12 / 13, 4)),
    ]


def test_completion_by_class(report_world):
    table = build("completion-by-class")
    assert shown(table, "school", "classroom", "learners", "completed", "completion") == [
        ("Alpha School", "A1", 3, 1, round(5 / 9, 4)),
        ("Alpha School", "A2", 1, 1, 1.0),
        ("Beta School", "B1", 2, 1, 0.6),
    ]


def test_score_distribution(report_world):
    table = build("score-distribution")
    # Learner-course scores: a1 11/13 (band 80), a2 2/3 (60), a3 0, b1 1.0 and 1.0, x 1.0, b2 0.
    learners = {row["band"]: row["learners"] for row in table.rows}
    assert learners == {
        "0-9%": 2,
        "10-19%": 0,
        "20-29%": 0,
        "30-39%": 0,
        "40-49%": 0,
        "50-59%": 0,
        "60-69%": 1,
        "70-79%": 0,
        "80-89%": 1,
        "90-100%": 3,
    }
    assert table.rows[-1]["share"] == round(3 / 7, 4)


def test_hardest_exercises(report_world):
    table = build("hardest-exercises")
    # Lowest pass rate first; Q4 and N1 tie at 0.5, Q4 takes more attempts per learner.
    assert shown(table, "rank", "exercise", "pass_rate") == [
        (1, "Q4", 0.5),
        (2, "N1", 0.5),
        (3, "Q1", 0.6),
        (4, "Q2", 1.0),
    ]


def test_hardest_exercises_is_capped(report_world, settings):
    settings.REPORTS_HARDEST_EXERCISES = 2
    assert shown(build("hardest-exercises"), "exercise") == [("Q4",), ("N1",)]


def test_activity_by_day(report_world):
    table = build("activity", filters=ReportFilters(start=date(2026, 3, 1), end=date(2026, 3, 6)))
    keys = ("period", "new_learners", "active_learners", "quiz_answers", "submissions")
    assert shown(table, *keys) == [
        (date(2026, 3, 1), 0, 1, 1, 0),  # a3
        (date(2026, 3, 2), 0, 2, 5, 0),  # a1 (Q1, Q2), a2 (Q1 twice, Q2)
        (date(2026, 3, 3), 0, 1, 1, 1),  # a1
        (date(2026, 3, 4), 0, 1, 2, 2),  # b1: its failed submission was handed in too
        (date(2026, 3, 5), 0, 2, 2, 0),  # b2, x (the teacher is no learner)
        (date(2026, 3, 6), 0, 2, 1, 1),  # b2, and a2's submission still queued
    ]
    assert table.columns[0].kind == "date"


def test_activity_counts_sign_ups_and_groups_by_week_for_longer_ranges(report_world):
    table = build("activity", filters=ReportFilters(start=date(2026, 1, 1), end=date(2026, 5, 31)))
    rows = {row["period"]: row for row in table.rows}
    # Weeks start on Monday: 20 February 2026 is in the week of the 16th, 2 March starts one.
    assert rows[date(2026, 2, 16)]["new_learners"] == 6
    # a1, a2, b1, b2 and x; quiz answers 3 + 3 + 2 + 2 + 1.
    assert rows[date(2026, 3, 2)]["active_learners"] == 5
    assert rows[date(2026, 3, 2)]["quiz_answers"] == 11
    assert rows[date(2026, 2, 23)]["active_learners"] == 1  # a3 on Sunday 1 March


def test_stalled_learners_are_counts_only_for_the_platform(report_world):
    table = build("stalled-learners")
    # As of 31 March nobody answered since the 17th; all but a1 (Robots) and b1 (Data) are
    # short of completion.
    assert shown(table, "course", "learners", "stalled") == [("Data", 2, 1), ("Robots", 5, 4)]
    assert "learner" not in [column.key for column in table.columns]
    for row in table.rows:
        assert not {"a1", "a2", "a3", "b1", "b2", "x"} & {str(value) for value in row.values()}


def test_stalled_learners_named_for_the_school_admin(report_world):
    table = build("stalled-learners", scope=school_scope(report_world.alpha))
    assert shown(table, "username", "classes", "course", "done", "exercises", "last_active") == [
        ("a3", "A1", "Robots", 0, 3, date(2026, 3, 1)),
        ("a2", "A1", "Robots", 2, 3, date(2026, 3, 2)),
    ]
    assert table.rows[0]["learner"] == "A3 Learner"
    assert table.rows[0]["days_idle"] == 30


def test_nobody_has_stalled_a_few_days_after_their_work(report_world):
    early = ReportFilters(end=date(2026, 3, 10))
    assert (
        build("stalled-learners", scope=school_scope(report_world.alpha), filters=early).rows == []
    )


def test_grading_health(report_world):
    table = build("grading-health")
    keys = ("worker", "marked", "graded", "needs_review", "failed", "failure_rate")
    assert shown(table, *keys) == [
        ("w1", 2, 1, 1, 0, 0.0),
        ("w2", 1, 0, 0, 1, 1.0),
        ("All workers", 3, 1, 1, 1, round(1 / 3, 4)),
    ]
    # Latencies: w1 10 s and 20 s, w2 30 s; percentile_cont interpolates between ranks.
    assert shown(table, "p50", "p90", "p99") == [
        (15.0, 19.0, 19.9),
        (30.0, 30.0, 30.0),
        (20.0, 28.0, 29.8),
    ]
    assert any("1 queued" in str(note) for note in table.notes)


def test_filters_narrow_every_report(report_world):
    robots_only = ReportFilters(course_id=report_world.courses.robots.pk)
    assert shown(build("completion-by-course", filters=robots_only), "course") == [("Robots",)]
    teens = ReportFilters(age_band="12-14")
    assert shown(build("completion-by-exercise", filters=teens), "exercise") == [("Q4",)]
    class_b1 = ReportFilters(classroom_id=report_world.classes.b1.pk)
    assert shown(build("completion-by-course", filters=class_b1), "course", "learners") == [
        ("Data", 2),
        ("Robots", 1),
    ]
    # Work overlapping 4-4 March: b1 only (a1's last answer was on the 3rd).
    fourth = ReportFilters(start=date(2026, 3, 4), end=date(2026, 3, 4))
    assert shown(build("completion-by-course", filters=fourth), "course", "learners") == [
        ("Data", 1),
        ("Robots", 1),
    ]
    assert shown(build("grading-health", filters=fourth), "worker", "marked") == [
        ("w1", 1),
        ("w2", 1),
        ("All workers", 2),
    ]


def test_school_admin_sees_only_their_school_whatever_the_filter_says(report_world):
    alpha = school_scope(report_world.alpha)
    asks_for_beta = ReportFilters(school_id=report_world.beta.pk)
    assert shown(build("completion-by-school", alpha, asks_for_beta), "school") == [
        ("Alpha School",)
    ]
    # Beta's class named in an Alpha admin's filters selects nobody.
    beta_class = ReportFilters(classroom_id=report_world.classes.b1.pk)
    for slug in SLUGS - {"score-distribution", "stalled-learners"}:
        assert build(slug, alpha, beta_class).rows == [], slug
    assert {row["learners"] for row in build("score-distribution", alpha, beta_class).rows} == {0}
    # Only Alpha's learners (a1, a2, a3) in Alpha's reports.
    assert shown(build("completion-by-course", alpha), "course", "learners") == [("Robots", 3)]
    assert shown(build("grading-health", alpha), "worker", "marked") == [
        ("w1", 1),
        ("All workers", 1),
    ]
    assert shown(build("completion-by-class", alpha), "classroom") == [("A1",), ("A2",)]


def test_no_report_for_the_platform_names_a_learner(report_world):
    names = {"a1", "a2", "a3", "b1", "b2", "x", "A1 Learner", "A2 Learner", "A3 Learner"}
    for slug in SLUGS:
        table = build(slug)
        for row in table.rows:
            assert not names & {str(value) for value in row.values()}, (slug, row)


# --- suppression ------------------------------------------------------------------------------


def test_small_groups_are_suppressed(report_world, settings):
    settings.REPORTS_MIN_GROUP_SIZE = 3
    table = build("completion-by-course")
    assert shown(table, "course") == [("Robots",)]
    assert table.suppressed == 1
    assert table.notes
    assert shown(build("completion-by-class"), "classroom") == [("A1",)]
    assert shown(build("completion-by-school"), "school") == [("Alpha School",)]
    assert shown(build("completion-by-exercise"), "exercise") == [("Q1",)]
    assert shown(build("hardest-exercises"), "exercise") == [("Q1",)]
    distribution = {row["band"]: row["learners"] for row in build("score-distribution").rows}
    # 2 in the lowest band and 1 in two others are withheld; the empty bands stay 0.
    assert distribution["0-9%"] is None and distribution["60-69%"] is None
    assert distribution["90-100%"] == 3 and distribution["10-19%"] == 0
    # Stalled counts: Data's 2 learners are suppressed; Robots's 4 stalled of 5 are shown.
    assert shown(build("stalled-learners"), "course", "stalled") == [("Robots", 4)]


def test_activity_days_of_few_learners_are_suppressed(report_world, settings):
    settings.REPORTS_MIN_GROUP_SIZE = 2
    table = build("activity", filters=ReportFilters(start=date(2026, 3, 1), end=date(2026, 3, 6)))
    assert [row["period"].day for row in table.rows] == [2, 5, 6]
    assert table.suppressed == 3


def test_grading_health_outside_a_school_hides_a_small_class(report_world, settings):
    settings.REPORTS_MIN_GROUP_SIZE = 3
    tiny = ReportFilters(classroom_id=report_world.classes.b1.pk)
    table = build("grading-health", filters=tiny)
    assert table.rows == [] and table.suppressed
    # Its school's administrator sees their own learners' submissions.
    assert build("grading-health", school_scope(report_world.beta), tiny).rows


# --- keeping the summaries current ------------------------------------------------------------


def _snapshot():
    exercise_rows = sorted(
        LearnerExerciseStat.objects.values_list(
            "learner_id", "exercise_id", "attempts", "best_score", "passed", "done", "last_at"
        )
    )
    day_rows = sorted(
        LearnerDayStat.objects.values_list(
            "learner_id", "course_id", "day", "quiz_answers", "submissions"
        )
    )
    return exercise_rows, day_rows


def test_incremental_refresh_agrees_with_the_rebuild(
    report_world, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from courses import services
    from graders.models import Submission
    from tests.reports.conftest import hand_in

    world = report_world
    # a3 answers Q1 through the real service: wrong again, so out of attempts (done).
    with django_capture_on_commit_callbacks(execute=True):
        services.quiz_answer_submit(learner=world.a3, exercise=world.exercises.q1, answer=False)
    row = LearnerExerciseStat.objects.get(learner=world.a3, exercise=world.exercises.q1)
    assert (row.attempts, row.done) == (2, True)
    # A submission marked by a worker (an UPDATE: no signal) is picked up by the catch-up.
    queued = Submission.objects.get(learner=world.a2, status="queued")
    Submission.objects.filter(pk=queued.pk).update(status="graded", score=6.0, max_score=10.0)
    stats.submission_changed(submission_id=queued.pk)
    hand_in(
        world.b2,
        world.exercises.n1,
        1,
        status="graded",
        when=timezone.now(),
        seconds=5,
        score=10.0,
        worker="w1",
    )
    stats.stats_catch_up()
    incremental = _snapshot()
    stats.stats_rebuild()
    rebuilt = _snapshot()
    assert set(rebuilt[0]) ^ set(incremental[0]) == set()
    assert set(rebuilt[1]) ^ set(incremental[1]) == set()
    assert LearnerExerciseStat.objects.get(learner=world.b2, exercise=world.exercises.n1).passed


def test_class_attempt_overrides_decide_out_of_attempts(report_world):
    from teaching.models import ClassroomExercise

    world = report_world
    # A1 allows 3 attempts at Q1: a2's two wrong answers no longer finish it.
    ClassroomExercise.objects.create(
        classroom=world.classes.a1, exercise=world.exercises.q1, max_attempts=3
    )
    world.classes.a1.courses.add(world.courses.robots)
    stats.stats_rebuild()
    assert not LearnerExerciseStat.objects.get(learner=world.a2, exercise=world.exercises.q1).done
    stats.exercise_stats_refresh(pairs=[(world.a2.pk, world.exercises.q1.pk)])
    assert not LearnerExerciseStat.objects.get(learner=world.a2, exercise=world.exercises.q1).done


def test_the_catch_up_without_a_cursor_rebuilds(report_world):
    from reports.models import StatsCursor

    before = _snapshot()
    StatsCursor.objects.all().delete()
    LearnerExerciseStat.objects.all().delete()
    stats.stats_catch_up()
    assert _snapshot() == before
    assert StatsCursor.objects.exists()


# --- the second level: a learner's course and unit ----------------------------------------------

# Reports that read LearnerCourseStat / LearnerUnitStat when there are no dates.
SECOND_LEVEL = (
    "completion-by-course",
    "completion-by-unit",
    "completion-by-age-band",
    "completion-by-school",
    "completion-by-class",
    "score-distribution",
    "stalled-learners",
)


def _container_snapshot():
    from reports.models import LearnerCourseStat, LearnerUnitStat

    fields = stats._CONTAINER_FIELDS
    return (
        sorted(LearnerCourseStat.objects.values_list("learner_id", "course_id", *fields)),
        sorted(LearnerUnitStat.objects.values_list("learner_id", "unit_id", "course_id", *fields)),
    )


def _from_exercise_rows(monkeypatch, *args, **kwargs):
    """The same report read from the exercise rows, as when the second level is out of date."""
    import reports.queries.common as common

    with monkeypatch.context() as patched:
        patched.setattr(common, "container_stats_current", lambda: False)
        return build(*args, **kwargs)


def _same(first, second):
    return (first.rows, first.suppressed, [str(note) for note in first.notes]) == (
        second.rows,
        second.suppressed,
        [str(note) for note in second.notes],
    )


def test_the_second_level_holds_the_hand_computed_sums(report_world):
    from reports.models import LearnerCourseStat, LearnerUnitStat

    world = report_world
    assert stats.container_stats_current()
    # a1 in Robots: Q1 right (1 attempt), Q2 right at the 2nd, N1 8/10; Q3 is unpublished.
    row = LearnerCourseStat.objects.get(learner=world.a1, course=world.courses.robots)
    assert (row.answered, row.done, row.passed, row.attempts) == (3, 3, 2, 4)
    assert (row.score, row.max_score, row.scored, row.scored_score, row.scored_max) == (
        11.0,
        13.0,
        3,
        11.0,
        13.0,
    )
    assert (row.first_at, row.last_at) == (at(2), at(3, 11))
    # b2 in Data: Q4 wrong twice (unlimited: not done).
    row = LearnerCourseStat.objects.get(learner=world.b2, course=world.courses.data)
    assert (row.answered, row.done, row.passed, row.attempts, row.score) == (1, 0, 0, 2, 0.0)
    # Per unit: a2 did unit 1 (Q1 out of attempts, Q2 right); a2's queued N1 is no row.
    row = LearnerUnitStat.objects.get(learner=world.a2, unit=world.units.u1)
    assert (row.course_id, row.answered, row.done, row.passed) == (world.courses.robots.pk, 2, 2, 1)
    assert not LearnerUnitStat.objects.filter(learner=world.a2, unit=world.units.u2).exists()
    # The teacher is no learner: seven learner-course pairs (b1 has two), nine learner-unit ones.
    assert LearnerCourseStat.objects.count() == 7
    assert LearnerUnitStat.objects.count() == 9
    assert not LearnerCourseStat.objects.filter(learner=world.teacher).exists()


def test_without_dates_the_reports_read_the_second_level_and_give_the_hand_computed_numbers(
    report_world, monkeypatch
):
    import reports.queries.common as common

    read = []
    original = common.container_stats

    def spy(*args, **kwargs):
        read.append(args[2])
        return original(*args, **kwargs)

    monkeypatch.setattr(common, "container_stats", spy)
    import reports.queries.scores as scores
    import reports.queries.stalled as stalled

    monkeypatch.setattr(scores, "container_stats", spy)
    monkeypatch.setattr(stalled, "container_stats", spy)
    # All the world's work is in March: without dates every completion and score figure is the
    # hand-computed one above (only the note about dates goes).
    for slug in SECOND_LEVEL[:-1]:
        read.clear()
        undated, dated = build(slug, filters=ReportFilters()), build(slug)
        assert read, slug
        assert undated.rows == dated.rows, slug
        assert undated.suppressed == dated.suppressed
    read.clear()
    build("stalled-learners", filters=ReportFilters())
    assert read == ["course"]


@pytest.mark.parametrize("slug", SECOND_LEVEL)
def test_the_second_level_gives_the_numbers_of_the_exercise_rows(report_world, monkeypatch, slug):
    world = report_world
    alpha = school_scope(world.alpha)
    questions = [
        (PLATFORM, ReportFilters()),
        (PLATFORM, ReportFilters(age_band="9-11")),
        (PLATFORM, ReportFilters(course_id=world.courses.data.pk)),
        (PLATFORM, ReportFilters(school_id=world.beta.pk)),
        (PLATFORM, ReportFilters(classroom_id=world.classes.a2.pk)),
        (alpha, ReportFilters()),
        (alpha, ReportFilters(age_band="12-14")),
        (alpha, ReportFilters(classroom_id=world.classes.a1.pk)),
        (school_scope(world.beta), ReportFilters(end=date(2026, 3, 31))),
    ]
    for scope, filters in questions:
        first = build(slug, scope, filters)
        second = _from_exercise_rows(monkeypatch, slug, scope, filters)
        assert _same(first, second), (slug, scope, filters)


def test_the_second_level_agrees_with_the_rebuild_after_incremental_updates(
    report_world, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from courses import services
    from graders.models import Submission
    from tests.reports.conftest import hand_in

    world = report_world
    with django_capture_on_commit_callbacks(execute=True):
        # a3 runs out of attempts at Q1; x starts Q2; b2 finally gets Q4 right.
        services.quiz_answer_submit(learner=world.a3, exercise=world.exercises.q1, answer=False)
        services.quiz_answer_submit(learner=world.x, exercise=world.exercises.q2, answer=False)
        services.quiz_answer_submit(learner=world.b2, exercise=world.exercises.q4, answer=True)
    queued = Submission.objects.get(learner=world.a2, status="queued")
    Submission.objects.filter(pk=queued.pk).update(status="graded", score=6.0, max_score=10.0)
    stats.submission_changed(submission_id=queued.pk)
    hand_in(world.x, world.exercises.n1, 1, status="graded", when=timezone.now(), score=3.0)
    stats.stats_catch_up()
    # A learner's last row in a course goes (its answers deleted): so does their course row.
    from courses.models import QuizAttempt

    QuizAttempt.objects.filter(learner=world.b2).delete()
    stats.exercise_stats_refresh(pairs=[(world.b2.pk, world.exercises.q4.pk)])
    incremental = _container_snapshot()
    assert stats.container_stats_current()
    stats.stats_rebuild()
    assert _container_snapshot() == incremental
    assert (world.b2.pk, world.courses.data.pk) not in {row[:2] for row in incremental[0]}


def test_publishing_an_exercise_sends_reports_to_the_exercise_rows_until_the_catch_up(
    report_world, monkeypatch
):
    from reports.models import CourseStatVersion

    world = report_world
    before = build("completion-by-course", filters=ReportFilters())
    # Q3 published: Robots now has 4 exercises; a1's earlier answer to it starts counting.
    answer(world.a1, world.exercises.q3, 1, right=True, when=at(3, 12))
    stats.exercise_stats_refresh(pairs=[(world.a1.pk, world.exercises.q3.pk)])
    world.exercises.q3.is_published = True
    world.exercises.q3.save()
    assert not stats.container_stats_current()
    after = build("completion-by-course", filters=ReportFilters())
    assert after.rows != before.rows
    assert _same(
        after, _from_exercise_rows(monkeypatch, "completion-by-course", filters=ReportFilters())
    )
    # An incremental refresh in the changed course marks it: even withdrawing Q3 again does not
    # make its partly rewritten rows current.
    answer(world.a3, world.exercises.q2, 1, right=True, when=at(7))
    stats.exercise_stats_refresh(pairs=[(world.a3.pk, world.exercises.q2.pk)])
    assert CourseStatVersion.objects.get(course=world.courses.robots).fingerprint == "dirty"
    world.exercises.q3.is_published = False
    world.exercises.q3.save()
    assert not stats.container_stats_current()
    stats.stats_catch_up()
    assert stats.container_stats_current()
    caught_up = _container_snapshot()
    stats.stats_rebuild()
    assert _container_snapshot() == caught_up
    world.exercises.q3.is_published = True
    world.exercises.q3.save()
    assert stats.course_stats_reconcile() == 1
    assert stats.container_stats_current()
    reconciled = _container_snapshot()
    stats.stats_rebuild()
    assert _container_snapshot() == reconciled
