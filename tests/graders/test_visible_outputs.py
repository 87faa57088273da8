"""Which cells' outputs a graded run keeps: never a hidden test's, a canary's, or anything after
the first hidden test (learner code running later could print what it saw of that test)."""

import json

import nbformat
import pytest

from graders import answers, grading, notebook, runner
from tests import factories


def _outcome(plan) -> runner.RunOutcome:
    """Every cell of the run printed its own position, as if learner code echoed everything."""
    cells = {
        index: runner.CellRun(
            index,
            runner.OK,
            reply={"status": "ok"},
            outputs=[{"output_type": "stream", "name": "stdout", "text": f"cell at {index}\n"}],
        )
        for index, cell in enumerate(plan.notebook.cells)
        if cell.cell_type == "code"
    }
    return runner.RunOutcome(cells=cells)


def _kept(source) -> dict[int, str]:
    submitted = notebook.parse_notebook(factories.submitted_notebook("correct"), max_bytes=10**7)
    assembly = notebook.assemble(source, submitted)
    plan = grading._plan_run(assembly)
    records = grading._visible_outputs(assembly, plan, _outcome(plan))
    return {record["index"]: record["grade_id"] for record in records}


@pytest.fixture
def source():
    return notebook.load_source(factories.demo_source(), max_bytes=10**7)


def test_a_submission_keeps_outputs_only_before_the_first_hidden_test(source):
    kept = _kept(source)
    # setup (1), accuracy (3), test_accuracy_basic (4); test_accuracy_errors (5) is hidden.
    assert kept == {1: "setup", 3: "accuracy", 4: "test_accuracy_basic"}


def test_a_check_keeps_outputs_of_every_answer_and_visible_test(source):
    stripped, _trimmed = answers.without_hidden_tests(source)
    kept = _kept(stripped)
    assert set(kept.values()) == {
        "setup",
        "accuracy",
        "test_accuracy_basic",
        "test_accuracy_errors",
        "nearest_neighbour",
        "test_nearest_neighbour_partial",
        "test_nearest_neighbour_hidden",
    }


def test_no_canary_output_is_kept(source):
    submitted = notebook.parse_notebook(factories.submitted_notebook("correct"), max_bytes=10**7)
    stripped, _trimmed = answers.without_hidden_tests(source)
    assembly = notebook.assemble(stripped, submitted)
    plan = grading._plan_run(assembly)
    records = grading._visible_outputs(assembly, plan, _outcome(plan))
    canary_positions = {index for index, _canary in plan.canaries}
    shown = {f"cell at {position}\n" for position in canary_positions}
    texts = {item["text"] for record in records for item in record["outputs"]}
    assert texts and not texts & shown
    assert "qiming" not in json.dumps(records)


def test_grading_results_do_not_change_their_json(source):
    """The CLI's --json lines stay as documented: outputs are not part of them."""
    from graders.results import GradeResult

    result = GradeResult(status="graded", score=1, max_score=1, outputs=[{"index": 1}])
    assert "outputs" not in result.to_json()
    assert nbformat.from_dict(source)  # the source is untouched by the helpers above
