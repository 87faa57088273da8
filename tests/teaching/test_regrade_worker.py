"""Regrade through a real Celery worker and the real sandbox: a test with a mistake marks right
answers wrong, the teacher fixes it and regrades, and the scores change while attempt numbers,
bytes and the teacher's marks stay."""

from __future__ import annotations

import copy
import time

import pytest
from django.urls import reverse

from courses.models import Exercise
from graders.models import Submission
from teaching import regrades, services
from teaching.models import RegradeBatch, RegradeItem
from tests import factories
from tests.workers.conftest import wait_final

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.sandbox,
    pytest.mark.workers,
]

BROKEN_LINE = 'assert accuracy(["cat", "dog"], ["cat", "cat"]) == 0.5'
MISTAKE = 'assert accuracy(["cat", "dog"], ["cat", "cat"]) == 0.25  # a typo in the test'


def source_with(exercise, old: str, new: str) -> dict:
    """The exercise's stored source notebook with one test's text replaced."""
    source = copy.deepcopy(exercise.source_notebook)
    for cell in source["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "test_accuracy_basic":
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            assert old in text
            cell["source"] = text.replace(old, new)
    return source


def wait_batch(batch: RegradeBatch, timeout: float = 180) -> RegradeBatch:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.is_done:
            return batch
        time.sleep(0.5)
    items = list(batch.items.values_list("state", "submission__status"))
    raise AssertionError(f"the regrade did not finish: {batch.done}/{batch.total} {items}")


def test_a_fixed_test_regraded_by_the_worker_changes_the_scores(school, start_worker, client_for):
    # The teacher's notebook with a mistake in a visible test: right answers lose 1 point.
    broken = source_with(school.notebook, BROKEN_LINE, MISTAKE)
    Exercise.objects.filter(pk=school.notebook.pk).update(source_notebook=broken)
    worker = start_worker("regrade")
    ann_first = factories.make_submission(school.ann, school.notebook)
    ann_second = factories.make_submission(school.ann, school.notebook)
    bo = factories.make_submission(
        school.bo, school.notebook, factories.submitted_notebook("wrong")
    )
    outsider = factories.make_submission(school.outsider, school.notebook)
    before = {s.pk: s for s in wait_final([ann_first.pk, ann_second.pk, bo.pk, outsider.pk])}
    assert before[ann_first.pk].score == 9 and before[ann_second.pk].score == 9
    assert before[outsider.pk].score == 9
    bo_before = before[bo.pk].score
    services.mark_set(
        submission=before[ann_second.pk],
        grade_id="",
        score=7,
        comment="Late start, good finish.",
        marked_by=school.teacher,
    )

    # The fix, then a regrade of the class through the page.
    Exercise.objects.filter(pk=school.notebook.pk).update(
        source_notebook=source_with(school.notebook, BROKEN_LINE, BROKEN_LINE)
    )
    client = client_for(school.teacher)
    response = client.post(
        reverse("teaching:regrade_class", args=[school.classroom.pk, school.notebook.pk])
    )
    batch = RegradeBatch.objects.get()
    assert response["Location"] == reverse("teaching:regrade", args=[batch.pk])
    batch = wait_batch(batch)

    assert (batch.total, batch.done, batch.failed) == (3, 3, 0)
    changed = {item.submission_id: item for item in batch.items.all() if item.score_changed}
    assert set(changed) == {ann_first.pk, ann_second.pk}  # Bo's wrong answers stay wrong
    assert (changed[ann_first.pk].old_score, changed[ann_first.pk].new_score) == (9, 10)
    assert batch.changed == 2
    after = {s.pk: s for s in Submission.objects.filter(pk__in=before)}
    assert after[ann_first.pk].score == 10 and after[ann_second.pk].score == 10
    assert after[bo.pk].score == bo_before
    assert after[outsider.pk].score == 9  # another class: not part of this regrade
    for pk, submission in after.items():
        assert submission.attempt == before[pk].attempt
        assert bytes(submission.content) == bytes(before[pk].content)
        assert submission.status == "graded" and submission.run_token != "regrade"
    assert all(
        item.state == RegradeItem.State.DONE for item in RegradeItem.objects.filter(batch=batch)
    )
    assert "teaching.regrade_submission" in worker.text()

    # The summary; and the teacher's override still counts over the new automatic 10.
    page = client.get(reverse("teaching:regrade", args=[batch.pk])).content.decode()
    assert "Done: 3 submissions regraded. 2 scores changed." in page
    grid = client.get(reverse("teaching:gradebook", args=[school.classroom.pk]))
    assert grid.status_code == 200
    history = client.get(
        reverse("teaching:learner_history", args=[school.classroom.pk, school.ann.pk])
    ).content.decode()
    assert "automatic: 10" in history
    assert regrades.regradable_submissions(exercise=school.notebook).count() == 4
