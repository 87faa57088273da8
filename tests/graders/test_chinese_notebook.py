# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF001
"""Notebook exercises with a Chinese twin: storing it (checked against the English source),
which notebook a submission records, and grading against the notebook of that language."""

import json

import nbformat
import pytest
from django.utils import translation

from courses.models import Exercise
from courses.services import exercise_create_notebook
from graders import notebook, services
from graders.models import Submission
from graders.tasks import grade_submission
from tests import factories

pytestmark = pytest.mark.django_db

DEMO_TWIN = (
    factories.ROOT
    / "courses/demo/courses/models-evidence-cost/exercises/how-good-is-a-guess.zh.ipynb"
)
# test_accuracy_basic's first assertion, given a message in each language below.
BASIC_ASSERT = "assert accuracy([1, 0, 1, 1], [1, 0, 1, 1]) == 1.0"
MESSAGE_EN = "identical lists must have an accuracy of 1.0"
MESSAGE_ZH = "两个相同的列表，准确率必须是 1.0"


def _notebook(path, **changes) -> dict:
    """A notebook file as JSON, with changes to cells by grade_id: a function of the cell."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid in changes:
            changes[gid](cell)
    return nb


def _with_message(message: str):
    def change(cell):
        source = "".join(cell["source"])
        assert BASIC_ASSERT in source
        cell["source"] = source.replace(BASIC_ASSERT, f"{BASIC_ASSERT}, {message!r}")

    return change


def _points(value):
    def change(cell):
        cell["metadata"]["nbgrader"]["points"] = value

    return change


def _read_only(cell):
    """An answer cell turned into read-only code (as if the translator clicked the wrong
    toolbar option)."""
    cell["metadata"]["nbgrader"].update(solution=False, locked=True)
    cell["source"] = "def nearest_neighbour(point, examples):\n    return None\n"


def _dumps(nb: dict) -> bytes:
    return json.dumps(nb, ensure_ascii=False).encode()


@pytest.fixture
def teacher():
    return factories.make_teacher()


@pytest.fixture
def student():
    return factories.make_student()


@pytest.fixture
def bilingual(teacher) -> Exercise:
    """The demo problem set with its Chinese twin; test_accuracy_basic explains a failure in
    English in one and in Chinese in the other."""
    return exercise_create_notebook(
        owner=teacher,
        title="How good is a guess?",
        source=_dumps(
            _notebook(factories.DEMO_SOURCE, test_accuracy_basic=_with_message(MESSAGE_EN))
        ),
        source_zh=_dumps(_notebook(DEMO_TWIN, test_accuracy_basic=_with_message(MESSAGE_ZH))),
        is_published=True,
    )


# --- storing the twin ---------------------------------------------------------------------------


def test_the_twin_is_stored_and_released_like_the_english_notebook(bilingual):
    assert bilingual.max_score == factories.DEMO_MAX_SCORE
    released_zh = json.dumps(bilingual.released_notebook_zh, ensure_ascii=False)
    assert "练习 1：猜得有多准？" in released_zh
    assert MESSAGE_ZH in released_zh  # a visible test's text is released
    for secret in ("BEGIN HIDDEN TESTS", "BEGIN SOLUTION", "a tie goes to the earlier example"):
        assert secret not in released_zh
    assert MESSAGE_ZH in json.dumps(bilingual.source_notebook_zh, ensure_ascii=False)
    assert bilingual.released_notebook_for("zh-hans") == bilingual.released_notebook_zh
    assert bilingual.released_notebook_for("en") == bilingual.released_notebook
    assert bilingual.source_notebook_for("zh-hans") == bilingual.source_notebook_zh


@pytest.mark.parametrize(
    ("twin", "expected"),
    [
        (
            _notebook(DEMO_TWIN, test_accuracy_basic=_points(5)),
            "The Chinese notebook does not match the English one: cell 5 (grade_id "
            "'test_accuracy_basic'): worth 5 points here but 1 in the English notebook.",
        ),
        (
            _notebook(
                DEMO_TWIN,
                test_nearest_neighbour_hidden=lambda cell: cell.update(
                    source='assert nearest_neighbour((9.0, 1.0), TRAIN) == "bird"'
                ),
            ),
            "The Chinese notebook does not match the English one: cell 10 (grade_id "
            "'test_nearest_neighbour_hidden'): it has no hidden tests here but the English "
            "notebook's cell has.",
        ),
        (
            _notebook(
                DEMO_TWIN,
                nearest_neighbour=_read_only,
            ),
            "The Chinese notebook does not match the English one: cell 8 (grade_id "
            "'nearest_neighbour'): a read-only cell here but an answer cell in the English "
            "notebook.",
        ),
    ],
    ids=["points", "hidden-tests", "solution-cell"],
)
def test_a_twin_that_grades_differently_is_refused_and_nothing_is_stored(teacher, twin, expected):
    with pytest.raises(notebook.NotebookError) as refused:
        exercise_create_notebook(
            owner=teacher, title="Mismatch", source=factories.demo_source(), source_zh=_dumps(twin)
        )
    assert str(refused.value) == expected
    assert refused.value.problems  # each one, for callers that list them
    assert not Exercise.objects.exists()


def test_an_invalid_twin_says_it_is_the_chinese_notebook(teacher):
    with pytest.raises(notebook.NotebookError) as refused:
        exercise_create_notebook(
            owner=teacher, title="Broken", source=factories.demo_source(), source_zh=b"{not json"
        )
    assert str(refused.value) == (
        "Chinese notebook: The file is not valid JSON (line 1, column 2)."
    )
    assert not Exercise.objects.exists()


# --- which notebook a submission was made from --------------------------------------------------


def test_a_submission_records_the_language_of_its_notebook(bilingual, teacher, student, settings):
    settings.GRADER_MAX_IN_FLIGHT = 10
    english_only = factories.make_exercise(teacher)
    content = factories.submitted_notebook()

    def language_of(exercise, **kwargs):
        return services.submission_create(
            learner=student, exercise=exercise, content=content, purpose="check", **kwargs
        ).language

    assert language_of(bilingual, language="zh-hans") == "zh-hans"
    assert language_of(bilingual, language="en") == "en"
    assert language_of(bilingual, language="zh-cn") == "zh-hans"  # a variant of the same
    # No twin: the learner worked in the English notebook, whatever their language.
    assert language_of(english_only, language="zh-hans") == "en"
    with translation.override("zh-hans"):
        # Callers say which: outside a request the active language is only a leftover.
        assert language_of(bilingual) == "en"


def test_the_api_takes_the_language_from_the_request(bilingual, student):
    api = factories.ApiClient().as_token(student)
    created = api.submit(bilingual.pk, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert created.status_code == 201, created.content
    assert created.json()["language"] == "zh-hans"
    assert Submission.objects.get(pk=created.json()["id"]).language == "zh-hans"
    assert api.submit(bilingual.pk, HTTP_ACCEPT_LANGUAGE="en").json()["language"] == "en"


# --- grading in the learner's language (real sandbox) ------------------------------------------


def _wrong_accuracy() -> bytes:
    """The correct upload with an accuracy that is always 0: test_accuracy_basic fails first."""
    nb = nbformat.reads(factories.submitted_notebook(), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "accuracy":
            cell.source = "def accuracy(y_true, y_pred):\n    return 0.0\n"
    return nbformat.writes(nb).encode()


def _graded(submission: Submission) -> dict:
    """Run the worker's task in this process and return the stored test results by grade_id."""
    grade_submission.apply(args=[submission.pk])
    submission.refresh_from_db()
    assert submission.is_final, submission.status
    return {test["grade_id"]: test for test in submission.tests}


