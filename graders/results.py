"""What grading produces: plain data, shaped for JSON (CLI, API, database)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

GRADED = "graded"
NEEDS_REVIEW = "needs_review"
FAILED = "failed"


@dataclass
class TestResult:
    """One graded cell's outcome as the learner may see it.

    For hidden tests `message` is only "Passed." or "Failed." — never their code or output.
    """

    grade_id: str
    points: float
    max_points: float
    passed: bool
    message: str
    hidden: bool = False
    # A check ran this test without its hidden part: passing it is not the whole test.
    visible_only: bool = False

    def to_json(self) -> dict:
        return {
            "grade_id": self.grade_id,
            "points": self.points,
            "max_points": self.max_points,
            "passed": self.passed,
            "message": self.message,
        }


@dataclass
class GradeResult:
    status: str
    score: float
    max_score: float
    tests: list[TestResult] = field(default_factory=list)
    error: str | None = None
    # Why a person must look (tamper signs, manually graded cells); never shown as points.
    review_reasons: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # What the learner may see of cell outputs (graders/outputs.py); not part of to_json().
    outputs: list[dict] = field(default_factory=list)

    @classmethod
    def failure(cls, reason: str, *, max_score: float = 0.0) -> GradeResult:
        return cls(status=FAILED, score=0.0, max_score=max_score, error=reason)

    def to_json(self, **extra) -> dict:
        data = {
            **extra,
            "status": self.status,
            "score": self.score,
            "max_score": self.max_score,
            "tests": [test.to_json() for test in self.tests],
            "error": self.error,
        }
        if self.review_reasons:
            data["review_reasons"] = list(self.review_reasons)
        return data

    def as_dict(self) -> dict:
        return asdict(self)
