"""Regrading without a worker: the batch, its waves, the conditional final → queued transition
with the regrade token, settling exactly once, the sweeper, and the pages. Grading is driven
through the worker's own services (tests/factories), as in tests/graders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from graders import services as grader_services
from graders.models import Submission
from graders.results import FAILED, GradeResult
from teaching import regrades, services
from teaching.models import RegradeBatch, RegradeItem
from tests import factories
from tests.teaching.conftest import graded, result

pytestmark = pytest.mark.django_db
State = RegradeItem.State


def regrade_by_worker(submission_id: int, grade: GradeResult) -> bool:
    """What a worker does with a re-queued submission: claim, grade, store."""
    claimed = factories.start_grading(Submission.objects.get(pk=submission_id))
    assert claimed is not None
    return grader_services.grading_finish(submission=claimed, result=grade)


@pytest.fixture
def handed_in(school):
    """Five graded submissions of the class (Ann three attempts), one of another class."""
    return {
        "ann": [graded(school.ann, school.notebook) for _ in range(3)],
        "bo": [graded(school.bo, school.notebook, grade=result((1, 2, 3, 4)))],
        "cy": [graded(school.cy, school.notebook, grade=result(manual=5.0))],
        "outsider": [graded(school.outsider, school.notebook)],
    }


def test_a_class_regrade_sends_back_its_learners_graded_work_a_few_at_a_time(
    school, handed_in, settings, django_capture_on_commit_callbacks
):
    settings.TEACHING_REGRADE_IN_FLIGHT = 2
    waiting = factories.make_submission(school.bo, school.notebook)  # still queued: not included
    with django_capture_on_commit_callbacks() as callbacks:
        batch = regrades.regrade_start(
            exercise=school.notebook, classroom=school.classroom, requested_by=school.teacher
        )
    assert len(callbacks) == 1  # the tasks go out once the transaction commits
    assert (batch.total, batch.done, batch.status) == (5, 0, RegradeBatch.Status.RUNNING)
    items = list(batch.items.order_by("id"))
    assert [item.state for item in items] == [State.QUEUED] * 2 + [State.WAITING] * 3
    assert waiting.pk not in {item.submission_id for item in items}
    assert handed_in["outsider"][0].pk not in {item.submission_id for item in items}
    first = Submission.objects.get(pk=items[0].submission_id)
    assert (first.status, first.run_token, first.attempt, first.retries) == (
        "queued",
        "regrade",
        1,
        0,
    )
    assert first.score == 4.5  # the old result stays until the new one lands
    assert items[0].old_score == 4.5 and items[0].old_status == "graded"


def test_regraded_results_are_compared_and_the_next_wave_goes_out(school, handed_in, settings):
    settings.TEACHING_REGRADE_IN_FLIGHT = 2
    batch = regrades.regrade_start(
        exercise=school.notebook, classroom=school.classroom, requested_by=school.teacher
    )
    fixed = result((1, 2, 3, 0))  # 6 instead of 4.5
    rounds = 0
    while True:
        queued = list(
            batch.items.filter(state=State.QUEUED).values_list("submission_id", flat=True)
        )
        if not queued:
            break
        for submission_id in queued:
            regrade_by_worker(submission_id, fixed)
        batch = regrades.regrade_settle(batch=batch)
        rounds += 1
    assert rounds == 3  # 2 + 2 + 1
    assert (batch.status, batch.total, batch.done, batch.changed, batch.failed) == (
        RegradeBatch.Status.DONE,
        5,
        5,
        5,  # 4.5 → 6 (Ann's three, Cy's) and 10 → 6 (Bo's)
        0,
    )
    assert batch.finished_at is not None
    ann = Submission.objects.filter(learner=school.ann).order_by("attempt")
    assert [(s.attempt, s.score, s.status) for s in ann] == [(n, 6.0, "graded") for n in (1, 2, 3)]
    bo = batch.items.get(submission__learner=school.bo)
    assert (bo.old_score, bo.new_score, bo.state) == (10.0, 6.0, State.DONE)
    # Settling again changes nothing: every item counted once.
    again = regrades.regrade_settle(batch=batch)
    assert (again.done, again.changed) == (5, 5)


def test_unchanged_and_failed_results_are_counted_apart(school, handed_in):
    batch = regrades.regrade_start(
        exercise=school.notebook, classroom=school.classroom, requested_by=school.teacher
    )
    items = list(batch.items.order_by("id"))
    regrade_by_worker(items[0].submission_id, result())  # same 4.5
    regrade_by_worker(items[1].submission_id, GradeResult.failure("boom", max_score=10))
    batch = regrades.regrade_settle(batch=batch)
    assert (batch.done, batch.changed, batch.failed) == (2, 1, 1)
    failed = RegradeItem.objects.get(pk=items[1].pk)
    assert (failed.state, failed.new_status, failed.new_score) == (State.FAILED, FAILED, 0.0)


def test_one_regrade_of_an_exercise_at_a_time_and_nothing_to_do_is_said(school, handed_in):
    regrades.regrade_start(exercise=school.notebook, requested_by=school.teacher)
    with pytest.raises(ValidationError, match="still running"):
        regrades.regrade_start(
            exercise=school.notebook, classroom=school.classroom, requested_by=school.teacher
        )
    assert RegradeBatch.objects.count() == 1
    empty = factories.make_classroom(school.teacher, name="Empty")
    empty.courses.add(school.course)
    RegradeBatch.objects.update(status=RegradeBatch.Status.DONE)
    with pytest.raises(ValidationError, match="no graded submissions"):
        regrades.regrade_start(
            exercise=school.notebook, classroom=empty, requested_by=school.teacher
        )
    with pytest.raises(ValidationError, match="notebook"):
        regrades.regrade_start(exercise=school.quiz, requested_by=school.teacher)


def test_the_requeue_is_conditional(school):
    submission = graded(school.ann, school.notebook)
    assert grader_services.submission_requeue_for_regrade(
        submission_id=submission.pk, status="graded"
    )
    # Already queued: a second request (or one that saw an old status) moves nothing.
    assert not grader_services.submission_requeue_for_regrade(
        submission_id=submission.pk, status="graded"
    )
    assert not grader_services.submission_requeue_for_regrade(
        submission_id=submission.pk, status="queued"
    )
    check = factories.make_submission(school.ann, school.notebook)
    Submission.objects.filter(pk=check.pk).update(purpose="check", attempt=0, status="graded")
    assert not grader_services.submission_requeue_for_regrade(
        submission_id=check.pk, status="graded"
    )


def test_work_no_longer_graded_when_its_turn_comes_is_skipped(school, handed_in, settings):
    settings.TEACHING_REGRADE_IN_FLIGHT = 1
    batch = regrades.regrade_start(
        exercise=school.notebook, classroom=school.classroom, requested_by=school.teacher
    )
    later = batch.items.filter(state=State.WAITING).order_by("id")
    skipped = later[0]
    Submission.objects.filter(pk=skipped.submission_id).update(status="running")
    first = batch.items.get(state=State.QUEUED)
    regrade_by_worker(first.submission_id, result())
    batch = regrades.regrade_settle(batch=batch)
    assert RegradeItem.objects.get(pk=skipped.pk).state == State.SKIPPED
    assert batch.skipped == 1 and batch.done == 2
    assert batch.items.filter(state=State.QUEUED).count() == 1  # the skipped one made room


def test_a_regrade_does_not_use_up_the_learners_own_queue(school, settings):
    settings.GRADER_MAX_IN_FLIGHT = 2
    for _ in range(3):
        graded(school.ann, school.notebook)
    regrades.regrade_start(exercise=school.notebook, requested_by=school.teacher)
    assert Submission.objects.filter(learner=school.ann, status="queued").count() == 3
    # Her own next submission is still accepted: the regrades are not hers.
    mine = factories.make_submission(school.ann, school.notebook)
    assert mine.attempt == 4


def test_the_sweeper_regrades_a_stuck_regrade_and_the_batch_still_counts_it(school):
    submission = graded(school.ann, school.notebook)
    batch = regrades.regrade_start(exercise=school.notebook, requested_by=school.teacher)
    long_ago = timezone.now() - timedelta(hours=2)
    Submission.objects.filter(pk=submission.pk).update(queued_at=long_ago)
    report = grader_services.submissions_sweep()
    assert report.requeued == [submission.pk]
    stuck = Submission.objects.get(pk=submission.pk)
    assert (stuck.status, stuck.retries, stuck.attempt) == ("queued", 1, 1)
    # The sweeper's ordinary grading task grades it; reading the batch settles it.
    regrade_by_worker(submission.pk, result((1, 2, 3, 4)))
    batch = regrades.regrade_settle(batch=batch)
    assert (batch.status, batch.done, batch.changed) == (RegradeBatch.Status.DONE, 1, 1)


def test_marks_stay_on_top_of_a_regrade(school):
    submission = graded(school.ann, school.notebook, grade=result(manual=5.0))
    services.mark_set(
        submission=submission, grade_id="essay", score=5, comment="", marked_by=school.teacher
    )
    batch = regrades.regrade_start(exercise=school.notebook, requested_by=school.teacher)
    regrade_by_worker(submission.pk, result((1, 2, 3, 4), manual=5.0))
    regrades.regrade_settle(batch=batch)
    from teaching.gradebook import gradebook

    row = next(row for row in gradebook(school.classroom).rows if row.learner == school.ann)
    notebook_cell = next(cell for cell in row.cells if cell.exercise == school.notebook)
    assert notebook_cell.effective.score == 15  # 10 automatic + the teacher's 5
    assert notebook_cell.status == "graded"


def test_the_progress_page_and_its_json(school, handed_in, client_for):
    batch = regrades.regrade_start(
        exercise=school.notebook, classroom=school.classroom, requested_by=school.teacher
    )
    client = client_for(school.teacher)
    progress = client.get(reverse("teaching:regrade_progress", args=[batch.pk]))
    assert progress["Cache-Control"] == "no-store"
    data = progress.json()
    assert (data["total"], data["finished"], data["done"], data["percent"]) == (5, 0, False, 0)
    assert data["text"] == "Regrading: 0 of 5 finished, 0 scores changed so far."
    for item in batch.items.all():
        # Ann's stay 4.5; Bo's 10 becomes 4.5, Cy's 4.5 becomes 10.
        learner = item.submission.learner
        grade = result((1, 2, 3, 4)) if learner == school.cy else result()
        regrade_by_worker(item.submission_id, grade)
    data = client.get(reverse("teaching:regrade_progress", args=[batch.pk])).json()
    assert (data["done"], data["percent"], data["changed"]) == (True, 100, 2)
    assert data["text"] == "Done: 5 submissions regraded. 2 scores changed."
    page = client.get(reverse("teaching:regrade", args=[batch.pk])).content.decode()
    assert "Scores that changed" in page and "Bo Zhang" in page and "Cy Okoro" in page
    assert "Ann Lee" not in page.split("Scores that changed")[1]
    assert "Your marks and comments stay on top" in page


def test_the_gradebook_keeps_the_old_score_while_regrading(school):
    graded(school.ann, school.notebook)
    regrades.regrade_start(exercise=school.notebook, requested_by=school.teacher)
    from teaching.gradebook import GRADED, gradebook

    row = next(row for row in gradebook(school.classroom).rows if row.learner == school.ann)
    cell = next(cell for cell in row.cells if cell.exercise == school.notebook)
    assert (cell.status, cell.effective.score, cell.regrading) == (GRADED, 4.5, True)
    assert cell.counted.status_label == "Being regraded"