def _submit(student, exercise, language, purpose="submit") -> Submission:
    return services.submission_create(
        learner=student,
        exercise=exercise,
        content=_wrong_accuracy(),
        purpose=purpose,
        language=language,
    )


@pytest.mark.sandbox
def test_work_done_in_chinese_is_graded_against_the_chinese_notebook(bilingual, student):
    chinese = _graded(_submit(student, bilingual, "zh-hans"))
    english = _graded(_submit(student, bilingual, "en"))

    assert chinese["test_accuracy_basic"]["message"] == f"AssertionError: {MESSAGE_ZH}"
    assert english["test_accuracy_basic"]["message"] == f"AssertionError: {MESSAGE_EN}"
    # The same tests and points either way: only the words differ.
    for results in (chinese, english):
        assert {gid: test["max_points"] for gid, test in results.items()} == {
            gid: points for gid, points, _hidden in factories.DEMO_TESTS
        }
        assert not results["test_accuracy_basic"]["passed"]


@pytest.mark.sandbox
def test_a_check_in_chinese_runs_the_chinese_visible_tests(bilingual, student):
    results = _graded(_submit(student, bilingual, "zh-hans", purpose="check"))
    assert results["test_accuracy_basic"]["message"] == f"AssertionError: {MESSAGE_ZH}"
    assert results["test_accuracy_errors"]["visible_only"]


@pytest.mark.sandbox
def test_work_in_chinese_falls_back_to_english_once_the_twin_is_removed(bilingual, student):
    submission = _submit(student, bilingual, "zh-hans")
    Exercise.objects.filter(pk=bilingual.pk).update(source_notebook_zh={}, released_notebook_zh={})

    results = _graded(submission)

    assert submission.language == "zh-hans"  # what the learner worked in stays on record
    assert results["test_accuracy_basic"]["message"] == f"AssertionError: {MESSAGE_EN}"
