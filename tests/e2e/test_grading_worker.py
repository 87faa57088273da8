"""The pieces a notebook flow test stands on, together: a signed-in page, the live server, the API
with session authentication and CSRF, and a real worker grading in the sandbox.

The notebook page's own flow test (type code, Submit, watch the score arrive) builds on this.
"""

import json

import pytest

from tests.factories import make_exercise, make_student, make_teacher, submitted_notebook

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.sandbox,
    pytest.mark.workers,
]

# Runs in the page: what the notebook page's script does, with the page's own cookies.
SUBMIT_AND_WAIT = """async ([exerciseId, notebook]) => {
  const csrf = document.cookie.match(/csrftoken=([^;]+)/)[1];
  const posted = await fetch(`/api/v1/exercises/${exerciseId}/submissions/`, {
    method: "POST", body: notebook,
    headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
  });
  if (posted.status !== 201) return {posted: posted.status, body: await posted.text()};
  const {id} = await posted.json();
  for (let i = 0; i < 600; i++) {
    const result = await (await fetch(`/api/v1/submissions/${id}/`)).json();
    if (!["queued", "running"].includes(result.status)) return result;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {timeout: id};
}"""


def test_a_notebook_sent_from_a_signed_in_page_is_graded_by_a_real_worker(
    page, login, grading_worker
):
    exercise = make_exercise(make_teacher())
    learner = make_student("lin")
    login(page, learner)
    page.goto("/")  # the layout's forms set the CSRF cookie, as any page of the site does
    notebook = submitted_notebook("partly_correct").decode()
    result = page.evaluate(SUBMIT_AND_WAIT, [exercise.pk, notebook])
    assert result.get("status") == "graded", json.dumps(result)[:2000]
    assert (result["score"], result["max_score"]) == (2.5, 10.0)
    assert grading_worker.process.poll() is None
