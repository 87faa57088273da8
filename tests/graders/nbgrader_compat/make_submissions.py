"""Regenerate the committed learner submissions of the nbgrader parity corpus.

    .venv/bin/python tests/graders/nbgrader_compat/make_submissions.py           # rewrite submitted/
    .venv/bin/python tests/graders/nbgrader_compat/make_submissions.py --check   # compare only

Each submission starts from the student copy that nbgrader's own ``generate_assignment``
releases from source/<assignment>/<assignment>.ipynb (so checksums, locks and cleared
solutions are nbgrader's), then edits cells the way a learner would. Deterministic: the same
source gives byte-identical files. Output: submitted/<variant>/<assignment>/<assignment>.ipynb.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

HERE = Path(__file__).resolve().parent
if __package__ in (None, ""):
    sys.path.insert(0, str(HERE.parents[2]))
from tests.graders.nbgrader_compat.nbgrader_scores import released_notebook  # noqa: E402

SOURCE = HERE / "source"
SUBMITTED = HERE / "submitted"
ASSIGNMENTS = ("ps1", "knn")

# ---------------------------------------------------------------- ps1: accuracy, nearest_neighbour
ACC_OK = '''\
def accuracy(y_true, y_pred):
    """Fraction of positions where y_pred equals y_true."""
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} labels but {len(y_pred)} guesses")
    if len(y_true) == 0:
        raise ValueError("no guesses to score")
    correct = 0
    for truth, guess in zip(y_true, y_pred):
        if truth == guess:
            correct += 1
    return correct / len(y_true)'''

# Right on good input, but never refuses bad input (zip truncates, [] divides by zero).
ACC_NO_CHECKS = '''\
def accuracy(y_true, y_pred):
    """Fraction of positions where y_pred equals y_true."""
    return sum(t == p for t, p in zip(y_true, y_pred)) / len(y_pred)'''

# Counts the matches instead of dividing by how many there are.
ACC_COUNT = '''\
def accuracy(y_true, y_pred):
    """Fraction of positions where y_pred equals y_true."""
    return sum(t == p for t, p in zip(y_true, y_pred))'''

ACC_SYNTAX_ERROR = '''\
def accuracy(y_true, y_pred)
    """Fraction of positions where y_pred equals y_true."""
    return sum(t == p for t, p in zip(y_true, y_pred)) / len(y_true)'''

NN_OK = '''\
def nearest_neighbour(point, examples):
    """Label of the example closest to `point`."""
    best = None
    for features, label in examples:
        distance = math.sqrt(sum((a - b) ** 2 for a, b in zip(point, features)))
        if best is None or distance < best[0]:
            best = (distance, label)
    return best[1]'''

# Measures distance along the first feature only: right on 2 of the 4 partial-credit cases.
NN_FIRST_FEATURE_ONLY = '''\
def nearest_neighbour(point, examples):
    """Label of the example closest to `point`."""
    distances = [abs(point[0] - features[0]) for features, _ in examples]
    return examples[distances.index(min(distances))][1]'''

# Picks the farthest example.
NN_FARTHEST = '''\
def nearest_neighbour(point, examples):
    """Label of the example closest to `point`."""
    best_label, best_distance = None, -1.0
    for features, label in examples:
        distance = math.dist(point, features)
        if distance > best_distance:
            best_label, best_distance = label, distance
    return best_label'''

# Correct, but leaves a debugging print on stderr in every call.
NN_OK_STDERR = '''\
import sys


def nearest_neighbour(point, examples):
    """Label of the example closest to `point`."""
    distances = [math.dist(point, features) for features, _ in examples]
    label = examples[distances.index(min(distances))][1]
    print(f"debug: {point} -> {label}", file=sys.stderr)
    return label'''

# ---------------------------------------------------------------- knn: fit_knn, held_out_accuracy
FIT_OK = '''\
def fit_knn(X_train, y_train, k=5):
    """Fit and return a KNeighborsClassifier that looks at `k` neighbours."""
    return KNeighborsClassifier(n_neighbors=k).fit(X_train, y_train)'''

# Forgets to fit.
FIT_UNFITTED = '''\
def fit_knn(X_train, y_train, k=5):
    """Fit and return a KNeighborsClassifier that looks at `k` neighbours."""
    return KNeighborsClassifier(n_neighbors=k)'''

ACC_HELD_OUT_OK = '''\
def held_out_accuracy(model, X, y):
    """Fraction of the rows of X whose predicted species equals y, as a float."""
    predictions = model.predict(X)
    return float(sum(predictions == y) / len(y))'''

# A percentage, not a fraction.
ACC_HELD_OUT_PERCENT = '''\
def held_out_accuracy(model, X, y):
    """Fraction of the rows of X whose predicted species equals y, as a float."""
    return float((model.predict(X) == y).mean() * 100)'''

ACC_HELD_OUT_SYNTAX_ERROR = '''\
def held_out_accuracy(model, X, y):
    """Fraction of the rows of X whose predicted species equals y, as a float."""
    return float((model.predict(X) == y).mean()'''


# ---------------------------------------------------------------- edits
def cell(nb, grade_id: str):
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return c
    raise KeyError(grade_id)


def solve(**sources: str) -> Callable:
    def edit(nb):
        for grade_id, source in sources.items():
            cell(nb, grade_id).source = source

    return edit


def weaken(grade_id: str, old: str, new: str) -> Callable:
    """The learner edits a (locked) test cell in a text editor; nbgrader restores it."""

    def edit(nb):
        test = cell(nb, grade_id)
        assert old in test.source, (grade_id, old)
        test.source = test.source.replace(old, new)

    return edit


def add_after(grade_id: str, *cells) -> Callable:
    def edit(nb):
        at = nb.cells.index(cell(nb, grade_id)) + 1
        nb.cells[at:at] = [copy.deepcopy(c) for c in cells]

    return edit


def scratch(cell_id: str, source: str, markdown: bool = False):
    new = new_markdown_cell(source) if markdown else new_code_cell(source)
    new.id = cell_id  # fixed ids: nbformat would draw random ones
    return new


VARIANTS: dict[str, dict[str, list[Callable]]] = {
    "ps1": {
        "correct": [solve(accuracy=ACC_OK, nearest_neighbour=NN_OK)],
        "partly_correct": [solve(accuracy=ACC_NO_CHECKS, nearest_neighbour=NN_FIRST_FEATURE_ONLY)],
        "wrong": [solve(accuracy=ACC_COUNT, nearest_neighbour=NN_FARTHEST)],
        "unchanged": [],
        "syntax_error": [solve(accuracy=ACC_SYNTAX_ERROR, nearest_neighbour=NN_OK)],
        "edited_test": [
            solve(accuracy=ACC_NO_CHECKS, nearest_neighbour=NN_FIRST_FEATURE_ONLY),
            weaken(
                "test_accuracy_errors",
                'raise AssertionError("sequences of different lengths must raise ValueError")',
                "pass  # my accuracy() is fine with this",
            ),
        ],
        "extra_cell": [
            solve(accuracy=ACC_OK, nearest_neighbour=NN_OK),
            add_after(
                "accuracy",
                scratch("scratch-note", "Trying my function out first:", markdown=True),
                scratch("scratch-try", 'print("my accuracy:", accuracy([1, 1, 0], [1, 0, 0]))'),
            ),
            add_after(
                "nearest_neighbour",
                scratch("scratch-nn", "guess = nearest_neighbour((2, 2), TRAIN)\nguess"),
            ),
        ],
        "stderr_debug": [solve(accuracy=ACC_OK, nearest_neighbour=NN_OK_STDERR)],
    },
    "knn": {
        "correct": [solve(fit_knn=FIT_OK, held_out_accuracy=ACC_HELD_OUT_OK)],
        "partly_correct": [solve(fit_knn=FIT_OK, held_out_accuracy=ACC_HELD_OUT_PERCENT)],
        "wrong": [solve(fit_knn=FIT_UNFITTED, held_out_accuracy=ACC_HELD_OUT_OK)],
        "unchanged": [],
        "syntax_error": [solve(fit_knn=FIT_OK, held_out_accuracy=ACC_HELD_OUT_SYNTAX_ERROR)],
        "edited_test": [
            solve(fit_knn=FIT_OK, held_out_accuracy=ACC_HELD_OUT_PERCENT),
            weaken("test_held_out_accuracy", "assert 0.9 <= acc <= 1.0, acc", "assert acc > 0"),
        ],
        "extra_cell": [
            solve(fit_knn=FIT_OK, held_out_accuracy=ACC_HELD_OUT_OK),
            add_after(
                "held_out_accuracy",
                scratch(
                    "scratch-k",
                    "for k in (1, 3, 5, 7):\n"
                    "    print(k, held_out_accuracy(fit_knn(X_train, y_train, k), X_test, y_test))",
                ),
            ),
        ],
    },
}


def build(out: Path) -> list[Path]:
    written = []
    for assignment, variants in VARIANTS.items():
        released = nbformat.reads(released_notebook(SOURCE, assignment), as_version=4)
        for name, edits in variants.items():
            nb = copy.deepcopy(released)
            for edit in edits:
                edit(nb)
            nbformat.validate(nb)
            path = out / name / assignment / f"{assignment}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, path)
            written.append(path.relative_to(out))
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare with submitted/, write nothing"
    )
    args = parser.parse_args()
    if not args.check:
        shutil.rmtree(SUBMITTED, ignore_errors=True)
        for rel in build(SUBMITTED):
            print(SUBMITTED.relative_to(HERE) / rel)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        expected = set(build(fresh))
        present = {p.relative_to(SUBMITTED) for p in SUBMITTED.rglob("*.ipynb")}
        stale = sorted(str(p) for p in expected ^ present)
        for rel in sorted(expected & present):
            a, b = (SUBMITTED / rel).read_text(), (fresh / rel).read_text()
            if a != b:
                stale.append(str(rel))
                sys.stdout.writelines(
                    difflib.unified_diff(a.splitlines(True), b.splitlines(True), str(rel), "fresh")
                )
    if stale:
        print("out of date:", *stale, sep="\n  ")
        return 1
    print(f"{len(present)} submissions up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
