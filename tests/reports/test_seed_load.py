"""`manage.py seed_load` and `rebuild_report_stats`: deterministic, bounded, all-or-nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Classroom, School, User
from courses.models import QuizAttempt
from graders.models import Submission
from reports import seed
from reports.base import REGISTRY, ReportFilters, ReportScope
from reports.models import LearnerDayStat, LearnerExerciseStat

pytestmark = pytest.mark.django_db

ARGS = ["--learners", "60", "--submissions", "700", "--until", "2026-06-30", "--days", "60"]


def run(*args):
    out = StringIO()
    call_command("seed_load", *args, stdout=out)
    return out.getvalue()


def fingerprint():
    """What the load made, without database ids (which differ between runs)."""
    attempts = sorted(
        QuizAttempt.objects.values_list(
            "learner__username",
            "exercise__title",
            "exercise__lesson__unit__course__slug",
            "attempt",
            "correct",
            "created_at",
        )
    )
    submissions = sorted(
        Submission.objects.values_list(
            "learner__username",
            "exercise__title",
            "attempt",
            "status",
            "score",
            "received_at",
            "finished_at",
            "worker",
        )
    )
    members = sorted(
        Classroom.learners.through.objects.values_list(
            "classroom__join_code", "classroom__school__name", "user__username"
        )
    )
    return attempts, submissions, members


def test_seed_load_writes_exactly_what_was_asked_and_the_summaries():
    output = run(*ARGS)
    assert "Seeded 60 learners in 3 classes of 1 schools" in output
    assert User.objects.filter(role=User.Role.STUDENT).count() == 60
    assert QuizAttempt.objects.count() + Submission.objects.count() == 700
    assert Submission.objects.exists()
    assert School.objects.count() == 1 and Classroom.objects.count() == 3
    # Generated learners cannot sign in; join codes never look like real (6-letter) ones.
    assert not any(user.has_usable_password() for user in User.objects.all())
    assert all(len(code) == 7 for code in Classroom.objects.values_list("join_code", flat=True))
    # Every answer falls in the 60 days before 30 June, and the summaries were rebuilt.
    first = min(QuizAttempt.objects.values_list("created_at", flat=True))
    last = max(QuizAttempt.objects.values_list("created_at", flat=True))
    assert first.date().isoformat() >= "2026-05-01" and last.date().isoformat() < "2026-06-30"
    assert LearnerExerciseStat.objects.exists() and LearnerDayStat.objects.exists()


def test_seed_load_is_deterministic():
    run(*ARGS)
    first = fingerprint()
    run(*ARGS, "--replace")
    assert fingerprint() == first
    run(*ARGS, "--replace", "--seed", "2")
    assert fingerprint() != first


def test_seed_load_refuses_a_second_load_without_replace():
    run(*ARGS)
    with pytest.raises(CommandError, match="--replace"):
        run(*ARGS)


@pytest.mark.parametrize(
    "args",
    [
        ["--learners", str(seed.MAX_LEARNERS + 1), "--submissions", "1"],
        ["--learners", "10", "--submissions", str(10 * seed.MAX_PER_LEARNER + 1)],
        ["--learners", "0", "--submissions", "1"],
        ["--learners", "10", "--submissions", "-1"],
    ],
)
def test_seed_load_is_bounded_and_writes_nothing_out_of_bounds(args):
    with pytest.raises(CommandError):
        run(*args)
    assert not User.objects.exists()


def test_every_report_answers_on_a_load(settings):
    settings.REPORTS_MIN_GROUP_SIZE = 2
    run(*ARGS)
    school = School.objects.get()
    for scope in (
        ReportScope(school_id=None, show_names=False),
        ReportScope(school_id=school.pk, show_names=True),
    ):
        for slug in ("activity", "completion-by-course", "grading-health", "stalled-learners"):
            assert REGISTRY[slug].build(scope, ReportFilters()).rows, (slug, scope)


def test_rebuild_report_stats_gives_the_same_rows():
    run(*ARGS)
    before = sorted(LearnerExerciseStat.objects.values_list("learner_id", "exercise_id", "done"))
    LearnerExerciseStat.objects.all().delete()
    out = StringIO()
    call_command("rebuild_report_stats", stdout=out)
    assert "Rebuilt" in out.getvalue()
    assert sorted(LearnerExerciseStat.objects.values_list("learner_id", "exercise_id", "done")) == (
        before
    )
    call_command("rebuild_report_stats", "--catch-up", stdout=out)
    assert "Refreshed" in out.getvalue()


def test_demo_school_history_is_made_once_and_its_admin_sees_it(report_world, settings):
    from reports import demo

    settings.REPORTS_MIN_GROUP_SIZE = 5
    admin = User.objects.create(username="schooladmin", role=User.Role.SCHOOL_ADMIN)
    courses = [report_world.courses.robots, report_world.courses.data]
    school = demo.demo_school(
        classroom=report_world.classes.a1, school_admin=admin, courses=courses
    )
    admin.refresh_from_db()
    assert admin.is_school_admin and admin.school == school
    assert report_world.classes.a1.school_id == report_world.alpha.pk  # already had a school
    answers = QuizAttempt.objects.count() + Submission.objects.count()
    demo.demo_school(classroom=report_world.classes.a1, school_admin=admin, courses=courses)
    assert QuizAttempt.objects.count() + Submission.objects.count() == answers
    scope = ReportScope.for_user(admin)
    for slug in ("activity", "completion-by-course", "completion-by-class", "score-distribution"):
        assert REGISTRY[slug].build(scope, ReportFilters()).rows, slug
    demo.remove_demo_history()
    assert not User.objects.filter(username__startswith=demo.PREFIX).exists()


def test_on_a_load_the_second_level_gives_the_numbers_of_the_exercise_rows(settings, monkeypatch):
    import reports.queries.common as common
    from reports import stats

    settings.REPORTS_MIN_GROUP_SIZE = 2
    run(*ARGS)
    assert stats.container_stats_current()
    school = School.objects.get()
    slugs = (
        "completion-by-course",
        "completion-by-unit",
        "completion-by-age-band",
        "completion-by-school",
        "completion-by-class",
        "score-distribution",
        "stalled-learners",
    )
    for scope in (
        ReportScope(school_id=None, show_names=False),
        ReportScope(school_id=school.pk, show_names=True),
    ):
        for filters in (ReportFilters(), ReportFilters(classroom_id=Classroom.objects.first().pk)):
            for slug in slugs:
                second_level = REGISTRY[slug].build(scope, filters)
                with monkeypatch.context() as patched:
                    patched.setattr(common, "container_stats_current", lambda: False)
                    exercise_rows = REGISTRY[slug].build(scope, filters)
                assert second_level.rows == exercise_rows.rows, (slug, scope, filters)
                assert second_level.suppressed == exercise_rows.suppressed
